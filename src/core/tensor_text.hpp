// A tensor's shape as error messages write it: "[2, 3, 224, 224]", or "no tensor".
#pragma once

#include <torch/script.h>

#include <sstream>
#include <string>

namespace deepbug {

inline std::string shapeText(const at::Tensor& tensor) {
  if (!tensor.defined()) return "no tensor";
  std::ostringstream text;
  text << tensor.sizes();
  return text.str();
}

}  // namespace deepbug
