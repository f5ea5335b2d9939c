// Small helpers for element tests: frames with known content and meta access.
#pragma once

#include <gst/check/gstharness.h>
#include <gst/gst.h>
#include <gst/video/video.h>

#include <memory>
#include <string>
#include <vector>

#include "meta/classification_meta.hpp"
#include "meta/element_stats.hpp"
#include "model/geometry.hpp"

namespace deepbug::test {

// A GstHarness torn down when it goes out of scope.
struct HarnessDeleter {
  void operator()(GstHarness* h) const { gst_harness_teardown(h); }
};
using Harness = std::unique_ptr<GstHarness, HarnessDeleter>;

// The `stats` of the harness's element made by `factory`, read back typed, e.g.
// statsOf(h, "deepbugclassify", gst::classifyStatsFrom).
template <typename Stats>
Stats statsOf(GstHarness* h, const char* factory, Stats (*from)(const GstStructure*)) {
  GstElement* element = gst_harness_find_element(h, factory);
  GstStructure* stats = nullptr;
  g_object_get(element, "stats", &stats, nullptr);
  gst_object_unref(element);
  const std::unique_ptr<GstStructure, decltype(&gst_structure_free)> owned(stats,
                                                                           gst_structure_free);
  return from(stats);
}

inline std::string fixtureModel(const std::string& name) {
  return std::string(DEEPBUG_FIXTURE_DIR) + "/" + name + ".pt";
}

// A packed 8-bit frame whose pixels depend on `seed`, in `format` (RGB, BGR, ...).
// The same seed gives the same picture in every format.
inline GstBuffer* makeFrame(const std::string& format, int width, int height, int seed,
                            GstClockTime pts) {
  GstVideoInfo info;
  gst_video_info_set_format(&info, gst_video_format_from_string(format.c_str()),
                            static_cast<guint>(width), static_cast<guint>(height));
  GstBuffer* buffer = gst_buffer_new_allocate(nullptr, GST_VIDEO_INFO_SIZE(&info), nullptr);
  GstVideoFrame frame;
  gst_video_frame_map(&frame, &info, buffer, GST_MAP_WRITE);
  const int pixel_stride = GST_VIDEO_FRAME_COMP_PSTRIDE(&frame, 0);
  const bool bgr = format.rfind("BGR", 0) == 0;
  for (int y = 0; y < height; ++y) {
    auto* row = static_cast<guint8*>(GST_VIDEO_FRAME_PLANE_DATA(&frame, 0)) +
                y * GST_VIDEO_FRAME_PLANE_STRIDE(&frame, 0);
    for (int x = 0; x < width; ++x) {
      const guint8 r = static_cast<guint8>((x * 7 + seed * 31) % 256);
      const guint8 g = static_cast<guint8>((y * 5 + seed * 17) % 256);
      const guint8 b = static_cast<guint8>(((x + y) * 3 + seed * 11) % 256);
      guint8* p = row + x * pixel_stride;
      p[0] = bgr ? b : r;
      p[1] = g;
      p[2] = bgr ? r : b;
      if (pixel_stride == 4) p[3] = 255;
    }
  }
  gst_video_frame_unmap(&frame);
  GST_BUFFER_PTS(buffer) = pts;
  GST_BUFFER_DURATION(buffer) = GST_SECOND / 10;
  return buffer;
}

// The size of scoredFrame()'s frames.
constexpr int kScoredWidth = 64;
constexpr int kScoredHeight = 48;

// An RGB frame (makeFrame's picture for `index`, PTS index/10 s) classified by `model`
// with P(aggressive) = score, as deepbugclassify leaves it.
inline GstBuffer* scoredFrame(int index, double score, const std::string& model,
                              bool classified = true) {
  GstBuffer* buffer = makeFrame("RGB", kScoredWidth, kScoredHeight, index, index * GST_SECOND / 10);
  gst::ClassificationResult r;
  r.labels = {"aggressive", "non_aggressive"};
  r.scores = {static_cast<float>(score), static_cast<float>(1 - score)};
  r.logits = r.scores;
  r.top_index = score >= 0.5 ? 0 : 1;
  r.top_score = r.scores[static_cast<std::size_t>(r.top_index)];
  r.classified = classified;
  r.frame_index = static_cast<std::uint64_t>(index);
  r.model_id = model;
  r.geometry =
      model::computeGeometry(kScoredWidth, kScoredHeight, 224, 224, model::AspectPolicy::kStretch);
  deepbug_buffer_add_classification_meta(buffer, r);
  return buffer;
}

inline std::string rawCaps(const std::string& format, int width, int height) {
  return "video/x-raw,format=" + format + ",width=" + std::to_string(width) +
         ",height=" + std::to_string(height) + ",framerate=10/1";
}

inline const gst::ClassificationResult* resultOf(GstBuffer* buffer) {
  const DeepbugClassificationMeta* meta = deepbug_buffer_get_classification_meta(buffer);
  return meta == nullptr ? nullptr : meta->result;
}

}  // namespace deepbug::test
