// Turning command-line inputs (image files, video files, folders of images) into a
// list of files to read.
#pragma once

#include <string>
#include <vector>

namespace deepbug::io {

enum class InputKind { kImage, kVideo };

bool isImagePath(const std::string& path);  // by extension: png, jpg, jpeg, bmp, ...
bool isVideoPath(const std::string& path);  // by extension: mp4, avi, mkv, mov, ...

struct InputFile {
  std::string path;
  InputKind kind;
};

// Files stay as given; folders expand to the image files below them, sorted by path
// (class sub-folders included). Throws deepbug::Error naming a path that is missing or
// has a type that cannot be read.
std::vector<InputFile> expandInputs(const std::vector<std::string>& paths);

}  // namespace deepbug::io
