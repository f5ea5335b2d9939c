// What explains an image in deepbug-eval: an LRP composite, or one of the gradient
// baselines beside it — `gradient`, `gradient-x-input`, `integrated-gradients` (32 steps,
// trapezoid rule, zero baseline in the model's normalised input space; src/attribution) —
// named like composites (`--composite gradient`) so that every figure, table, gallery
// and strategy treats them alike. The baselines explain the target logit itself (LRP's
// `--init` does not apply to them).
#pragma once

#include <torch/script.h>

#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "model/model_loader.hpp"

namespace deepbug::eval {

struct Explained {
  at::Tensor relevance;  // N×C×H×W
  at::Tensor logits;     // [N, classes], before any final softmax
  std::vector<int64_t> targets;
};

// Which class each image is explained for: `per_image` when given (each image's true
// class), else `fixed`, else the predicted class.
struct TargetChoice {
  std::vector<int64_t> per_image;
  std::optional<int64_t> fixed;
};

class AttributionMethod {
 public:
  // `init`: LRP's initial relevance (logit, one, contrastive). Throws ConfigError for an
  // unknown composite or init, ModelError for a model the engine cannot import.
  AttributionMethod(const std::string& name, const model::LoadedModel& model,
                    const std::string& model_path, const std::string& device,
                    const std::string& init);
  ~AttributionMethod();
  AttributionMethod(AttributionMethod&&) noexcept;

  Explained explain(const at::Tensor& input, const TargetChoice& targets) const;
  // The model's logits (a final softmax stripped), for perturbation curves.
  at::Tensor logits(const at::Tensor& input) const;

  static bool isGradientBaseline(const std::string& name);
  static const std::vector<std::string>& gradientBaselines();

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace deepbug::eval
