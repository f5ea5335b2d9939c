// The shared confusion matrix: counts and the figures computed from them, by hand.
#include "metrics/confusion_matrix.hpp"

#include <gtest/gtest.h>

#include <stdexcept>

namespace deepbug::metrics {
namespace {

TEST(ConfusionMatrix, FiguresFromHandCountedPredictions) {
  // 3 classes; truth → predicted: 0→0 ×4, 0→1 ×1, 1→1 ×2, 1→2 ×2, 2→0 ×1.
  ConfusionMatrix m(3);
  for (int i = 0; i < 4; ++i)
    m.add(0, 0);
  m.add(0, 1);
  m.add(1, 1);
  m.add(1, 1);
  m.add(1, 2);
  m.add(1, 2);
  m.add(2, 0);
  EXPECT_EQ(m.rows(), (std::vector<std::vector<long>>{{4, 1, 0}, {0, 2, 2}, {1, 0, 0}}));
  EXPECT_EQ(m.total(), 10);
  EXPECT_EQ(m.correct(), 6);
  EXPECT_DOUBLE_EQ(m.accuracy(), 0.6);
  EXPECT_EQ(m.support(1), 4);
  EXPECT_EQ(m.predictions(0), 5);
  EXPECT_DOUBLE_EQ(m.precision(0), 4.0 / 5);
  EXPECT_DOUBLE_EQ(m.recall(0), 4.0 / 5);
  EXPECT_DOUBLE_EQ(m.precision(1), 2.0 / 3);
  EXPECT_DOUBLE_EQ(m.recall(1), 2.0 / 4);
  EXPECT_DOUBLE_EQ(m.precision(2), 0.0);  // two predictions, both wrong
  EXPECT_DOUBLE_EQ(m.recall(2), 0.0);
}

TEST(ConfusionMatrix, EmptyCountsGiveZeroNotNaN) {
  const ConfusionMatrix m(2);
  EXPECT_EQ(m.total(), 0);
  EXPECT_DOUBLE_EQ(m.accuracy(), 0.0);
  EXPECT_DOUBLE_EQ(m.precision(1), 0.0);
  EXPECT_DOUBLE_EQ(m.recall(0), 0.0);
}

TEST(ConfusionMatrix, AClassOutsideTheMatrixIsAnError) {
  ConfusionMatrix m(2);
  EXPECT_THROW(m.add(2, 0), std::out_of_range);
  EXPECT_THROW(m.add(0, 5), std::out_of_range);
  EXPECT_EQ(m.total(), 0);
}

}  // namespace
}  // namespace deepbug::metrics
