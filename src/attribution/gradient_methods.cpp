#include "attribution/gradient_methods.hpp"

#include <torch/csrc/autograd/autograd.h>
#include <torch/csrc/jit/passes/dead_code_elimination.h>
#include <torch/csrc/jit/passes/freeze_module.h>
#include <torch/csrc/jit/passes/inliner.h>

#include <algorithm>
#include <set>
#include <sstream>

#include "core/error.hpp"
#include "core/tensor_text.hpp"

namespace deepbug::attribution {

struct GradientAttributor::Impl {
  torch::jit::Module frozen;
  c10::Device device{c10::kCPU};
};

namespace {

const std::set<std::string> kFinalNormalisers = {"aten::softmax", "aten::log_softmax"};

c10::Device parseDevice(const std::string& text) {
  try {
    return c10::Device(text);
  } catch (const c10::Error&) {
    throw ConfigError("device: '" + text + "' is not a LibTorch device", "use cpu, cuda or cuda:N");
  }
}

// Autograd must record even when the caller runs under InferenceMode or NoGradGuard.
struct RecordingAutograd {
  c10::InferenceMode no_inference{false};
  torch::AutoGradMode grad{true};
};

}  // namespace

GradientAttributor::GradientAttributor(const torch::jit::Module& module, const std::string& source,
                                       GradientOptions options)
    : impl_(std::make_unique<Impl>()), options_(std::move(options)) {
  if (options_.dtype != c10::kFloat && options_.dtype != c10::kDouble) {
    throw ConfigError(source + ": dtype must be float32 or float64",
                      "set GradientOptions::dtype to kFloat or kDouble");
  }
  impl_->device = parseDevice(options_.device);
  torch::jit::Module copy = module.clone();
  copy.eval();
  copy.to(impl_->device, options_.dtype);
  impl_->frozen = torch::jit::freeze_module(copy);
  // The frozen clone is private and has not run yet, so its forward graph may be edited
  // in place: the executor is made from it on the first call.
  auto graph = impl_->frozen.get_method("forward").graph();
  torch::jit::Inline(*graph);
  const auto& outputs = graph->outputs();
  if (outputs.size() != 1 || outputs[0]->type()->kind() != c10::TypeKind::TensorType) {
    throw ModelError(source + ": forward() must return one logits tensor",
                     "return only the logits (not a tuple) from forward()");
  }
  torch::jit::Node* last = outputs[0]->node();
  if (kFinalNormalisers.count(last->kind().toQualString())) {
    graph->return_node()->replaceInput(0, last->input(0));
    torch::jit::EliminateDeadCode(graph);
    stripped_ = true;
  }
}

GradientAttributor::~GradientAttributor() = default;
GradientAttributor::GradientAttributor(GradientAttributor&&) noexcept = default;
GradientAttributor& GradientAttributor::operator=(GradientAttributor&&) noexcept = default;

void GradientAttributor::checkTargets(const std::vector<int64_t>& targets, int64_t samples,
                                      int64_t classes) {
  if (static_cast<int64_t>(targets.size()) != samples) {
    throw ConfigError("targets: " + std::to_string(targets.size()) + " targets for a batch of " +
                          std::to_string(samples) + " samples",
                      "give one target class per sample");
  }
  for (std::size_t i = 0; i < targets.size(); ++i) {
    if (targets[i] < 0 || targets[i] >= classes) {
      throw ConfigError("targets: target " + std::to_string(targets[i]) + " of sample " +
                            std::to_string(i) + " is not a class of a model with " +
                            std::to_string(classes) + " outputs",
                        "use a class index in [0, " + std::to_string(classes) + ")");
    }
  }
}

at::Tensor GradientAttributor::prepare(const at::Tensor& input) const {
  if (!input.defined() || input.dim() != 4) {
    throw ConfigError("input: expected an N×C×H×W batch, got " +
                          (input.defined() ? shapeText(input) : std::string("no tensor")),
                      "add a batch dimension (unsqueeze(0)) to a single image");
  }
  // A copy outside inference mode: an inference tensor cannot take part in autograd.
  c10::InferenceMode no_inference(false);
  return input.to(impl_->device, options_.dtype).clone();
}

at::Tensor GradientAttributor::logits(const at::Tensor& input) const {
  at::Tensor x = prepare(input);
  torch::NoGradGuard no_grad;
  at::Tensor out = impl_->frozen.forward({x}).toTensor();
  if (out.dim() != 2 || out.size(0) != x.size(0)) {
    throw ModelError("the model's output has shape " + shapeText(out) + " for a batch of " +
                         std::to_string(x.size(0)),
                     "forward() must return [N, classes] logits");
  }
  return out;
}

std::pair<at::Tensor, at::Tensor> GradientAttributor::gradientAt(
    const at::Tensor& points, const std::vector<int64_t>& targets, int64_t repeats) const {
  RecordingAutograd recording;
  at::Tensor leaf = points.detach().requires_grad_(true);
  at::Tensor out = impl_->frozen.forward({leaf}).toTensor();
  if (out.dim() != 2 || out.size(0) != points.size(0)) {
    throw ModelError("the model's output has shape " + shapeText(out) + " for a batch of " +
                         std::to_string(points.size(0)),
                     "forward() must return [N, classes] logits");
  }
  checkTargets(targets, points.size(0) / repeats, out.size(1));
  at::Tensor t = at::tensor(targets, at::kLong).to(impl_->device).repeat({repeats});
  at::Tensor selected = out.gather(1, t.view({-1, 1})).sum();
  at::Tensor grad = torch::autograd::grad({selected}, {leaf})[0];
  return {grad.detach(), out.detach()};
}

namespace {

at::Tensor targetLogits(const at::Tensor& logits, const std::vector<int64_t>& targets) {
  at::Tensor t = at::tensor(targets, at::kLong).to(logits.device());
  return logits.gather(1, t.view({-1, 1})).view({-1});
}

}  // namespace

Attribution GradientAttributor::gradient(const at::Tensor& input,
                                         const std::vector<int64_t>& targets) const {
  at::Tensor x = prepare(input);
  auto [grad, logits_at_x] = gradientAt(x, targets, 1);
  Attribution result;
  result.attribution = grad;
  result.logits = logits_at_x;
  result.targets = targets;
  result.explained = targetLogits(logits_at_x, targets);
  return result;
}

Attribution GradientAttributor::gradientTimesInput(const at::Tensor& input,
                                                   const std::vector<int64_t>& targets) const {
  at::Tensor x = prepare(input);
  auto [grad, logits_at_x] = gradientAt(x, targets, 1);
  Attribution result;
  result.attribution = x * grad;
  result.logits = logits_at_x;
  result.targets = targets;
  result.explained = targetLogits(logits_at_x, targets);
  return result;
}

Attribution GradientAttributor::integratedGradients(const at::Tensor& input,
                                                    const std::vector<int64_t>& targets,
                                                    const IntegratedGradientsOptions& ig) const {
  if (ig.steps < 1) {
    throw ConfigError(
        "steps: integrated gradients needs at least 1 step, got " + std::to_string(ig.steps),
        "use steps ≥ 1 (32 by default; more for a smaller completeness error)");
  }
  if (ig.max_batch < 1) {
    throw ConfigError("max_batch: must be at least 1, got " + std::to_string(ig.max_batch),
                      "the number of inputs one forward/backward pass may take, e.g. 64");
  }
  at::Tensor x = prepare(input);
  const int64_t n = x.size(0);
  at::Tensor baseline;
  if (!ig.baseline.defined()) {
    baseline = at::zeros_like(x);
  } else {
    at::Tensor given = ig.baseline.to(impl_->device, options_.dtype);
    if (given.dim() == 3) given = given.unsqueeze(0);
    if (given.dim() != 4 || given.sizes().slice(1) != x.sizes().slice(1) ||
        (given.size(0) != 1 && given.size(0) != n)) {
      throw ConfigError("baseline: shape " + shapeText(ig.baseline) +
                            " does not match the input's " + shapeText(x),
                        "give an N×C×H×W or C×H×W baseline in the model's input space");
    }
    c10::InferenceMode no_inference(false);
    baseline = given.expand_as(x).clone();
  }
  at::Tensor out = logits(x);
  checkTargets(targets, n, out.size(1));

  // α_k = k/m with weights w_k: right sum k = 1..m, w = 1/m; trapezoid k = 0..m,
  // w = 1/m inside and 1/(2m) at both ends.
  const int64_t m = ig.steps;
  std::vector<double> alphas, weights;
  const bool trapezoid = ig.rule == IntegrationRule::kTrapezoid;
  for (int64_t k = trapezoid ? 0 : 1; k <= m; ++k) {
    alphas.push_back(static_cast<double>(k) / static_cast<double>(m));
    const bool end = trapezoid && (k == 0 || k == m);
    weights.push_back((end ? 0.5 : 1.0) / static_cast<double>(m));
  }

  const at::Tensor difference = x - baseline;
  at::Tensor sum = at::zeros(x.sizes(), x.options().dtype(at::kDouble));
  at::Tensor baseline_logit;
  const int64_t per_pass = std::max<int64_t>(1, ig.max_batch / n);
  for (std::size_t first = 0; first < alphas.size(); first += per_pass) {
    const std::size_t last = std::min(alphas.size(), first + static_cast<std::size_t>(per_pass));
    const int64_t count = static_cast<int64_t>(last - first);
    std::vector<double> chunk(alphas.begin() + first, alphas.begin() + last);
    // Points laid out step-major: [count, N, C, H, W] → [count·N, C, H, W].
    at::Tensor a = at::tensor(chunk, x.options()).view({count, 1, 1, 1, 1});
    at::Tensor points = (baseline.unsqueeze(0) + a * difference.unsqueeze(0)).flatten(0, 1);
    at::Tensor grad = gradientAt(points, targets, count).first;
    std::vector<double> chunk_weights(weights.begin() + first, weights.begin() + last);
    at::Tensor w = at::tensor(chunk_weights, sum.options()).view({count, 1, 1, 1, 1});
    sum += (grad.to(at::kDouble).view({count, n, x.size(1), x.size(2), x.size(3)}) * w).sum(0);
  }
  baseline_logit = targetLogits(logits(baseline), targets);

  Attribution result;
  result.attribution = (difference.to(at::kDouble) * sum).to(options_.dtype);
  result.logits = out;
  result.targets = targets;
  result.explained = targetLogits(out, targets);
  result.baseline_logit = baseline_logit;
  return result;
}

}  // namespace deepbug::attribution
