// The one rule deepbug-eval samples images by (gallery, faithfulness, sanity check,
// strategies): k of n images chosen evenly over them — image ⌊j·n/k⌋ for j = 0 … k−1 —
// so that a sample of a class-ordered data set spans every class.
#pragma once

#include <cstddef>

namespace deepbug::eval {

// Whether image i (0 ≤ i < n) is in the even sample of k; every image when k is 0 or
// at least n.
inline bool inEvenSample(std::size_t i, std::size_t n, std::size_t k) {
  if (k == 0 || k >= n) return true;
  // The first j whose image ⌊j·n/k⌋ is not before i is ⌈i·k/n⌉; i is chosen when that
  // image is i itself.
  const std::size_t j = (i * k + n - 1) / n;
  return j < k && j * n / k == i;
}

}  // namespace deepbug::eval
