#include "image_folder.hpp"

#include <algorithm>
#include <filesystem>

#include "core/error.hpp"
#include "io/input_paths.hpp"

namespace deepbug::train {

namespace fs = std::filesystem;

ImageFolder scanImageFolder(const std::string& root) {
  std::error_code ec;
  if (!fs::is_directory(root, ec)) {
    throw Error("dataset folder '" + root + "' does not exist",
                "give a folder with one sub-folder of images per class (ImageFolder layout)");
  }
  ImageFolder data;
  data.root = root;
  for (const auto& entry : fs::directory_iterator(root)) {
    if (entry.is_directory()) data.classes.push_back(entry.path().filename().string());
  }
  std::sort(data.classes.begin(), data.classes.end());
  if (data.classes.size() < 2) {
    throw Error("dataset '" + root + "' has " + std::to_string(data.classes.size()) +
                    " class folder(s); a classifier needs at least 2",
                "put the images of each class in their own sub-folder, e.g. aggressive/ and "
                "non_aggressive/");
  }
  for (std::size_t c = 0; c < data.classes.size(); ++c) {
    const fs::path folder = fs::path(root) / data.classes[c];
    std::vector<std::string> paths;
    for (const auto& entry : fs::recursive_directory_iterator(folder)) {
      if (entry.is_regular_file() && io::isImagePath(entry.path().string())) {
        paths.push_back(entry.path().string());
      }
    }
    if (paths.empty()) {
      throw Error("class folder '" + folder.string() + "' holds no images",
                  "every class needs images (png, jpg, ...), or remove the folder");
    }
    std::sort(paths.begin(), paths.end());
    for (std::string& path : paths)
      data.samples.push_back({std::move(path), static_cast<int>(c)});
  }
  return data;
}

bool inValidationSplit(const std::string& path, double fraction) {
  // FNV-1a of "<class folder>/<file name>": the same wherever the dataset lives.
  const fs::path p(path);
  const std::string key = p.parent_path().filename().string() + "/" + p.filename().string();
  std::uint64_t hash = 1469598103934665603ull;
  for (unsigned char c : key)
    hash = (hash ^ c) * 1099511628211ull;
  return static_cast<double>(hash % 10000) < fraction * 10000.0;
}

}  // namespace deepbug::train
