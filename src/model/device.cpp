#include "model/device.hpp"

#include <torch/cuda.h>

#include <cctype>

#include "core/error.hpp"

namespace deepbug::model {

namespace {

bool allDigits(const std::string& text) {
  if (text.empty()) return false;
  for (char c : text) {
    if (!std::isdigit(static_cast<unsigned char>(c))) return false;
  }
  return true;
}

}  // namespace

std::string resolveDevice(const std::string& requested) {
  if (requested == "cpu") return "cpu";
  const bool cuda = torch::cuda::is_available();
  if (requested == "auto") return cuda ? "cuda:0" : "cpu";

  int index = -1;
  if (requested == "cuda") {
    index = 0;
  } else if (requested.rfind("cuda:", 0) == 0 && allDigits(requested.substr(5)) &&
             requested.size() < 10) {
    index = std::stoi(requested.substr(5));
  } else {
    throw ConfigError("unknown device '" + requested + "'",
                      "use auto, cpu, cuda or cuda:N (N = GPU index)");
  }
  if (!cuda) {
    throw ConfigError("device '" + requested +
                          "' requested, but this LibTorch build has no CUDA support or no GPU "
                          "is visible",
                      "use device: cpu (or auto, which falls back to the CPU), or build against "
                      "a CUDA LibTorch via CMAKE_PREFIX_PATH");
  }
  const auto count = static_cast<int>(torch::cuda::device_count());
  if (index >= count) {
    throw ConfigError("device '" + requested + "' requested, but only " + std::to_string(count) +
                          " GPU(s) are visible",
                      "use cuda:0 .. cuda:" + std::to_string(count - 1));
  }
  return "cuda:" + std::to_string(index);
}

std::string toString(Precision precision) {
  switch (precision) {
    case Precision::kFp32:
      return "fp32";
    case Precision::kBf16:
      return "bf16";
    case Precision::kFp16:
      return "fp16";
  }
  return "fp32";
}

Precision parsePrecision(const std::string& text) {
  if (text == "fp32") return Precision::kFp32;
  if (text == "bf16") return Precision::kBf16;
  if (text == "fp16") return Precision::kFp16;
  throw ConfigError("unknown precision '" + text + "'", "use fp32, bf16 or fp16");
}

void checkPrecision(Precision precision, const std::string& resolved_device) {
  if (precision == Precision::kFp16 && resolved_device.rfind("cuda", 0) != 0) {
    throw ConfigError(
        "precision fp16 needs a CUDA device, but the model runs on " + resolved_device,
        "use precision: bf16 (CPU autocast) or fp32 on the CPU");
  }
}

}  // namespace deepbug::model
