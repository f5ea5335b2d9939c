// The message of the deepbug::ConfigError a call throws, for tests that check what a bad
// argument is told.
#pragma once

#include <string>

#include "core/error.hpp"

namespace deepbug::test {

// Empty when `f` throws none.
template <typename F>
std::string configErrorOf(F f) {
  try {
    f();
  } catch (const ConfigError& error) {
    return error.what();
  }
  return "";
}

}  // namespace deepbug::test
