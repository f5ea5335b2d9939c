#include "model/classifier.hpp"

#include <ATen/Parallel.h>
#include <torch/cuda.h>
#include <torch/script.h>

#include <chrono>
#include <optional>

#include "core/error.hpp"
#include "core/error_text.hpp"
#include "core/runtime.hpp"
#include "core/thread_budget.hpp"
#include "core/torch_compat.hpp"
#include "model/model_loader.hpp"
#include "model/preprocess.hpp"

namespace deepbug::model {

struct Classifier::Impl {
  LoadedModel model;
  std::optional<Preprocessor> preprocessor;
  std::string path;
  Precision precision = Precision::kFp32;
  int threads = 1;
  bool automatic_threads = false;  // threads = the cores no other stage has borrowed
};

at::Tensor scoresOf(const at::Tensor& output, OutputKind kind) {
  switch (kind) {
    case OutputKind::kLogits:
      return output.softmax(1);
    case OutputKind::kProbabilities:
      return output;
    case OutputKind::kLogProbabilities:
      return output.exp();
  }
  return output.softmax(1);
}

Classifier::Classifier(const ClassifierOptions& options) : impl_(std::make_unique<Impl>()) {
  const std::string device = resolveDevice(options.device);
  checkPrecision(options.precision, device);
  if (options.threads < 0) {
    throw ConfigError("threads = " + std::to_string(options.threads) + " is negative",
                      "use 0 (all cores) or a positive thread count");
  }
  impl_->path = options.model_path;
  impl_->precision = options.precision;
  impl_->threads = options.threads > 0 ? options.threads : ThreadBudget().defaultIntraOpThreads();
  impl_->automatic_threads = options.threads == 0;
  if (device.rfind("cuda", 0) == 0) compat::disableTf32();

  setIntraOpThreads(impl_->threads);
  impl_->model = loadModel({options.model_path, device, options.overrides});
  impl_->preprocessor.emplace(impl_->model.metadata, device);
}

Classifier::~Classifier() = default;
Classifier::Classifier(Classifier&&) noexcept = default;
Classifier& Classifier::operator=(Classifier&&) noexcept = default;

at::Tensor Classifier::preprocess(const std::vector<FrameView>& frames,
                                  std::vector<PreprocessGeometry>* geometries) const {
  const ModelMetadata& meta = impl_->model.metadata;
  const auto count = static_cast<int64_t>(frames.size());
  c10::InferenceMode inference;
  at::Tensor batch = at::empty({count, 3, meta.input_height, meta.input_width},
                               at::TensorOptions().dtype(at::kFloat).device(impl_->model.device));
  if (geometries != nullptr) geometries->resize(frames.size());
  auto preprocess_range = [&](int64_t begin, int64_t end) {
    c10::InferenceMode inference;  // thread-local: OpenMP workers need their own
    for (int64_t i = begin; i < end; ++i) {
      at::Tensor slot = batch.select(0, i);
      try {
        const PreprocessGeometry g = impl_->preprocessor->run(frames[i], slot);
        if (geometries != nullptr) (*geometries)[i] = g;
      } catch (const Error& e) {
        throw Error("frame " + std::to_string(i) + " of the batch: " + e.what(), e.hint());
      }
    }
  };
  // On the CPU, frames are spread over the intra-op threads: LibTorch's antialiased
  // resampling runs single-threaded, so one frame per thread is what scales.
  if (impl_->model.device.is_cpu() && count > 1) {
    at::parallel_for(0, count, 1, preprocess_range);
  } else {
    preprocess_range(0, count);
  }
  return batch;
}

at::Tensor Classifier::forward(const at::Tensor& batch) const {
  c10::InferenceMode inference;
  LoadedModel& model = impl_->model;
  at::Tensor input = batch.scalar_type() == model.dtype ? batch : batch.to(model.dtype);
  std::optional<compat::AutocastGuard> autocast;
  if (impl_->precision != Precision::kFp32) {
    autocast.emplace(model.device.type(),
                     impl_->precision == Precision::kBf16 ? at::kBFloat16 : at::kHalf);
  }
  try {
    return model.module.forward({input}).toTensor();
  } catch (const std::exception& e) {
    // Not the user's input: a runtime failure (exit code 1), not deepbug::Error.
    throw std::runtime_error("model '" + impl_->path + "' failed on a batch of " +
                             std::to_string(batch.size(0)) + " frames: " + errorGist(e));
  }
}

std::vector<Classification> Classifier::classify(const std::vector<FrameView>& frames,
                                                 ClassifyTimings* timings) const {
  if (frames.empty()) return {};
  setIntraOpThreads(impl_->automatic_threads ? unlentCores() : impl_->threads);
  c10::InferenceMode inference;

  using Clock = std::chrono::steady_clock;
  const auto start = Clock::now();
  std::vector<PreprocessGeometry> geometries;
  const at::Tensor input = preprocess(frames, &geometries);
  if (timings != nullptr && impl_->model.device.is_cuda()) torch::cuda::synchronize();
  const auto preprocessed = Clock::now();
  const at::Tensor output = forward(input).to(at::kFloat).cpu();

  at::Tensor scores = scoresOf(output, impl_->model.output_kind);
  // Logits as reported: the model's own, or the log of its probabilities.
  at::Tensor logits =
      impl_->model.output_kind == OutputKind::kProbabilities ? output.log() : output;
  logits = logits.contiguous();
  scores = scores.contiguous();
  const int64_t classes = output.size(1);
  std::vector<Classification> results(frames.size());
  for (std::size_t i = 0; i < frames.size(); ++i) {
    Classification& result = results[i];
    const float* logit_row = logits.data_ptr<float>() + i * classes;
    const float* score_row = scores.data_ptr<float>() + i * classes;
    result.logits.assign(logit_row, logit_row + classes);
    result.scores.assign(score_row, score_row + classes);
    for (int64_t c = 1; c < classes; ++c) {
      if (result.scores[c] > result.scores[result.top_index])
        result.top_index = static_cast<int>(c);
    }
    result.top_score = result.scores[result.top_index];
    result.geometry = geometries[i];
  }
  if (timings != nullptr) {
    timings->preprocess_seconds = std::chrono::duration<double>(preprocessed - start).count();
    timings->inference_seconds = std::chrono::duration<double>(Clock::now() - preprocessed).count();
  }
  return results;
}

Classification Classifier::classify(const FrameView& frame) const {
  return classify(std::vector<FrameView>{frame}).front();
}

const ModelMetadata& Classifier::metadata() const {
  return impl_->model.metadata;
}
const std::vector<std::string>& Classifier::labels() const {
  return impl_->model.metadata.labels;
}
const std::vector<std::string>& Classifier::warnings() const {
  return impl_->model.warnings;
}
OutputKind Classifier::outputKind() const {
  return impl_->model.output_kind;
}
const std::string& Classifier::modelPath() const {
  return impl_->path;
}
std::string Classifier::device() const {
  return impl_->model.device.str();
}
Precision Classifier::precision() const {
  return impl_->precision;
}
int Classifier::threads() const {
  return impl_->threads;
}

}  // namespace deepbug::model
