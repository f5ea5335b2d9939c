// Each rule against a second, independent formulation: the rule written as a modified
// forward pass f, with R_in = x ⊙ ∇ₓ⟨s, f(x)⟩ computed by autograd (the way hook-based
// libraries implement LRP), instead of the engine's explicit transposed convolutions.
// And on whole ReLU nets: LRP-0 equals gradient × input. All float64, to 1e-10.
#include <gtest/gtest.h>
#include <torch/csrc/autograd/autograd.h>

#include <functional>

#include "lrp/affine_rules.hpp"
#include "lrp_test_support.hpp"

namespace deepbug::lrp {
namespace {

using testing::relativeError;
using Fn = std::function<at::Tensor(const at::Tensor&)>;

// v ⊙ ∇ᵥ⟨s, f(v)⟩ by autograd.
at::Tensor timesGradient(const Fn& f, const at::Tensor& v, const at::Tensor& s) {
  at::Tensor leaf = v.detach().clone().requires_grad_(true);
  at::Tensor grad = torch::autograd::grad({f(leaf)}, {leaf}, {s})[0];
  return v * grad;
}

at::Tensor gradientOnly(const Fn& f, const at::Tensor& v, const at::Tensor& s) {
  at::Tensor leaf = v.detach().clone().requires_grad_(true);
  return torch::autograd::grad({f(leaf)}, {leaf}, {s})[0];
}

struct Case {
  std::string name;
  LayerKind kind;
  bool relu_input;         // x ≥ 0 (after a ReLU) or mixed signs
  bool ungrouped = false;  // conv: groups 1, odd kernel and padding; linear: 3-D input
};

void PrintTo(const Case& c, std::ostream* os) {
  *os << c.name;
}

class SecondFormulation : public ::testing::TestWithParam<Case> {
 protected:
  void SetUp() override {
    torch::manual_seed(7);
    const Case& c = GetParam();
    layer_.kind = c.kind;
    if (c.kind == LayerKind::kConvolution && c.ungrouped) {
      layer_.weight = at::randn({5, 4, 5, 3}, at::kDouble);
      layer_.bias = at::randn({5}, at::kDouble) * 0.1;
      layer_.convolution = {{1, 1}, {2, 1}, {1, 1}, 1};
      x_ = at::randn({2, 4, 7, 6}, at::kDouble);
    } else if (c.kind == LayerKind::kConvolution) {
      // Odd sizes, stride 2, padding 1, dilation 2, groups 2: the transposed
      // convolution's output padding and grouping are exercised.
      layer_.weight = at::randn({6, 2, 3, 3}, at::kDouble);
      layer_.bias = at::randn({6}, at::kDouble) * 0.1;
      layer_.convolution = {{2, 2}, {1, 1}, {2, 2}, 2};
      x_ = at::randn({2, 4, 9, 8}, at::kDouble);
    } else {
      layer_.weight = at::randn({5, 7}, at::kDouble);
      layer_.bias = at::randn({5}, at::kDouble) * 0.1;
      // A linear layer may read [N, *, features]; its outputs are then the last dim.
      x_ = c.ungrouped ? at::randn({3, 4, 7}, at::kDouble) : at::randn({3, 7}, at::kDouble);
    }
    if (c.relu_input) x_ = x_.clamp_min(0);
    op_ = AffineOp{layer_.kind, layer_.convolution};
  }

  at::Tensor conv(const at::Tensor& v, const at::Tensor& w, const at::Tensor& b = {}) const {
    return op_.forward(v, w, b);  // the plain forward; autograd differentiates it
  }

