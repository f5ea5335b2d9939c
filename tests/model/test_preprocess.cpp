// Preprocessing against an independent, loop-by-loop computation of the same
// definition: antialiased bilinear (triangle filter widened by the downscale factor,
// weights renormalised at the borders — PIL's and torchvision's antialias=True),
// half-pixel centres, then x/255, (x - mean) / std.
#include <gtest/gtest.h>
#include <torch/script.h>

#include <cmath>
#include <random>

#include "core/error.hpp"
#include "model/preprocess.hpp"

namespace deepbug::model {
namespace {

struct Taps {
  int first = 0;
  std::vector<double> weights;
};

// Output sample i of a 1-D resampling from `in` to `out` samples.
Taps triangleTaps(int in, int out, int i) {
  const double scale = static_cast<double>(in) / out;
  const double support = scale >= 1.0 ? scale : 1.0;
  const double inv = scale >= 1.0 ? 1.0 / scale : 1.0;
  const double center = scale * (i + 0.5);
  const int lo = std::max(static_cast<int>(center - support + 0.5), 0);
  const int hi = std::min(static_cast<int>(center + support + 0.5), in);
  Taps taps;
  taps.first = lo;
  double total = 0.0;
  for (int j = lo; j < hi; ++j) {
    const double w = std::max(0.0, 1.0 - std::abs((j - center + 0.5) * inv));
    taps.weights.push_back(w);
    total += w;
  }
  for (double& w : taps.weights)
    w /= total;
  return taps;
}

// Reference: HWC uint8 RGB image → CHW float resized (no normalisation), in [0, 255].
std::vector<double> referenceResize(const std::vector<std::uint8_t>& rgb, int w, int h, int ow,
                                    int oh) {
  std::vector<double> horizontal(static_cast<std::size_t>(h) * ow * 3);
  for (int y = 0; y < h; ++y) {
    for (int x = 0; x < ow; ++x) {
      const Taps t = triangleTaps(w, ow, x);
      for (int c = 0; c < 3; ++c) {
        double sum = 0.0;
        for (std::size_t k = 0; k < t.weights.size(); ++k) {
          sum += t.weights[k] * rgb[(static_cast<std::size_t>(y) * w + t.first + k) * 3 + c];
        }
        horizontal[(static_cast<std::size_t>(y) * ow + x) * 3 + c] = sum;
      }
    }
  }
  std::vector<double> out(static_cast<std::size_t>(3) * oh * ow);
  for (int y = 0; y < oh; ++y) {
    const Taps t = triangleTaps(h, oh, y);
    for (int x = 0; x < ow; ++x) {
      for (int c = 0; c < 3; ++c) {
        double sum = 0.0;
        for (std::size_t k = 0; k < t.weights.size(); ++k) {
          sum += t.weights[k] * horizontal[((t.first + k) * ow + x) * 3 + c];
        }
        out[(static_cast<std::size_t>(c) * oh + y) * ow + x] = sum;
      }
    }
  }
  return out;
}

std::vector<std::uint8_t> randomImage(int w, int h, int channels, unsigned seed) {
  std::mt19937 rng(seed);
  std::uniform_int_distribution<int> byte(0, 255);
  std::vector<std::uint8_t> pixels(static_cast<std::size_t>(w) * h * channels);
  for (auto& p : pixels)
    p = static_cast<std::uint8_t>(byte(rng));
  return pixels;
}

ModelMetadata metadataOfSize(int w, int h) {
  ModelMetadata meta;
  meta.input_width = w;
  meta.input_height = h;
  meta.mean = {0.485f, 0.456f, 0.406f};
  meta.std = {0.229f, 0.224f, 0.225f};
  return meta;
}

// Compares a preprocessed [3, H, W] tensor with the reference resize, normalised.
void expectMatchesReference(const at::Tensor& actual, const std::vector<double>& resized,
                            const ModelMetadata& meta) {
  const int oh = meta.input_height;
  const int ow = meta.input_width;
  ASSERT_EQ(actual.sizes(), (std::vector<int64_t>{3, oh, ow}));
  const at::Tensor a = actual.to(at::kDouble).contiguous();
  const double* got = a.data_ptr<double>();
  double worst = 0.0;
  for (int c = 0; c < 3; ++c) {
    for (int i = 0; i < oh * ow; ++i) {
      const double expected = (resized[c * oh * ow + i] / 255.0 - meta.mean[c]) / meta.std[c];
      worst = std::max(worst, std::abs(got[c * oh * ow + i] - expected));
    }
  }
  EXPECT_LT(worst, 2e-4);
}

struct ResizeCase {
  int w, h, ow, oh;
};

class PreprocessResize : public ::testing::TestWithParam<ResizeCase> {};

TEST_P(PreprocessResize, MatchesIndependentComputation) {
  const auto [w, h, ow, oh] = GetParam();
  const auto rgb = randomImage(w, h, 3, 11);
  const ModelMetadata meta = metadataOfSize(ow, oh);
  const Preprocessor pre(meta, "cpu");
  const at::Tensor actual = pre.run(FrameView{rgb.data(), w, h, 0, PixelFormat::kRGB});
  expectMatchesReference(actual, referenceResize(rgb, w, h, ow, oh), meta);
}

INSTANTIATE_TEST_SUITE_P(Sizes, PreprocessResize,
                         ::testing::Values(ResizeCase{97, 61, 24, 16},    // downscale ~4x
                                           ResizeCase{640, 480, 32, 32},  // 20x / 15x
                                           ResizeCase{13, 7, 40, 30},     // upscale
                                           ResizeCase{50, 20, 25, 40},    // mixed
                                           ResizeCase{24, 16, 24, 16}),   // identity
                         [](const ::testing::TestParamInfo<ResizeCase>& info) {
                           const ResizeCase& c = info.param;
                           return std::to_string(c.w) + "x" + std::to_string(c.h) + "_to_" +
                                  std::to_string(c.ow) + "x" + std::to_string(c.oh);
                         });

TEST(Preprocess, PixelFormatsAgree) {
  const int w = 45;
  const int h = 33;
  const auto rgb = randomImage(w, h, 3, 5);
  std::vector<std::uint8_t> bgr(rgb.size());
  std::vector<std::uint8_t> bgra(static_cast<std::size_t>(w) * h * 4);
  std::vector<std::uint8_t> rgba(bgra.size());
  for (int i = 0; i < w * h; ++i) {
    for (int c = 0; c < 3; ++c) {
      bgr[i * 3 + c] = rgb[i * 3 + 2 - c];
      bgra[i * 4 + c] = rgb[i * 3 + 2 - c];
      rgba[i * 4 + c] = rgb[i * 3 + c];
    }
    bgra[i * 4 + 3] = 17;  // alpha / padding must be ignored
    rgba[i * 4 + 3] = 250;
  }
  const Preprocessor pre(metadataOfSize(20, 20), "cpu");
  const at::Tensor from_rgb = pre.run(FrameView{rgb.data(), w, h, 0, PixelFormat::kRGB});
  EXPECT_TRUE(at::allclose(from_rgb, pre.run(FrameView{bgr.data(), w, h, 0, PixelFormat::kBGR})));
  EXPECT_TRUE(at::allclose(from_rgb, pre.run(FrameView{bgra.data(), w, h, 0, PixelFormat::kBGRA})));
  EXPECT_TRUE(at::allclose(from_rgb, pre.run(FrameView{rgba.data(), w, h, 0, PixelFormat::kRGBA})));
}

TEST(Preprocess, BgrModelsGetBgrChannels) {
  const auto rgb = randomImage(30, 30, 3, 9);
  ModelMetadata rgb_meta = metadataOfSize(10, 10);
  rgb_meta.mean = {0.5f, 0.5f, 0.5f};
  rgb_meta.std = {0.5f, 0.5f, 0.5f};
  ModelMetadata bgr_meta = rgb_meta;
  bgr_meta.channels = ChannelOrder::kBGR;
  const FrameView frame{rgb.data(), 30, 30, 0, PixelFormat::kRGB};
  const at::Tensor as_rgb = Preprocessor(rgb_meta, "cpu").run(frame);
  const at::Tensor as_bgr = Preprocessor(bgr_meta, "cpu").run(frame);
  EXPECT_TRUE(at::allclose(as_rgb.flip({0}), as_bgr));
}

TEST(Preprocess, GreyFramesBecomeThreeEqualChannels) {
  const auto grey = randomImage(16, 12, 1, 3);
  ModelMetadata meta = metadataOfSize(8, 6);
  meta.mean = {0.5f, 0.5f, 0.5f};
  meta.std = {0.5f, 0.5f, 0.5f};
  const at::Tensor out =
      Preprocessor(meta, "cpu").run(FrameView{grey.data(), 16, 12, 0, PixelFormat::kGray});
  EXPECT_TRUE(at::equal(out[0], out[1]));
  EXPECT_TRUE(at::equal(out[0], out[2]));
}

TEST(Preprocess, RowStrideIsHonoured) {
  const int w = 21;
  const int h = 9;
  const std::size_t stride = w * 3 + 13;  // padded rows, as GStreamer and OpenCV ROIs have
  const auto packed = randomImage(w, h, 3, 21);
  std::vector<std::uint8_t> padded(stride * h, 0xAB);
  for (int y = 0; y < h; ++y) {
    std::copy_n(packed.begin() + y * w * 3, w * 3, padded.begin() + y * stride);
  }
  const Preprocessor pre(metadataOfSize(7, 5), "cpu");
  EXPECT_TRUE(at::equal(pre.run(FrameView{packed.data(), w, h, 0, PixelFormat::kRGB}),
                        pre.run(FrameView{padded.data(), w, h, stride, PixelFormat::kRGB})));
}

TEST(Preprocess, LetterboxPadsWithNormalisedBlack) {
  const int w = 64;
  const int h = 32;
  std::vector<std::uint8_t> white(static_cast<std::size_t>(w) * h * 3, 255);
  ModelMetadata meta = metadataOfSize(16, 16);
  meta.aspect = AspectPolicy::kLetterbox;
  PreprocessGeometry g;
  const at::Tensor out =
      Preprocessor(meta, "cpu").run(FrameView{white.data(), w, h, 0, PixelFormat::kRGB}, &g);
  ASSERT_EQ(g.content_height, 8);
  ASSERT_EQ(g.content_y, 4);
  for (int c = 0; c < 3; ++c) {
    const float black = -meta.mean[c] / meta.std[c];
    const float full = (1.0f - meta.mean[c]) / meta.std[c];
    EXPECT_NEAR(out[c][0][0].item<float>(), black, 1e-5);
    EXPECT_NEAR(out[c][15][15].item<float>(), black, 1e-5);
    EXPECT_NEAR(out[c][4][0].item<float>(), full, 1e-5);
    EXPECT_NEAR(out[c][11][15].item<float>(), full, 1e-5);
    EXPECT_NEAR(out[c][12][8].item<float>(), black, 1e-5);
  }
}

TEST(Preprocess, CenterCropEqualsCroppingThenStretching) {
  const int w = 80;
  const int h = 40;
  const auto rgb = randomImage(w, h, 3, 8);
  ModelMetadata meta = metadataOfSize(20, 20);
  meta.aspect = AspectPolicy::kCenterCrop;
  PreprocessGeometry g;
  const at::Tensor cropped =
      Preprocessor(meta, "cpu").run(FrameView{rgb.data(), w, h, 0, PixelFormat::kRGB}, &g);
  ASSERT_EQ(g.crop_x, 20);
  ASSERT_EQ(g.crop_width, 40);
  // The same pixels, cut out by hand, stretched.
  const FrameView inner{rgb.data() + g.crop_x * 3, g.crop_width, g.crop_height,
                        static_cast<std::size_t>(w) * 3, PixelFormat::kRGB};
  const at::Tensor by_hand = Preprocessor(metadataOfSize(20, 20), "cpu").run(inner);
  EXPECT_TRUE(at::allclose(cropped, by_hand));
}

TEST(Preprocess, OnePixelFrameFillsTheInput) {
  const std::uint8_t pixel[3] = {255, 0, 128};
  const ModelMetadata meta = metadataOfSize(224, 224);
  const at::Tensor out =
      Preprocessor(meta, "cpu").run(FrameView{pixel, 1, 1, 0, PixelFormat::kRGB});
  for (int c = 0; c < 3; ++c) {
    const float expected = (pixel[c] / 255.0f - meta.mean[c]) / meta.std[c];
    EXPECT_NEAR(out[c].min().item<float>(), expected, 1e-5);
    EXPECT_NEAR(out[c].max().item<float>(), expected, 1e-5);
  }
}

TEST(Preprocess, FourThousandByThreeThousandFrame) {
  const int w = 4000;
  const int h = 3000;
  std::vector<std::uint8_t> frame(static_cast<std::size_t>(w) * h * 3);
  // Left half dark grey, right half light grey: the resized halves keep their values.
  for (int y = 0; y < h; ++y) {
    for (int x = 0; x < w; ++x) {
      std::fill_n(frame.begin() + (static_cast<std::size_t>(y) * w + x) * 3, 3,
                  x < w / 2 ? 40 : 200);
    }
  }
  ModelMetadata meta = metadataOfSize(224, 224);
  meta.mean = {0, 0, 0};
  meta.std = {1, 1, 1};
  const at::Tensor out =
      Preprocessor(meta, "cpu").run(FrameView{frame.data(), w, h, 0, PixelFormat::kBGR});
  EXPECT_NEAR(out[1][100][10].item<float>(), 40 / 255.0f, 1e-5);
  EXPECT_NEAR(out[1][100][200].item<float>(), 200 / 255.0f, 1e-5);
  EXPECT_TRUE(at::isfinite(out).all().item<bool>());
}

TEST(Preprocess, InvalidFramesAreRejectedWithTheReason) {
  const Preprocessor pre(metadataOfSize(8, 8), "cpu");
  const std::uint8_t pixels[12] = {};
  EXPECT_THROW(pre.run(FrameView{nullptr, 2, 2, 0, PixelFormat::kRGB}), Error);
  EXPECT_THROW(pre.run(FrameView{pixels, 0, 2, 0, PixelFormat::kRGB}), Error);
  try {
    pre.run(FrameView{pixels, 2, 2, 4, PixelFormat::kRGB});
    FAIL() << "short stride accepted";
  } catch (const Error& e) {
    EXPECT_NE(std::string(e.what()).find("row stride of 4 bytes, less than the 6"),
              std::string::npos)
        << e.what();
  }
}

}  // namespace
}  // namespace deepbug::model
