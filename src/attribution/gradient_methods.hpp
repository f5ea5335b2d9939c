// Gradient attributions, the baselines an LRP heatmap is compared against: the plain
// gradient, gradient × input and integrated gradients of a TorchScript classifier's
// target logit. Like LRP they explain the logit: a final softmax or log_softmax of the
// model is stripped from its graph first (as lrp::importGraph does), since the gradient
// of a probability mixes in every other class.
//
// Every method returns an input-shaped N×C×H×W map, the layout of LRP's relevance, so
// the pixel maps (sum over channels) and scores of deepbug-eval apply unchanged.
//
// Batched, and by autograd: each sample's attribution is ∂/∂xₙ of Σₙ f_{tₙ}(xₙ), which is
// each sample's own gradient for models that treat samples independently (every model
// in eval mode: batch norm uses its running statistics).
#pragma once

#include <torch/script.h>

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

namespace deepbug::attribution {

struct GradientOptions {
  c10::ScalarType dtype = c10::kFloat;  // the computation's: kFloat or kDouble
  std::string device = "cpu";           // a resolved LibTorch device string
};

// How integrated gradients' path integral is summed over m = steps intervals of
// α ∈ [0, 1] (α_k = k/m).
enum class IntegrationRule {
  // Σ_{k=1}^{m} (1/m)·∇f(x' + α_k(x − x')) — Sundararajan et al. 2017, eq. 3 (m gradients).
  kRiemannRight,
  // (1/m)·[½∇f(α₀) + Σ_{k=1}^{m−1} ∇f(α_k) + ½∇f(α_m)] (m + 1 gradients): exact for a
  // path whose gradient changes linearly, error O(1/m²) on smooth models; the default.
  kTrapezoid,
};

struct IntegratedGradientsOptions {
  std::int64_t steps = 32;  // m, intervals of α; ≥ 1
  IntegrationRule rule = IntegrationRule::kTrapezoid;
  // x′, N×C×H×W or C×H×W (shared by every sample), in the model's input space, i.e.
  // after normalisation; undefined: zeros there (the dataset's mean colour for inputs
  // normalised by (x − mean)/std).
  at::Tensor baseline;
  // Memory bound: one forward/backward pass takes at most max(N, max_batch) inputs, so
  // the points of the path are run max(1, ⌊max_batch / N⌋) steps at a time.
  std::int64_t max_batch = 64;
};

struct Attribution {
  at::Tensor attribution;  // N×C×H×W, in the options' dtype, on the options' device
  at::Tensor logits;       // [N, classes] at the input (before any final softmax)
  std::vector<int64_t> targets;
  at::Tensor explained;  // [N]: the target logit f_t(x)
  // Integrated gradients only: f_t(x′), so completeness reads
  // Σ attribution ≈ explained − baseline_logit. Undefined for the other methods.
  at::Tensor baseline_logit;
};

class GradientAttributor {
 public:
  // Clones the module (the caller's stays as it is), puts the clone in eval mode,
  // freezes it, strips a final softmax/log_softmax and moves it to the options' dtype and
  // device. Throws ModelError when forward() does not return one tensor, ConfigError
  // for a dtype other than kFloat/kDouble or a bad device.
  GradientAttributor(const torch::jit::Module& module, const std::string& source,
                     GradientOptions options = {});
  ~GradientAttributor();
  GradientAttributor(GradientAttributor&&) noexcept;
  GradientAttributor& operator=(GradientAttributor&&) noexcept;

  // True when forward() ended in a softmax or log_softmax that was stripped.
  bool strippedFinalNormaliser() const { return stripped_; }
  const GradientOptions& options() const { return options_; }

  // The logits (before a stripped softmax) of an N×C×H×W batch, without autograd.
  at::Tensor logits(const at::Tensor& input) const;

  // Gradient (Simonyan et al. 2014, "Deep inside convolutional networks", eq. 2 without
  // the absolute value): Aₙ = ∂f_{tₙ}(xₙ)/∂xₙ. Signed; Simonyan's saliency map is
  // max over channels of |Aₙ|.
  Attribution gradient(const at::Tensor& input, const std::vector<int64_t>& targets) const;

  // Gradient × input (Shrikumar et al. 2016, "Not just a black box"):
  // Aₙ = xₙ ⊙ ∂f_{tₙ}(xₙ)/∂xₙ. Equals LRP-0 on bias-free ReLU nets.
  Attribution gradientTimesInput(const at::Tensor& input,
                                 const std::vector<int64_t>& targets) const;

  // Integrated gradients (Sundararajan et al. 2017, "Axiomatic attribution for deep
  // networks", eq. 1): Aₙ = (xₙ − x′ₙ) ⊙ ∫₀¹ ∂f_{tₙ}(x′ₙ + α(xₙ − x′ₙ))/∂xₙ dα, summed as
  // options.rule says. Completeness: Σ Aₙ = f_{tₙ}(xₙ) − f_{tₙ}(x′ₙ) up to the sum's
  // error; exact for a model linear along the path. Gradients are accumulated in
  // float64, the result is in the options' dtype. Throws ConfigError for steps < 1,
  // max_batch < 1 or a baseline of another shape.
  Attribution integratedGradients(const at::Tensor& input, const std::vector<int64_t>& targets,
                                  const IntegratedGradientsOptions& options = {}) const;

  // Each target must lie in [0, classes) and there must be one per sample; throws
  // ConfigError naming `targets` otherwise. Used by every method above.
  static void checkTargets(const std::vector<int64_t>& targets, int64_t samples, int64_t classes);

 private:
  struct Impl;
  // ∂/∂x of Σᵢ f_{t(i)}(pointᵢ) at `points` (repeats·N×C×H×W, repeat-major, point i
  // of sample i mod N); returns the gradient and the logits of the points.
  std::pair<at::Tensor, at::Tensor> gradientAt(const at::Tensor& points,
                                               const std::vector<int64_t>& targets,
                                               int64_t repeats) const;
  at::Tensor prepare(const at::Tensor& input) const;

  std::unique_ptr<Impl> impl_;
  GradientOptions options_;
  bool stripped_ = false;
};

}  // namespace deepbug::attribution
