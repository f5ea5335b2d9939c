#include "served_files.hpp"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cctype>
#include <cerrno>
#include <iterator>
#include <map>
#include <utility>

namespace deepbug::web {

namespace fs = std::filesystem;

namespace {

bool inside(const fs::path& root, const fs::path& path) {
  const auto [root_end, _] = std::mismatch(root.begin(), root.end(), path.begin(), path.end());
  return root_end == root.end();
}

std::string percentEncoded(const std::string& segment) {
  static const char* hex = "0123456789ABCDEF";
  std::string out;
  for (const unsigned char c : segment) {
    if (std::isalnum(c) || c == '-' || c == '_' || c == '.' || c == '~') {
      out += static_cast<char>(c);
    } else {
      out += '%';
      out += hex[c >> 4];
      out += hex[c & 15];
    }
  }
  return out;
}

}  // namespace

std::optional<fs::path> resolveServedFile(const fs::path& root, std::string_view relative) {
  if (relative.empty() || relative.front() == '/' ||
      relative.find_first_of(std::string_view("\\\0", 2)) != std::string_view::npos) {
    return std::nullopt;
  }
  fs::path wanted;
  std::string_view rest = relative;
  while (true) {
    const auto slash = rest.find('/');
    const std::string_view segment = rest.substr(0, slash);
    if (segment.empty() || segment == "." || segment == "..") return std::nullopt;
    wanted /= fs::path(std::string(segment));
    if (slash == std::string_view::npos) break;
    rest.remove_prefix(slash + 1);
  }
  std::error_code ec;
  const fs::path real_root = fs::canonical(root, ec);
  if (ec) return std::nullopt;
  const fs::path real = fs::canonical(real_root / wanted, ec);
  if (ec || !inside(real_root, real) || !fs::is_regular_file(real, ec)) return std::nullopt;
  return real;
}

std::optional<OpenedFile> OpenedFile::adopt(int fd, fs::path path) {
  if (fd < 0) return std::nullopt;
  struct stat info {};
  if (::fstat(fd, &info) != 0 || !S_ISREG(info.st_mode)) {
    ::close(fd);
    return std::nullopt;
  }
  return OpenedFile(
      fd, static_cast<std::uint64_t>(info.st_size),
      {static_cast<std::uint64_t>(info.st_dev), static_cast<std::uint64_t>(info.st_ino)},
      std::move(path));
}

OpenedFile::OpenedFile(int fd, std::uint64_t size, Identity identity, fs::path path)
    : fd_(fd), size_(size), identity_(identity), path_(std::move(path)) {}

OpenedFile::OpenedFile(OpenedFile&& other) noexcept
    : fd_(std::exchange(other.fd_, -1)),
      size_(other.size_),
      identity_(other.identity_),
      path_(std::move(other.path_)) {}

OpenedFile::~OpenedFile() {
  if (fd_ >= 0) ::close(fd_);
}

std::size_t OpenedFile::readAt(std::uint64_t offset, char* out, std::size_t length) const {
  while (true) {
    const ssize_t got = ::pread(fd_, out, length, static_cast<off_t>(offset));
    if (got >= 0) return static_cast<std::size_t>(got);
    if (errno != EINTR) return 0;
  }
}

std::optional<OpenedFile> openResolvedFile(const fs::path& root, const fs::path& resolved) {
  std::error_code ec;
  const fs::path real_root = fs::canonical(root, ec);
  if (ec || !inside(real_root, resolved)) return std::nullopt;
  const fs::path below = resolved.lexically_relative(real_root);
  if (below.empty() || below == ".") return std::nullopt;
  // Only a path that stays below the root at every step (a resolved one does): openat
  // would follow a '..' up and out.
  for (const fs::path& part : below) {
    if (part == ".." || part == "." || part.empty()) return std::nullopt;
  }
  // Step by step from the root, each step refusing a symlink (O_NOFOLLOW): the resolved
  // path has none, so one found now was put there since.
  int fd = ::open(real_root.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (fd < 0) return std::nullopt;
  const auto last = std::prev(below.end());
  for (auto part = below.begin(); part != below.end() && fd >= 0; ++part) {
    // The last step without blocking: a FIFO swapped in would otherwise hold the thread.
    const int flags = O_RDONLY | O_NOFOLLOW | O_CLOEXEC | (part == last ? O_NONBLOCK : O_DIRECTORY);
    const int next = ::openat(fd, part->c_str(), flags);
    ::close(fd);
    fd = next;
  }
  return OpenedFile::adopt(fd, resolved);
}

std::optional<OpenedFile> openRegularFile(const fs::path& path) {
  // O_NONBLOCK: a FIFO in its place must not hold the thread; adopt refuses it.
  return OpenedFile::adopt(::open(path.c_str(), O_RDONLY | O_CLOEXEC | O_NONBLOCK), path);
}

std::optional<OpenedFile> openServedFile(const fs::path& root, std::string_view relative) {
  const auto resolved = resolveServedFile(root, relative);
  if (!resolved) return std::nullopt;
  return openResolvedFile(root, *resolved);
}

std::string filesUrl(const fs::path& root, const std::string& path) {
  std::error_code ec;
  const fs::path real_root = fs::weakly_canonical(root, ec);
  const fs::path real = fs::weakly_canonical(path, ec);
  if (ec || !inside(real_root, real)) return "";
  std::string url = "/files";
  for (const fs::path& part : real.lexically_relative(real_root))
    url += "/" + percentEncoded(part.string());
  return url;
}

std::string contentTypeOf(const fs::path& file) {
  static const std::map<std::string, std::string> types{
      {".html", "text/html; charset=utf-8"},
      {".js", "text/javascript; charset=utf-8"},
      {".css", "text/css; charset=utf-8"},
      {".json", "application/json"},
      {".jsonl", "application/x-ndjson"},
      {".csv", "text/csv; charset=utf-8"},
      {".txt", "text/plain; charset=utf-8"},
      {".svg", "image/svg+xml"},
      {".png", "image/png"},
      {".jpg", "image/jpeg"},
      {".jpeg", "image/jpeg"},
      {".ico", "image/x-icon"},
      {".mp4", "video/mp4"},
      {".mkv", "video/x-matroska"},
      {".npy", "application/octet-stream"},
  };
  std::string extension = file.extension().string();
  std::transform(extension.begin(), extension.end(), extension.begin(),
                 [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  const auto found = types.find(extension);
  return found == types.end() ? "application/octet-stream" : found->second;
}

}  // namespace deepbug::web
