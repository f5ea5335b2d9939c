#include "source_pipeline.hpp"

#include <cmath>
#include <filesystem>
#include <fstream>
#include <limits>

#include <sys/resource.h>

#include "common/guarded.hpp"
#include "event_clips.hpp"
#include "meta/classification_meta.hpp"
#include "meta/element_stats.hpp"
#include "meta/explain_messages.hpp"
#include "meta/relevance_meta.hpp"
#include "source_input.hpp"

namespace deepbug::stream {
namespace fs = std::filesystem;
using nlohmann::json;

namespace {

constexpr std::size_t kMaxWarnings = 100;

std::string containerExtension(const std::string& container) {
  return container == "mkv" ? "mkv" : "mp4";
}

// An element's `stats` property, read back typed (meta/element_stats.hpp): a missing
// statistic throws instead of reading 0.
template <typename Stats>
Stats readStats(GstElement* element, Stats (*from)(const GstStructure*)) {
  GstStructure* structure = nullptr;
  g_object_get(element, "stats", &structure, nullptr);
  const gst::OwnedStructure owned(structure);
  return from(structure);
}

bool isWithin(GstObject* object, GstElement* element) {
  return element != nullptr &&
         (object == GST_OBJECT(element) || gst_object_has_as_ancestor(object, GST_OBJECT(element)));
}

void addBufferProbe(GstElement* element, const char* pad, GstPadProbeCallback probe,
                    gpointer data) {
  const gst::ObjectRef<GstPad> at = gst::staticPad(element, pad);
  gst_pad_add_probe(at.get(), GST_PAD_PROBE_TYPE_BUFFER, probe, data, nullptr);
}

}  // namespace

SourcePipeline::SourcePipeline(const StreamConfig& config, const SourceConfig& source,
                               SourceInfo info, std::string output_dir, SourceViewers viewers)
    : config_(config),
      source_(source),
      info_(info),
      output_dir_(std::move(output_dir)),
      viewers_(viewers) {}

SourcePipeline::~SourcePipeline() {
  if (pipeline_) gst_element_set_state(pipeline_.get(), GST_STATE_NULL);
}

void SourcePipeline::start() {
  fs::create_directories(output_dir_);
  const std::string extension = containerExtension(config_.outputs.container);
  video_path_ = (fs::path(output_dir_) / ("labelled." + extension)).string();
  if (config_.outputs.scores) {
    scores_ = std::make_unique<ScoresCsv>((fs::path(output_dir_) / "scores.csv").string());
  }
  if (config_.outputs.video && config_.outputs.segment_seconds > 0) {
    segments_ =
        std::make_unique<RecordingSegments>(output_dir_, extension, config_.outputs.retention);
  }
  pipeline_.reset(GST_ELEMENT(gst_object_ref_sink(gst_pipeline_new(source_.name.c_str()))));
  graph_ = buildSourceGraph(
      pipeline_.get(), config_, source_, info_,
      [this](const std::string& message) { warn(message); }, viewers_.live_frames);
  if (graph_.explain != nullptr) {
    explain_outputs_ = std::make_unique<ExplainOutputs>(output_dir_, source_.name, config_);
  }
  if (graph_.recording != nullptr) {
    recording_ = std::make_unique<Recording>(
        pipeline_.get(), config_, info_, video_path_,
        [this](guint fragment) { return nextSegment(fragment); }, viewers_.rtsp);
    recording_->attach(graph_.recording);
  }
  attachProbes();
  if (!source_.live) addArchiveInput();
  state_ = SourceState::kRunning;
  start_ns_ = g_get_monotonic_time() * 1000;
  if (gst_element_set_state(pipeline_.get(), GST_STATE_PLAYING) == GST_STATE_CHANGE_FAILURE) {
    // The bus carries the element's error message; handleMessage reports it.
    GST_WARNING("pipeline %s failed to start", source_.name.c_str());
  }
  if (source_.live) startLiveInput();
}

void SourcePipeline::attachProbes() {
  if (!source_.live) {  // live sources are re-stamped by LiveInput
    timestamps_ = std::make_unique<TimestampRepair>(info_.fps > 0 ? info_.fps : 25.0);
    addBufferProbe(graph_.entry, "sink", &SourcePipeline::repairTimestamps, this);
  }
  addBufferProbe(graph_.classify, "sink", &SourcePipeline::countIn, this);
  addBufferProbe(graph_.classify, "src", &SourcePipeline::afterClassify, this);
  if (graph_.explain != nullptr) {
    addBufferProbe(graph_.explain, "src", &SourcePipeline::afterExplain, this);
  }
  addBufferProbe(graph_.frames_out, graph_.frames_out_pad, &SourcePipeline::countOut, this);
}

void SourcePipeline::addArchiveInput() {
  input_ = makeSourceInput(source_, "input");
  gst_bin_add(GST_BIN(pipeline_.get()), input_);
  if (!gst_element_link(input_, graph_.entry)) {
    throw std::runtime_error("cannot link the input of '" + source_.name + "'");
  }
}

// Live inputs join a pipeline that is already PLAYING: a camera that is down at the
// start is then an outage like any other, and the rest of the pipeline runs anyway.
void SourcePipeline::startLiveInput() {
  LiveInput::Callbacks callbacks;
  callbacks.warn = [this](const std::string& message) { warn(message); };
  callbacks.give_up = [this](const std::string& reason) {
    if (error_.empty()) error_ = reason;
    requestStop("camera lost");
  };
  const gst::ObjectRef<GstPad> entry = gst::staticPad(graph_.entry, "sink");
  live_ = std::make_unique<LiveInput>(source_, config_.live.reconnect, pipeline_.get(), entry.get(),
                                      std::move(callbacks));
  live_->connect();
}

GstPadProbeReturn SourcePipeline::afterExplain(GstPad* pad, GstPadProbeInfo* info, gpointer data) {
  return gst::guarded(GST_PAD_PARENT(pad), "writing a snapshot", GST_PAD_PROBE_OK, [&] {
    auto* self = static_cast<SourcePipeline*>(data);
    GstBuffer* buffer = GST_PAD_PROBE_INFO_BUFFER(info);
    if (deepbug_buffer_get_relevance_meta(buffer) == nullptr) return GST_PAD_PROBE_OK;
    const gst::OwnedCaps caps(gst_pad_get_current_caps(pad));
    GstVideoInfo video;
    if (!caps || !gst_video_info_from_caps(&video, caps.get())) return GST_PAD_PROBE_OK;
    try {
      self->explain_outputs_->onBuffer(buffer, video);
    } catch (const std::exception& e) {
      self->warn(std::string("snapshot not written: ") + e.what());
    }
    return GST_PAD_PROBE_OK;
  });
}

// A streaming thread (splitmuxsink's format-location): nothing may escape. A segment that
// cannot be named properly is a warning; the recording goes on under a plain name.
std::string SourcePipeline::nextSegment(guint fragment) noexcept {
  try {
    std::vector<std::string> problems;
    const std::string path = segments_->open(std::chrono::system_clock::now(), problems);
    for (const std::string& problem : problems)
      warn(problem);
    return path;
  } catch (const std::exception& e) {
    warn(std::string("segment naming failed: ") + e.what());
    return (fs::path(output_dir_) / ("labelled-" + std::to_string(fragment) + "." +
                                     containerExtension(config_.outputs.container)))
        .string();
  }
}

GstPadProbeReturn SourcePipeline::countIn(GstPad*, GstPadProbeInfo*, gpointer self) {
  static_cast<SourcePipeline*>(self)->frames_in_ += 1;
  return GST_PAD_PROBE_OK;
}

GstPadProbeReturn SourcePipeline::countOut(GstPad*, GstPadProbeInfo*, gpointer self) {
  static_cast<SourcePipeline*>(self)->frames_out_ += 1;
  return GST_PAD_PROBE_OK;
}

GstPadProbeReturn SourcePipeline::repairTimestamps(GstPad* pad, GstPadProbeInfo* info,
                                                   gpointer data) {
  return gst::guarded(GST_PAD_PARENT(pad), "repairing timestamps", GST_PAD_PROBE_OK, [&] {
    auto* self = static_cast<SourcePipeline*>(data);
    GstBuffer* buffer = GST_PAD_PROBE_INFO_BUFFER(info);
    const std::uint64_t repaired_before = self->timestamps_->repaired();
    const GstClockTime pts = self->timestamps_->next(GST_BUFFER_PTS(buffer));
    if (pts == GST_BUFFER_PTS(buffer)) return GST_PAD_PROBE_OK;
    buffer = gst_buffer_make_writable(buffer);
    GST_BUFFER_PTS(buffer) = pts;
    GST_BUFFER_DTS(buffer) = GST_CLOCK_TIME_NONE;
    GST_PAD_PROBE_INFO_DATA(info) = buffer;
    if (repaired_before == 0) {
      self->warn("frame " + std::to_string(self->frames_in_.load()) +
                 " has no usable timestamp (damaged file?); such frames get the previous one "
                 "plus a frame");
    }
    return GST_PAD_PROBE_OK;
  });
}

GstPadProbeReturn SourcePipeline::afterClassify(GstPad* pad, GstPadProbeInfo* info, gpointer data) {
  return gst::guarded(GST_PAD_PARENT(pad), "writing scores.csv", GST_PAD_PROBE_OK, [&] {
    auto* self = static_cast<SourcePipeline*>(data);
    GstBuffer* buffer = GST_PAD_PROBE_INFO_BUFFER(info);
    const bool timed = GST_BUFFER_PTS_IS_VALID(buffer);
    if (timed) self->position_ns_ = static_cast<std::int64_t>(GST_BUFFER_PTS(buffer));
    const DeepbugClassificationMeta* meta = deepbug_buffer_get_classification_meta(buffer);
    if (self->scores_ && meta != nullptr && meta->result != nullptr) {
      self->scores_->record(
          *meta->result, timed ? static_cast<double>(GST_BUFFER_PTS(buffer)) / GST_SECOND : -1.0);
    }
    return GST_PAD_PROBE_OK;
  });
}

void SourcePipeline::warn(const std::string& message) {
  std::lock_guard lock(mutex_);
  if (warnings_.size() < kMaxWarnings) {
    warnings_.push_back(source_.redacted(message));
  } else {
    warnings_dropped_ += 1;
  }
}

void SourcePipeline::requestStop(const std::string& reason) {
  // EOS enters after the decoder: everything decoded so far is classified and encoded,
  // and the muxer finishes the file.
  endStreamAt(graph_.entry, reason);
}

void SourcePipeline::endStreamAt(GstElement* element, const std::string& reason) {
  if (state_ != SourceState::kRunning) return;
  state_ = SourceState::kStopping;
  stop_reason_ = reason;
  if (live_) live_->stop();
  const gst::ObjectRef<GstPad> sink = gst::staticPad(element, "sink");
  gst_pad_send_event(sink.get(), gst_event_new_eos());
}

ErrorOrigin SourcePipeline::originOf(GstObject* element) const {
  const bool input = live_ ? live_->owns(element) : isWithin(element, input_);
  if (input) return ErrorOrigin::kInput;
  if (isWithin(element, graph_.overlay)) return ErrorOrigin::kOverlay;
  if (isWithin(element, graph_.classify) || isWithin(element, graph_.explain)) {
    return ErrorOrigin::kAnalysis;
  }
  return ErrorOrigin::kOther;
}

bool SourcePipeline::handleMessage(GstMessage* message) {
  switch (GST_MESSAGE_TYPE(message)) {
    case GST_MESSAGE_ELEMENT: {
      const GstStructure* s = gst_message_get_structure(message);
      if (explain_outputs_ && s != nullptr) {
        if (gst_structure_has_name(s, gst::kExplainEventMessage)) explain_outputs_->onEvent(s);
        if (gst_structure_has_name(s, gst::kExplainFailureMessage)) explain_outputs_->onFailure(s);
      }
      return false;
    }
    case GST_MESSAGE_EOS:
      end_ns_ = g_get_monotonic_time() * 1000;
      return true;
    case GST_MESSAGE_ERROR:
      return onError(message);
    case GST_MESSAGE_LATENCY:  // a reconnected camera may bring another latency
      gst_bin_recalculate_latency(GST_BIN(pipeline_.get()));
      return false;
    case GST_MESSAGE_WARNING: {
      if (live_ && live_->stale(GST_MESSAGE_SRC(message))) return false;
      GError* err = nullptr;
      gst_message_parse_warning(message, &err, nullptr);
      const gst::OwnedError owned(err);
      warn(std::string(GST_OBJECT_NAME(GST_MESSAGE_SRC(message))) + ": " +
           (err ? err->message : "warning"));
      return false;
    }
    default:
      return false;
  }
}

bool SourcePipeline::onError(GstMessage* message) {
  GstObject* origin = GST_MESSAGE_SRC(message);
  if (live_ && live_->stale(origin)) return false;  // an input already replaced
  GError* err = nullptr;
  gchar* debug = nullptr;
  gst_message_parse_error(message, &err, &debug);
  const gst::OwnedError owned_err(err);
  const gst::OwnedText owned_debug(debug);
  const ErrorOrigin from = originOf(origin);
  std::string text = err ? err->message : "unknown error";
  if (from == ErrorOrigin::kInput) {
    text =
        (source_.live ? "'" + source_.display_uri + "'" : "decoding '" + source_.location + "'") +
        " stopped after " + std::to_string(frames_in_.load()) + " frames: " + text;
  } else {
    text = std::string(GST_OBJECT_NAME(origin)) + ": " + text;
  }
  if (debug != nullptr && std::string(debug).find("hint") != std::string::npos) {
    text += " (" + std::string(debug) + ")";
  }
  text = source_.redacted(text);
  if (from == ErrorOrigin::kInput && live_ && live_->onInputError(text)) return false;  // outage

  ErrorSituation situation;
  situation.origin = from;
  situation.live = source_.live;
  situation.running = state_ == SourceState::kRunning;
  situation.stopping = state_ == SourceState::kStopping;
  situation.decoded_frames = frames_in_ > 0;
  situation.has_output_branch = graph_.outputs_entry != nullptr;
  const ErrorResponse response = respondToError(situation);
  if (response == ErrorResponse::kIgnore) return false;
  if (error_.empty()) error_ = text;
  switch (response) {
    case ErrorResponse::kEndAtInput:
      requestStop(source_.live ? "input error" : "decoder error");
      return false;
    case ErrorResponse::kEndAfterAnalysis:
      endStreamAt(graph_.outputs_entry, "analysis error");
      return false;
    case ErrorResponse::kEndAfterOverlay:
      endStreamAt(graph_.after_overlay, "analysis error");
      return false;
    case ErrorResponse::kIgnore:
    case ErrorResponse::kStop:
      break;
  }
  end_ns_ = g_get_monotonic_time() * 1000;
  return true;
}

double SourcePipeline::elapsedSeconds() const {
  if (start_ns_ == 0) return 0;
  const gint64 end = end_ns_ != 0 ? end_ns_ : g_get_monotonic_time() * 1000;
  return static_cast<double>(end - start_ns_) / 1e9;
}

void SourcePipeline::finish(bool interrupted) {
  if (state_ == SourceState::kFinished) return;
  if (end_ns_ == 0) end_ns_ = g_get_monotonic_time() * 1000;
  if (live_) live_->stop();
  classify_stats_ = readStats(graph_.classify, gst::classifyStatsFrom);
  if (graph_.overlay) overlay_stats_ = readStats(graph_.overlay, gst::overlayStatsFrom);
  if (graph_.explain) {
    // Event messages still on the bus (posted just before an interrupted stop) are
    // written too; the bus is flushed when the pipeline goes to NULL.
    const gst::ObjectRef<GstBus> bus(gst_element_get_bus(pipeline_.get()));
    while (GstMessage* message = gst_bus_pop_filtered(bus.get(), GST_MESSAGE_ELEMENT)) {
      const gst::OwnedMessage owned(message);
      handleMessage(message);
    }
  }
  gst_element_set_state(pipeline_.get(), GST_STATE_NULL);
  if (graph_.explain) {
    // Read after the element stopped: live work in flight has been dropped and counted.
    explain_stats_ = readStats(graph_.explain, gst::explainStatsFrom);
    explain_outputs_->finish();
    cutEventClips();
  }
  state_ = SourceState::kFinished;
  if (scores_) scores_->close();
  if (error_.empty() && !interrupted && frames_in_ != frames_out_) {
    error_ = "frames in (" + std::to_string(frames_in_) + ") and out (" +
             std::to_string(frames_out_) + ") differ";
  }
  json s = summary();
  s["interrupted"] = interrupted;
  const fs::path path = fs::path(output_dir_) / "summary.json";
  const fs::path tmp = path.string() + ".tmp";
  std::ofstream(tmp) << s.dump(1) << "\n";
  fs::rename(tmp, path);
}

void SourcePipeline::abandon(const std::string& cause) noexcept {
  if (state_ == SourceState::kFinished) return;
  if (error_.empty()) error_ = cause;
  if (pipeline_) gst_element_set_state(pipeline_.get(), GST_STATE_NULL);
  if (scores_) scores_->close();
  state_ = SourceState::kFinished;
}

// After the recording is final: a clip per event, pre- and post-roll included.
void SourcePipeline::cutEventClips() {
  const ExplainConfig& e = config_.explain;
  if (!config_.cutsEventClips()) {
    if (e.clips && config_.outputs.video && !explain_outputs_->eventSpans().empty()) {
      warn("event clips are not cut from segmented recordings; the segments hold the events");
    }
    return;
  }
  if (!fs::exists(video_path_)) return;
  // Clips come from the first file; an event that reaches into a later one (the picture
  // size changed) is in that file, uncut.
  const std::vector<double> later = recording_->laterFileStarts();
  const double first_file_end =
      later.empty() ? std::numeric_limits<double>::infinity() : later.front();
  std::vector<ClipRequest> requests;
  for (const auto& span : explain_outputs_->eventSpans()) {
    if (span.end_seconds >= first_file_end) {
      warn("clip of event " + std::to_string(span.id) +
           " not cut: the picture size changed, the event is in " +
           fs::path(recording_->files().back()).filename().string());
      continue;
    }
    requests.push_back({span.id, span.start_seconds - e.clip_pre_roll,
                        std::min(span.end_seconds + e.clip_post_roll, first_file_end)});
  }
  for (const ClipResult& clip : cutClips(video_path_, (fs::path(output_dir_) / "clips").string(),
                                         requests, config_.outputs.encoder.keyframe_seconds)) {
    if (clip.error.empty()) {
      clips_written_ += 1;
    } else {
      warn("clip of event " + std::to_string(clip.event_id) + " not written: " + clip.error);
    }
  }
}

json SourcePipeline::summary() const {
  const double elapsed = elapsedSeconds();
  json s{{"source", source_.name},
         {"uri", source_.display_uri},
         {"mode", source_.live ? "live" : "archive"},
         {"output_directory", output_dir_},
         {"model", config_.model.model_path},
         {"frames_in", frames_in_.load()},
         {"frames_out", frames_out_.load()},
         {"scores_rows", scores_ ? scores_->rows() : 0},
         {"repaired_timestamps", timestamps_ ? timestamps_->repaired() : 0},
         {"wall_seconds", elapsed},
         {"fps", elapsed > 0 ? frames_out_.load() / elapsed : 0.0},
         {"source_info",
          {{"width", info_.width},
           {"height", info_.height},
           {"fps", info_.fps},
           {"duration_seconds", info_.duration_seconds},
           {"has_audio", info_.has_audio}}},
         {"stages", json::object()}};
  if (source_.kind == SourceKind::kFile) s["file"] = source_.location;
  if (classify_stats_) {
    s["stages"]["classify"] = gst::toJson(*classify_stats_);
    s["frames_classified"] = classify_stats_->classified;
    s["frames_skipped"] = classify_stats_->skipped;
  }
  if (overlay_stats_) s["stages"]["overlay"] = gst::toJson(*overlay_stats_);
  if (live_) s["live"] = live_->summary();
  if (explain_stats_) {
    const gst::ExplainStats& e = *explain_stats_;
    s["stages"]["explain"] = gst::toJson(e);
    s["explain"] = {{"mode", e.mode},
                    {"frames_selected", e.selected},
                    {"frames_explained", e.explained},
                    {"frames_skipped", e.skipped},
                    {"frames_dropped_at_end", e.dropped},
                    {"failed", e.failed},
                    {"events", e.events},
                    {"explain_seconds_per_frame",
                     e.explained ? e.explain_seconds / static_cast<double>(e.explained) : 0.0},
                    {"latency_p50_seconds", e.latency_p50},
                    {"latency_p95_seconds", e.latency_p95},
                    {"peak_frames_held", e.peak_held},
                    {"snapshots", explain_outputs_ ? explain_outputs_->snapshotsWritten() : 0},
                    {"events_written", explain_outputs_ ? explain_outputs_->eventsWritten() : 0},
                    {"clips", clips_written_}};
  }
  rusage usage{};
  getrusage(RUSAGE_SELF, &usage);
  s["peak_memory_mib"] = static_cast<double>(usage.ru_maxrss) / 1024.0;  // whole process
  if (!stop_reason_.empty()) s["stop_reason"] = stop_reason_;
  if (segments_) {
    s["segments"] = segments_->summary();
  } else if (recording_) {
    s["video"] = video_path_;
    s["files"] = recording_->files();  // more than one when the picture size changed
  }
  {
    std::lock_guard lock(mutex_);
    s["warnings"] = warnings_;
    if (warnings_dropped_ > 0) s["warnings_not_listed"] = warnings_dropped_;
  }
  s["error"] = error_.empty() ? json(nullptr) : json(error_);
  return s;
}

json SourcePipeline::status() const {
  const gst::ClassifyStats classify =
      classify_stats_ ? *classify_stats_ : readStats(graph_.classify, gst::classifyStatsFrom);
  json s{{"source", source_.name},
         {"uri", source_.display_uri},
         {"mode", source_.live ? "live" : "archive"},
         {"state", state_ == SourceState::kRunning    ? "running"
                   : state_ == SourceState::kStopping ? "stopping"
                   : failed()                         ? "failed"
                                                      : "finished"},
         {"frames_in", frames_in_.load()},
         {"frames_out", frames_out_.load()},
         {"frames_classified", classify.classified},
         {"frames_skipped", classify.skipped},
         {"batches", classify.batches},
         {"classify_seconds", classify.preprocess_seconds + classify.inference_seconds},
         {"position_seconds", positionSeconds()},
         {"wall_seconds", elapsedSeconds()}};
  if (viewers_.rtsp != nullptr) s["rtsp"] = viewers_.rtsp->url();
  if (viewers_.live_frames != nullptr)
    s["live_viewers"] = viewers_.live_frames->viewers(source_.name);
  if (live_) {
    s["input"] = live_->state();
    s["reconnects"] = live_->reconnects();
    s["outage_seconds"] = live_->outageSeconds();
  }
  if (!error_.empty()) s["error"] = error_;
  return s;
}

}  // namespace deepbug::stream
