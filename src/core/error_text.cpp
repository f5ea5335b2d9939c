#include "core/error_text.hpp"

#include <c10/util/Exception.h>

#include <sstream>

namespace deepbug {

// c10 errors carry C++ backtraces and TorchScript call stacks; users need the gist.
std::string errorGist(const std::exception& error) {
  std::string text = error.what();
  if (const auto* c10_error = dynamic_cast<const c10::Error*>(&error)) {
    text = c10_error->what_without_backtrace();
  }
  std::istringstream lines(text);
  std::string line;
  std::string first_meaningful;
  while (std::getline(lines, line)) {
    // TorchScript interpreter errors end with "RuntimeError: <the actual cause>".
    const auto pos = line.find("Error: ");
    if (pos != std::string::npos) return line.substr(pos + 7);
    if (!line.empty() && line.find_first_not_of(' ') != std::string::npos &&
        first_meaningful.empty()) {
      first_meaningful = line;
    }
  }
  return first_meaningful.empty() ? text : first_meaningful;
}

}  // namespace deepbug
