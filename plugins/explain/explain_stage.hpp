// The work of deepbugexplain, apart from GObject glue: reads each frame's
// classification, plans explanations (archive: hold and explain each event's
// selected frames exactly; live: explain running peaks when there is room, never
// wait), runs LRP on the flow-graph scheduler, attaches DeepbugRelevanceMeta and
// posts an element message per event and per failed explanation
// (meta/explain_messages.hpp).
#pragma once

#include <gst/gst.h>
#include <gst/video/video.h>

#include <condition_variable>
#include <cstdint>
#include <deque>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <vector>

#include "explain/archive_planner.hpp"
#include "explain/explain_scheduler.hpp"
#include "explain/explain_settings.hpp"
#include "explain/frame_explainer.hpp"
#include "explain/live_planner.hpp"
#include "meta/element_stats.hpp"
#include "meta/relevance_meta.hpp"

namespace deepbug::gst {

// The element's statistics as they accumulate: the counts of ExplainStats, and every
// latency (selection → result, seconds) for its percentiles.
struct ExplainTally {
  ExplainStats counts;
  std::vector<double> latencies;
};

class ExplainStage {
 public:
  // `owner` posts the event messages. Throws deepbug::Error for invalid settings.
  ExplainStage(GstElement* owner, ExplainSettings settings, bool live);
  ~ExplainStage();

  // Takes `buffer`; appends the buffers that may leave now to `out`, in order.
  // Archive mode may block here (bounded holding: backpressure). Throws deepbug::Error
  // (loading the model at the first frame, mapping a frame).
  void push(GstBuffer* buffer, const GstVideoInfo& info, std::deque<GstBuffer*>& out);
  // End of stream: archive finishes every explanation and releases everything; live
  // drops what is in flight (counted).
  void finish(std::deque<GstBuffer*>& out);
  // Flushing seek: drops what is held and starts over.
  void flush();
  // Waits for the LRP work still running and stops the workers (before reading final
  // statistics); nothing may be pushed afterwards.
  void stopWorkers();

  bool live() const { return live_; }
  // The counts so far, the mode and the latency percentiles.
  ExplainStats stats() const;

 private:
  struct Held {
    std::int64_t index;
    GstBuffer* buffer;  // owned
  };
  struct Group {  // the selections of one event (or chunk): they share a colour scale
    std::vector<std::int64_t> indices;
    std::size_t arrived = 0;
    double scale = 0.0;
  };

  void ensureExplainer(GstBuffer* buffer);
  explain::ScoredFrame scoreOf(GstBuffer* buffer, std::int64_t index);
  explain::ExplainRequest prepare(GstBuffer* buffer, const GstVideoInfo& info, std::int64_t index,
                                  std::vector<std::uint8_t>* thumbnail, int* thumb_w, int* thumb_h);
  void submitSelection(const std::vector<std::int64_t>& selected);
  void collect(bool wait);
  void releaseArchive(std::deque<GstBuffer*>& out);
  void attachLive(GstBuffer*& buffer);
  RelevanceResult toMeta(const explain::FrameRelevance& frame, double scale) const;
  void postEvent(const explain::Event& event, const std::vector<std::int64_t>& selected);
  void postFailure(const explain::FrameRelevance& frame);
  void postClosedEvents();

  GstElement* owner_;
  ExplainSettings settings_;
  bool live_;
  std::int64_t next_index_ = 0;
  int target_index_ = -1;
  std::string target_;
  std::string model_path_;

  // Results arrive on the graph's thread.
  mutable std::mutex mutex_;
  std::condition_variable arrived_cv_;
  std::deque<explain::FrameRelevance> arrived_;
  ExplainTally stats_;

  std::unique_ptr<explain::FrameExplainer> explainer_;
  std::unique_ptr<explain::ExplainScheduler> scheduler_;  // after explainer_: destroyed first

  // Archive mode.
  std::optional<explain::ArchivePlanner> archive_;
  GstVideoInfo info_{};  // of the frames held
  std::deque<Held> held_;
  std::map<std::int64_t, explain::FrameRelevance> done_;
  std::map<std::int64_t, Group> groups_;
  std::map<std::int64_t, std::int64_t> group_of_;
  std::int64_t next_group_ = 1;

  // Live mode.
  std::optional<explain::LivePlanner> live_planner_;
  struct Thumbnail {
    std::vector<std::uint8_t> rgb;
    int width = 0, height = 0;
  };
  std::map<std::int64_t, Thumbnail> thumbnails_;
  std::map<std::int64_t, double> selected_at_;  // monotonic seconds
  double live_scale_ = 0.0;                     // largest in the open event
};

}  // namespace deepbug::gst
