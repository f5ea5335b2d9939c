#include "bench_classify.hpp"

#include <torch/script.h>

#include "bench_stats.hpp"
#include "core/runtime.hpp"
#include "model/classifier.hpp"

namespace deepbug::bench {

namespace {

// Deterministic frames with image-like structure (gradients plus noise), BGR.
std::vector<std::vector<std::uint8_t>> makeFrames(int count, int width, int height) {
  std::vector<std::vector<std::uint8_t>> frames;
  at::manual_seed(7);
  for (int i = 0; i < count; ++i) {
    const at::Tensor noise = at::randint(0, 64, {height, width, 3}, at::kInt);
    const at::Tensor ramp =
        at::arange(width, at::kInt).mul(191).div(width, "floor").view({1, width, 1});
    const at::Tensor image = (noise + ramp).clamp(0, 255).to(at::kByte).contiguous();
    frames.emplace_back(image.data_ptr<std::uint8_t>(),
                        image.data_ptr<std::uint8_t>() + image.numel());
  }
  return frames;
}

nlohmann::json benchOneModel(const std::string& name, const std::string& path,
                             const ClassifyBenchOptions& options) {
  model::ClassifierOptions classifier_options;
  classifier_options.model_path = path;
  classifier_options.device = options.device;
  classifier_options.threads = options.threads;
  const model::Classifier classifier(classifier_options);

  torch::jit::Module plain = torch::jit::load(path, c10::Device(classifier.device()));
  plain.eval();

  nlohmann::json rows = nlohmann::json::array();
  for (int batch : options.batches) {
    const auto frames = makeFrames(batch, options.frame_width, options.frame_height);
    std::vector<model::FrameView> views;
    for (const auto& frame : frames) {
      views.push_back(
          {frame.data(), options.frame_width, options.frame_height, 0, model::PixelFormat::kBGR});
    }
    c10::InferenceMode inference;
    const at::Tensor preprocessed = classifier.preprocess(views);
    auto run_plain = [&] { plain.forward({preprocessed}); };
    auto run_classifier = [&] { classifier.classify(views); };
    auto run_preprocess = [&] { classifier.preprocess(views); };
    run_plain();  // warm-up: oneDNN primitive caches, allocator
    run_classifier();

    Samples forward;
    Samples classify;
    Samples preprocess;
    for (int r = 0; r < options.repeats; ++r) {
      forward.values.push_back(timeMs(run_plain) / batch);
      classify.values.push_back(timeMs(run_classifier) / batch);
      preprocess.values.push_back(timeMs(run_preprocess) / batch);
    }
    rows.push_back({{"batch", batch},
                    {"module_forward_ms_per_frame", forward.toJson()},
                    {"classifier_ms_per_frame", classify.toJson()},
                    {"preprocess_ms_per_frame", preprocess.toJson()},
                    {"overhead_percent", 100.0 * (classify.median() / forward.median() - 1.0)}});
  }
  return {{"name", name},
          {"path", path},
          {"device", classifier.device()},
          {"threads", classifier.threads()},
          {"results", rows}};
}

}  // namespace

nlohmann::json benchClassify(const ClassifyBenchOptions& options) {
  nlohmann::json models = nlohmann::json::array();
  for (const auto& [name, path] : options.models)
    models.push_back(benchOneModel(name, path, options));
  return {{"benchmark", "classify"},
          {"frame",
           {{"width", options.frame_width}, {"height", options.frame_height}, {"format", "BGR"}}},
          {"repeats", options.repeats},
          {"method",
           "interleaved runs in one process: module.forward on a preprocessed batch, "
           "then Classifier::classify on the 8-bit frames; median/min/max per frame"},
          {"runtime", nlohmann::json::parse(toJson(runtimeInfo()))},
          {"models", models}};
}

}  // namespace deepbug::bench
