// LibTorch errors carry C++ backtraces and TorchScript call stacks; users need the
// cause. Torch-free declaration so every program can use it.
#pragma once

#include <exception>
#include <string>

namespace deepbug {

// The cause of an error in one line, without backtraces or TorchScript stacks.
std::string errorGist(const std::exception& error);

}  // namespace deepbug
