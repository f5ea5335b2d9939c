// One source's run: its GStreamer pipeline (source_graph.hpp), its input (archive: a
// decoding bin; live: LiveInput, which rebuilds it when the camera goes silent), the
// probes that count frames and write scores.csv, what a bus message means for it
// (bus_policy.hpp), and its summary.json and status. Nothing leaks or drops: every
// decoded frame is classified (or carries a result) and encoded; live sources skip
// classification, never recording, when it falls behind.
#pragma once

#include <gst/gst.h>

#include <atomic>
#include <memory>
#include <mutex>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <vector>

#include "bus_policy.hpp"
#include "common/gst_ptr.hpp"
#include "config.hpp"
#include "explain_outputs.hpp"
#include "live_input.hpp"
#include "meta/element_stats.hpp"
#include "recording.hpp"
#include "recording_segments.hpp"
#include "scores_csv.hpp"
#include "source_graph.hpp"
#include "source_probe.hpp"
#include "timestamp_repair.hpp"

namespace deepbug::stream {

enum class SourceState { kCreated, kRunning, kStopping, kFinished };

// Where a running source is watched besides its recording, each when configured (null
// otherwise). The run owns both and outlives its sources.
struct SourceViewers {
  RestreamFeed* rtsp = nullptr;            // its RTSP re-stream, fed by the recording
  web::LiveFrames* live_frames = nullptr;  // the monitoring server's live views
};

class SourcePipeline {
 public:
  SourcePipeline(const StreamConfig& config, const SourceConfig& source, SourceInfo info,
                 std::string output_dir, SourceViewers viewers = {});
  ~SourcePipeline();
  SourcePipeline(const SourcePipeline&) = delete;
  SourcePipeline& operator=(const SourcePipeline&) = delete;

  // Builds the elements and starts playing; throws on failure to build.
  void start();
  // Ends the stream cleanly: EOS into the branch, so the muxer finishes the file.
  void requestStop(const std::string& reason);
  // Handles one bus message; returns true once the pipeline has finished.
  bool handleMessage(GstMessage* message);
  // Stops the pipeline (NULL state) and writes summary.json.
  void finish(bool interrupted);
  // When finishing itself failed: stops the pipeline and ends the source with `cause`
  // as its error, writing nothing more.
  void abandon(const std::string& cause) noexcept;

  const std::string& name() const { return source_.name; }
  const std::string& outputDir() const { return output_dir_; }
  bool finished() const { return state_ == SourceState::kFinished; }
  bool failed() const { return !error_.empty(); }
  const std::string& error() const { return error_; }
  GstElement* pipeline() const { return pipeline_.get(); }

  std::uint64_t framesIn() const { return frames_in_; }
  std::uint64_t framesOut() const { return frames_out_; }
  double positionSeconds() const { return position_ns_ / 1e9; }
  double durationSeconds() const { return info_.duration_seconds; }
  double elapsedSeconds() const;
  nlohmann::json summary() const;
  // Counters for the status line and status.json (cheap; main loop).
  nlohmann::json status() const;

 private:
  void addArchiveInput();
  void startLiveInput();
  void attachProbes();
  void cutEventClips();
  // Sends EOS into `element`'s sink pad: what is downstream of it finishes its files.
  void endStreamAt(GstElement* element, const std::string& reason);
  bool onError(GstMessage* message);
  ErrorOrigin originOf(GstObject* element) const;
  void warn(const std::string& message);

  std::string nextSegment(guint fragment) noexcept;
  static GstPadProbeReturn countIn(GstPad*, GstPadProbeInfo* info, gpointer self);
  static GstPadProbeReturn countOut(GstPad*, GstPadProbeInfo* info, gpointer self);
  static GstPadProbeReturn afterClassify(GstPad*, GstPadProbeInfo* info, gpointer self);
  static GstPadProbeReturn afterExplain(GstPad* pad, GstPadProbeInfo* info, gpointer self);
  static GstPadProbeReturn repairTimestamps(GstPad* pad, GstPadProbeInfo* info, gpointer self);

  const StreamConfig& config_;
  SourceConfig source_;
  SourceInfo info_;
  std::string output_dir_;
  std::string video_path_;
  SourceViewers viewers_;

  gst::ObjectRef<GstElement> pipeline_;
  SourceGraph graph_;
  GstElement* input_ = nullptr;  // archive sources; live ones: live_
  std::unique_ptr<LiveInput> live_;
  std::unique_ptr<ExplainOutputs> explain_outputs_;
  std::unique_ptr<ScoresCsv> scores_;
  std::unique_ptr<RecordingSegments> segments_;
  std::unique_ptr<Recording> recording_;
  std::uint64_t clips_written_ = 0;

  SourceState state_ = SourceState::kCreated;
  std::string error_;
  std::string stop_reason_;
  std::vector<std::string> warnings_;
  std::uint64_t warnings_dropped_ = 0;  // beyond kMaxWarnings (a camera down for days)
  mutable std::mutex mutex_;            // warnings_

  std::atomic<std::uint64_t> frames_in_{0};
  std::atomic<std::uint64_t> frames_out_{0};
  std::atomic<std::int64_t> position_ns_{0};
  std::unique_ptr<TimestampRepair> timestamps_;  // archive sources
  gint64 start_ns_ = 0;
  gint64 end_ns_ = 0;
  // The elements' statistics, read when the source finishes.
  std::optional<gst::ClassifyStats> classify_stats_;
  std::optional<gst::OverlayStats> overlay_stats_;
  std::optional<gst::ExplainStats> explain_stats_;
};

}  // namespace deepbug::stream
