// `device: auto | cpu | cuda | cuda:N` → a LibTorch device string, checked against
// what this LibTorch build and machine offer.
#pragma once

#include <string>

namespace deepbug::model {

// Throws ConfigError for unknown spellings, and ModelError-style guidance when CUDA is
// requested but this LibTorch has no CUDA or no such GPU. "auto" picks cuda:0 when
// CUDA is usable, else cpu.
std::string resolveDevice(const std::string& requested);

enum class Precision { kFp32, kBf16, kFp16 };

std::string toString(Precision precision);
// Throws ConfigError for unknown names.
Precision parsePrecision(const std::string& text);
// Throws ConfigError for combinations LibTorch cannot run (fp16 on CPU).
void checkPrecision(Precision precision, const std::string& resolved_device);

}  // namespace deepbug::model
