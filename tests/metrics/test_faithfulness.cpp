// Region perturbation: curves computed by hand on 4×4 and 5×7 images, the ordering of
// MoRF, random and LeRF on a model whose evidence is known, ties, and bad arguments.
#include <gtest/gtest.h>
#include <torch/script.h>

#include <cmath>
#include <string>
#include <vector>

#include "core/error.hpp"
#include "metrics/faithfulness.hpp"
#include "support/config_error.hpp"

namespace deepbug::metrics {
namespace {

using test::configErrorOf;

// [N, 2]: class 0 the sum of every pixel of every channel, class 1 the first pixel.
at::Tensor sumModel(const at::Tensor& x) {
  return at::stack({x.sum({1, 2, 3}), x.select(1, 0).select(1, 0).select(1, 0)}, 1);
}

std::vector<double> row(const at::Tensor& curve, int64_t n) {
  at::Tensor r = curve[n].contiguous();
  return std::vector<double>(r.data_ptr<double>(), r.data_ptr<double>() + r.numel());
}

// 4×4 image of 1…16 (row-major), patches of 2×2: p0 = {1,2,5,6} (sum 14),
// p1 = {3,4,7,8} (22), p2 = {9,10,13,14} (46), p3 = {11,12,15,16} (54); total 136.
// Relevance: p0 two pixels of 2.5 (sum 5, max 2.5), p1 1, p2 one pixel of 4, p3 2 — a
// patch ranks by its sum, so p0 (5) goes before p2 (4).
struct FourByFour {
  at::Tensor image = at::arange(1, 17, at::kDouble).view({1, 1, 4, 4});
  at::Tensor relevance = [] {
    at::Tensor r = at::zeros({1, 4, 4}, at::kDouble);
    r[0][0][0] = 2.5;
    r[0][1][1] = 2.5;
    r[0][0][3] = 1;
    r[0][2][0] = 4;
    r[0][3][3] = 2;
    return r;
  }();
};

TEST(PerturbationCurve, HandComputedOnA4x4ImageWith2x2Patches) {
  FourByFour f;
  PerturbationOptions options;
  options.patch_size = 2;
  options.steps = 4;
  options.replacement = Replacement::kZero;
  // MoRF: p0, p2, p3, p1 → 136, 136−14, −46, −54, −22.
  const PerturbationCurve morf = perturbationCurve(sumModel, f.image, f.relevance, {0}, options);
  EXPECT_EQ(morf.patches, 4);
  EXPECT_EQ(morf.removed, (std::vector<int64_t>{0, 1, 2, 3, 4}));
  EXPECT_EQ(row(morf.logits, 0), (std::vector<double>{136, 122, 76, 22, 0}));
  // LeRF: p1, p3, p2, p0 → 136, −22, −54, −46, −14.
  options.order = PerturbationOrder::kLeastRelevantFirst;
  const PerturbationCurve lerf = perturbationCurve(sumModel, f.image, f.relevance, {0}, options);
  EXPECT_EQ(row(lerf.logits, 0), (std::vector<double>{136, 114, 60, 14, 0}));

  // AOPC = mean of f(x⁰) − f(xᵏ): MoRF (0 + 14 + 60 + 114 + 136)/5, LeRF (0+22+76+122+136)/5.
  EXPECT_DOUBLE_EQ(aopc(morf.logits).item<double>(), 324.0 / 5);
  EXPECT_DOUBLE_EQ(aopc(lerf.logits).item<double>(), 356.0 / 5);
  // ABPC = mean of LeRF − MoRF = (0 − 8 − 16 − 8 + 0)/5: this map ranks worse than chance.
  EXPECT_DOUBLE_EQ(abpc(lerf.logits, morf.logits).item<double>(), -32.0 / 5);
  EXPECT_NEAR(abpc(lerf.logits, morf.logits).item<double>(),
              (aopc(morf.logits) - aopc(lerf.logits)).item<double>(), 1e-12);
}

TEST(PerturbationCurve, MeanReplacementUsesTheImagesOwnChannelMean) {
  FourByFour f;
  PerturbationOptions options;
  options.patch_size = 2;
  options.steps = 4;
  options.replacement = Replacement::kMean;
  // The mean is 136/16 = 8.5: removing p0 (14) adds 4·8.5 = 34 back.
  const PerturbationCurve morf = perturbationCurve(sumModel, f.image, f.relevance, {0}, options);
  EXPECT_EQ(row(morf.logits, 0), (std::vector<double>{136, 156, 144, 124, 136}));
}

TEST(PerturbationCurve, BlurOfAConstantImageIsTheImageEvenAtItsBorders) {
  // Replicated borders: zero padding would darken the edge patches.
  const at::Tensor image = at::full({2, 3, 9, 10}, 0.75, at::kDouble);
  const at::Tensor relevance = at::rand({2, 9, 10}, at::kDouble);
  PerturbationOptions options;
  options.patch_size = 3;
  options.steps = 3;
  options.replacement = Replacement::kBlur;
  const PerturbationCurve curve = perturbationCurve(sumModel, image, relevance, {0, 0}, options);
  EXPECT_TRUE(at::allclose(curve.logits, at::full({2, 4}, 0.75 * 3 * 9 * 10, at::kDouble)));
  // A single bright pixel blurred spreads out: its patch loses most of its value.
  at::Tensor spike = at::zeros({1, 1, 9, 9}, at::kDouble);
  spike[0][0][4][4] = 1;
  options.steps = 9;
  const PerturbationCurve blurred = perturbationCurve(sumModel, spike, spike.select(1, 0), {0},
                                                      options);  // the centre patch goes first
  const double after = blurred.logits[0][1].item<double>();
  EXPECT_GT(after, 0.0);
  EXPECT_LT(after, 0.5);
}

// Class 0: the sum of channel 1 over the square rows 8…15, columns 16…23 of a 32×32
// image (4 of the 64 patches of 4×4); inputs positive, removed pixels set to zero.
at::Tensor squareModel(const at::Tensor& x) {
  at::Tensor square = x.select(1, 1).slice(1, 8, 16).slice(2, 16, 24).sum({1, 2});
  return at::stack({square, x.mean({1, 2, 3})}, 1);
}

TEST(PerturbationCurve, TheTrueMapDropsFastestUnderMoRFAndSlowestUnderLeRF) {
  at::manual_seed(3);
  const at::Tensor images = at::rand({3, 3, 32, 32}, at::kDouble) * 0.5 + 0.5;
  at::Tensor truth = at::zeros({3, 32, 32}, at::kDouble);
  truth.slice(1, 8, 16).slice(2, 16, 24).copy_(
      images.select(1, 1).slice(1, 8, 16).slice(2, 16, 24));
  PerturbationOptions options;
  options.patch_size = 4;
  options.steps = 16;  // 4 patches a step
  options.replacement = Replacement::kZero;
  const std::vector<int64_t> targets{0, 0, 0};
  const at::Tensor morf = perturbationCurve(squareModel, images, truth, targets, options).logits;
  options.order = PerturbationOrder::kLeastRelevantFirst;
  const at::Tensor lerf = perturbationCurve(squareModel, images, truth, targets, options).logits;
  options.order = PerturbationOrder::kRandom;
  options.seed = 11;
  const at::Tensor random = perturbationCurve(squareModel, images, truth, targets, options).logits;

  // MoRF takes the whole square at step 1; LeRF leaves it to the last step.
  EXPECT_TRUE(at::equal(morf.slice(1, 1), at::zeros({3, 16}, at::kDouble)));
  EXPECT_TRUE(at::equal(lerf.slice(1, 0, 16), morf.select(1, 0).unsqueeze(1).expand({3, 16})));
  EXPECT_TRUE(at::all(morf <= random).item<bool>());
  EXPECT_TRUE(at::all(random <= lerf).item<bool>());
  const at::Tensor a_morf = aopc(morf), a_random = aopc(random), a_lerf = aopc(lerf);
  for (int64_t n = 0; n < 3; ++n) {
    EXPECT_GT(a_morf[n].item<double>(), a_random[n].item<double>()) << "image " << n;
    EXPECT_GT(a_random[n].item<double>(), a_lerf[n].item<double>()) << "image " << n;
  }
  EXPECT_TRUE(at::all(abpc(lerf, morf) > 0).item<bool>());
}

TEST(PerturbationCurve, RandomOrderIsSeededAndDiffersBetweenSeeds) {
  at::manual_seed(4);
  const at::Tensor images = at::rand({2, 1, 16, 16}, at::kDouble);
  const at::Tensor relevance = at::rand({2, 16, 16}, at::kDouble);
  PerturbationOptions options;
  options.patch_size = 2;
  options.steps = 8;
  options.order = PerturbationOrder::kRandom;
  options.seed = 5;
  const at::Tensor a = perturbationCurve(sumModel, images, relevance, {0, 0}, options).logits;
  const at::Tensor b = perturbationCurve(sumModel, images, relevance, {0, 0}, options).logits;
  options.seed = 6;
  const at::Tensor c = perturbationCurve(sumModel, images, relevance, {0, 0}, options).logits;
  EXPECT_TRUE(at::equal(a, b));
  EXPECT_FALSE(at::equal(a, c));
}

TEST(PerturbationCurve, AConstantMapRemovesPatchesInIndexOrderBothWays) {
  at::manual_seed(5);
  // A model where the order matters: each pixel weighted by its own random weight.
  const at::Tensor weight = at::rand({1, 1, 6, 6}, at::kDouble);
  auto model = [&](const at::Tensor& x) {
    at::Tensor s = (x * weight).sum({1, 2, 3});
    return at::stack({s, -s}, 1);
  };
  const at::Tensor image = at::rand({1, 1, 6, 6}, at::kDouble) + 0.1;
  PerturbationOptions options;
  options.patch_size = 2;  // 9 patches
  options.steps = 9;
  options.replacement = Replacement::kZero;
  const at::Tensor constant = at::ones({1, 6, 6}, at::kDouble);
  // Patch p scores 9 − p: descending = index order; the reverse map scores p.
  const at::Tensor patch_index = (at::arange(6, at::kLong).div(2, "floor").view({6, 1}) * 3 +
                                  at::arange(6, at::kLong).div(2, "floor").view({1, 6}))
                                     .to(at::kDouble)
                                     .unsqueeze(0);
  const at::Tensor by_index = perturbationCurve(model, image, 9 - patch_index, {0}, options).logits;
  const at::Tensor reversed = perturbationCurve(model, image, patch_index, {0}, options).logits;
  const at::Tensor morf = perturbationCurve(model, image, constant, {0}, options).logits;
  options.order = PerturbationOrder::kLeastRelevantFirst;
  const at::Tensor lerf = perturbationCurve(model, image, constant, {0}, options).logits;
  EXPECT_TRUE(at::equal(morf, by_index));
  EXPECT_TRUE(at::equal(lerf, by_index));
  EXPECT_FALSE(at::equal(morf, reversed));
  EXPECT_EQ(abpc(lerf, morf).item<double>(), 0.0);
}

TEST(PerturbationCurve, PatchesAndStepsThatDoNotDivideTheImage) {
  // 5×7 ones, patches of 2: rows of height 2, 2, 1 and columns of width 2, 2, 2, 1, so
  // 12 patches (p = 4·row + column), ⌈12/5⌉ = 3 a step, removed 0, 3, 6, 9, 12, 12.
  const at::Tensor image = at::ones({1, 1, 5, 7}, at::kDouble);
  at::Tensor relevance = at::zeros({1, 5, 7}, at::kDouble);
  relevance[0][4][6] = 100;  // p11, the 1×1 corner
  relevance[0][0][6] = 50;   // p3, 2×1
  relevance[0][4][0] = 40;   // p8, 1×2
  PerturbationOptions options;
  options.patch_size = 2;
  options.steps = 5;
  options.replacement = Replacement::kZero;
  const PerturbationCurve curve = perturbationCurve(sumModel, image, relevance, {0}, options);
  EXPECT_EQ(curve.patches, 12);
  EXPECT_EQ(curve.removed, (std::vector<int64_t>{0, 3, 6, 9, 12, 12}));
  // Step 1: p11, p3, p8 (1 + 2 + 2 px); then ties by index: p0, p1, p2 (12 px);
  // p4, p5, p6 (12 px); p7, p9, p10 (2 + 2 + 2 px).
  EXPECT_EQ(row(curve.logits, 0), (std::vector<double>{35, 30, 18, 6, 0, 0}));

  // A patch larger than the image: one patch, gone at the first step.
  options.patch_size = 16;
  const PerturbationCurve whole = perturbationCurve(sumModel, image, relevance, {0}, options);
  EXPECT_EQ(whole.patches, 1);
  EXPECT_EQ(row(whole.logits, 0), (std::vector<double>{35, 0, 0, 0, 0, 0}));
}

TEST(PerturbationCurve, EachStepIsOneBatchedCallWithPerImageTargets) {
  at::manual_seed(6);
  const at::Tensor images = at::rand({3, 2, 8, 8}, at::kDouble);
  const at::Tensor relevance = at::rand({3, 8, 8}, at::kDouble);
  std::vector<int64_t> batch_sizes;
  auto counting = [&](const at::Tensor& x) {
    batch_sizes.push_back(x.size(0));
    return sumModel(x);
  };
  PerturbationOptions options;
  options.patch_size = 4;
  options.steps = 2;
  const std::vector<int64_t> targets{1, 0, 1};
  const at::Tensor batched =
      perturbationCurve(counting, images, relevance, targets, options).logits;
  EXPECT_EQ(batch_sizes, (std::vector<int64_t>{3, 3, 3}));
  for (int64_t n = 0; n < 3; ++n) {
    const at::Tensor alone =
        perturbationCurve(sumModel, images.slice(0, n, n + 1), relevance.slice(0, n, n + 1),
                          {targets[static_cast<std::size_t>(n)]}, options)
            .logits;
    EXPECT_TRUE(at::allclose(batched[n], alone[0])) << "image " << n;
  }
}

TEST(PerturbationCurve, BadArgumentsAreNamed) {
  const at::Tensor images = at::rand({2, 1, 4, 4});
  const at::Tensor relevance = at::rand({2, 4, 4});
  PerturbationOptions options;
  options.patch_size = 0;
  EXPECT_NE(configErrorOf([&] {
              perturbationCurve(sumModel, images, relevance, {0, 0}, options);
            }).find("patch_size"),
            std::string::npos);
  options = {};
  options.steps = 0;
  EXPECT_NE(configErrorOf([&] {
              perturbationCurve(sumModel, images, relevance, {0, 0}, options);
            }).find("steps"),
            std::string::npos);
  EXPECT_NE(configErrorOf([&] {
              perturbationCurve(sumModel, images, at::rand({2, 4, 5}), {0, 0});
            }).find("relevance"),
            std::string::npos);
  at::Tensor nan_map = relevance.clone();
  nan_map[1][2][3] = std::nan("");
  EXPECT_NE(configErrorOf([&] {
              perturbationCurve(sumModel, images, nan_map, {0, 0});
            }).find("relevance"),
            std::string::npos);
  EXPECT_NE(
      configErrorOf([&] { perturbationCurve(sumModel, images, relevance, {0}); }).find("targets"),
      std::string::npos);
  EXPECT_NE(configErrorOf([&] {
              perturbationCurve(sumModel, images, relevance, {0, 2});
            }).find("targets"),
            std::string::npos);
  EXPECT_NE(
      configErrorOf([&] { perturbationCurve(sumModel, images[0], relevance, {0}); }).find("inputs"),
      std::string::npos);
  EXPECT_NE(configErrorOf([&] {
              abpc(at::zeros({2, 3}, at::kDouble), at::zeros({2, 4}, at::kDouble));
            }).find("lerf_curve"),
            std::string::npos);
}

}  // namespace
}  // namespace deepbug::metrics
