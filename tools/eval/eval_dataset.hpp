// The images deepbug-eval scores: an ImageFolder `ROOT/<class>/…`, optionally with
// variation sub-folders `ROOT/<class>/<variation>/…` (every table is given overall and
// per variation), the first `limit` images of each class in sorted order.
#pragma once

#include <string>
#include <vector>

#include "image_batches.hpp"

namespace deepbug::eval {

struct EvalImage {
  explain_tool::ImageFile file;  // name: relative to ROOT, '/'-separated
  int class_index = 0;           // into EvalDataset::classes
  std::string variation;         // the sub-folder under the class; "" when none
};

struct EvalDataset {
  std::string root;
  std::vector<std::string> classes;             // sorted folder names
  std::vector<EvalImage> images;                // class by class, sorted by name
  std::vector<std::string> variations() const;  // sorted, without ""
};

// `limit` 0: every image. Throws deepbug::ConfigError naming ROOT when it holds no class
// folder, or a class folder without images.
EvalDataset scanDataset(const std::string& root, int limit);

}  // namespace deepbug::eval
