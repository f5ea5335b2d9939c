// Runs a program as a user would and captures its exit code and output.
#pragma once

#include <gtest/gtest.h>
#include <sys/wait.h>

#include <array>
#include <cstdio>
#include <filesystem>
#include <string>

#include "support/test_dir.hpp"

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

#include <signal.h>
#include <unistd.h>

#include <chrono>
#include <fstream>
#include <functional>
#include <sstream>
#include <thread>

namespace deepbug::test {

// Starts `command` through /bin/sh with stdout and stderr to `log`; returns its pid
// (the shell execs the program, so signals reach the program itself).
inline pid_t spawnCommand(const std::string& command, const std::string& log) {
  const pid_t pid = fork();
  if (pid == 0) {
    const std::string line = "exec " + command + " >'" + log + "' 2>&1";
    execl("/bin/sh", "sh", "-c", line.c_str(), static_cast<char*>(nullptr));
    _exit(127);
  }
  return pid;
}

inline std::string readFile(const std::string& path) {
  std::ifstream in(path);
  std::stringstream text;
  text << in.rdbuf();
  return text.str();
}

// Polls until `ready()` or `timeout`; returns whether it became ready.
inline bool waitUntil(const std::function<bool()>& ready, std::chrono::seconds timeout) {
  const auto end = std::chrono::steady_clock::now() + timeout;
  while (std::chrono::steady_clock::now() < end) {
    if (ready()) return true;
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
  return ready();
}

// Exit code of `pid`, 128+signal when killed, or -1 (and the process killed) when it
// did not end within `timeout`.
inline int waitForExit(pid_t pid, std::chrono::seconds timeout) {
  int status = 0;
  const bool ended = waitUntil([&] { return waitpid(pid, &status, WNOHANG) == pid; }, timeout);
  if (!ended) {
    kill(pid, SIGKILL);
    waitpid(pid, &status, 0);
    return -1;
  }
  if (WIFEXITED(status)) return WEXITSTATUS(status);
  return WIFSIGNALED(status) ? 128 + WTERMSIG(status) : -1;
}

}  // namespace deepbug::test