  void check(const std::string& rule_text) {
    const Rule rule = parseRule(rule_text);
    const AffineWeights w = prepareAffineWeights(layer_, rule, at::kDouble, at::kCPU);
    const at::Tensor z = conv(x_, w.w, w.b);
    const at::Tensor R = at::randn_like(z);
    const int64_t channels = x_.size(1);
    std::vector<int64_t> bound_shape(x_.dim(), 1);
    bound_shape[1] = channels;
    // Inputs lie within the bounds, as pixels do (randn is within ±4.5 here).
    const InputBounds bounds{-at::rand(bound_shape, at::kDouble) - 4.5,
                             at::rand(bound_shape, at::kDouble) + 4.5};
    const double e = 1e-6;
    AffineContext context{op_, w, x_, z, e, &bounds};
    // After a ReLU the engine knows x ≥ 0 and takes the cheaper forms of the rules.
    context.input_nonnegative = GetParam().relu_input;
    const at::Tensor engine = propagateAffine(rule, context, R);
    const at::Tensor reference = secondFormulation(rule, w, z, R, bounds, e);
    const double error = relativeError(engine, reference);
    worst_ = std::max(worst_, error);
    EXPECT_LT(error, 1e-10) << rule_text;
    EXPECT_GT(engine.abs().max().item<double>(), 1e-6) << "a vacuous comparison";
  }

  at::Tensor secondFormulation(const Rule& rule, const AffineWeights& w, const at::Tensor& z,
                               const at::Tensor& R, const InputBounds& bounds, double e) {
    at::NoGradGuard no_grad_for_denominators;
    const at::Tensor x = x_, xp = x_.clamp_min(0), xn = x_.clamp_max(0);
    const at::Tensor wp = w.w.clamp_min(0), wn = w.w.clamp_max(0);
    const at::Tensor bp = w.b.clamp_min(0), bn = w.b.clamp_max(0);
    auto sign = [](const at::Tensor& t) { return at::where(t >= 0, 1.0, -1.0).to(at::kDouble); };
    auto stab = [&](const at::Tensor& t) { return t + sign(t) * e; };
    at::AutoGradMode grad_on(true);
    switch (rule.kind) {
      case RuleKind::kZero:
        return timesGradient([&](auto v) { return conv(v, w.w, w.b); }, x, R / stab(z));
      case RuleKind::kEpsilon: {
        at::Tensor epsilon = at::full({}, rule.epsilon, at::kDouble);
        if (rule.epsilon_rms) {  // k·rms of each sample's layer output
          std::vector<int64_t> per_sample(z.dim(), 1);
          per_sample[0] = z.size(0);
          epsilon = (z * z).reshape({z.size(0), -1}).mean(1).sqrt().view(per_sample) * rule.epsilon;
        }
        return timesGradient([&](auto v) { return conv(v, w.w, w.b); }, x,
                             R / (z + sign(z) * epsilon));
      }
      case RuleKind::kZPlus: {
        // f(x) = W⁺x⁺ + W⁻x⁻ as one function of x; the clamps route the gradient.
        Fn f = [&](auto v) { return conv(v.clamp_min(0), wp) + conv(v.clamp_max(0), wn); };
        return timesGradient(f, x, R / stab(conv(xp, wp, bp) + conv(xn, wn)));
      }
      case RuleKind::kAlphaBeta: {
        Fn fp = [&](auto v) { return conv(v.clamp_min(0), wp) + conv(v.clamp_max(0), wn); };
        Fn fn = [&](auto v) { return conv(v.clamp_min(0), wn) + conv(v.clamp_max(0), wp); };
        const at::Tensor p = conv(xp, wp, bp) + conv(xn, wn);
        const at::Tensor n = conv(xp, wn, bn) + conv(xn, wp);
        return timesGradient(fp, x, R / stab(p)) * rule.alpha -
               timesGradient(fn, x, R / stab(n)) * rule.beta;
      }
      case RuleKind::kGamma: {
        const at::Tensor A = w.w + wp * rule.gamma, B = w.w + wn * rule.gamma;
        Fn fp = [&](auto v) { return conv(v.clamp_min(0), A) + conv(v.clamp_max(0), B); };
        Fn fn = [&](auto v) { return conv(v.clamp_min(0), B) + conv(v.clamp_max(0), A); };
        const at::Tensor p = conv(xp, A, w.b + bp * rule.gamma) + conv(xn, B);
        const at::Tensor n = conv(xp, B, w.b + bn * rule.gamma) + conv(xn, A);
        const at::Tensor sp = R * (z > 0).to(at::kDouble) / stab(p);
        const at::Tensor sn = R * (z < 0).to(at::kDouble) / stab(n);
        return timesGradient(fp, x, sp) + timesGradient(fn, x, sn);
      }
      case RuleKind::kBox: {
        const at::Tensor l = bounds.low.expand_as(x).contiguous();
        const at::Tensor h = bounds.high.expand_as(x).contiguous();
        const at::Tensor s = R / stab(conv(x, w.w) - conv(l, wp) - conv(h, wn));
        return timesGradient([&](auto v) { return conv(v, w.w); }, x, s) -
               timesGradient([&](auto v) { return conv(v, wp); }, l, s) -
               timesGradient([&](auto v) { return conv(v, wn); }, h, s);
      }
      case RuleKind::kFlat: {
        const at::Tensor ones = at::ones_like(x), ones_w = at::ones_like(w.w);
        return gradientOnly([&](auto v) { return conv(v, ones_w); }, ones,
                            R / stab(conv(ones, ones_w)));
      }
      case RuleKind::kWSquare: {
        const at::Tensor ones = at::ones_like(x), w2 = w.w * w.w;
        return gradientOnly([&](auto v) { return conv(v, w2); }, ones,
                            R / stab(conv(ones, w2, w.b * w.b)));
      }
      default:
        ADD_FAILURE() << "no second formulation for " << toString(rule);
        return {};
    }
  }

