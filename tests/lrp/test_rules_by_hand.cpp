// Every rule on nets small enough to compute by hand (exact fractions; the derivation
// of each expected value is in the comment next to it). Stabiliser off, float64.
#include <gtest/gtest.h>

#include "lrp/affine_rules.hpp"
#include "lrp/pooling_rules.hpp"
#include "lrp_test_support.hpp"

namespace deepbug::lrp {
namespace {

using testing::d;
using testing::relativeError;

// One affine layer: x = (1, −2), W = [[1, −1], [−2, ½]], b = (−½, ½), so
// z = (1·1 + (−1)(−2) − ½, −2·1 + ½·(−2) + ½) = (5/2, −5/2). Relevance R = (1, 2).
class HandLayer : public ::testing::TestWithParam<LayerKind> {
 protected:
  at::Tensor propagate(const std::string& rule_text, const InputBounds* bounds = nullptr) {
    const bool conv = GetParam() == LayerKind::kConvolution;
    // The same numbers as a 1×1 convolution on a 1×1 image exercise the conv path.
    const auto shape = [&](std::vector<int64_t> linear, std::vector<int64_t> convolution) {
      return conv ? convolution : linear;
    };
    Layer layer;
    layer.kind = GetParam();
    layer.weight = d({1, -1, -2, 0.5}, shape({2, 2}, {2, 2, 1, 1}));
    layer.bias = d({-0.5, 0.5}, {2});
    layer.convolution = {{1, 1}, {0, 0}, {1, 1}, 1};
    const Rule rule = parseRule(rule_text);
    const AffineWeights weights = prepareAffineWeights(layer, rule, at::kDouble, at::kCPU);
    const AffineOp op{layer.kind, layer.convolution};
    const at::Tensor x = d({1, -2}, shape({1, 2}, {1, 2, 1, 1}));
    const at::Tensor z = op.forward(x, weights.w, weights.b);
    EXPECT_LT(relativeError(z.flatten(), d({2.5, -2.5}, {2})), 1e-15);
    const at::Tensor R = d({1, 2}, shape({1, 2}, {1, 2, 1, 1}));
    return propagateAffine(rule, AffineContext{op, weights, x, z, 0.0, bounds}, R).flatten();
  }
  void expectRelevance(const std::string& rule, std::vector<double> expected,
                       const InputBounds* bounds = nullptr) {
    const at::Tensor got = propagate(rule, bounds);
    EXPECT_LT(relativeError(got, d(expected, {2})), 1e-14) << rule << ": " << got;
  }
};

TEST_P(HandLayer, LrpZero) {
  // s = R/z = (2/5, −4/5); Wᵀs = (2/5 + 8/5, −2/5 − 2/5) = (2, −4/5); x⊙ = (2, 8/5)
  expectRelevance("zero", {2.0, 8.0 / 5});
}

TEST_P(HandLayer, Epsilon) {
  // z + ε·sign(z) = (3, −3); s = (1/3, −2/3); Wᵀs = (5/3, −2/3); x⊙ = (5/3, 4/3)
  expectRelevance("epsilon:0.5", {5.0 / 3, 4.0 / 3});
}

TEST_P(HandLayer, EpsilonRms) {
  // rms(z) = 5/2, ε = 0.2·5/2 = ½: the same as epsilon:0.5
  expectRelevance("epsilon:0.2rms", {5.0 / 3, 4.0 / 3});
}

TEST_P(HandLayer, ZPlus) {
  // x⁺ = (1, 0), x⁻ = (0, −2); d = W⁺x⁺ + b⁺ + W⁻x⁻ = (1 + 0 + 2, 0 + ½ + 0) = (3, ½)
  // s = (1/3, 4); R_in = x⁺⊙W⁺ᵀs + x⁻⊙W⁻ᵀs = (1·(1/3), −2·(−1/3)) = (1/3, 2/3)
  expectRelevance("zplus", {1.0 / 3, 2.0 / 3});
}

TEST_P(HandLayer, AlphaTwoBetaOne) {
  // p = (3, ½) as d above; n = W⁻x⁺ + b⁻ + W⁺x⁻ = (0 − ½ + 0, −2 + 0 − 1) = (−½, −3)
  // s_p = (1/3, 4), s_n = (−2, −2/3)
  // α-part: x⁺⊙W⁺ᵀs_p + x⁻⊙W⁻ᵀs_p = (1/3, 2/3)
  // β-part: x⁺⊙W⁻ᵀs_n + x⁻⊙W⁺ᵀs_n = (1·(−2)(−2/3), −2·(½)(−2/3)) = (4/3, 2/3)
  // R_in = 2·(1/3, 2/3) − (4/3, 2/3) = (−2/3, 2/3)
  expectRelevance("alpha-beta:2,1", {-2.0 / 3, 2.0 / 3});
}

TEST_P(HandLayer, Gamma) {
  // γ = ¼: A = W + γW⁺ = [[5/4, −1], [−2, 5/8]], B = W + γW⁻ = [[1, −5/4], [−5/2, ½]]
  // p = Ax⁺ + b + γb⁺ + Bx⁻ = (5/4 − ½ + 5/2, −2 + ½ + 1/8 − 1) = (13/4, −19/8)
  // n = Bx⁺ + b + γb⁻ + Ax⁻ = (1 − ½ − 1/8 + 2, −5/2 + ½ − 5/4) = (19/8, −13/4)
  // z = (5/2, −5/2): s_p = (1/(13/4), 0) = (4/13, 0), s_n = (0, 2/(−13/4)) = (0, −8/13)
  // R_in = x⁺⊙(Aᵀs_p + Bᵀs_n) + x⁻⊙(Bᵀs_p + Aᵀs_n)
  //      = (1·(5/4·4/13 + (−5/2)(−8/13)), −2·(−5/4·4/13 + 5/8·(−8/13))) = (25/13, 20/13)
  expectRelevance("gamma:0.25", {25.0 / 13, 20.0 / 13});
}

TEST_P(HandLayer, Box) {
  // l = (−1, −3), h = (2, 1): d = Wx − W⁺l − W⁻h = (3 + 1 + 1, −3 + 3/2 + 4) = (5, 5/2)
  // s = (1/5, 4/5); R_in = x⊙Wᵀs − l⊙W⁺ᵀs − h⊙W⁻ᵀs, term by term:
  // i=0: x·(Wᵀs)₀ = −7/5, −l·(W⁺ᵀs)₀ = 1/5, −h·(W⁻ᵀs)₀ = −2·(−8/5) = 16/5 → 2
  // i=1: x·(Wᵀs)₁ = −2/5, −l·(W⁺ᵀs)₁ = 6/5, −h·(W⁻ᵀs)₁ = −1·(−1/5) = 1/5 → 1
  const bool conv = GetParam() == LayerKind::kConvolution;
  const std::vector<int64_t> shape =
      conv ? std::vector<int64_t>{1, 2, 1, 1} : std::vector<int64_t>{1, 2};
  const InputBounds bounds{d({-1, -3}, shape), d({2, 1}, shape)};
  expectRelevance("box", {2.0, 1.0}, &bounds);
}

TEST_P(HandLayer, Flat) {
  // d = fan-in = (2, 2); R_in = 1ᵀ(R/d) = (½ + 1, ½ + 1) — not multiplied by x
  expectRelevance("flat", {1.5, 1.5});
}

TEST_P(HandLayer, WSquare) {
  // d = W²·1 + b² = (1 + 1 + ¼, 4 + ¼ + ¼) = (9/4, 9/2)
  // R_in = (W²)ᵀ(R/d) = (1·4/9 + 4·4/9, 1·4/9 + ¼·4/9) = (20/9, 5/9)
  expectRelevance("w-square", {20.0 / 9, 5.0 / 9});
}

INSTANTIATE_TEST_SUITE_P(LinearAndConvolution, HandLayer,
                         ::testing::Values(LayerKind::kLinear, LayerKind::kConvolution),
                         [](const auto& info) { return toString(info.param); });

TEST(RuleStabiliser, ZeroDenominatorTakesPlusSign) {
  // stab(0) = 0 + 1e-6·(+1)
  EXPECT_DOUBLE_EQ(stabilize(d({0.0}, {1}), 1e-6).item<double>(), 1e-6);
  EXPECT_DOUBLE_EQ(stabilize(d({-2.0}, {1}), 1e-6).item<double>(), -2.0 - 1e-6);
}

Layer poolLayer(LayerKind kind) {
  Layer layer;
  layer.kind = kind;
  layer.pool.kernel = {2, 2};
  layer.pool.stride = {2, 2};
  layer.pool.padding = {0, 0};
  layer.pool.dilation = {1, 1};
  return layer;
}

TEST(HandPooling, MaxPoolWinnerTakesAll) {
  const at::Tensor x = d({1, 4, 2, 3}, {1, 1, 2, 2});
  const at::Tensor r = propagatePooling(poolLayer(LayerKind::kMaxPool), parseRule("winner"), x, {},
                                        d({6}, {1, 1, 1, 1}), 0.0);
  EXPECT_LT(relativeError(r.flatten(), d({0, 6, 0, 0}, {4})), 1e-15);
}

TEST(HandPooling, MaxPoolProportionalSharesByValue) {
  // x / Σx · R = (1, 4, 2, 3)/10 · 6
  const at::Tensor x = d({1, 4, 2, 3}, {1, 1, 2, 2});
  const at::Tensor r = propagatePooling(poolLayer(LayerKind::kMaxPool), parseRule("proportional"),
                                        x, {}, d({6}, {1, 1, 1, 1}), 0.0);
  EXPECT_LT(relativeError(r.flatten(), d({0.6, 2.4, 1.2, 1.8}, {4})), 1e-15);
}

TEST(HandPooling, OverlappingAveragePoolUsesItsTranspose) {
  // 1×3 input, kernel 2, stride 1: windows (1, 3) and (3, 5), means 2 and 4, R = (2, 8)
  // s = R/mean = (1, 2); Jᵀs = (½·1, ½·1 + ½·2, ½·2) = (½, 3/2, 1); x⊙ = (½, 9/2, 5)
  Layer layer = poolLayer(LayerKind::kAvgPool);
  layer.pool.kernel = {1, 2};
  layer.pool.stride = {1, 1};
  const at::Tensor x = d({1, 3, 5}, {1, 1, 1, 3});
  const at::Tensor out = at::avg_pool2d(x, {1, 2}, {1, 1});
  const at::Tensor r =
      propagatePooling(layer, parseRule("zero"), x, out, d({2, 8}, {1, 1, 1, 2}), 0.0);
  EXPECT_LT(relativeError(r.flatten(), d({0.5, 4.5, 5}, {3})), 1e-15);
}

TEST(HandPooling, MeanOverSpatialDimensions) {
  Layer layer;
  layer.kind = LayerKind::kMean;
  layer.mean_dims = {-1, -2};
  const at::Tensor x = d({1, 4, 2, 3}, {1, 1, 2, 2});
  const at::Tensor r = propagatePooling(layer, Rule{}, x, x.mean({2, 3}), d({5}, {1, 1}), 0.0);
  // mean 2.5, s = 2; x ⊙ s/4 = x/2
  EXPECT_LT(relativeError(r.flatten(), d({0.5, 2, 1, 1.5}, {4})), 1e-15);
}

TEST(HandMerge, ResidualAddSplitsBySummand) {
  // a = (1, −1), b = (3, 3): R_a = a⊙R/(a+b) = (1·4/4, −1·2/2), R_b = (3, 3)
  const at::Tensor a = d({1, -1}, {2}), b = d({3, 3}, {2});
  auto parts = propagateAdd(a, b, a + b, d({4, 2}, {2}), 0.0);
  EXPECT_LT(relativeError(parts[0], d({1, -1}, {2})), 1e-15);
  EXPECT_LT(relativeError(parts[1], d({3, 3}, {2})), 1e-15);
}

TEST(HandMerge, CatSplitsByRanges) {
  auto parts = propagateCat({at::zeros({1, 1}), at::zeros({1, 2})}, 1, d({1, 2, 3}, {1, 3}));
  EXPECT_LT(relativeError(parts[0].flatten(), d({1}, {1})), 1e-15);
  EXPECT_LT(relativeError(parts[1].flatten(), d({2, 3}, {2})), 1e-15);
}

// A whole net through the engine: linear (the layer above) → relu → linear [1, 1].
// Logits y = relu(z)·(1, 1) = 5/2 + 0 = 5/2 (one output). LRP-0 with init logit:
// R_y = 5/2 → at relu output: h⊙(1,1)·(5/2)/(5/2) = (5/2, 0) → passes relu →
// first layer: s = (5/2)/(5/2) = (1, 0), Wᵀs = (1, −1), x⊙ = (1, 2)
TEST(HandNet, LinearReluLinearWithLrpZero) {
  auto net = testing::scriptedNet(
      "def forward(self, x):\n"
      "    h = torch.relu(torch.linear(x, self.w1, self.b1))\n"
      "    return torch.linear(h, self.w2)\n",
      {{"w1", d({1, -1, -2, 0.5}, {2, 2})},
       {"b1", d({-0.5, 0.5}, {2})},
       {"w2", d({1, 1}, {1, 2})}});
  ExplainerOptions options = testing::float64Options("epsilon-plus");
  options.stabilizer = 0.0;
  options.composite.overrides = {parseRuleOverride("0=zero"), parseRuleOverride("2=zero")};
  Explainer explainer(net, "hand net", options);
  const auto result =
      explainer.explain(d({1, -2}, {1, 2}).view({1, 2}), std::nullopt, InitialRelevance::kLogit);
  EXPECT_LT(relativeError(result.relevance.flatten(), d({1, 2}, {2})), 1e-15);
  EXPECT_DOUBLE_EQ(result.explained.item<double>(), 2.5);
}

}  // namespace
}  // namespace deepbug::lrp
