// The files the monitoring server may hand out: those inside one folder (the output
// directory, or the built page), named by a URL path below it.
#pragma once

#include <cstddef>
#include <cstdint>
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

// A regular file opened for reading by offset; its descriptor closes with it.
class OpenedFile {
 public:
  // Which file it is, whatever its name now: a file renamed over it is another one.
  struct Identity {
    std::uint64_t device = 0;
    std::uint64_t inode = 0;
    bool operator==(const Identity& other) const {
      return device == other.device && inode == other.inode;
    }
    bool operator!=(const Identity& other) const { return !(*this == other); }
  };

  // Takes `fd` (closed in any case) when it is a regular file; nothing otherwise.
  static std::optional<OpenedFile> adopt(int fd, std::filesystem::path path);
  OpenedFile(OpenedFile&& other) noexcept;
  OpenedFile& operator=(OpenedFile&&) = delete;
  OpenedFile(const OpenedFile&) = delete;
  OpenedFile& operator=(const OpenedFile&) = delete;
  ~OpenedFile();

  std::uint64_t size() const { return size_; }  // when opened
  const std::filesystem::path& path() const { return path_; }
  Identity identity() const { return identity_; }
  // Up to `length` bytes from `offset` into `out`: how many were read, 0 at the end or
  // on an error.
  std::size_t readAt(std::uint64_t offset, char* out, std::size_t length) const;

 private:
  OpenedFile(int fd, std::uint64_t size, Identity identity, std::filesystem::path path);

  int fd_;
  std::uint64_t size_;
  Identity identity_;
  std::filesystem::path path_;
};

// The regular file at `path` (symlinks followed: for files the program reads itself, not
// for serving), or nothing. Never waits on a FIFO.
std::optional<OpenedFile> openRegularFile(const std::filesystem::path& path);

// Opens `resolved` (what resolveServedFile gave for `root`) without following any
// symlink below the root: one swapped in after the path was resolved (by whoever can
// write the folder) would lead out, and is refused.
std::optional<OpenedFile> openResolvedFile(const std::filesystem::path& root,
                                           const std::filesystem::path& resolved);

// resolveServedFile, then openResolvedFile: what the server hands out.
std::optional<OpenedFile> openServedFile(const std::filesystem::path& root,
                                         std::string_view relative);

// "/files/a/b%20c.png" for `path` inside `root`; "" for a path outside it.
std::string filesUrl(const std::filesystem::path& root, const std::string& path);

// The Content-Type for a file name's extension.
std::string contentTypeOf(const std::filesystem::path& file);

}  // namespace deepbug::web
