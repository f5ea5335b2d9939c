// The frame classifier: a TorchScript model with its metadata, run batched under
// InferenceMode on the configured device, with the shared preprocessing in front.
#pragma once

#include <memory>
#include <string>
#include <vector>

#include "model/device.hpp"
#include "model/frame.hpp"
#include "model/geometry.hpp"
#include "model/model_metadata.hpp"

namespace at {
class Tensor;
}

namespace deepbug::model {

struct ClassifierOptions {
  std::string model_path;
  std::string device = "auto";  // auto | cpu | cuda | cuda:N
  Precision precision = Precision::kFp32;
  // Intra-op (OpenMP) threads for each call; 0 = every core no other stage has borrowed
  // at the time of the call (CoreLoan). A stage running W concurrent calls should give
  // each cores / W (see ThreadBudget).
  int threads = 0;
  MetadataOverrides overrides;
};

// Class scores (probabilities, [N, classes]) from a model's output of `kind`: the softmax
// of logits, probabilities as they are, the exp of log-probabilities.
at::Tensor scoresOf(const at::Tensor& output, OutputKind kind);

struct Classification {
  std::vector<float> logits;  // log-probabilities when the model ends in (log-)softmax
  std::vector<float> scores;  // softmax probabilities
  int top_index = 0;
  float top_score = 0.0f;
  PreprocessGeometry geometry;  // how the frame was mapped onto the model input
};

// Wall time of one classify() call by stage, for stage statistics.
struct ClassifyTimings {
  double preprocess_seconds = 0.0;
  double inference_seconds = 0.0;  // forward pass and scores, results on the host
};

class Classifier {
 public:
  // Loads and validates the model; throws ModelError / ConfigError on bad input.
  explicit Classifier(const ClassifierOptions& options);
  ~Classifier();
  Classifier(Classifier&&) noexcept;
  Classifier& operator=(Classifier&&) noexcept;

  // One batch; frames may differ in size and pixel format. Safe to call from several
  // threads at once. Throws deepbug::Error naming the frame for an invalid frame.
  std::vector<Classification> classify(const std::vector<FrameView>& frames,
                                       ClassifyTimings* timings = nullptr) const;
  Classification classify(const FrameView& frame) const;

  // The shared preprocessing alone: a [N, 3, H, W] float batch on the model's device.
  at::Tensor preprocess(const std::vector<FrameView>& frames,
                        std::vector<PreprocessGeometry>* geometries = nullptr) const;
  // The model alone on a preprocessed batch (precision and dtype handled): [N, C].
  at::Tensor forward(const at::Tensor& batch) const;

  const ModelMetadata& metadata() const;
  const std::vector<std::string>& labels() const;
  // Things the user should know (no embedded metadata, a final softmax, ...).
  const std::vector<std::string>& warnings() const;
  OutputKind outputKind() const;
  const std::string& modelPath() const;
  std::string device() const;
  Precision precision() const;
  int threads() const;

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace deepbug::model
