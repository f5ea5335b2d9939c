// Two models on the same images: do they differ in accuracy by more than chance?
// McNemar's test on the paired predictions (McNemar 1947): only the images one model
// gets right and the other wrong count.
#pragma once

#include <cstddef>
#include <vector>

namespace deepbug::metrics {

struct McNemar {
  std::size_t only_first = 0;   // b: the first model right, the second wrong
  std::size_t only_second = 0;  // c: the first wrong, the second right
  // Exact two-sided binomial p-value when b + c < 25, else the χ² (1 degree of freedom)
  // with continuity correction, (|b − c| − 1)² / (b + c); 1 when b + c = 0.
  bool exact = true;
  double statistic = 0;  // the χ² value (also reported when the exact test decides)
  double p_value = 1;
};

// `first_correct[i]`, `second_correct[i]`: whether each model classified image i right.
// Throws std::invalid_argument when the lists differ in length.
McNemar mcnemar(const std::vector<bool>& first_correct, const std::vector<bool>& second_correct);

}  // namespace deepbug::metrics
