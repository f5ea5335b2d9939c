// DeepbugClassificationMeta: what deepbugclassify concluded about one frame, attached
// to the frame's buffer so that the overlay, the application and any other element
// downstream can read it. Tagged "video" and "size": queue, tee and videoconvert copy
// it, videoscale rescales its geometry through the transform function.
//
// Both the plugin and the application compile this file; registration looks the
// names up first, so whichever registers first wins and the other reuses it.
#pragma once

#include <gst/gst.h>

#include <string>
#include <vector>

#include "model/geometry.hpp"

namespace deepbug::gst {

struct ClassificationResult {
  std::vector<float> logits;  // the model's outputs
  std::vector<float> scores;  // softmax probabilities
  std::vector<std::string> labels;
  int top_index = 0;
  float top_score = 0.0f;
  // false: the frame was not classified (interval > 1) and carries the last result.
  bool classified = true;
  std::uint64_t frame_index = 0;       // of the classified frame the result is from
  std::string model_id;                // the model file the result came from
  model::PreprocessGeometry geometry;  // frame ↔ model input, in this buffer's pixels

  const std::string& topLabel() const { return labels.at(top_index); }
  // Score of `label`, or -1 when the model has no such class.
  float scoreOf(const std::string& label) const;
};

// Rescales the frame side of a geometry to a new frame size (the model side is fixed).
void scaleGeometry(model::PreprocessGeometry& geometry, int width, int height);

}  // namespace deepbug::gst

extern "C" {

struct DeepbugClassificationMeta {
  GstMeta meta;
  deepbug::gst::ClassificationResult* result;  // owned
};

GType deepbug_classification_meta_api_get_type(void);
const GstMetaInfo* deepbug_classification_meta_get_info(void);

// Attaches a copy of `result` (the buffer must be writable).
DeepbugClassificationMeta* deepbug_buffer_add_classification_meta(
    GstBuffer* buffer, const deepbug::gst::ClassificationResult& result);
// nullptr when the buffer carries none.
const DeepbugClassificationMeta* deepbug_buffer_get_classification_meta(GstBuffer* buffer);
}
