// Heatmap rendering: the colour map's fixed points and shape, the scale's percentile,
// and blending at native frame resolution through each aspect policy, checked pixel by
// pixel against where the model input's regions land in a 640×360 frame.
#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <torch/script.h>

#include <array>

#include "core/error.hpp"
#include "model/geometry.hpp"
#include "render/blend.hpp"
#include "render/heatmap.hpp"
#include "render/legend.hpp"

namespace deepbug::render {
namespace {

using model::AspectPolicy;
using model::computeGeometry;

const at::TensorOptions kFloat = at::TensorOptions().dtype(at::kFloat);

// The RGB values of one pixel of a uint8 [..., 3] image.
std::array<int, 3> rgb(const at::Tensor& pixel) {
  const at::Tensor p = pixel.to(at::kInt).contiguous();
  return {p[0].item<int>(), p[1].item<int>(), p[2].item<int>()};
}

constexpr std::array<int, 3> kWhite{255, 255, 255};
constexpr std::array<int, 3> kRed{255, 0, 0};
constexpr std::array<int, 3> kBlue{0, 0, 255};

int64_t maxDifference(const at::Tensor& a, const at::Tensor& b) {
  return (a.to(at::kInt) - b.to(at::kInt)).abs().max().item<int64_t>();
}

// Independent of blend.cpp's arithmetic: frame·(1−a) + colour·a per channel.
at::Tensor blendedWith(const at::Tensor& frame, std::array<int, 3> colour, double opacity) {
  const at::Tensor c = torch::tensor({colour[0], colour[1], colour[2]}, kFloat);
  return (frame.to(at::kFloat) * (1.0 - opacity) + c * opacity).round().to(at::kByte);
}

BlendOptions withAlpha(double alpha) {
  BlendOptions options;
  options.alpha = alpha;
  return options;
}

at::Tensor randomFrame(int width, int height) {
  torch::manual_seed(3);
  return torch::randint(0, 256, {height, width, 3}, at::TensorOptions().dtype(at::kByte));
}

// ---- colour map ---------------------------------------------------------------------

TEST(Heatmap, ZeroIsWhiteAndPlusMinusScaleAreFullRedAndBlue) {
  const at::Tensor map = torch::tensor({0.0f, 2.0f, -2.0f}, kFloat).view({1, 3});
  const at::Tensor image = colorize(map, 2.0, false);
  EXPECT_EQ(image.scalar_type(), at::kByte);
  ASSERT_EQ(image.sizes(), (std::vector<int64_t>{1, 3, 3}));
  EXPECT_EQ(rgb(image[0][0]), kWhite);
  EXPECT_EQ(rgb(image[0][1]), kRed);
  EXPECT_EQ(rgb(image[0][2]), kBlue);
}

TEST(Heatmap, ColoursChangeMonotonicallyAlongTheRamp) {
  const at::Tensor ramp = torch::linspace(-1.0, 1.0, 201, kFloat).view({1, 201});
  const at::Tensor image = colorize(ramp, 1.0, false)[0].to(at::kInt);  // [201, 3]
  const at::Tensor r = image.select(1, 0), g = image.select(1, 1), b = image.select(1, 2);
  const auto nonDecreasing = [](const at::Tensor& x) { return (x.diff() >= 0).all().item<bool>(); };
  const auto nonIncreasing = [](const at::Tensor& x) { return (x.diff() <= 0).all().item<bool>(); };
  EXPECT_TRUE(nonDecreasing(r));
  EXPECT_TRUE(nonIncreasing(b));
  EXPECT_TRUE(nonDecreasing(g.narrow(0, 0, 101)));
  EXPECT_TRUE(nonIncreasing(g.narrow(0, 100, 101)));
  // Blue half: white fading into blue; red half: white fading into red.
  EXPECT_TRUE(torch::equal(r.narrow(0, 0, 101), g.narrow(0, 0, 101)));
  EXPECT_TRUE((b.narrow(0, 0, 101) == 255).all().item<bool>());
  EXPECT_TRUE((r.narrow(0, 100, 101) == 255).all().item<bool>());
  EXPECT_TRUE(torch::equal(g.narrow(0, 100, 101), b.narrow(0, 100, 101)));
  // Strength (distance from white) grows with |R| and is symmetric in sign.
  const at::Tensor strength = 765 - image.sum(1);
  EXPECT_TRUE(nonIncreasing(strength.narrow(0, 0, 101)));
  EXPECT_TRUE(nonDecreasing(strength.narrow(0, 100, 101)));
  EXPECT_TRUE(torch::equal(strength, strength.flip({0})));
  EXPECT_EQ(rgb(image[150]), (std::array<int, 3>{255, 128, 128}));  // +0.5: halfway
}

TEST(Heatmap, ValuesBeyondTheScaleAreClipped) {
  const float inf = std::numeric_limits<float>::infinity();
  const at::Tensor map =
      torch::tensor({5.0f, -5.0f, 1e30f, inf, -inf, std::nanf("")}, kFloat).view({2, 3});
  const at::Tensor image = colorize(map, 1.0, false);
  EXPECT_EQ(rgb(image[0][0]), kRed);
  EXPECT_EQ(rgb(image[0][1]), kBlue);
  EXPECT_EQ(rgb(image[0][2]), kRed);
  EXPECT_EQ(rgb(image[1][0]), kRed);
  EXPECT_EQ(rgb(image[1][1]), kBlue);
  EXPECT_EQ(rgb(image[1][2]), kWhite);  // NaN shows as no relevance
}

TEST(Heatmap, PositiveOnlyShowsNegativeRelevanceAsWhite) {
  const at::Tensor map = torch::tensor({-1.0f, -0.5f, 0.0f, 0.5f, 1.0f}, kFloat).view({1, 5});
  const at::Tensor image = colorize(map, 1.0, true)[0];
  EXPECT_EQ(rgb(image[0]), kWhite);
  EXPECT_EQ(rgb(image[1]), kWhite);
  EXPECT_EQ(rgb(image[2]), kWhite);
  EXPECT_EQ(rgb(image[3]), (std::array<int, 3>{255, 128, 128}));
  EXPECT_EQ(rgb(image[4]), kRed);
}

TEST(Heatmap, BatchesAndOtherFloatDtypesGiveTheSameColours) {
  const at::Tensor map = torch::linspace(-2.0, 2.0, 40, kFloat).view({2, 4, 5});
  const at::Tensor reference = colorize(map, 1.5, false);
  ASSERT_EQ(reference.sizes(), (std::vector<int64_t>{2, 4, 5, 3}));
  EXPECT_TRUE(torch::equal(colorize(map.to(at::kDouble), 1.5, false), reference));
  EXPECT_LE(maxDifference(colorize(map.to(at::kHalf), 1.5, false), reference), 1);
  EXPECT_TRUE(torch::equal(colorize(map[1], 1.5, false), reference[1]));
}

TEST(Heatmap, ColorizeRejectsWhatItCannotDraw) {
  const at::Tensor map = torch::zeros({4, 4}, kFloat);
  EXPECT_THROW(colorize(torch::zeros({4}, kFloat), 1.0, false), Error);
  EXPECT_THROW(colorize(torch::zeros({1, 3, 4, 4}, kFloat), 1.0, false), Error);
  EXPECT_THROW(colorize(torch::zeros({4, 4}, at::TensorOptions().dtype(at::kByte)), 1.0, false),
               Error);
  EXPECT_THROW(colorize(map, 0.0, false), Error);
  EXPECT_THROW(colorize(map, -1.0, false), Error);
  EXPECT_THROW(colorize(map, std::nan(""), false), Error);
}

TEST(Heatmap, ToPixelMapSumsOverChannels) {
  torch::manual_seed(1);
  const at::Tensor r = torch::randn({2, 3, 4, 5}, kFloat);
  const at::Tensor pixels = toPixelMap(r);
  ASSERT_EQ(pixels.sizes(), (std::vector<int64_t>{2, 4, 5}));
  EXPECT_TRUE(torch::allclose(pixels[0], r[0][0] + r[0][1] + r[0][2]));
  EXPECT_TRUE(torch::allclose(pixels[1], r[1][0] + r[1][1] + r[1][2]));
  EXPECT_TRUE(torch::allclose(toPixelMap(r[0]), pixels[0]));
  EXPECT_THROW(toPixelMap(torch::zeros({4, 5}, kFloat)), Error);
}

// ---- scale --------------------------------------------------------------------------

// 1, −2, 3, −4, … ±1000: |R| is 1 … 1000, whose percentiles numpy gives as
// numpy.percentile(numpy.arange(1, 1001), p).
at::Tensor alternatingRamp() {
  const at::Tensor magnitude = torch::arange(1, 1001, kFloat);
  const at::Tensor sign = 1.0 - 2.0 * (torch::arange(0, 1000, kFloat).remainder(2));
  return (magnitude * sign).view({25, 40});
}

TEST(Heatmap, RobustMaxIsThePercentileOfMagnitudes) {
  const at::Tensor r = alternatingRamp();
  EXPECT_NEAR(robustMax(r, 99.5), 995.005, 1e-3);
  EXPECT_NEAR(robustMax(r, 50.0), 500.5, 1e-3);
  EXPECT_NEAR(robustMax(r, 100.0), 1000.0, 1e-3);
  EXPECT_NEAR(robustMax(r.to(at::kDouble), 99.5), 995.005, 1e-9);
}

TEST(Heatmap, RobustMaxPositiveOnlyUsesThePositivePart) {
  // R⁺ is 1 … 1000 and 1000 zeros; the negatives (ten times larger) do not count.
  const at::Tensor positive = torch::arange(1, 1001, kFloat);
  const at::Tensor r = torch::cat({positive, -10.0 * positive}).view({50, 40});
  EXPECT_NEAR(robustMax(r, 99.5, true), 990.005, 1e-3);
  EXPECT_NEAR(robustMax(r, 99.5, false), 9900.05, 1e-1);
}

TEST(Heatmap, RobustMaxNeverReturnsZero) {
  EXPECT_EQ(robustMax(torch::zeros({16, 16}, kFloat), 99.5), kMinScale);
  EXPECT_EQ(robustMax(-torch::ones({16, 16}, kFloat), 99.5, true), kMinScale);
  EXPECT_EQ(robustMax(torch::zeros({0, 16}, kFloat), 99.5), kMinScale);
  // Three non-zero pixels of 10000: the 99.5th percentile is 0, the maximum is used.
  at::Tensor sparse = torch::zeros({100, 100}, kFloat);
  sparse[5][5] = 2.0f;
  sparse[7][7] = -5.0f;
  sparse[9][9] = std::nanf("");
  EXPECT_EQ(robustMax(sparse, 99.5), 5.0);
}

TEST(Heatmap, RobustMaxRejectsPercentilesOutsideTheRange) {
  const at::Tensor r = alternatingRamp();
  EXPECT_THROW(robustMax(r, 0.0), ConfigError);
  EXPECT_THROW(robustMax(r, 100.5), ConfigError);
  EXPECT_THROW(robustMax(r, std::nan("")), ConfigError);
}

TEST(Heatmap, SharedScaleIsOneScaleForTheWholeSet) {
  const at::Tensor small = alternatingRamp();
  const at::Tensor large = 10.0 * alternatingRamp();
  HeatmapStyle style;
  style.scale = HeatmapStyle::Scale::kShared;
  const double shared = sharedScale({small, large}, style);
  EXPECT_NEAR(shared, robustMax(torch::cat({small.reshape(-1), large.reshape(-1)}), 99.5), 1e-3);
  EXPECT_GT(shared, robustMax(small, 99.5));
  EXPECT_LT(shared, robustMax(large, 99.5));
  EXPECT_EQ(sharedScale({}, style), kMinScale);

  style.scale = HeatmapStyle::Scale::kFixed;
  style.fixed_value = 0.25;
  EXPECT_EQ(sharedScale({small, large}, style), 0.25);
  EXPECT_EQ(scaleFor(large, style), 0.25);
  style.fixed_value = 0.0;
  EXPECT_THROW(scaleFor(large, style), ConfigError);

  style.scale = HeatmapStyle::Scale::kPerImage;
  style.percentile = 50.0;
  EXPECT_NEAR(scaleFor(large, style), 5005.0, 1e-2);
}

// ---- blending at native resolution --------------------------------------------------

TEST(Blend, StretchColoursOnlyTheMatchingQuadrantOfTheFrame) {
  const auto g = computeGeometry(640, 360, 224, 224, AspectPolicy::kStretch);
  const at::Tensor frame = randomFrame(640, 360);
  at::Tensor relevance = torch::zeros({224, 224}, kFloat);
  relevance.narrow(0, 0, 112).narrow(1, 0, 112).fill_(3.0);  // input's top-left quadrant
  BlendOptions options;
  const at::Tensor out = blendOntoFrame(frame, relevance, g, 3.0, options);
  ASSERT_EQ(out.sizes(), frame.sizes());
  EXPECT_EQ(out.scalar_type(), at::kByte);

  // The frame's top-left quadrant is x < 320, y < 180; bilinear resampling softens
  // a band of about two frame pixels around its edge.
  const at::Tensor inside = out.narrow(0, 0, 177).narrow(1, 0, 317);
  EXPECT_LE(
      maxDifference(inside, blendedWith(frame.narrow(0, 0, 177).narrow(1, 0, 317), kRed, 0.5)), 1);
  EXPECT_TRUE(torch::equal(out.narrow(1, 323, 317), frame.narrow(1, 323, 317)));
  EXPECT_TRUE(torch::equal(out.narrow(0, 183, 177), frame.narrow(0, 183, 177)));
  // Spot checks at native resolution, one per quadrant.
  EXPECT_EQ(rgb(out[90][160]), rgb(blendedWith(frame[90][160], kRed, 0.5)));
  EXPECT_EQ(rgb(out[90][480]), rgb(frame[90][480]));
  EXPECT_EQ(rgb(out[270][160]), rgb(frame[270][160]));
  EXPECT_EQ(rgb(out[270][480]), rgb(frame[270][480]));
}

TEST(Blend, LetterboxDropsThePaddingBand) {
  const auto g = computeGeometry(640, 360, 224, 224, AspectPolicy::kLetterbox);
  ASSERT_EQ(g.content_y, 49);  // content rows 49 … 174 hold the frame
  ASSERT_EQ(g.content_height, 126);
  const at::Tensor frame = randomFrame(640, 360);

  // Relevance in the padding explains no frame pixel.
  at::Tensor in_padding = torch::full({224, 224}, -1.0, kFloat);
  in_padding.narrow(0, g.content_y, g.content_height).zero_();
  EXPECT_TRUE(torch::equal(blendOntoFrame(frame, in_padding, g, 1.0, {}), frame));

  // Relevance in the content covers the whole frame, edges included: the zero padding
  // next to the content must not bleed into the first and last rows.
  at::Tensor in_content = torch::zeros({224, 224}, kFloat);
  in_content.narrow(0, g.content_y, g.content_height).fill_(-1.0);
  const at::Tensor out = blendOntoFrame(frame, in_content, g, 1.0, {});
  EXPECT_LE(maxDifference(out, blendedWith(frame, kBlue, 0.5)), 1);
}

TEST(Blend, CenterCropLeavesTheCutOffSidesUnchanged) {
  const auto g = computeGeometry(640, 360, 224, 224, AspectPolicy::kCenterCrop);
  ASSERT_EQ(g.crop_x, 140);  // frame columns 140 … 499 are the model's input
  ASSERT_EQ(g.crop_width, 360);
  const at::Tensor frame = randomFrame(640, 360);
  const at::Tensor out =
      blendOntoFrame(frame, torch::ones({224, 224}, kFloat), g, 1.0, withAlpha(0.8));
  EXPECT_TRUE(torch::equal(out.narrow(1, 0, 140), frame.narrow(1, 0, 140)));
  EXPECT_TRUE(torch::equal(out.narrow(1, 500, 140), frame.narrow(1, 500, 140)));
  EXPECT_LE(
      maxDifference(out.narrow(1, 140, 360), blendedWith(frame.narrow(1, 140, 360), kRed, 0.8)), 1);
}

TEST(Blend, CenterCropMapsInputColumnsOntoTheCropRegion) {
  // The input's left half lands on frame columns 140 … 319.
  const auto g = computeGeometry(640, 360, 224, 224, AspectPolicy::kCenterCrop);
  const at::Tensor frame = randomFrame(640, 360);
  at::Tensor relevance = torch::zeros({224, 224}, kFloat);
  relevance.narrow(1, 0, 112).fill_(1.0);
  const at::Tensor out = blendOntoFrame(frame, relevance, g, 1.0, {});
  EXPECT_LE(
      maxDifference(out.narrow(1, 140, 178), blendedWith(frame.narrow(1, 140, 178), kRed, 0.5)), 1);
  EXPECT_TRUE(torch::equal(out.narrow(1, 322, 318), frame.narrow(1, 322, 318)));
}

TEST(Blend, AlphaZeroReturnsTheFrameUnchanged) {
  const auto g = computeGeometry(640, 360, 224, 224, AspectPolicy::kStretch);
  const at::Tensor frame = randomFrame(640, 360);
  torch::manual_seed(5);
  for (const bool weighted : {true, false}) {
    BlendOptions options;
    options.alpha = 0.0;
    options.weight_by_magnitude = weighted;
    const at::Tensor out = blendOntoFrame(frame, torch::randn({224, 224}, kFloat), g, 0.1, options);
    EXPECT_TRUE(torch::equal(out, frame));
    EXPECT_NE(out.data_ptr(), frame.data_ptr());  // a new image, the frame is untouched
  }
}

TEST(Blend, OpacityFollowsRelevanceMagnitude) {
  const auto g = computeGeometry(64, 48, 32, 32, AspectPolicy::kStretch);
  const at::Tensor grey = torch::full({48, 64, 3}, 128, at::TensorOptions().dtype(at::kByte));
  const at::Tensor half = torch::full({32, 32}, 0.5, kFloat);
  BlendOptions options;  // alpha 0.5, weighted by magnitude

  // R = scale/2: colour (255, 128, 128) at opacity 0.25.
  EXPECT_EQ(rgb(blendOntoFrame(grey, half, g, 1.0, options)[10][10]),
            (std::array<int, 3>{160, 128, 128}));
  // No relevance: the frame stays visible.
  EXPECT_TRUE(
      torch::equal(blendOntoFrame(grey, torch::zeros({32, 32}, kFloat), g, 1.0, options), grey));
  // Negative relevance with positive_only counts as none.
  options.positive_only = true;
  EXPECT_TRUE(torch::equal(blendOntoFrame(grey, -half, g, 1.0, options), grey));

  // Without weighting, every pixel gets alpha, zero relevance blends in white.
  options = BlendOptions{};
  options.weight_by_magnitude = false;
  EXPECT_EQ(rgb(blendOntoFrame(grey, half, g, 1.0, options)[10][10]),
            (std::array<int, 3>{192, 128, 128}));
  EXPECT_EQ(rgb(blendOntoFrame(grey, torch::zeros({32, 32}, kFloat), g, 1.0, options)[0][0]),
            (std::array<int, 3>{192, 192, 192}));
}

TEST(Blend, ShrinkingOntoASmallerFrameWorks) {
  // A frame smaller than the input: the heatmap is resampled down (antialiased).
  const auto g = computeGeometry(100, 50, 224, 224, AspectPolicy::kStretch);
  const at::Tensor frame = randomFrame(100, 50);
  const at::Tensor out = blendOntoFrame(frame, torch::ones({224, 224}, kFloat), g, 1.0, {});
  ASSERT_EQ(out.sizes(), frame.sizes());
  EXPECT_LE(maxDifference(out, blendedWith(frame, kRed, 0.5)), 1);
}

TEST(Blend, RejectsInputsThatDoNotMatchTheGeometry) {
  const auto g = computeGeometry(640, 360, 224, 224, AspectPolicy::kStretch);
  const at::Tensor frame = randomFrame(640, 360);
  const at::Tensor relevance = torch::zeros({224, 224}, kFloat);
  EXPECT_THROW(blendOntoFrame(randomFrame(320, 180), relevance, g, 1.0, {}), Error);
  EXPECT_THROW(blendOntoFrame(frame.to(at::kFloat), relevance, g, 1.0, {}), Error);
  EXPECT_THROW(blendOntoFrame(frame.narrow(2, 0, 1), relevance, g, 1.0, {}), Error);
  EXPECT_THROW(blendOntoFrame(frame, torch::zeros({112, 112}, kFloat), g, 1.0, {}), Error);
  EXPECT_THROW(blendOntoFrame(frame, torch::zeros({3, 224, 224}, kFloat), g, 1.0, {}), Error);
  EXPECT_THROW(blendOntoFrame(frame, relevance, g, 0.0, {}), Error);
  EXPECT_THROW(blendOntoFrame(frame, relevance, g, 1.0, withAlpha(1.5)), ConfigError);
  EXPECT_THROW(blendOntoFrame(frame, relevance, model::PreprocessGeometry{}, 1.0, {}), Error);
}

// ---- legend -------------------------------------------------------------------------

TEST(Legend, HorizontalBarGoesFromBlueThroughWhiteToRed) {
  const at::Tensor bar = drawLegend(101, 12, false);
  ASSERT_EQ(bar.sizes(), (std::vector<int64_t>{12, 101, 3}));
  EXPECT_EQ(bar.scalar_type(), at::kByte);
  EXPECT_EQ(rgb(bar[0][0]), kBlue);
  EXPECT_EQ(rgb(bar[0][50]), kWhite);
  EXPECT_EQ(rgb(bar[0][100]), kRed);
  EXPECT_TRUE(torch::equal(bar, bar[0].expand({12, 101, 3})));  // every row alike
}

TEST(Legend, PositiveOnlyBarGoesFromWhiteToRed) {
  const at::Tensor bar = drawLegend(64, 8, true);
  EXPECT_EQ(rgb(bar[3][0]), kWhite);
  EXPECT_EQ(rgb(bar[3][63]), kRed);
  EXPECT_TRUE((bar.select(2, 0) == 255).all().item<bool>());
}

TEST(Legend, TallBarIsVerticalWithPositiveAtTheTop) {
  const at::Tensor bar = drawLegend(10, 51, false);
  ASSERT_EQ(bar.sizes(), (std::vector<int64_t>{51, 10, 3}));
  EXPECT_EQ(rgb(bar[0][4]), kRed);
  EXPECT_EQ(rgb(bar[25][4]), kWhite);
  EXPECT_EQ(rgb(bar[50][4]), kBlue);
  EXPECT_THROW(drawLegend(0, 10, false), Error);
}

TEST(Legend, CaptionStatesTheRangeInAscii) {
  EXPECT_EQ(legendCaption(0.0123), "-0.0123 .. +0.0123");
  EXPECT_EQ(legendCaption(2.5e-5, true), "0 .. +2.5e-05");
  EXPECT_EQ(legendCaption(1534.0), "-1.53e+03 .. +1.53e+03");
}

}  // namespace
}  // namespace deepbug::render
