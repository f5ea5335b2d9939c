#include "eval_dataset.hpp"

#include <algorithm>
#include <filesystem>
#include <set>

#include "core/error.hpp"
#include "io/input_paths.hpp"

namespace deepbug::eval {

namespace fs = std::filesystem;

std::vector<std::string> EvalDataset::variations() const {
  std::set<std::string> found;
  for (const EvalImage& image : images) {
    if (!image.variation.empty()) found.insert(image.variation);
  }
  return {found.begin(), found.end()};
}

EvalDataset scanDataset(const std::string& root, int limit) {
  if (!fs::is_directory(root)) {
    throw ConfigError("--data '" + root + "' is not a folder",
                      "give an ImageFolder: ROOT/<class>/<image> (or ROOT/<class>/<variation>/…)");
  }
  EvalDataset data;
  data.root = root;
  for (const auto& entry : fs::directory_iterator(root)) {
    if (entry.is_directory()) data.classes.push_back(entry.path().filename().string());
  }
  std::sort(data.classes.begin(), data.classes.end());
  if (data.classes.empty()) {
    throw ConfigError("--data '" + root + "' holds no class folder",
                      "give an ImageFolder: ROOT/<class>/<image>");
  }
  for (std::size_t c = 0; c < data.classes.size(); ++c) {
    const fs::path folder = fs::path(root) / data.classes[c];
    std::vector<EvalImage> found;
    for (const auto& entry : fs::recursive_directory_iterator(folder)) {
      if (!entry.is_regular_file() || !io::isImagePath(entry.path().string())) continue;
      EvalImage image;
      image.file.path = entry.path().string();
      image.file.name = fs::relative(entry.path(), root).generic_string();
      image.class_index = static_cast<int>(c);
      const fs::path inside = fs::relative(entry.path(), folder);
      if (std::distance(inside.begin(), inside.end()) > 1) {
        image.variation = inside.begin()->string();
        // Every table has a group "all" of its own: a variation may not take the name.
        if (image.variation == "all") {
          throw ConfigError("variation folder '" + (folder / "all").string() + "'",
                            "'all' names every image's group; rename the folder");
        }
      }
      found.push_back(std::move(image));
    }
    if (found.empty()) {
      throw ConfigError("class folder '" + folder.string() + "' holds no image",
                        "every class folder needs images (png, jpg, …)");
    }
    std::sort(found.begin(), found.end(),
              [](const EvalImage& a, const EvalImage& b) { return a.file.name < b.file.name; });
    if (limit > 0 && static_cast<int>(found.size()) > limit) found.resize(limit);
    data.images.insert(data.images.end(), found.begin(), found.end());
  }
  return data;
}

}  // namespace deepbug::eval
