#include "explain/frame_explainer.hpp"

#include <torch/script.h>

#include <algorithm>
#include <chrono>
#include <cmath>

#include "core/error.hpp"
#include "lrp/explainer.hpp"
#include "model/model_loader.hpp"
#include "model/preprocess.hpp"
#include "render/heatmap.hpp"

namespace deepbug::explain {

struct FrameExplainer::Impl {
  model::LoadedModel loaded;
  std::unique_ptr<model::Preprocessor> preprocessor;
  std::unique_ptr<lrp::Explainer> engine;
  lrp::InitialRelevance init = lrp::InitialRelevance::kContrastive;
};

FrameExplainer::FrameExplainer(const FrameExplainerOptions& options)
    : impl_(std::make_unique<Impl>()) {
  const std::optional<lrp::InitialRelevance> init = lrp::parseInitialRelevance(options.init);
  if (!init) {
    throw ConfigError("explain.init '" + options.init + "' is unknown",
                      "use logit, one or contrastive");
  }
  impl_->init = *init;
  model::LoadOptions load;
  load.path = options.model_path;
  load.device = options.device;
  load.overrides = options.overrides;
  impl_->loaded = model::loadModel(load);
  impl_->preprocessor =
      std::make_unique<model::Preprocessor>(impl_->loaded.metadata, options.device);
  lrp::ExplainerOptions engine;
  engine.composite = options.composite;
  engine.device = options.device;
  engine.mean.assign(impl_->loaded.metadata.mean.begin(), impl_->loaded.metadata.mean.end());
  engine.std.assign(impl_->loaded.metadata.std.begin(), impl_->loaded.metadata.std.end());
  impl_->engine =
      std::make_unique<lrp::Explainer>(impl_->loaded.module, options.model_path, engine);
}

FrameExplainer::~FrameExplainer() = default;

const model::ModelMetadata& FrameExplainer::metadata() const {
  return impl_->loaded.metadata;
}

const std::string& FrameExplainer::composite() const {
  return impl_->engine->options().composite.name;
}

int FrameExplainer::labelIndex(const std::string& label) const {
  const auto& labels = impl_->loaded.metadata.labels;
  const auto found = std::find(labels.begin(), labels.end(), label);
  return found == labels.end() ? -1 : static_cast<int>(found - labels.begin());
}

ExplainRequest FrameExplainer::prepare(const model::FrameView& frame, int64_t frame_index,
                                       int64_t pts_ns, int64_t target) const {
  ExplainRequest request;
  request.frame_index = frame_index;
  request.pts_ns = pts_ns;
  request.target = target;
  request.input = impl_->preprocessor->run(frame, &request.geometry);
  return request;
}

BatchResult FrameExplainer::explain(const ExplainBatch& batch) const {
  BatchResult result;
  result.sequence = batch.sequence;
  if (batch.frames.empty()) return result;
  const auto start = std::chrono::steady_clock::now();
  std::vector<at::Tensor> inputs;
  for (const ExplainRequest& request : batch.frames) {
    if (request.target != batch.frames.front().target) {
      throw Error("one explain batch must have one target class");
    }
    inputs.push_back(request.input);
  }
  torch::NoGradGuard no_grad;
  const lrp::Explanation explanation =
      impl_->engine->explain(at::stack(inputs), batch.frames.front().target, impl_->init);
  const at::Tensor maps = render::toPixelMap(explanation.relevance).to(at::kCPU, at::kFloat);
  const at::Tensor logits = explanation.logits.to(at::kCPU, at::kFloat).contiguous();
  const at::Tensor explained = explanation.explained.to(at::kCPU, at::kDouble);
  const double seconds =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  for (std::size_t i = 0; i < batch.frames.size(); ++i) {
    const ExplainRequest& request = batch.frames[i];
    FrameRelevance frame;
    frame.frame_index = request.frame_index;
    frame.pts_ns = request.pts_ns;
    frame.target = request.target;
    frame.relevance = maps[static_cast<int64_t>(i)].contiguous();
    const at::Tensor row = logits[static_cast<int64_t>(i)];
    frame.logits.assign(row.data_ptr<float>(), row.data_ptr<float>() + row.numel());
    frame.explained = explained[static_cast<int64_t>(i)].item<double>();
    frame.relevance_sum = frame.relevance.sum().item<double>();
    frame.positive_sum = frame.relevance.clamp_min(0).sum().item<double>();
    frame.hottest = hottestRegion(frame.relevance, request.geometry);
    frame.seconds = seconds / static_cast<double>(batch.frames.size());
    result.frames.push_back(std::move(frame));
  }
  return result;
}

PixelBox hottestRegion(const at::Tensor& relevance_hw, const model::PreprocessGeometry& geometry) {
  const int64_t height = relevance_hw.size(0);
  const int64_t width = relevance_hw.size(1);
  const int64_t side = std::max<int64_t>(1, std::min(height, width) / 8);
  // Window sums of R⁺ at every position (stride 1), then the best one.
  const at::Tensor positive = relevance_hw.to(at::kFloat).clamp_min(0).view({1, 1, height, width});
  const at::Tensor sums = at::avg_pool2d(positive, {side, side}, {1, 1});
  const int64_t best = sums.view(-1).argmax().item<int64_t>();
  const int64_t columns = sums.size(3);
  const double x0 = static_cast<double>(best % columns);
  const double y0 = static_cast<double>(best / columns);
  const model::Point a = geometry.inputToFrame({x0, y0});
  const model::Point b =
      geometry.inputToFrame({x0 + static_cast<double>(side), y0 + static_cast<double>(side)});
  PixelBox box;
  box.x = std::clamp(static_cast<int>(std::floor(a.x)), 0, geometry.frame_width);
  box.y = std::clamp(static_cast<int>(std::floor(a.y)), 0, geometry.frame_height);
  box.width = std::clamp(static_cast<int>(std::ceil(b.x)), 0, geometry.frame_width) - box.x;
  box.height = std::clamp(static_cast<int>(std::ceil(b.y)), 0, geometry.frame_height) - box.y;
  return box;
}

}  // namespace deepbug::explain
