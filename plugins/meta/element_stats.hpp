// Every element's statistics, each defined once: the struct the element fills, the
// fields of its read-only `stats` GstStructure (names with '-', as GStreamer writes
// them), and what applications read back and write to JSON (names with '_'). Reading
// back requires every field: a renamed statistic is an error, never a silent 0.
#pragma once

#include <gst/gst.h>

#include <cstdint>
#include <nlohmann/json.hpp>
#include <string>

namespace deepbug::gst {

struct ClassifyStats {
  std::uint64_t frames = 0;
  std::uint64_t classified = 0;
  std::uint64_t skipped = 0;  // due for classification but too late (max-lag)
  std::uint64_t batches = 0;
  double preprocess_seconds = 0;
  double inference_seconds = 0;
  // Times the element loaded its model itself; 0 when it found it loaded in the process
  // (by the application or another element) and shared it.
  std::uint64_t model_loads = 0;
};

struct ExplainStats {
  std::string mode;  // "archive" or "live"
  std::uint64_t frames = 0;
  std::uint64_t selected = 0;    // frames chosen for explanation
  std::uint64_t explained = 0;   // explanations attached
  std::uint64_t failed = 0;      // explanations that raised an error
  std::uint64_t skipped = 0;     // live: chosen, but no capacity
  std::uint64_t dropped = 0;     // not attached: a flush, or (live) the end, came first
  std::uint64_t superseded = 0;  // live: a newer map was ready for the same frame
  std::uint64_t events = 0;
  double explain_seconds = 0;  // LRP time, summed over frames
  double latency_p50 = 0;      // selection → result, seconds
  double latency_p95 = 0;
  std::uint64_t peak_held = 0;  // archive: most frames held at once
};

struct OverlayStats {
  std::uint64_t frames = 0;
  std::uint64_t without_meta = 0;
  std::uint64_t alarms = 0;
  std::uint64_t heatmaps = 0;        // frames carrying a relevance meta
  std::uint64_t heatmap_frames = 0;  // frames a heatmap was drawn on
  double seconds = 0;
};

// The `stats` property's structure; a new structure the caller owns.
GstStructure* toStructure(const ClassifyStats& stats);
GstStructure* toStructure(const ExplainStats& stats);
GstStructure* toStructure(const OverlayStats& stats);

// Read back from a `stats` structure; throws std::runtime_error naming a missing field.
ClassifyStats classifyStatsFrom(const GstStructure* structure);
ExplainStats explainStatsFrom(const GstStructure* structure);
OverlayStats overlayStatsFrom(const GstStructure* structure);

nlohmann::json toJson(const ClassifyStats& stats);
nlohmann::json toJson(const ExplainStats& stats);
nlohmann::json toJson(const OverlayStats& stats);

// The fields of each structure, in order, as the property's description lists them.
std::string classifyStatsFields();
std::string explainStatsFields();
std::string overlayStatsFields();

}  // namespace deepbug::gst
