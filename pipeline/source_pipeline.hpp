// One source's GStreamer pipeline and its outputs:
//
//   input ─► queue ─► videoconvert ─► deepbugclassify [─► deepbugexplain] ─► queue
//     ─► deepbugoverlay [─► tee ─► display] ─► queue ─► videoconvert ─► x264enc ─► h264parse
//     ─► mp4mux|matroskamux ─► filesink   (or splitmuxsink: time-named segments)
//
// `input` is a bin (source_input.hpp); for live sources LiveInput rebuilds it when the
// camera goes silent. Queues put decoding, classification and encoding on separate
// streaming threads so they overlap. Nothing leaks or drops: every decoded frame is
// classified (or carries a result) and encoded; live sources skip classification, never
// recording, when it falls behind. Probes count frames in and out and write scores.csv.
#pragma once

#include <gst/gst.h>

#include <atomic>
#include <cstdio>
#include <memory>
#include <mutex>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <vector>

#include "config.hpp"
#include "explain_outputs.hpp"
#include "live_input.hpp"
#include "meta/element_stats.hpp"
#include "source_probe.hpp"

namespace deepbug::stream {

enum class SourceState { kCreated, kRunning, kStopping, kFinished };

class SourcePipeline {
 public:
  SourcePipeline(const StreamConfig& config, const SourceConfig& source, SourceInfo info,
                 std::string output_dir);
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
  GstElement* pipeline() const { return pipeline_; }

  std::uint64_t framesIn() const { return frames_in_; }
  std::uint64_t framesOut() const { return frames_out_; }
  double positionSeconds() const { return position_ns_ / 1e9; }
  double durationSeconds() const { return info_.duration_seconds; }
  double elapsedSeconds() const;
  nlohmann::json summary() const;
  // Counters for the status line and status.json (cheap; main loop).
  nlohmann::json status() const;

 private:
  GstElement* make(const char* factory, const char* name);
  void addArchiveInput();
  void startLiveInput();
  GstElement* buildAnalysisBranch();
  GstElement* buildExplainStage(GstElement* upstream);
  void cutEventClips();
  void buildOutputBranch(GstElement* upstream);
  GstElement* buildRecording(GstElement* upstream);  // returns the element frames are counted at
  GstElement* buildDisplay(GstElement* upstream);
  GstElement* makeMuxer(const char* name);
  std::string openSegment();
  void recordScores(GstBuffer* buffer);
  // Sends EOS into `element`'s sink pad: what is downstream of it finishes its files.
  void endStreamAt(GstElement* element, const std::string& reason);
  // deepbugclassify, deepbugexplain or deepbugoverlay (or something inside them).
  bool isAnalysisElement(GstObject* element) const;
  void warn(const std::string& message);
  bool fromInput(GstObject* element) const;

  static gchar* formatSegment(GstElement*, guint, gpointer self);
  static GstPadProbeReturn countIn(GstPad*, GstPadProbeInfo* info, gpointer self);
  static GstPadProbeReturn countOut(GstPad*, GstPadProbeInfo* info, gpointer self);
  static GstPadProbeReturn afterClassify(GstPad*, GstPadProbeInfo* info, gpointer self);
  static GstPadProbeReturn afterExplain(GstPad* pad, GstPadProbeInfo* info, gpointer self);
  static GstPadProbeReturn repairTimestamps(GstPad* pad, GstPadProbeInfo* info, gpointer self);
  GstPadProbeReturn repairTimestamp(GstPadProbeInfo* info);

  const StreamConfig& config_;
  SourceConfig source_;
  SourceInfo info_;
  std::string output_dir_;
  std::string video_path_;

  GstElement* pipeline_ = nullptr;
  GstElement* input_ = nullptr;  // archive sources; live ones: live_
  std::unique_ptr<LiveInput> live_;
  GstElement* entry_queue_ = nullptr;  // first element after the decoder
  GstElement* classify_ = nullptr;
  GstElement* explain_ = nullptr;
  GstElement* overlay_ = nullptr;
  GstElement* outputs_entry_ = nullptr;  // the queue before overlay, recording and display
  GstElement* after_overlay_ = nullptr;  // the first element of recording and display
  std::unique_ptr<ExplainOutputs> explain_outputs_;
  std::uint64_t clips_written_ = 0;

  SourceState state_ = SourceState::kCreated;
  std::string error_;
  std::string stop_reason_;
  std::vector<std::string> warnings_;
  std::uint64_t warnings_dropped_ = 0;  // beyond kMaxWarnings (a camera down for days)
  mutable std::mutex mutex_;            // warnings_, scores file

  std::atomic<std::uint64_t> frames_in_{0};
  std::atomic<std::uint64_t> frames_out_{0};
  std::atomic<std::int64_t> position_ns_{0};
  // Damaged files can decode to frames without (or with backwards) timestamps, which
  // muxers refuse: such frames get the previous timestamp plus one frame.
  GstClockTime last_pts_ = GST_CLOCK_TIME_NONE;
  std::uint64_t repaired_timestamps_ = 0;
  std::FILE* scores_ = nullptr;
  std::uint64_t scores_rows_ = 0;
  // Segmented recording (outputs.segment_seconds)
  std::string segment_extension_;
  std::string current_segment_;  // guarded by mutex_
  std::uint64_t segments_opened_ = 0;
  std::uint64_t segments_deleted_ = 0;
  gint64 start_ns_ = 0;
  gint64 end_ns_ = 0;
  // The elements' statistics, read when the source finishes.
  std::optional<gst::ClassifyStats> classify_stats_;
  std::optional<gst::OverlayStats> overlay_stats_;
  std::optional<gst::ExplainStats> explain_stats_;
};

}  // namespace deepbug::stream
