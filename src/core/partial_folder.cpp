#include "partial_folder.hpp"

namespace deepbug {

namespace fs = std::filesystem;

bool keepIfAnythingWritten(const fs::path& dir) noexcept {
  std::error_code ec;
  if (!fs::is_directory(dir, ec)) return false;
  for (fs::recursive_directory_iterator it(dir, ec), end; !ec && it != end; it.increment(ec)) {
    if (!it->is_directory(ec)) return true;
  }
  // Unreadable part-way: keep rather than remove what could not be looked at.
  if (ec) return true;
  fs::remove_all(dir, ec);
  return false;
}

}  // namespace deepbug
