// Deriving independent random seeds from (seed, index) pairs: generation and training
// stay deterministic whatever order or thread the items are processed in.
#pragma once

#include <cstdint>

namespace deepbug {

// SplitMix64 finaliser over a combination of the two values.
inline std::uint64_t mixSeed(std::uint64_t seed, std::uint64_t index) {
  std::uint64_t z = seed * 0x9E3779B97F4A7C15ull + index + 1;
  z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ull;
  z = (z ^ (z >> 27)) * 0x94D049BB133111EBull;
  return z ^ (z >> 31);
}

}  // namespace deepbug
