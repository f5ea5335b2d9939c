// Right for the right reasons, parts of an image, F1 and McNemar's test: on counts and
// hand-made maps with known answers.
#include <gtest/gtest.h>
#include <torch/script.h>

#include <stdexcept>

#include "metrics/confusion_matrix.hpp"
#include "metrics/explanation_checks.hpp"
#include "metrics/model_comparison.hpp"

namespace deepbug::metrics {
namespace {

const model::PreprocessGeometry kFrame =
    model::computeGeometry(8, 8, 8, 8, model::AspectPolicy::kStretch);

TEST(ReasonsTable, EachImageLandsInOneCellOfTheTwoByTwo) {
  ReasonsTable t;
  t.add(true, true);
  t.add(true, false);
  t.add(true, false);
  t.add(false, true);
  EXPECT_EQ(t.right_for_right, 1u);
  EXPECT_EQ(t.right_for_wrong, 2u);
  EXPECT_EQ(t.wrong_but_looked, 1u);
  EXPECT_EQ(t.wrong_for_wrong, 0u);
  EXPECT_EQ(t.total(), 4u);
}

TEST(PartShares, EachPartsShareAndTheBackgroundAndTheTopPart) {
  at::Tensor r = at::zeros({8, 8});
  r[0][0] = 3;   // tire
  r[7][7] = 1;   // headlight
  r[4][4] = 1;   // no part: background
  r[2][2] = -9;  // negative relevance is no evidence for the class
  const std::map<std::string, Region> parts{{"tire", Region{{{0, 0, 2, 2}}, {}}},
                                            {"headlight", Region{{{6, 6, 2, 2}}, {}}}};
  const PartShares s = partShares(r, kFrame, parts);
  EXPECT_DOUBLE_EQ(s.share.at("tire"), 0.6);
  EXPECT_DOUBLE_EQ(s.share.at("headlight"), 0.2);
  EXPECT_DOUBLE_EQ(s.background, 0.2);
  EXPECT_EQ(s.top, "tire");
}

TEST(PartShares, OverlappingPartsEachCountTheirPixelsAndTheBackgroundCanWin) {
  at::Tensor r = at::zeros({8, 8});
  r[1][1] = 1;  // in person and in pair
  r[5][5] = 3;  // in neither
  const std::map<std::string, Region> parts{{"pair", Region{{{0, 0, 4, 4}}, {}}},
                                            {"person", Region{{{0, 0, 2, 2}}, {}}}};
  const PartShares s = partShares(r, kFrame, parts);
  EXPECT_DOUBLE_EQ(s.share.at("pair"), 0.25);
  EXPECT_DOUBLE_EQ(s.share.at("person"), 0.25);
  EXPECT_DOUBLE_EQ(s.background, 0.75);
  EXPECT_EQ(s.top, "background");
  EXPECT_EQ(partShares(-at::ones({8, 8}), kFrame, parts).top, "") << "no positive relevance";
}

TEST(ConfusionMatrix, F1IsTheHarmonicMeanOfPrecisionAndRecall) {
  ConfusionMatrix m(2);
  // class 1: 3 true positives, 1 false negative, 2 false positives
  for (int i = 0; i < 3; ++i)
    m.add(1, 1);
  m.add(1, 0);
  m.add(0, 1);
  m.add(0, 1);
  m.add(0, 0);
  EXPECT_DOUBLE_EQ(m.precision(1), 3.0 / 5);
  EXPECT_DOUBLE_EQ(m.recall(1), 3.0 / 4);
  EXPECT_DOUBLE_EQ(m.f1(1), 2 * 0.6 * 0.75 / (0.6 + 0.75));
  ConfusionMatrix never(2);
  never.add(0, 0);
  EXPECT_DOUBLE_EQ(never.f1(1), 0.0) << "no predictions and no images of the class";
}

TEST(McNemar, OnlyTheDisagreementsCountExactBelowTwentyFive) {
  // 10 images both right, 6 only the first, 1 only the second: exact binomial,
  // P(X ≤ 1 | n = 7) = (1 + 7) / 128, doubled.
  std::vector<bool> first(17, true), second(17, true);
  for (int i = 10; i < 16; ++i)
    second[i] = false;
  first[16] = false;
  const McNemar m = mcnemar(first, second);
  EXPECT_EQ(m.only_first, 6u);
  EXPECT_EQ(m.only_second, 1u);
  EXPECT_TRUE(m.exact);
  EXPECT_NEAR(m.p_value, 2 * 8.0 / 128, 1e-12);
  EXPECT_DOUBLE_EQ(m.statistic, 16.0 / 7);
}

TEST(McNemar, ChiSquareWithContinuityCorrectionFromTwentyFiveDisagreements) {
  // b = 20, c = 10: χ² = (10 − 1)² / 30 = 2.7; p = P(χ²₁ > 2.7) = erfc(√1.35).
  std::vector<bool> first, second;
  for (int i = 0; i < 20; ++i) {
    first.push_back(true);
    second.push_back(false);
  }
  for (int i = 0; i < 10; ++i) {
    first.push_back(false);
    second.push_back(true);
  }
  const McNemar m = mcnemar(first, second);
  EXPECT_FALSE(m.exact);
  EXPECT_DOUBLE_EQ(m.statistic, 2.7);
  EXPECT_NEAR(m.p_value, 0.100348, 1e-6);
}

TEST(McNemar, NoDisagreementIsNoEvidenceAndUnpairedListsAreAnError) {
  EXPECT_DOUBLE_EQ(mcnemar({true, false}, {true, false}).p_value, 1.0);
  EXPECT_THROW(mcnemar({true}, {true, false}), std::invalid_argument);
}

}  // namespace
}  // namespace deepbug::metrics
