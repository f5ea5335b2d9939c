#include <gtest/gtest.h>
#include <torch/script.h>

#include "metrics/localization.hpp"

namespace deepbug::metrics {
namespace {

using model::AspectPolicy;
using model::computeGeometry;

TEST(Localization, StretchedFrameHitAndMass) {
  // 400×200 frame onto 4×4: each input pixel covers 100×50 frame pixels.
  const auto geometry = computeGeometry(400, 200, 4, 4, AspectPolicy::kStretch);
  at::Tensor r = at::zeros({4, 4});
  r[1][2] = 3.0;                                        // centre (250, 75)
  r[3][0] = 1.0;                                        // centre (50, 175)
  r[0][0] = -5.0;                                       // negative relevance never counts as mass
  const std::vector<Box> fight = {{200, 50, 100, 50}};  // holds input pixel (row 1, col 2)
  const auto score = scoreLocalization(r, geometry, fight);
  EXPECT_EQ(score.pointing, 1.0);
  EXPECT_DOUBLE_EQ(score.mass_inside, 0.75);
  EXPECT_DOUBLE_EQ(score.area_fraction, 1.0 / 16);

  const auto miss = scoreLocalization(r, geometry, {{0, 150, 100, 50}});
  EXPECT_EQ(miss.pointing, 0.0);
  EXPECT_DOUBLE_EQ(miss.mass_inside, 0.25);
}

TEST(Localization, LetterboxPaddingIsIgnored) {
  // 200×100 frame letterboxed into 4×4: content rows 1..2, padding rows 0 and 3.
  const auto geometry = computeGeometry(200, 100, 4, 4, AspectPolicy::kLetterbox);
  ASSERT_EQ(geometry.content_height, 2);
  at::Tensor r = at::zeros({4, 4});
  r[0][0] = 10.0;  // in the padding: not a pixel of the frame
  r[1][0] = 1.0;   // centre of frame pixel area (0..50, 0..50)
  const auto score = scoreLocalization(r, geometry, {{0, 0, 50, 50}});
  EXPECT_EQ(score.pointing, 1.0);
  EXPECT_DOUBLE_EQ(score.mass_inside, 1.0);
  EXPECT_DOUBLE_EQ(score.area_fraction, 1.0 / 8);
}

TEST(Localization, NoPositiveRelevanceHasNoMass) {
  const auto geometry = computeGeometry(4, 4, 4, 4, AspectPolicy::kStretch);
  const auto score = scoreLocalization(-at::ones({4, 4}), geometry, {{0, 0, 2, 2}});
  EXPECT_DOUBLE_EQ(score.mass_inside, 0.0);
}

// Hand-made maps on an 8×8 frame scored at its own size: input pixel (row y, col x) is
// frame pixel (x, y), so every figure can be counted by hand.
const model::PreprocessGeometry kFrame = computeGeometry(8, 8, 8, 8, AspectPolicy::kStretch);
const std::vector<Box> kLeftHalf = {{0, 0, 4, 8}};  // 32 of 64 pixels

at::Tensor leftHalf(double on, double off) {
  at::Tensor r = at::full({8, 8}, off, at::kDouble);
  r.narrow(1, 0, 4).fill_(on);
  return r;
}

TEST(LocalizationFigures, AMapAllOnTheRegionScoresOneEverywhere) {
  const auto s = scoreLocalization(leftHalf(1.0, 0.0), kFrame, kLeftHalf, {0, 16, 0.5});
  EXPECT_DOUBLE_EQ(s.area_fraction, 0.5);
  EXPECT_DOUBLE_EQ(s.pointing, 1.0) << "32 tied maxima, all on the region";
  EXPECT_DOUBLE_EQ(s.mass_inside, 1.0);
  EXPECT_DOUBLE_EQ(s.rank_accuracy, 1.0);
  EXPECT_DOUBLE_EQ(s.top_k, 1.0);
  EXPECT_DOUBLE_EQ(s.roc_auc, 1.0);
  EXPECT_TRUE(s.macro_pass);
}

TEST(LocalizationFigures, AMapAllOffTheRegionScoresZero) {
  const auto s = scoreLocalization(leftHalf(0.0, 2.0), kFrame, kLeftHalf, {0, 16, 0.5});
  EXPECT_DOUBLE_EQ(s.pointing, 0.0);
  EXPECT_DOUBLE_EQ(s.mass_inside, 0.0);
  EXPECT_DOUBLE_EQ(s.rank_accuracy, 0.0);
  EXPECT_DOUBLE_EQ(s.top_k, 0.0);
  EXPECT_DOUBLE_EQ(s.roc_auc, 0.0);
  EXPECT_FALSE(s.macro_pass);
}

TEST(LocalizationFigures, HalfTheMassOnTheRegion) {
  // Every pixel 1: half the positive relevance lies on the left half.
  const auto s = scoreLocalization(at::ones({8, 8}, at::kDouble), kFrame, kLeftHalf);
  EXPECT_DOUBLE_EQ(s.mass_inside, 0.5);
  EXPECT_TRUE(s.macro_pass) << "0.5 reaches the default threshold 0.5";
  EXPECT_FALSE(
      scoreLocalization(at::ones({8, 8}, at::kDouble), kFrame, kLeftHalf, {0, 16, 0.6}).macro_pass);
}

TEST(LocalizationFigures, AUniformMapScoresTheAreaShareOnEveryPickBasedFigure) {
  const std::vector<Box> corner = {{0, 0, 2, 2}};  // 4 of 64 pixels
  const auto s = scoreLocalization(at::ones({8, 8}), kFrame, corner, {0, 10, 0.5});
  EXPECT_DOUBLE_EQ(s.area_fraction, 4.0 / 64);
  EXPECT_DOUBLE_EQ(s.pointing, 4.0 / 64) << "every pixel ties for the hottest";
  EXPECT_DOUBLE_EQ(s.rank_accuracy, 4.0 / 64);
  EXPECT_DOUBLE_EQ(s.top_k, 4.0 / 64);
  EXPECT_DOUBLE_EQ(s.roc_auc, 0.5);
  EXPECT_DOUBLE_EQ(s.mass_inside, 4.0 / 64);
}

TEST(LocalizationFigures, TiesForTheHottestPixelCountTheirShare) {
  at::Tensor r = at::zeros({8, 8});
  r[0][0] = 5;  // on the region
  r[7][7] = 5;  // off it
  r[1][1] = 3;  // on, lower
  const auto s = scoreLocalization(r, kFrame, {{0, 0, 2, 2}});
  EXPECT_DOUBLE_EQ(s.pointing, 0.5);
  // K = 4 region pixels: the two 5s, the 3, then one of 61 zeros, 2 of them on the region.
  EXPECT_DOUBLE_EQ(s.rank_accuracy, (2.0 + 2.0 / 61) / 4);
}

TEST(LocalizationFigures, PointingToleranceCountsAHitNearTheRegion) {
  at::Tensor r = at::zeros({8, 8});
  r[0][5] = 1;  // centre (5.5, 0.5): 1.5 px right of the box's edge at x = 4
  EXPECT_DOUBLE_EQ(scoreLocalization(r, kFrame, kLeftHalf).pointing, 0.0);
  EXPECT_DOUBLE_EQ(scoreLocalization(r, kFrame, kLeftHalf, {1.0, 16, 0.5}).pointing, 0.0);
  EXPECT_DOUBLE_EQ(scoreLocalization(r, kFrame, kLeftHalf, {1.5, 16, 0.5}).pointing, 1.0);
}

TEST(LocalizationFigures, RocAucIsTheChanceAPixelOnTheRegionOutranksOneOff) {
  // On the region: 1, 2, 3, 4 (the corner); off: 0 except one pixel of 2.5.
  at::Tensor r = at::zeros({8, 8});
  r[0][0] = 1;
  r[0][1] = 2;
  r[1][0] = 3;
  r[1][1] = 4;
  r[5][5] = 2.5;
  // Pairs (on, off): 4 × 60; every on pixel outranks the 59 zeros; 3 and 4 outrank 2.5.
  const auto s = scoreLocalization(r, kFrame, {{0, 0, 2, 2}});
  EXPECT_DOUBLE_EQ(s.roc_auc, (4.0 * 59 + 2) / (4.0 * 60));
}

TEST(LocalizationFigures, TopKCountsTheKMostRelevantPixels) {
  at::Tensor r = at::zeros({8, 8});
  r[0][0] = 9;  // on
  r[7][7] = 8;  // off
  r[0][1] = 7;  // on
  EXPECT_DOUBLE_EQ(scoreLocalization(r, kFrame, kLeftHalf, {0, 1, 0.5}).top_k, 1.0);
  EXPECT_DOUBLE_EQ(scoreLocalization(r, kFrame, kLeftHalf, {0, 2, 0.5}).top_k, 0.5);
  EXPECT_DOUBLE_EQ(scoreLocalization(r, kFrame, kLeftHalf, {0, 3, 0.5}).top_k, 2.0 / 3);
  EXPECT_DOUBLE_EQ(scoreLocalization(r, kFrame, kLeftHalf, {0, 1000, 0.5}).top_k, 0.5)
      << "k beyond the frame: every pixel, the region's share";
}

TEST(LocalizationFigures, AnEmptyBoxOrABoxOutsideTheFrameIsNoRegion) {
  at::Tensor r = at::zeros({8, 8});
  r[0][0] = 1;
  for (const Box& nothing : {Box{2, 2, 0, 3}, Box{20, 20, 5, 5}, Box{-9, 0, 5, 5}}) {
    const auto s = scoreLocalization(r, kFrame, {nothing});
    EXPECT_DOUBLE_EQ(s.area_fraction, 0.0);
    EXPECT_DOUBLE_EQ(s.pointing, 0.0);
    EXPECT_DOUBLE_EQ(s.mass_inside, 0.0);
    EXPECT_DOUBLE_EQ(s.rank_accuracy, 0.0);
    EXPECT_DOUBLE_EQ(s.roc_auc, 0.5) << "undefined without pixels on the region";
  }
}

TEST(LocalizationFigures, SeveralBoxesOfOneRegionAreTheirUnion) {
  at::Tensor r = at::zeros({8, 8});
  r[0][0] = 1;
  r[7][7] = 1;
  r[4][4] = 2;                                                               // in neither box
  const std::vector<Box> both = {{0, 0, 2, 2}, {6, 6, 2, 2}, {0, 0, 1, 1}};  // overlap counted once
  const auto s = scoreLocalization(r, kFrame, both);
  EXPECT_DOUBLE_EQ(s.area_fraction, 8.0 / 64);
  EXPECT_DOUBLE_EQ(s.mass_inside, 0.5);
  EXPECT_DOUBLE_EQ(s.pointing, 0.0);
}

}  // namespace
}  // namespace deepbug::metrics
