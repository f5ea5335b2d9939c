// Counts of (true class, predicted class) and what they say: accuracy, and per class
// its support, precision, recall and F1. Rows are true classes, columns predicted ones,
// both in label order.
#pragma once

#include <cstddef>
#include <vector>

namespace deepbug::metrics {

class ConfusionMatrix {
 public:
  explicit ConfusionMatrix(std::size_t classes) : counts_(classes, std::vector<long>(classes, 0)) {}

  // Throws std::out_of_range for a class outside the matrix.
  void add(std::size_t truth, std::size_t predicted);

  std::size_t classes() const { return counts_.size(); }
  const std::vector<std::vector<long>>& rows() const { return counts_; }
  long total() const;
  long correct() const;
  long support(std::size_t truth) const;          // images of this class
  long predictions(std::size_t predicted) const;  // images predicted as it
  // 0 where nothing was counted (no images, no predictions of the class).
  double accuracy() const;
  double precision(std::size_t c) const;
  double recall(std::size_t c) const;
  // The harmonic mean of precision and recall; 0 when both are.
  double f1(std::size_t c) const;

 private:
  std::vector<std::vector<long>> counts_;
};

}  // namespace deepbug::metrics
