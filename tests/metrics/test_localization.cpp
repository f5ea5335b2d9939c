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
  EXPECT_TRUE(score.pointing_hit);
  EXPECT_DOUBLE_EQ(score.mass_inside, 0.75);
  EXPECT_DOUBLE_EQ(score.area_fraction, 1.0 / 16);

  const auto miss = scoreLocalization(r, geometry, {{0, 150, 100, 50}});
  EXPECT_FALSE(miss.pointing_hit);
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
  EXPECT_TRUE(score.pointing_hit);
  EXPECT_DOUBLE_EQ(score.mass_inside, 1.0);
  EXPECT_DOUBLE_EQ(score.area_fraction, 1.0 / 8);
}

TEST(Localization, NoPositiveRelevanceHasNoMass) {
  const auto geometry = computeGeometry(4, 4, 4, 4, AspectPolicy::kStretch);
  const auto score = scoreLocalization(-at::ones({4, 4}), geometry, {{0, 0, 2, 2}});
  EXPECT_DOUBLE_EQ(score.mass_inside, 0.0);
}

}  // namespace
}  // namespace deepbug::metrics
