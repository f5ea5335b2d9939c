// The files the monitoring server may hand out: those inside one folder (the output
// directory, or the built page), named by a URL path below it.
#pragma once

#include <filesystem>
#include <optional>
#include <string>
#include <string_view>

namespace deepbug::web {

// The regular file under `root` that `relative` names (a URL path below the mount,
// already percent-decoded), or nothing: an absolute path, a '..', '.' or empty segment,
// a backslash or NUL, a missing file, or one whose symlinks lead out of `root`.
std::optional<std::filesystem::path> resolveServedFile(const std::filesystem::path& root,
                                                       std::string_view relative);

// "/files/a/b%20c.png" for `path` inside `root`; "" for a path outside it.
std::string filesUrl(const std::filesystem::path& root, const std::string& path);

// The Content-Type for a file name's extension.
std::string contentTypeOf(const std::filesystem::path& file);

}  // namespace deepbug::web
