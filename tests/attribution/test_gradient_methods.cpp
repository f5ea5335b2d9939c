// Gradient baselines: exact on a linear model (gradient = the weight row, g×i = w·x,
// IG = (x − x′)·w), completeness of integrated gradients on a ReLU conv net converging
// with the steps, per-sample targets against each sample alone, a final softmax
// stripped, and gradient × input against the LRP engine's LRP-0 (a second formulation).
#include <gtest/gtest.h>
#include <torch/script.h>

#include <string>
#include <vector>

#include "attribution/gradient_methods.hpp"
#include "core/error.hpp"
#include "lrp/lrp_test_support.hpp"
#include "support/config_error.hpp"

namespace deepbug::attribution {
namespace {

using test::configErrorOf;

using lrp::testing::relativeError;
using lrp::testing::scriptedNet;

GradientOptions float64() {
  GradientOptions options;
  options.dtype = c10::kDouble;
  return options;
}

// Three classes over a 2×3×3 input: f(x) = W·flatten(x) + b, then `final`.
struct LinearNet {
  at::Tensor w = at::randn({3, 18}, at::kDouble);
  at::Tensor b = at::randn({3}, at::kDouble);
  torch::jit::Module module(const std::string& final = "") const {
    const std::string logits = "torch.linear(torch.flatten(x, 1), self.w, self.b)";
    const std::string body = final.empty() ? logits : "torch." + final + "(" + logits + ", 1)";
    return scriptedNet("def forward(self, x):\n    return " + body + "\n", {{"w", w}, {"b", b}});
  }
  at::Tensor row(int64_t t) const { return w[t].view({2, 3, 3}); }
};

TEST(GradientMethods, OnALinearModelGradientIsTheWeightRowAndGxIIsWTimesX) {
  at::manual_seed(1);
  LinearNet net;
  const at::Tensor x = at::randn({2, 2, 3, 3}, at::kDouble);
  const GradientAttributor attributor(net.module(), "linear", float64());
  const std::vector<int64_t> targets{2, 0};
  const Attribution g = attributor.gradient(x, targets);
  const Attribution gxi = attributor.gradientTimesInput(x, targets);
  for (int64_t n = 0; n < 2; ++n) {
    const at::Tensor w = net.row(targets[static_cast<std::size_t>(n)]);
    EXPECT_LT(relativeError(g.attribution[n], w), 1e-14) << n;
    EXPECT_LT(relativeError(gxi.attribution[n], w * x[n]), 1e-14) << n;
  }
  EXPECT_EQ(g.attribution.sizes(), x.sizes());
  EXPECT_EQ(g.attribution.scalar_type(), at::kDouble);
  const at::Tensor logits = at::linear(x.flatten(1), net.w, net.b);
  EXPECT_LT(relativeError(g.explained, at::stack({logits[0][2], logits[1][0]})), 1e-14);
}

TEST(GradientMethods, IntegratedGradientsOfALinearModelIsExactlyXMinusBaselineTimesW) {
  at::manual_seed(2);
  LinearNet net;
  const at::Tensor x = at::randn({2, 2, 3, 3}, at::kDouble);
  const at::Tensor baseline = at::randn({2, 3, 3}, at::kDouble);  // shared by both samples
  const GradientAttributor attributor(net.module(), "linear", float64());
  for (IntegrationRule rule : {IntegrationRule::kRiemannRight, IntegrationRule::kTrapezoid}) {
    for (int64_t steps : {1, 7}) {
      IntegratedGradientsOptions options;
      options.rule = rule;
      options.steps = steps;
      const Attribution zero = attributor.integratedGradients(x, {1, 2}, options);
      options.baseline = baseline;
      const Attribution shifted = attributor.integratedGradients(x, {1, 2}, options);
      for (int64_t n = 0; n < 2; ++n) {
        const at::Tensor w = net.row(n + 1);
        EXPECT_LT(relativeError(zero.attribution[n], x[n] * w), 1e-13) << steps;
        EXPECT_LT(relativeError(shifted.attribution[n], (x[n] - baseline) * w), 1e-13) << steps;
      }
      // Completeness, exactly: Σ A = f(x) − f(x′).
      EXPECT_LT(relativeError(shifted.attribution.sum({1, 2, 3}),
                              shifted.explained - shifted.baseline_logit),
                1e-13);
    }
  }
}

TEST(GradientMethods, AFinalSoftmaxOrLogSoftmaxIsStrippedSoTheLogitIsExplained) {
  at::manual_seed(3);
  LinearNet net;
  const at::Tensor x = at::randn({2, 2, 3, 3}, at::kDouble);
  const GradientAttributor plain(net.module(), "plain", float64());
  EXPECT_FALSE(plain.strippedFinalNormaliser());
  for (const std::string final : {"softmax", "log_softmax"}) {
    const GradientAttributor stripped(net.module(final), final, float64());
    EXPECT_TRUE(stripped.strippedFinalNormaliser()) << final;
    EXPECT_LT(relativeError(stripped.logits(x), plain.logits(x)), 1e-14) << final;
    EXPECT_LT(relativeError(stripped.gradient(x, {0, 1}).attribution,
                            at::stack({net.row(0), net.row(1)})),
              1e-14)
        << final;
  }
}

// A small ReLU conv net, float64: conv 3→4 (3×3, pad 1), ReLU, conv 4→5 (3×3), ReLU,
// global average pool, linear 5→3.
torch::jit::Module reluConvNet() {
  at::manual_seed(4);
  return scriptedNet(R"(
def forward(self, x):
    x = torch.relu(torch.conv2d(x, self.w1, self.b1, [1, 1], [1, 1]))
    x = torch.relu(torch.conv2d(x, self.w2, self.b2))
    x = torch.flatten(torch.adaptive_avg_pool2d(x, [1, 1]), 1)
    return torch.linear(x, self.w3, self.b3)
)",
                     {{"w1", at::randn({4, 3, 3, 3}, at::kDouble) * 0.5},
                      {"b1", at::randn({4}, at::kDouble) * 0.1},
                      {"w2", at::randn({5, 4, 3, 3}, at::kDouble) * 0.3},
                      {"b2", at::randn({5}, at::kDouble) * 0.1},
                      {"w3", at::randn({3, 5}, at::kDouble)},
                      {"b3", at::randn({3}, at::kDouble) * 0.1}});
}

TEST(GradientMethods, IntegratedGradientsCompletenessErrorShrinksWithMoreSteps) {
  // Along the path a ReLU net's gradient is piecewise constant: each kink costs either
  // sum an error of up to (jump · 1/m), of a sign and size set by where the kink falls
  // between two points. One sample's error is therefore not monotone in m; the mean
  // over 16 samples is what falls like 1/m.
  const torch::jit::Module net = reluConvNet();
  const GradientAttributor attributor(net, "relu-conv", float64());
  at::manual_seed(5);
  const at::Tensor x = at::randn({16, 3, 8, 8}, at::kDouble);
  const std::vector<int64_t> targets(16, 1);
  for (IntegrationRule rule : {IntegrationRule::kRiemannRight, IntegrationRule::kTrapezoid}) {
    // mean |Σ A − (f(x) − f(x′))| / mean |f(x) − f(x′)|.
    auto gap = [&](int64_t steps) {
      IntegratedGradientsOptions options;
      options.steps = steps;
      options.rule = rule;
      const Attribution a = attributor.integratedGradients(x, targets, options);
      const at::Tensor difference = a.explained - a.baseline_logit;
      return (a.attribution.sum({1, 2, 3}) - difference).abs().mean().item<double>() /
             difference.abs().mean().item<double>();
    };
    const double gap32 = gap(32), gap128 = gap(128);
    EXPECT_LT(gap128, gap32) << "rule " << static_cast<int>(rule);
    // Sundararajan et al. advise checking that the gap is within 5 %: here under 1 %.
    EXPECT_LT(gap128, 1e-2) << "rule " << static_cast<int>(rule);
  }
}

TEST(GradientMethods, PerSampleTargetsMatchEachSampleAlone) {
  const torch::jit::Module net = reluConvNet();
  const GradientAttributor attributor(net, "relu-conv", float64());
  at::manual_seed(6);
  const at::Tensor x = at::randn({3, 3, 8, 8}, at::kDouble);
  const std::vector<int64_t> targets{2, 0, 1};
  IntegratedGradientsOptions ig;
  ig.steps = 8;
  const Attribution g = attributor.gradient(x, targets);
  const Attribution gxi = attributor.gradientTimesInput(x, targets);
  const Attribution integrated = attributor.integratedGradients(x, targets, ig);
  for (int64_t n = 0; n < 3; ++n) {
    const at::Tensor one = x.slice(0, n, n + 1);
    const std::vector<int64_t> target{targets[static_cast<std::size_t>(n)]};
    EXPECT_LT(relativeError(g.attribution[n], attributor.gradient(one, target).attribution[0]),
              1e-12);
    EXPECT_LT(relativeError(gxi.attribution[n],
                            attributor.gradientTimesInput(one, target).attribution[0]),
              1e-12);
    EXPECT_LT(relativeError(integrated.attribution[n],
                            attributor.integratedGradients(one, target, ig).attribution[0]),
              1e-12);
  }
  // And the three targets differ: the check above compares distinct maps.
  EXPECT_GT(
      relativeError(g.attribution[0], attributor.gradient(x.slice(0, 0, 1), {0}).attribution[0]),
      1e-3);
}

TEST(GradientMethods, StepsBatchedUnderTheMemoryBoundGiveTheSameResult) {
  const torch::jit::Module net = reluConvNet();
  const GradientAttributor attributor(net, "relu-conv", float64());
  at::manual_seed(7);
  const at::Tensor x = at::randn({2, 3, 8, 8}, at::kDouble);
  IntegratedGradientsOptions one_at_a_time;
  one_at_a_time.steps = 10;
  one_at_a_time.max_batch = 1;  // one point per pass
  IntegratedGradientsOptions uneven = one_at_a_time;
  uneven.max_batch = 7;  // 3 steps a pass: 11 points in passes of 3, 3, 3, 2
  IntegratedGradientsOptions all = one_at_a_time;
  all.max_batch = 1000;
  const at::Tensor a = attributor.integratedGradients(x, {1, 0}, one_at_a_time).attribution;
  EXPECT_LT(relativeError(attributor.integratedGradients(x, {1, 0}, uneven).attribution, a), 1e-12);
  EXPECT_LT(relativeError(attributor.integratedGradients(x, {1, 0}, all).attribution, a), 1e-12);
}

TEST(GradientMethods, GradientTimesInputEqualsLrpZeroOfTheEngineOnATracedReluNet) {
  // tiny_softmax: conv, ReLU, average pool, linear, softmax — traced by PyTorch. On a ReLU
  // net LRP-0 (ε → 0) is x ⊙ ∇f (Ancona et al. 2018), biases included; both explain
  // the logit before the softmax.
  const torch::jit::Module traced = torch::jit::load(lrp::testing::fixture("tiny_softmax"));
  const GradientAttributor attributor(traced, "tiny_softmax", float64());
  EXPECT_TRUE(attributor.strippedFinalNormaliser());
  const lrp::Explainer engine(traced, "tiny_softmax", lrp::testing::allZeroOptions(traced, 0.0));
  at::manual_seed(8);
  const at::Tensor x = at::randn({2, 3, 64, 64}, at::kDouble);
  const std::vector<int64_t> targets{1, 0};
  const lrp::Explanation lrp0 = engine.explain(x, targets, lrp::InitialRelevance::kLogit);
  const Attribution gxi = attributor.gradientTimesInput(x, targets);
  EXPECT_LT(relativeError(gxi.attribution, lrp0.relevance), 1e-10);
  EXPECT_LT(relativeError(gxi.logits, lrp0.logits), 1e-12);
}

TEST(GradientMethods, RunsUnderTheCallersInferenceMode) {
  const torch::jit::Module net = reluConvNet();
  const GradientAttributor attributor(net, "relu-conv", float64());
  at::Tensor x;
  at::Tensor inside;
  {
    c10::InferenceMode inference;
    x = at::randn({1, 3, 8, 8}, at::kDouble);
    inside = attributor.gradient(x, {1}).attribution;
  }
  const at::Tensor outside = attributor.gradient(x.clone(), {1}).attribution;
  EXPECT_LT(relativeError(inside, outside), 1e-14);
  EXPECT_GT(outside.abs().sum().item<double>(), 0.0);
}

TEST(GradientMethods, BadArgumentsAreNamed) {
  at::manual_seed(9);
  LinearNet net;
  const GradientAttributor attributor(net.module(), "linear", float64());
  const at::Tensor x = at::randn({2, 2, 3, 3}, at::kDouble);
  EXPECT_NE(configErrorOf([&] { attributor.gradient(x, {0}); }).find("targets"), std::string::npos);
  EXPECT_NE(configErrorOf([&] {
              attributor.gradient(x, {0, 3});
            }).find("targets"),
            std::string::npos);
  EXPECT_NE(configErrorOf([&] { attributor.gradient(x[0], {0}); }).find("input"),
            std::string::npos);
  IntegratedGradientsOptions options;
  options.steps = 0;
  EXPECT_NE(configErrorOf([&] {
              attributor.integratedGradients(x, {0, 1}, options);
            }).find("steps"),
            std::string::npos);
  options = {};
  options.baseline = at::zeros({2, 3, 4}, at::kDouble);
  EXPECT_NE(configErrorOf([&] {
              attributor.integratedGradients(x, {0, 1}, options);
            }).find("baseline"),
            std::string::npos);
  options = {};
  options.max_batch = 0;
  EXPECT_NE(configErrorOf([&] {
              attributor.integratedGradients(x, {0, 1}, options);
            }).find("max_batch"),
            std::string::npos);
  GradientOptions half;
  half.dtype = c10::kHalf;
  EXPECT_NE(configErrorOf([&] { GradientAttributor(net.module(), "linear", half); }).find("dtype"),
            std::string::npos);
}

}  // namespace
}  // namespace deepbug::attribution
