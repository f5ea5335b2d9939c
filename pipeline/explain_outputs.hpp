// What the stream's explanations leave on disk, per source:
//   events.jsonl   one JSON object per event, appended and flushed as each event is
//                  complete (a crash loses at most the event in progress)
//   snapshots/     per explained frame: frame, heatmap and overlay PNGs (and .npy)
// Explained frames arrive from a pad probe (streaming thread), events from the
// explain element's bus messages (main thread); an event is written once every frame
// selected in it has passed or its explanation failed (archive), or at once (live:
// later maps and failures belong to no line).
#pragma once

#include <gst/gst.h>
#include <gst/video/video.h>

#include <cstdint>
#include <cstdio>
#include <map>
#include <mutex>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "config.hpp"
#include "meta/relevance_meta.hpp"

namespace deepbug::stream {

class ExplainOutputs {
 public:
  ExplainOutputs(std::string output_dir, std::string source, const StreamConfig& config);
  ~ExplainOutputs();
  ExplainOutputs(const ExplainOutputs&) = delete;
  ExplainOutputs& operator=(const ExplainOutputs&) = delete;

  // A buffer leaving deepbugexplain; writes snapshots when it carries a heatmap.
  void onBuffer(GstBuffer* buffer, const GstVideoInfo& info);
  // A gst::kExplainEventMessage element message.
  void onEvent(const GstStructure* event);
  // A gst::kExplainFailureMessage: the frame's event lists it under failed_frames
  // (and does not wait for its map).
  void onFailure(const GstStructure* failure);
  // End of the run: writes every event still waiting.
  void finish();

  struct EventSpan {
    long long id = 0;
    double start_seconds = 0.0, end_seconds = 0.0;  // stream time
  };
  // Every event written so far (for their clips).
  std::vector<EventSpan> eventSpans() const;

  std::uint64_t eventsWritten() const;
  std::uint64_t snapshotsWritten() const;
  double snapshotSeconds() const;

 private:
  struct Pending {
    nlohmann::json event;
    std::vector<std::int64_t> selected;
  };
  // Frame, heatmap and overlay PNGs (and .npy) of one explained frame; their paths go
  // into `record`. Throws on a file that cannot be written.
  void writeSnapshots(GstBuffer* buffer, const GstVideoInfo& info, const gst::RelevanceResult& r,
                      nlohmann::json& record) const;
  void writeReady();
  void writeEvent(Pending& pending);
  std::string wallTime(std::int64_t pts_ns) const;

  std::string dir_;
  std::string source_;
  const StreamConfig& config_;
  std::int64_t run_start_unix_ns_;
  mutable std::mutex mutex_;
  std::FILE* events_ = nullptr;
  // By frame index, until their event is written.
  std::map<std::int64_t, nlohmann::json> explained_;
  std::map<std::int64_t, nlohmann::json> failed_;
  std::vector<Pending> pending_;
  std::vector<EventSpan> spans_;
  std::uint64_t events_written_ = 0;
  std::uint64_t snapshots_ = 0;
  double snapshot_seconds_ = 0.0;
};

}  // namespace deepbug::stream
