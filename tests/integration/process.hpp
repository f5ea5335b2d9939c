// Runs a program as a user would and captures its exit code and output.
#pragma once

#include <sys/wait.h>

#include <array>
#include <cstdio>
#include <string>

namespace deepbug::test {

struct ProcessResult {
  int exit_code = -1;
  std::string output;  // stdout, and stderr unless dropped
};

inline ProcessResult runCommand(const std::string& command, bool keep_stderr = true) {
  ProcessResult result;
  FILE* pipe = popen((command + (keep_stderr ? " 2>&1" : " 2>/dev/null")).c_str(), "r");
  if (pipe == nullptr) return result;
  std::array<char, 4096> buffer{};
  std::size_t n = 0;
  while ((n = fread(buffer.data(), 1, buffer.size(), pipe)) > 0)
    result.output.append(buffer.data(), n);
  const int status = pclose(pipe);
  result.exit_code = WIFEXITED(status) ? WEXITSTATUS(status) : -1;
  return result;
}

inline std::string program(const std::string& name) {
  return std::string(DEEPBUG_BIN_DIR) + "/" + name;
}

inline std::string fixture(const std::string& name) {
  return std::string(DEEPBUG_FIXTURE_DIR) + "/" + name + ".pt";
}

}  // namespace deepbug::test
