// What travels through the explain scheduler: batches of preprocessed frames in, one
// relevance result per frame out.
#pragma once

#include <ATen/core/Tensor.h>

#include <cstdint>
#include <string>
#include <vector>

#include "model/geometry.hpp"

namespace deepbug::explain {

struct ExplainRequest {
  int64_t frame_index = 0;
  int64_t pts_ns = 0;
  at::Tensor input;  // [3, H, W], preprocessed as for classification
  int64_t target = 0;
  model::PreprocessGeometry geometry;  // frame ↔ model input
};

// A box in frame pixels.
struct PixelBox {
  int x = 0, y = 0, width = 0, height = 0;
};

struct FrameRelevance {
  int64_t frame_index = 0;
  int64_t pts_ns = 0;
  int64_t target = 0;
  at::Tensor relevance;        // [H, W] float32 on the CPU, summed over colour channels
  std::vector<float> logits;   // the engine's forward pass
  double explained = 0.0;      // what was distributed (e.g. the contrast of logits)
  double relevance_sum = 0.0;  // Σ R
  double positive_sum = 0.0;   // Σ R⁺
  PixelBox hottest;            // the window with the most R⁺, in frame pixels
  double seconds = 0.0;        // this frame's share of its batch's LRP time
  std::string error;           // non-empty: no relevance, and why
};

struct ExplainBatch {
  uint64_t sequence = 0;    // assigned by the scheduler
  uint64_t generation = 0;  // the submitter's, handed back in the result (e.g. its flushes)
  std::vector<ExplainRequest> frames;
};

struct BatchResult {
  uint64_t sequence = 0;
  uint64_t generation = 0;             // the batch's
  std::vector<FrameRelevance> frames;  // one per request, in the same order
};

}  // namespace deepbug::explain
