#include <gtest/gtest.h>

#include "model/geometry.hpp"

namespace deepbug::model {
namespace {

TEST(Geometry, StretchMapsWholeFrameOntoWholeInput) {
  const auto g = computeGeometry(640, 480, 224, 224, AspectPolicy::kStretch);
  EXPECT_EQ(g.crop_width, 640);
  EXPECT_EQ(g.content_width, 224);
  EXPECT_DOUBLE_EQ(g.scaleX(), 224.0 / 640);
  EXPECT_DOUBLE_EQ(g.scaleY(), 224.0 / 480);
  const Point corner = g.frameToInput({640, 480});
  EXPECT_DOUBLE_EQ(corner.x, 224);
  EXPECT_DOUBLE_EQ(corner.y, 224);
}

TEST(Geometry, LetterboxKeepsAspectAndCentres) {
  const auto g = computeGeometry(640, 480, 224, 224, AspectPolicy::kLetterbox);
  EXPECT_EQ(g.content_width, 224);
  EXPECT_EQ(g.content_height, 168);  // 480 * 224/640
  EXPECT_EQ(g.content_x, 0);
  EXPECT_EQ(g.content_y, 28);
  const Point top_left = g.frameToInput({0, 0});
  EXPECT_DOUBLE_EQ(top_left.y, 28);
}

TEST(Geometry, CenterCropCutsTheOverhang) {
  const auto g = computeGeometry(640, 480, 224, 224, AspectPolicy::kCenterCrop);
  EXPECT_EQ(g.crop_width, 480);
  EXPECT_EQ(g.crop_height, 480);
  EXPECT_EQ(g.crop_x, 80);
  EXPECT_EQ(g.crop_y, 0);
  EXPECT_EQ(g.content_width, 224);
}

TEST(Geometry, InputToFrameInvertsFrameToInput) {
  for (auto policy :
       {AspectPolicy::kStretch, AspectPolicy::kLetterbox, AspectPolicy::kCenterCrop}) {
    const auto g = computeGeometry(1920, 1080, 224, 160, policy);
    const Point p{713.25, 91.5};
    const Point back = g.inputToFrame(g.frameToInput(p));
    EXPECT_NEAR(back.x, p.x, 1e-9) << toString(policy);
    EXPECT_NEAR(back.y, p.y, 1e-9) << toString(policy);
  }
}

TEST(Geometry, TinyAndHugeFramesStayInBounds) {
  for (auto policy :
       {AspectPolicy::kStretch, AspectPolicy::kLetterbox, AspectPolicy::kCenterCrop}) {
    for (auto [w, h] : {std::pair{1, 1}, std::pair{4000, 3000}, std::pair{1, 3000}}) {
      const auto g = computeGeometry(w, h, 224, 224, policy);
      EXPECT_GE(g.crop_width, 1);
      EXPECT_LE(g.crop_x + g.crop_width, w);
      EXPECT_LE(g.crop_y + g.crop_height, h);
      EXPECT_GE(g.content_width, 1);
      EXPECT_LE(g.content_x + g.content_width, 224);
      EXPECT_LE(g.content_y + g.content_height, 224);
    }
  }
}

}  // namespace
}  // namespace deepbug::model
