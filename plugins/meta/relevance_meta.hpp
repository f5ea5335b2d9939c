// DeepbugRelevanceMeta: an LRP explanation attached to a buffer by deepbugexplain.
// In archive mode it sits on the very frame it explains; in live mode on the first
// frame leaving after the explanation was ready, so it names the frame it explains
// (index and PTS) and carries a small copy of it for a picture-in-picture.
// Tagged "video" and "size": copies keep it, scalers rescale its frame geometry.
#pragma once

#include <gst/gst.h>

#include <cstdint>
#include <string>
#include <vector>

#include "model/geometry.hpp"

namespace deepbug::gst {

struct RelevanceResult {
  // Pixel relevance at the model's input resolution, row-major, Σ over colour.
  std::vector<float> heatmap;
  int width = 0;
  int height = 0;
  model::PreprocessGeometry geometry;  // this buffer's pixels ↔ the model input

  std::string target;  // the explained class
  int target_index = 0;
  std::string composite;       // LRP composite
  std::string init;            // initial relevance: logit | one | contrastive
  double explained = 0.0;      // what was distributed
  double relevance_sum = 0.0;  // Σ R
  double positive_sum = 0.0;   // Σ R⁺
  int hottest_x = 0, hottest_y = 0, hottest_width = 0, hottest_height = 0;  // frame pixels

  // The colour scale to draw with: shared by the explanations of one event (archive),
  // or the largest so far in the event (live), so a weak frame does not glow like its peak.
  double scale = 1.0;

  std::uint64_t frame_index = 0;  // the frame explained
  std::uint64_t pts = GST_CLOCK_TIME_NONE;
  bool on_explained_frame = true;  // false: attached to a later frame (live)
  double latency_seconds = 0.0;    // selection → result (live)

  // Live only: the explained frame, RGB, downscaled (picture-in-picture).
  std::vector<std::uint8_t> thumbnail;
  int thumbnail_width = 0;
  int thumbnail_height = 0;
};

}  // namespace deepbug::gst

extern "C" {

struct DeepbugRelevanceMeta {
  GstMeta meta;
  deepbug::gst::RelevanceResult* result;  // owned
};

GType deepbug_relevance_meta_api_get_type(void);
const GstMetaInfo* deepbug_relevance_meta_get_info(void);

// Attaches a copy of `result` (the buffer must be writable).
DeepbugRelevanceMeta* deepbug_buffer_add_relevance_meta(
    GstBuffer* buffer, const deepbug::gst::RelevanceResult& result);
// nullptr when the buffer carries none.
const DeepbugRelevanceMeta* deepbug_buffer_get_relevance_meta(GstBuffer* buffer);
}
