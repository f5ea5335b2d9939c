#include "metrics/model_comparison.hpp"

#include <algorithm>
#include <cmath>
#include <stdexcept>

namespace deepbug::metrics {

McNemar mcnemar(const std::vector<bool>& first_correct, const std::vector<bool>& second_correct) {
  if (first_correct.size() != second_correct.size()) {
    throw std::invalid_argument("McNemar's test needs the two models' results on the same images");
  }
  McNemar m;
  for (std::size_t i = 0; i < first_correct.size(); ++i) {
    if (first_correct[i] && !second_correct[i]) ++m.only_first;
    if (!first_correct[i] && second_correct[i]) ++m.only_second;
  }
  const std::size_t n = m.only_first + m.only_second;
  if (n == 0) return m;
  const double b = static_cast<double>(m.only_first), c = static_cast<double>(m.only_second);
  const double d = std::max(0.0, std::fabs(b - c) - 1.0);
  m.statistic = d * d / (b + c);
  m.exact = n < 25;
  if (m.exact) {
    // P(X ≤ min(b, c)) for X ~ Binomial(n, ½), doubled; summed in logs for large n.
    const std::size_t k = std::min(m.only_first, m.only_second);
    double tail = 0;
    for (std::size_t i = 0; i <= k; ++i) {
      tail += std::exp(std::lgamma(n + 1.0) - std::lgamma(i + 1.0) - std::lgamma(n - i + 1.0) -
                       static_cast<double>(n) * std::log(2.0));
    }
    m.p_value = std::min(1.0, 2 * tail);
  } else {
    m.p_value = std::erfc(std::sqrt(m.statistic / 2));  // the χ²(1) upper tail
  }
  return m;
}

}  // namespace deepbug::metrics