  double worst_ = 0.0;
  Layer layer_;
  AffineOp op_;
  at::Tensor x_;
};

TEST_P(SecondFormulation, EveryAffineRule) {
  for (const char* rule : {"zero", "epsilon:0.3", "epsilon:0.25rms", "zplus", "alpha-beta:2,1",
                           "alpha-beta:1,0", "gamma:0.25", "gamma:1", "box", "flat", "w-square"}) {
    check(rule);
  }
  std::cout << "[ measured ] worst relative difference between formulations: " << worst_ << "\n";
}

INSTANTIATE_TEST_SUITE_P(
    Layers, SecondFormulation,
    ::testing::Values(Case{"ConvReluInput", LayerKind::kConvolution, true},
                      Case{"UngroupedConvReluInput", LayerKind::kConvolution, true, true},
                      Case{"UngroupedConvMixedInput", LayerKind::kConvolution, false, true},
                      Case{"ConvMixedInput", LayerKind::kConvolution, false},
                      Case{"LinearReluInput", LayerKind::kLinear, true},
                      Case{"Linear3dReluInput", LayerKind::kLinear, true, true},
                      Case{"LinearMixedInput", LayerKind::kLinear, false}),
    [](const auto& info) { return info.param.name; });

// LRP-0 through a whole ReLU net (stabiliser off) is gradient × input: max-pool
// winner, residual adds and folded batch norm included.
class GradientTimesInput : public ::testing::TestWithParam<std::string> {};

TEST_P(GradientTimesInput, MatchesLrpZeroOnTracedModels) {
  torch::jit::Module module = torch::jit::load(testing::fixture(GetParam()));
  module.to(at::kDouble);
  // Stabiliser effectively off: 1e-300 moves no denominator of a real activation but
  // turns the 0/0 of a dead channel (pooled to exactly 0) into the gradient's 0.
  Explainer explainer(module, GetParam(), testing::allZeroOptions(module, 1e-300));
  torch::manual_seed(3);
  const at::Tensor x = at::randn({2, 3, 96, 96}, at::kDouble);  // the nets pool adaptively
  const auto result = explainer.explain(x, int64_t{0}, InitialRelevance::kLogit);

  at::Tensor leaf = x.clone().requires_grad_(true);
  const at::Tensor logits = module.forward({leaf}).toTensor();
  EXPECT_LT(relativeError(result.logits, logits.detach()), 1e-10) << "forward differs";
  const at::Tensor grad = torch::autograd::grad({logits.select(1, 0).sum()}, {leaf})[0];
  const double error = relativeError(result.relevance, x * grad);
  std::cout << "[ measured ] LRP-0 vs gradient × input: " << error << "\n";
  EXPECT_LT(error, 1e-10);
}

INSTANTIATE_TEST_SUITE_P(Fixtures, GradientTimesInput,
                         ::testing::Values("report_cnn", "alexnet_layout", "vgg16_layout",
                                           "resnet18_layout"));

}  // namespace
}  // namespace deepbug::lrp
