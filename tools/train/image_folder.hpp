// An ImageFolder dataset: DIR/<class>/<image>, classes sorted by name, with a
// deterministic train/validation split by file path.
#pragma once

#include <string>
#include <vector>

namespace deepbug::train {

struct Sample {
  std::string path;
  int label = 0;
};

struct ImageFolder {
  std::string root;
  std::vector<std::string> classes;  // sorted folder names
  std::vector<Sample> samples;       // sorted by path
};

// Throws deepbug::Error for a missing folder, fewer than two class folders, or an
// empty class folder (naming it).
ImageFolder scanImageFolder(const std::string& root);

// Validation membership depends only on the path (stable across runs and resumes).
bool inValidationSplit(const std::string& path, double fraction);

}  // namespace deepbug::train
