#include "io/input_paths.hpp"

#include <algorithm>
#include <array>
#include <cctype>
#include <filesystem>

#include "core/error.hpp"

namespace deepbug::io {

namespace fs = std::filesystem;

namespace {

std::string lowerExtension(const std::string& path) {
  std::string ext = fs::path(path).extension().string();
  std::transform(ext.begin(), ext.end(), ext.begin(),
                 [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  return ext;
}

template <std::size_t N>
bool hasExtension(const std::string& path, const std::array<const char*, N>& extensions) {
  const std::string ext = lowerExtension(path);
  return std::any_of(extensions.begin(), extensions.end(),
                     [&](const char* candidate) { return ext == candidate; });
}

}  // namespace

bool isImagePath(const std::string& path) {
  static constexpr std::array<const char*, 8> kImages{".png", ".jpg",  ".jpeg", ".bmp",
                                                      ".tif", ".tiff", ".webp", ".ppm"};
  return hasExtension(path, kImages);
}

bool isVideoPath(const std::string& path) {
  static constexpr std::array<const char*, 8> kVideos{".mp4",  ".avi", ".mkv", ".mov",
                                                      ".webm", ".m4v", ".mpg", ".ts"};
  return hasExtension(path, kVideos);
}

std::vector<InputFile> expandInputs(const std::vector<std::string>& paths) {
  std::vector<InputFile> files;
  for (const std::string& path : paths) {
    std::error_code ec;
    if (fs::is_directory(path, ec)) {
      std::vector<std::string> images;
      for (const auto& entry : fs::recursive_directory_iterator(path, ec)) {
        if (entry.is_regular_file() && isImagePath(entry.path().string())) {
          images.push_back(entry.path().string());
        }
      }
      if (ec) throw Error("cannot list folder '" + path + "': " + ec.message());
      if (images.empty()) {
        throw Error("folder '" + path + "' holds no image files",
                    "images are recognised by extension: png, jpg, jpeg, bmp, tif, webp, ppm");
      }
      std::sort(images.begin(), images.end());
      for (std::string& image : images)
        files.push_back({std::move(image), InputKind::kImage});
    } else if (!fs::exists(path, ec)) {
      throw Error("input '" + path + "' does not exist", "check the path");
    } else if (isImagePath(path)) {
      files.push_back({path, InputKind::kImage});
    } else if (isVideoPath(path)) {
      files.push_back({path, InputKind::kVideo});
    } else {
      throw Error("input '" + path + "' is neither an image nor a video file",
                  "give images (png, jpg, ...), videos (mp4, avi, mkv, ...) or folders");
    }
  }
  return files;
}

}  // namespace deepbug::io
