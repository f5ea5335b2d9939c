#include "source_pipeline.hpp"

#include <cmath>
#include <filesystem>
#include <fstream>

#include <sys/resource.h>

#include "common/gobject_settings.hpp"
#include "common/guarded.hpp"
#include "core/error.hpp"
#include "core/thread_budget.hpp"
#include "display_sink.hpp"
#include "element_config.hpp"
#include "event_clips.hpp"
#include "meta/classification_meta.hpp"
#include "meta/element_stats.hpp"
#include "meta/explain_messages.hpp"
#include "meta/relevance_meta.hpp"
#include "segment_files.hpp"
#include "source_input.hpp"

namespace deepbug::stream {
namespace fs = std::filesystem;
using nlohmann::json;

namespace {

constexpr std::size_t kMaxWarnings = 100;

// Every queue holds up to a few frames and blocks when full: the file mode never drops.
void configureQueue(GstElement* queue, guint buffers) {
  g_object_set(queue, "max-size-buffers", buffers, "max-size-bytes", 0u, "max-size-time",
               guint64{0}, nullptr);
}

std::string containerExtension(const std::string& container) {
  return container == "mkv" ? "mkv" : "mp4";
}

// An element's `stats` property, read back typed (meta/element_stats.hpp): a missing
// statistic throws instead of reading 0.
template <typename Stats>
Stats readStats(GstElement* element, Stats (*from)(const GstStructure*)) {
  GstStructure* structure = nullptr;
  g_object_get(element, "stats", &structure, nullptr);
  const std::unique_ptr<GstStructure, decltype(&gst_structure_free)> owned(structure,
                                                                           gst_structure_free);
  return from(structure);
}

}  // namespace

SourcePipeline::SourcePipeline(const StreamConfig& config, const SourceConfig& source,
                               SourceInfo info, std::string output_dir)
    : config_(config), source_(source), info_(info), output_dir_(std::move(output_dir)) {}

SourcePipeline::~SourcePipeline() {
  if (pipeline_ != nullptr) {
    gst_element_set_state(pipeline_, GST_STATE_NULL);
    gst_object_unref(pipeline_);
  }
  if (scores_ != nullptr) std::fclose(scores_);
}

GstElement* SourcePipeline::make(const char* factory, const char* name) {
  GstElement* element = makeElement(factory, name);
  gst_bin_add(GST_BIN(pipeline_), element);
  return element;
}

void SourcePipeline::addArchiveInput() {
  input_ = makeSourceInput(source_, "input");
  gst_bin_add(GST_BIN(pipeline_), input_);
  if (!gst_element_link(input_, entry_queue_)) {
    throw std::runtime_error("cannot link the input of '" + source_.name + "'");
  }
}

// Live inputs join a pipeline that is already PLAYING: a camera that is down at the
// start is then an outage like any other, and the rest of the pipeline runs anyway.
void SourcePipeline::startLiveInput() {
  GstPad* entry = gst_element_get_static_pad(entry_queue_, "sink");
  LiveInput::Callbacks callbacks;
  callbacks.warn = [this](const std::string& message) { warn(message); };
  callbacks.give_up = [this](const std::string& reason) {
    if (error_.empty()) error_ = reason;
    requestStop("camera lost");
  };
  live_ = std::make_unique<LiveInput>(source_, config_.live.reconnect, pipeline_, entry,
                                      std::move(callbacks));
  gst_object_unref(entry);
  live_->connect();
}

GstElement* SourcePipeline::buildAnalysisBranch() {
  entry_queue_ = make("queue", "decoded");
  if (source_.live) {
    // Room for the frames that arrive while a batch is classified: the classifier
    // skips late frames to catch up, so this queue drains instead of dropping.
    const auto seconds = std::max(3.0, 3 * config_.live.max_lag);
    g_object_set(entry_queue_, "max-size-buffers", 0u, "max-size-bytes", 0u, "max-size-time",
                 static_cast<guint64>(seconds * GST_SECOND), nullptr);
  } else {
    configureQueue(entry_queue_, 8);
  }
  GstElement* convert = make("videoconvert", "to_rgb");
  GstElement* rgb = make("capsfilter", "rgb");
  GstCaps* caps = gst_caps_from_string("video/x-raw, format=RGB");
  g_object_set(rgb, "caps", caps, nullptr);
  gst_caps_unref(caps);

  classify_ = make("deepbugclassify", "classify");
  gst::applySettings(classify_, gst::classifySettingsTable(),
                     classifySettingsFor(config_, source_));

  if (!gst_element_link_many(entry_queue_, convert, rgb, classify_, nullptr)) {
    throw std::runtime_error("cannot link the analysis branch of '" + source_.name + "'");
  }
  if (!source_.live) {  // live sources are re-stamped by LiveInput
    GstPad* entry = gst_element_get_static_pad(entry_queue_, "sink");
    gst_pad_add_probe(entry, GST_PAD_PROBE_TYPE_BUFFER, &SourcePipeline::repairTimestamps, this,
                      nullptr);
    gst_object_unref(entry);
  }
  GstPad* in = gst_element_get_static_pad(classify_, "sink");
  gst_pad_add_probe(in, GST_PAD_PROBE_TYPE_BUFFER, &SourcePipeline::countIn, this, nullptr);
  gst_object_unref(in);
  GstPad* out = gst_element_get_static_pad(classify_, "src");
  gst_pad_add_probe(out, GST_PAD_PROBE_TYPE_BUFFER, &SourcePipeline::afterClassify, this, nullptr);
  gst_object_unref(out);
  return config_.explain.enabled ? buildExplainStage(classify_) : classify_;
}

GstElement* SourcePipeline::buildExplainStage(GstElement* upstream) {
  explain_ = make("deepbugexplain", "explain");
  gst::applySettings(explain_, gst::explainSettingsTable(), explainSettingsFor(config_, source_));
  if (!gst_element_link(upstream, explain_)) {
    throw std::runtime_error("cannot link the explain stage of '" + source_.name + "'");
  }
  explain_outputs_ = std::make_unique<ExplainOutputs>(output_dir_, source_.name, config_);
  GstPad* out = gst_element_get_static_pad(explain_, "src");
  gst_pad_add_probe(out, GST_PAD_PROBE_TYPE_BUFFER, &SourcePipeline::afterExplain, this, nullptr);
  gst_object_unref(out);
  return explain_;
}

GstPadProbeReturn SourcePipeline::afterExplain(GstPad* pad, GstPadProbeInfo* info, gpointer data) {
  auto* self = static_cast<SourcePipeline*>(data);
  GstBuffer* buffer = GST_PAD_PROBE_INFO_BUFFER(info);
  if (deepbug_buffer_get_relevance_meta(buffer) == nullptr) return GST_PAD_PROBE_OK;
  GstCaps* caps = gst_pad_get_current_caps(pad);
  GstVideoInfo video;
  const bool known = caps != nullptr && gst_video_info_from_caps(&video, caps);
  if (caps != nullptr) gst_caps_unref(caps);
  if (!known) return GST_PAD_PROBE_OK;
  try {
    self->explain_outputs_->onBuffer(buffer, video);
  } catch (const std::exception& e) {
    self->warn(std::string("snapshot not written: ") + e.what());
  }
  return GST_PAD_PROBE_OK;
}

void SourcePipeline::buildOutputBranch(GstElement* upstream) {
  const OutputsConfig& outputs = config_.outputs;
  GstElement* counted = nullptr;  // frames entering it are the frames out
  if (!outputs.video && !outputs.display) {
    counted = make("fakesink", "discard");
    g_object_set(counted, "sync", FALSE, "async", FALSE, nullptr);
    gst_element_link(upstream, counted);
  } else {
    GstElement* queue = make("queue", "classified");
    configureQueue(queue, 8);
    outputs_entry_ = queue;
    GstElement* tail = queue;
    if (config_.overlay.enabled) {
      overlay_ = make("deepbugoverlay", "overlay");
      gst::applySettings(overlay_, gst::overlaySettingsTable(), overlaySettingsFor(config_));
      gst_element_link(tail, overlay_);
      tail = overlay_;
    }
    if (!gst_element_link(upstream, queue)) {
      throw std::runtime_error("cannot link the output branch of '" + source_.name + "'");
    }
    if (outputs.video && outputs.display) {
      GstElement* split = make("tee", "split");
      gst_element_link(tail, split);
      counted = buildRecording(split);
      buildDisplay(split);
      after_overlay_ = split;
    } else if (outputs.video) {
      counted = buildRecording(tail);
      after_overlay_ = counted;
    } else {
      counted = buildDisplay(tail);
      after_overlay_ = counted;
    }
  }
  GstPad* pad = gst_element_get_static_pad(counted, "sink");
  gst_pad_add_probe(pad, GST_PAD_PROBE_TYPE_BUFFER, &SourcePipeline::countOut, this, nullptr);
  gst_object_unref(pad);
}

// Not added to the pipeline: splitmuxsink takes it as its own.
GstElement* SourcePipeline::makeMuxer(const char* name) {
  if (config_.outputs.container == "mkv") return makeElement("matroskamux", name);
  GstElement* mux = makeElement("mp4mux", name);
  if (config_.outputs.container == "fragmented-mp4") {
    // A fragment per second: a killed run leaves a file readable to the last one.
    g_object_set(mux, "fragment-duration", 1000u, nullptr);
  }
  return mux;
}

GstElement* SourcePipeline::buildRecording(GstElement* upstream) {
  GstElement* encode_queue = make("queue", "to_encode");
  configureQueue(encode_queue, 8);
  GstElement* convert = make("videoconvert", "to_yuv");
  GstElement* encoder = make("x264enc", "encode");
  const EncoderConfig& e = config_.outputs.encoder;
  const double fps = info_.fps > 0 ? info_.fps : 25.0;
  g_object_set(encoder, "key-int-max",
               static_cast<guint>(std::max(1.0, std::round(fps * e.keyframe_seconds))), nullptr);
  gst_util_set_object_arg(G_OBJECT(encoder), "speed-preset", e.preset.c_str());
  if (e.bitrate_kbps > 0) {
    g_object_set(encoder, "bitrate", static_cast<guint>(e.bitrate_kbps), nullptr);
  } else {
    gst_util_set_object_arg(G_OBJECT(encoder), "pass", "quant");
    g_object_set(encoder, "quantizer", static_cast<guint>(e.quality), nullptr);
  }
  GstElement* parse = make("h264parse", "parse");
  GstElement* mux = makeMuxer("mux");
  GstElement* output = mux;  // what the parser feeds
  if (config_.outputs.segment_seconds > 0) {
    output = make("splitmuxsink", "segments");
    g_object_set(output, "muxer", mux, "max-size-time",
                 static_cast<guint64>(config_.outputs.segment_seconds * GST_SECOND),
                 "send-keyframe-requests", TRUE, nullptr);
    g_signal_connect(output, "format-location", G_CALLBACK(&SourcePipeline::formatSegment), this);
  } else {
    gst_bin_add(GST_BIN(pipeline_), mux);
    GstElement* file = make("filesink", "file");
    g_object_set(file, "location", video_path_.c_str(), "async", FALSE, nullptr);
    gst_element_link(mux, file);
  }
  if (!gst_element_link_many(upstream, encode_queue, convert, encoder, parse, output, nullptr)) {
    throw std::runtime_error("cannot link the encoding branch of '" + source_.name + "'");
  }
  return encoder;
}

// The labelled stream in a window. Its queue drops frames the window cannot show in
// time; the recording beside it keeps them all.
GstElement* SourcePipeline::buildDisplay(GstElement* upstream) {
  GstElement* queue = make("queue", "to_display");
  g_object_set(queue, "max-size-buffers", 2u, "max-size-bytes", 0u, "max-size-time", guint64{0},
               nullptr);
  gst_util_set_object_arg(G_OBJECT(queue), "leaky", "downstream");
  GstElement* convert = make("videoconvert", "display_convert");
  const std::string& factory = config_.outputs.display_sink;
  GstElementFactory* known = gst_element_factory_find(factory.c_str());
  if (known == nullptr) {
    throw ConfigError("outputs.display_sink: no GStreamer element '" + factory + "'",
                      "use autovideosink, xvimagesink, fakesink...");
  }
  gst_object_unref(known);
  DisplaySink display = openDisplaySink(factory);
  if (display.sink == nullptr) {
    warn("outputs.display: " + display.problem +
         "; the labelled stream is not shown, recording and inference go on");
    display.sink = makeElement("fakesink", "display");
  }
  GstElement* sink = display.sink;
  gst_bin_add(GST_BIN(pipeline_), sink);
  if (g_object_class_find_property(G_OBJECT_GET_CLASS(sink), "sync") != nullptr) {
    g_object_set(sink, "sync", FALSE, nullptr);  // show frames as they come, never wait
  }
  if (g_object_class_find_property(G_OBJECT_GET_CLASS(sink), "async") != nullptr) {
    g_object_set(sink, "async", FALSE, nullptr);
  }
  if (!gst_element_link_many(upstream, queue, convert, sink, nullptr)) {
    throw std::runtime_error("cannot link the display of '" + source_.name + "'");
  }
  return queue;
}

gchar* SourcePipeline::formatSegment(GstElement*, guint fragment, gpointer data) {
  auto* self = static_cast<SourcePipeline*>(data);
  try {
    return g_strdup(self->openSegment().c_str());
  } catch (const std::exception& e) {  // a streaming thread: nothing may escape
    self->warn(std::string("segment naming failed: ") + e.what());
    const std::string fallback =
        (fs::path(self->output_dir_) /
         ("labelled-" + std::to_string(fragment) + "." + self->segment_extension_))
            .string();
    return g_strdup(fallback.c_str());
  }
}

// Streaming thread: names the next segment after the wall clock, then applies the
// retention limits to the segments before it.
std::string SourcePipeline::openSegment() {
  const auto now = std::chrono::system_clock::now();
  const std::string path = uniqueSegmentPath(output_dir_, "labelled", now, segment_extension_);
  const RetentionConfig& limits = config_.outputs.retention;
  RetentionResult retention;
  if (limits.max_age_hours > 0 || limits.max_size_mib > 0) {
    RetentionPolicy policy;
    policy.max_age_seconds = limits.max_age_hours * 3600;
    policy.max_total_bytes = static_cast<std::uint64_t>(limits.max_size_mib * 1024 * 1024);
    std::string finished;  // the segment just closed: never deleted, whatever its name
    {
      std::lock_guard lock(mutex_);
      finished = current_segment_;
    }
    retention = applyRetention(output_dir_, "labelled", segment_extension_, policy, now, finished);
  }
  {
    std::lock_guard lock(mutex_);
    current_segment_ = path;
    segments_opened_ += 1;
    segments_deleted_ += retention.deleted.size();
  }
  for (const std::string& error : retention.errors)
    warn("retention: " + error);
  return path;
}

void SourcePipeline::start() {
  fs::create_directories(output_dir_);
  segment_extension_ = containerExtension(config_.outputs.container);
  video_path_ = (fs::path(output_dir_) / ("labelled." + segment_extension_)).string();
  if (config_.outputs.scores) {
    const std::string path = (fs::path(output_dir_) / "scores.csv").string();
    scores_ = std::fopen(path.c_str(), "w");
    if (scores_ == nullptr) throw std::runtime_error("cannot write '" + path + "'");
  }
  pipeline_ = gst_pipeline_new(source_.name.c_str());
  gst_object_ref_sink(pipeline_);
  buildOutputBranch(buildAnalysisBranch());
  if (!source_.live) addArchiveInput();
  state_ = SourceState::kRunning;
  start_ns_ = g_get_monotonic_time() * 1000;
  if (gst_element_set_state(pipeline_, GST_STATE_PLAYING) == GST_STATE_CHANGE_FAILURE) {
    // The bus carries the element's error message; handleMessage reports it.
    GST_WARNING("pipeline %s failed to start", source_.name.c_str());
  }
  if (source_.live) startLiveInput();
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
  return gst::guarded(GST_PAD_PARENT(pad), "repairing timestamps", GST_PAD_PROBE_OK,
                      [&] { return static_cast<SourcePipeline*>(data)->repairTimestamp(info); });
}

GstPadProbeReturn SourcePipeline::repairTimestamp(GstPadProbeInfo* info) {
  GstBuffer* buffer = GST_PAD_PROBE_INFO_BUFFER(info);
  const GstClockTime pts = GST_BUFFER_PTS(buffer);
  const bool monotonic =
      !GST_CLOCK_TIME_IS_VALID(last_pts_) || (GST_CLOCK_TIME_IS_VALID(pts) && pts > last_pts_);
  if (GST_CLOCK_TIME_IS_VALID(pts) && monotonic) {
    last_pts_ = pts;
    return GST_PAD_PROBE_OK;
  }
  const double fps = info_.fps > 0 ? info_.fps : 25.0;
  const auto frame = static_cast<GstClockTime>(GST_SECOND / fps);
  buffer = gst_buffer_make_writable(buffer);
  GST_BUFFER_PTS(buffer) = GST_CLOCK_TIME_IS_VALID(last_pts_) ? last_pts_ + frame : 0;
  GST_BUFFER_DTS(buffer) = GST_CLOCK_TIME_NONE;
  last_pts_ = GST_BUFFER_PTS(buffer);
  GST_PAD_PROBE_INFO_DATA(info) = buffer;
  if (repaired_timestamps_++ == 0) {
    warn("frame " + std::to_string(frames_in_.load()) +
         " has no usable timestamp (damaged file?); such frames get the previous one plus "
         "a frame");
  }
  return GST_PAD_PROBE_OK;
}

GstPadProbeReturn SourcePipeline::afterClassify(GstPad* pad, GstPadProbeInfo* info, gpointer self) {
  return gst::guarded(GST_PAD_PARENT(pad), "writing scores.csv", GST_PAD_PROBE_OK, [&] {
    static_cast<SourcePipeline*>(self)->recordScores(GST_PAD_PROBE_INFO_BUFFER(info));
    return GST_PAD_PROBE_OK;
  });
}

void SourcePipeline::recordScores(GstBuffer* buffer) {
  if (GST_BUFFER_PTS_IS_VALID(buffer))
    position_ns_ = static_cast<std::int64_t>(GST_BUFFER_PTS(buffer));
  if (scores_ == nullptr) return;
  const DeepbugClassificationMeta* meta = deepbug_buffer_get_classification_meta(buffer);
  if (meta == nullptr || meta->result == nullptr) return;
  const gst::ClassificationResult& r = *meta->result;
  std::lock_guard lock(mutex_);
  if (scores_rows_ == 0) {
    std::fputs("pts_seconds,frame,classified,top_label", scores_);
    for (const std::string& label : r.labels)
      std::fprintf(scores_, ",%s", label.c_str());
    std::fputc('\n', scores_);
  }
  const double pts = GST_BUFFER_PTS_IS_VALID(buffer)
                         ? static_cast<double>(GST_BUFFER_PTS(buffer)) / GST_SECOND
                         : -1.0;
  std::fprintf(scores_, "%.6f,%llu,%d,%s", pts, static_cast<unsigned long long>(scores_rows_),
               r.classified ? 1 : 0, r.topLabel().c_str());
  for (float score : r.scores)
    std::fprintf(scores_, ",%.6f", score);
  std::fputc('\n', scores_);
  ++scores_rows_;
}

void SourcePipeline::warn(const std::string& message) {
  std::lock_guard lock(mutex_);
  if (warnings_.size() < kMaxWarnings) {
    warnings_.push_back(source_.redacted(message));
  } else {
    warnings_dropped_ += 1;
  }
}

bool SourcePipeline::fromInput(GstObject* element) const {
  if (live_) return live_->owns(element);
  return input_ != nullptr && gst_object_has_as_ancestor(element, GST_OBJECT(input_));
}

void SourcePipeline::requestStop(const std::string& reason) {
  // EOS enters after the decoder: everything decoded so far is classified and encoded,
  // and the muxer finishes the file.
  endStreamAt(entry_queue_, reason);
}

void SourcePipeline::endStreamAt(GstElement* element, const std::string& reason) {
  if (state_ != SourceState::kRunning) return;
  state_ = SourceState::kStopping;
  stop_reason_ = reason;
  if (live_) live_->stop();
  GstPad* sink = gst_element_get_static_pad(element, "sink");
  gst_pad_send_event(sink, gst_event_new_eos());
  gst_object_unref(sink);
}

bool SourcePipeline::isAnalysisElement(GstObject* element) const {
  for (GstElement* analysis : {classify_, explain_, overlay_}) {
    if (analysis != nullptr && (element == GST_OBJECT(analysis) ||
                                gst_object_has_as_ancestor(element, GST_OBJECT(analysis)))) {
      return true;
    }
  }
  return false;
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
    case GST_MESSAGE_ERROR: {
      GstObject* origin = GST_MESSAGE_SRC(message);
      if (live_ && live_->stale(origin)) return false;  // an input already replaced
      GError* err = nullptr;
      gchar* debug = nullptr;
      gst_message_parse_error(message, &err, &debug);
      const bool from_input = fromInput(origin);
      std::string text = err ? err->message : "unknown error";
      if (from_input) {
        text = (source_.live ? "'" + source_.display_uri + "'"
                             : "decoding '" + source_.location + "'") +
               " stopped after " + std::to_string(frames_in_.load()) + " frames: " + text;
      } else {
        text = std::string(GST_OBJECT_NAME(origin)) + ": " + text;
      }
      if (debug != nullptr && std::string(debug).find("hint") != std::string::npos) {
        text += " (" + std::string(debug) + ")";
      }
      text = source_.redacted(text);
      g_clear_error(&err);
      g_free(debug);
      if (from_input && live_ && live_->onInputError(text)) return false;  // an outage
      // The input complaining while the source stops (a camera torn down, a demuxer whose
      // downstream failed first): the EOS is on its way.
      if (from_input && state_ == SourceState::kStopping) return false;
      if (error_.empty()) error_ = text;
      // A decoder failure still leaves everything decoded before it: end the branch
      // cleanly so the file is finished. So does a failure of an analysis element.
      // Anything else (the encoder, the muxer, the disk) stops the pipeline.
      if (from_input && state_ == SourceState::kRunning && (frames_in_ > 0 || live_)) {
        requestStop(source_.live ? "input error" : "decoder error");
        return false;
      }
      // Classification, explanation or the overlay failed: the branch after the failed
      // element is intact, so EOS into it finishes the file with every frame that reached
      // it. (Not into the queue before a failed overlay: a queue whose downstream failed
      // refuses EOS.)
      if (isAnalysisElement(origin) && outputs_entry_ != nullptr &&
          state_ == SourceState::kRunning) {
        const bool overlay_failed =
            overlay_ != nullptr && (origin == GST_OBJECT(overlay_) ||
                                    gst_object_has_as_ancestor(origin, GST_OBJECT(overlay_)));
        endStreamAt(overlay_failed ? after_overlay_ : outputs_entry_, "analysis error");
        return false;
      }
      end_ns_ = g_get_monotonic_time() * 1000;
      return true;
    }
    case GST_MESSAGE_LATENCY:  // a reconnected camera may bring another latency
      gst_bin_recalculate_latency(GST_BIN(pipeline_));
      return false;
    case GST_MESSAGE_WARNING: {
      if (live_ && live_->stale(GST_MESSAGE_SRC(message))) return false;
      GError* err = nullptr;
      gst_message_parse_warning(message, &err, nullptr);
      warn(std::string(GST_OBJECT_NAME(GST_MESSAGE_SRC(message))) + ": " +
           (err ? err->message : "warning"));
      g_clear_error(&err);
      return false;
    }
    default:
      return false;
  }
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
  classify_stats_ = readStats(classify_, gst::classifyStatsFrom);
  if (overlay_) overlay_stats_ = readStats(overlay_, gst::overlayStatsFrom);
  if (explain_) {
    // Event messages still on the bus (posted just before an interrupted stop) are
    // written too; the bus is flushed when the pipeline goes to NULL.
    GstBus* bus = gst_element_get_bus(pipeline_);
    while (GstMessage* message = gst_bus_pop_filtered(bus, GST_MESSAGE_ELEMENT)) {
      handleMessage(message);
      gst_message_unref(message);
    }
    gst_object_unref(bus);
  }
  gst_element_set_state(pipeline_, GST_STATE_NULL);
  if (explain_) {
    // Read after the element stopped: live work in flight has been dropped and counted.
    explain_stats_ = readStats(explain_, gst::explainStatsFrom);
    explain_outputs_->finish();
    cutEventClips();
  }
  state_ = SourceState::kFinished;
  if (scores_ != nullptr) {
    std::fclose(scores_);
    scores_ = nullptr;
  }
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
  gst_element_set_state(pipeline_, GST_STATE_NULL);
  if (scores_ != nullptr) {
    std::fclose(scores_);
    scores_ = nullptr;
  }
  state_ = SourceState::kFinished;
}

