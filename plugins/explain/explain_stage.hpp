// The work of deepbugexplain, apart from GObject glue: reads each frame's
// classification, plans explanations (archive: hold and explain each event's
// selected frames exactly; live: explain running peaks when there is room, never
// wait), runs LRP on the flow-graph scheduler, attaches DeepbugRelevanceMeta and
// posts an element message per event and per failed explanation
// (meta/explain_messages.hpp).
//
// Threads: push(), finish() and flushStop() run on the streaming thread (flushStop()
// while it is stopped), stopWorkers() on the thread that stops the element once the
// streaming thread has; flushStart() on any thread, while push() may be waiting for
// explanations; results arrive on the graph's thread; stats() anywhere.
// What more than one of them touches is guarded by mutex_.
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

#include "common/batching_transform.hpp"
#include "common/gst_ptr.hpp"
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

  // The LRP of one batch, on the scheduler's workers: by default the model's
  // FrameExplainer. Tests substitute one they control (one that waits until they
  // release it); the model still preprocesses and names the labels. Before the first
  // push().
  void setExplainFunction(explain::ExplainScheduler::Work explain);

  // Takes `buffer`; appends the buffers that may leave now to `out`, in order.
  // Archive mode may block here (bounded holding: backpressure) until a flush starts.
  // Throws deepbug::Error (loading the model at the first frame, mapping a frame).
  void push(OwnedBuffer buffer, const GstVideoInfo& info, ReadyQueue& out);
  // End of stream: archive finishes every explanation and releases everything (unless
  // a flush starts meanwhile); live drops what has not been attached (counted).
  void finish(ReadyQueue& out);
  // A flushing seek begins (any thread): returns at once, and a push() or finish()
  // waiting for explanations returns; LRP in progress is not waited for.
  void flushStart();
  // The seek's flush ends (the streaming thread stopped): what is held is dropped, the
  // explanations asked before are dropped when they arrive (counted), and the stream
  // starts over.
  void flushStop();
  // Waits until every explanation asked so far has arrived, so that the next push()
  // sees it; on the pushing thread. For tests: the element never waits in live mode.
  void waitForExplanations();
  // Whether push() or finish() waits now, for room on the graph or for results. For
  // tests: a flush is to wake exactly such a wait.
  bool waiting() const;
  // Waits for the LRP work still running and stops the workers (before reading final
  // statistics); nothing may be pushed afterwards.
  void stopWorkers();

  bool live() const { return live_; }
  // The counts so far, the mode and the latency percentiles.
  ExplainStats stats() const;

 private:
  struct Held {
    std::int64_t index;
    OwnedBuffer buffer;
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
  void pushLive(OwnedBuffer buffer, const GstVideoInfo& info, std::int64_t index,
                const explain::ScoredFrame& frame, ReadyQueue& out);
  void pushArchive(OwnedBuffer buffer, const GstVideoInfo& info, std::int64_t index,
                   const explain::ScoredFrame& frame, ReadyQueue& out);
  bool submit(explain::ExplainBatch batch, bool wait_for_room);
  void submitSelection(const std::vector<std::int64_t>& selected);
  void deliver(explain::BatchResult&& result);
  bool collect(bool wait);
  void releaseArchive(ReadyQueue& out);
  void attachLive(OwnedBuffer& buffer);
  void dropUnattached();
  void startOver();
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

  // Shared with the graph's thread (results) and flushStart()'s.
  mutable std::mutex mutex_;
  std::condition_variable arrived_cv_;  // a result arrived, or a flush started
  std::deque<explain::FrameRelevance> arrived_;
  ExplainTally stats_;
  std::map<std::int64_t, double> selected_at_;  // selections not yet collected: when chosen
  // Bumped by every flush: a batch carries the generation it was asked in, and results
  // of an earlier one are dropped when they arrive (their frames are gone).
  std::uint64_t generation_ = 0;
  bool flushing_ = false;
  int collect_waiters_ =
      0;  // streaming thread inside collect(true)  // from flushStart() to flushStop()

  std::unique_ptr<explain::FrameExplainer> explainer_;
  explain::ExplainScheduler::Work explain_;  // empty: explainer_'s
  // After explainer_: destroyed first. Set under mutex_ (flushStart() reads it).
  std::unique_ptr<explain::ExplainScheduler> scheduler_;

  std::map<std::int64_t, explain::FrameRelevance> done_;  // collected, not yet on a frame

  // Archive mode.
  std::optional<explain::ArchivePlanner> archive_;
  GstVideoInfo info_{};  // of the frames held
  std::deque<Held> held_;
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
  double live_scale_ = 0.0;  // largest in the open event
};

}  // namespace deepbug::gst
