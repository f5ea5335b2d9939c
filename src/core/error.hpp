// Errors the programs report to users, and the exit codes every program shares.
#pragma once

#include <stdexcept>
#include <string>

namespace deepbug {

// Exit codes of every deepbug program (README, "Exit codes").
enum ExitCode : int {
  kExitOk = 0,
  kExitFailure = 1,       // a run failed after it started (I/O, decoding, a model crash)
  kExitBadInput = 2,      // bad arguments, config, model or input file: nothing was written
  kExitInterrupted = 130  // stopped by SIGINT; outputs written so far stay valid
};

// A problem the user can fix. what() says what is wrong and names the file, key or
// frame; hint() says what would fix it.
class Error : public std::runtime_error {
 public:
  explicit Error(const std::string& what, std::string hint = {})
      : std::runtime_error(what), hint_(std::move(hint)) {}
  const std::string& hint() const noexcept { return hint_; }

 private:
  std::string hint_;
};

// The model file, its metadata or its outputs are unusable.
class ModelError : public Error {
 public:
  using Error::Error;
};

// A setting (command line, config, model option) has a bad value.
class ConfigError : public Error {
 public:
  using Error::Error;
};

// One line for a terminal: "what (hint)".
inline std::string describe(const Error& error) {
  return error.hint().empty() ? std::string(error.what())
                              : std::string(error.what()) + "\n  hint: " + error.hint();
}

}  // namespace deepbug
