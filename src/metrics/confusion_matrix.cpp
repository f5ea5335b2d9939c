#include "metrics/confusion_matrix.hpp"

#include <stdexcept>
#include <string>

namespace deepbug::metrics {

void ConfusionMatrix::add(std::size_t truth, std::size_t predicted) {
  if (truth >= classes() || predicted >= classes()) {
    throw std::out_of_range("class " + std::to_string(truth >= classes() ? truth : predicted) +
                            " outside a " + std::to_string(classes()) + "-class confusion matrix");
  }
  ++counts_[truth][predicted];
}

long ConfusionMatrix::total() const {
  long n = 0;
  for (std::size_t t = 0; t < classes(); ++t)
    n += support(t);
  return n;
}

long ConfusionMatrix::correct() const {
  long n = 0;
  for (std::size_t c = 0; c < classes(); ++c)
    n += counts_[c][c];
  return n;
}

long ConfusionMatrix::support(std::size_t truth) const {
  long n = 0;
  for (const long count : counts_.at(truth))
    n += count;
  return n;
}

long ConfusionMatrix::predictions(std::size_t predicted) const {
  long n = 0;
  for (const auto& row : counts_)
    n += row.at(predicted);
  return n;
}

double ConfusionMatrix::accuracy() const {
  const long n = total();
  return n ? static_cast<double>(correct()) / n : 0.0;
}

double ConfusionMatrix::precision(std::size_t c) const {
  const long n = predictions(c);
  return n ? static_cast<double>(counts_[c][c]) / n : 0.0;
}

double ConfusionMatrix::recall(std::size_t c) const {
  const long n = support(c);
  return n ? static_cast<double>(counts_[c][c]) / n : 0.0;
}

double ConfusionMatrix::f1(std::size_t c) const {
  const double p = precision(c), r = recall(c);
  return p + r > 0 ? 2 * p * r / (p + r) : 0.0;
}

}  // namespace deepbug::metrics
