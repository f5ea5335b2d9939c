#include "served_files.hpp"

#include <algorithm>
#include <cctype>
#include <map>

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
