// The shared shape of every program's main(): passive OpenMP waiting, heap reuse, and errors
// turned into one clear message and a documented exit code.
#pragma once

#include <exception>
#include <iostream>
#include <string>

#include "core/error.hpp"
#include "core/error_text.hpp"
#include "core/runtime.hpp"

namespace deepbug {

template <typename Body>
int guardedMain(const char* program, char** argv, Body&& body) {
  preferPassiveOpenMpWait(argv);
  keepFreedMemoryForReuse();
  try {
    return body();
  } catch (const Error& error) {
    std::cerr << program << ": error: " << describe(error) << "\n";
    return kExitBadInput;
  } catch (const std::exception& error) {
    std::cerr << program << ": failed: " << errorGist(error) << "\n";
    return kExitFailure;
  }
}

}  // namespace deepbug
