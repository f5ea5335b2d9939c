#include "attribution_method.hpp"

#include <algorithm>

#include "attribution/gradient_methods.hpp"
#include "core/error.hpp"
#include "lrp/explainer.hpp"

namespace deepbug::eval {

struct AttributionMethod::Impl {
  std::string name;
  std::unique_ptr<lrp::Explainer> lrp;  // an LRP composite
  lrp::InitialRelevance init = lrp::InitialRelevance::kContrastive;
  attribution::GradientAttributor gradients;

  Impl(std::string method, const model::LoadedModel& model, const std::string& path,
       const std::string& device)
      : name(std::move(method)),
        gradients(model.module, path, attribution::GradientOptions{c10::kFloat, device}) {}
};

const std::vector<std::string>& AttributionMethod::gradientBaselines() {
  static const std::vector<std::string> names{"gradient", "gradient-x-input",
                                              "integrated-gradients"};
  return names;
}

bool AttributionMethod::isGradientBaseline(const std::string& name) {
  const auto& names = gradientBaselines();
  return std::find(names.begin(), names.end(), name) != names.end();
}

AttributionMethod::AttributionMethod(const std::string& name, const model::LoadedModel& model,
                                     const std::string& model_path, const std::string& device,
                                     const std::string& init)
    : impl_(std::make_unique<Impl>(name, model, model_path, device)) {
  if (isGradientBaseline(name)) return;
  const auto parsed = lrp::parseInitialRelevance(init);
  if (!parsed)
    throw ConfigError("--init '" + init + "' is unknown", "use logit, one or contrastive");
  impl_->init = *parsed;
  lrp::ExplainerOptions options;
  options.composite.name = name;
  options.device = device;
  options.mean.assign(model.metadata.mean.begin(), model.metadata.mean.end());
  options.std.assign(model.metadata.std.begin(), model.metadata.std.end());
  impl_->lrp = std::make_unique<lrp::Explainer>(model.module, model_path, options);
}

AttributionMethod::~AttributionMethod() = default;
AttributionMethod::AttributionMethod(AttributionMethod&&) noexcept = default;

at::Tensor AttributionMethod::logits(const at::Tensor& input) const {
  return impl_->gradients.logits(input);
}

Explained AttributionMethod::explain(const at::Tensor& input, const TargetChoice& choice) const {
  if (impl_->lrp) {
    const lrp::Explanation e = choice.per_image.empty()
                                   ? impl_->lrp->explain(input, choice.fixed, impl_->init)
                                   : impl_->lrp->explain(input, choice.per_image, impl_->init);
    return {e.relevance, e.logits, e.targets};
  }
  std::vector<int64_t> targets = choice.per_image;
  if (targets.empty()) {
    if (choice.fixed) {
      targets.assign(static_cast<std::size_t>(input.size(0)), *choice.fixed);
    } else {
      const at::Tensor predicted = logits(input).argmax(1).to(at::kCPU).contiguous();
      targets.assign(predicted.data_ptr<int64_t>(),
                     predicted.data_ptr<int64_t>() + predicted.numel());
    }
  }
  const attribution::GradientAttributor& g = impl_->gradients;
  const attribution::Attribution a = impl_->name == "gradient" ? g.gradient(input, targets)
                                     : impl_->name == "gradient-x-input"
                                         ? g.gradientTimesInput(input, targets)
                                         : g.integratedGradients(input, targets);
  return {a.attribution, a.logits, a.targets};
}

}  // namespace deepbug::eval
