// LRP for video frames: the model loaded once for the LRP engine (its own graph
// interpreter, batch norm folded), the classifier's preprocessing, and per frame the
// pixel relevance map with its summary (totals and the hottest region in frame pixels).
#pragma once

#include <memory>
#include <string>

#include "explain/explain_job.hpp"
#include "lrp/composite.hpp"
#include "model/frame.hpp"
#include "model/model_metadata.hpp"

namespace deepbug::explain {

struct FrameExplainerOptions {
  std::string model_path;
  std::string device = "cpu";  // a resolved LibTorch device string
  lrp::CompositeSpec composite;
  std::string init = "contrastive";    // logit | one | contrastive
  model::MetadataOverrides overrides;  // as the classifier's (labels, size, mean/std, aspect)
};

class FrameExplainer {
 public:
  // Loads the model and prepares the engine. Throws ModelError / ConfigError.
  explicit FrameExplainer(const FrameExplainerOptions& options);
  ~FrameExplainer();

  const model::ModelMetadata& metadata() const;
  const std::string& composite() const;
  // Index of `label`, or -1.
  int labelIndex(const std::string& label) const;

  // The request for one frame: preprocessed on the caller's thread (a copy the frame
  // need not outlive). Throws deepbug::Error for an invalid frame.
  ExplainRequest prepare(const model::FrameView& frame, int64_t frame_index, int64_t pts_ns,
                         int64_t target) const;

  // Explains a batch in one engine pass (any thread; safe to call concurrently).
  BatchResult explain(const ExplainBatch& batch) const;

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

// The square window (side: an eighth of the input's shorter side, at least one pixel)
// holding the most positive relevance of `relevance_hw`, mapped to frame pixels.
PixelBox hottestRegion(const at::Tensor& relevance_hw, const model::PreprocessGeometry& geometry);

}  // namespace deepbug::explain