// After the recording is final: a clip per event, pre- and post-roll included.
void SourcePipeline::cutEventClips() {
  const ExplainConfig& e = config_.explain;
  if (!e.clips || !config_.outputs.video) return;
  if (config_.outputs.segment_seconds > 0) {
    if (!explain_outputs_->eventSpans().empty()) {
      warn("event clips are not cut from segmented recordings; the segments hold the events");
    }
    return;
  }
  if (!fs::exists(video_path_)) return;
  std::vector<ClipRequest> requests;
  for (const auto& span : explain_outputs_->eventSpans()) {
    requests.push_back(
        {span.id, span.start_seconds - e.clip_pre_roll, span.end_seconds + e.clip_post_roll});
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
         {"scores_rows", scores_rows_},
         {"repaired_timestamps", repaired_timestamps_},
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
  {
    std::lock_guard lock(mutex_);
    if (config_.outputs.video && config_.outputs.segment_seconds > 0) {
      s["segments"] = {{"directory", output_dir_},
                       {"opened", segments_opened_},
                       {"deleted", segments_deleted_},
                       {"current", current_segment_}};
    } else if (config_.outputs.video) {
      s["video"] = video_path_;
    }
    s["warnings"] = warnings_;
    if (warnings_dropped_ > 0) s["warnings_not_listed"] = warnings_dropped_;
  }
  s["error"] = error_.empty() ? json(nullptr) : json(error_);
  return s;
}

json SourcePipeline::status() const {
  const gst::ClassifyStats classify =
      classify_stats_ ? *classify_stats_ : readStats(classify_, gst::classifyStatsFrom);
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
  if (live_) {
    s["input"] = live_->state();
    s["reconnects"] = live_->reconnects();
    s["outage_seconds"] = live_->outageSeconds();
  }
  if (!error_.empty()) s["error"] = error_;
  return s;
}

}  // namespace deepbug::stream
