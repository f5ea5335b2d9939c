#include "recording.hpp"

#include <cmath>
#include <filesystem>
#include <stdexcept>

#include "common/guarded.hpp"
#include "restream_tap.hpp"
#include "source_input.hpp"

GST_DEBUG_CATEGORY_STATIC(deepbug_recording_debug);
#define GST_CAT_DEFAULT deepbug_recording_debug

namespace deepbug::stream {
namespace {

// A finished chain on its way out: held until its elements are stopped and removed.
struct RetiredChain {
  gst::ObjectRef<GstElement> pipeline;
  std::vector<gst::ObjectRef<GstElement>> elements;
};

// Off the streaming threads (gst_element_call_async): an element cannot be stopped from
// its own streaming thread, and the file sink must have handled its EOS first (stopping
// it waits for that: the EOS holds its stream lock).
void removeRetired(GstElement*, gpointer data) {
  auto* retired = static_cast<RetiredChain*>(data);
  for (const auto& element : retired->elements) {
    gst_element_set_state(element.get(), GST_STATE_NULL);
    if (GST_OBJECT_PARENT(element.get()) == GST_OBJECT(retired->pipeline.get())) {
      gst_bin_remove(GST_BIN(retired->pipeline.get()), element.get());
    }
  }
}

// On the finished file sink's pad. The chain moves out of the probe's data at the EOS, so
// the probe fires once; the probe itself is removed with the recording (its data with it).
GstPadProbeReturn onRetiredSinkEos(GstPad* pad, GstPadProbeInfo* info, gpointer data) {
  return gst::guarded(GST_PAD_PARENT(pad), "closing a finished recording", GST_PAD_PROBE_OK, [&] {
    auto* retired = static_cast<RetiredChain*>(data);
    if (GST_EVENT_TYPE(GST_PAD_PROBE_INFO_EVENT(info)) != GST_EVENT_EOS || !retired->pipeline) {
      return GST_PAD_PROBE_OK;
    }
    auto* leaving = new RetiredChain(std::move(*retired));
    GstElement* pipeline = leaving->pipeline.get();
    gst_element_call_async(pipeline, removeRetired, leaving,
                           [](gpointer chain) { delete static_cast<RetiredChain*>(chain); });
    return GST_PAD_PROBE_OK;
  });
}

void link(const std::vector<GstElement*>& chain) {
  for (std::size_t i = 1; i < chain.size(); ++i) {
    if (!gst_element_link(chain[i - 1], chain[i])) {
      throw std::runtime_error(std::string("cannot link the recording (") +
                               GST_ELEMENT_NAME(chain[i - 1]) + " → " + GST_ELEMENT_NAME(chain[i]) +
                               ")");
    }
  }
}

}  // namespace

std::string numberedPath(const std::string& path, int number) {
  const std::filesystem::path p(path);
  return (p.parent_path() /
          (p.stem().string() + "-" + std::to_string(number) + p.extension().string()))
      .string();
}

bool sameRecordingFormat(const GstCaps* recorded, const GstCaps* next) {
  if (gst_caps_get_size(recorded) == 0 || gst_caps_get_size(next) == 0) return false;
  const GstStructure* a = gst_caps_get_structure(recorded, 0);
  const GstStructure* b = gst_caps_get_structure(next, 0);
  for (const char* field : {"width", "height"}) {
    const GValue* x = gst_structure_get_value(a, field);
    const GValue* y = gst_structure_get_value(b, field);
    if ((x == nullptr) != (y == nullptr)) return false;
    if (x != nullptr && gst_value_compare(x, y) != GST_VALUE_EQUAL) return false;
  }
  // A frame rate of 0/1 (variable, or not said) matches any: some cameras announce one
  // only on some connections.
  gint an = 0, ad = 1, bn = 0, bd = 1;
  gst_structure_get_fraction(a, "framerate", &an, &ad);
  gst_structure_get_fraction(b, "framerate", &bn, &bd);
  return an == 0 || bn == 0 || static_cast<gint64>(an) * bd == static_cast<gint64>(bn) * ad;
}

Recording::Recording(GstElement* pipeline, const StreamConfig& config, const SourceInfo& info,
                     std::string video_path, SegmentNamer segment_namer, RestreamFeed* restream)
    : pipeline_(pipeline),
      config_(config),
      info_(info),
      first_path_(std::move(video_path)),
      segment_namer_(std::move(segment_namer)),
      restream_(restream) {
  static const bool category = [] {
    GST_DEBUG_CATEGORY_INIT(deepbug_recording_debug, "deepbug-recording", 0,
                            "DeepBug recording files");
    return true;
  }();
  (void)category;
}

// After the pipeline stopped: a finished chain whose EOS never reached its file (the run
// ended first) is released with its probe.
Recording::~Recording() {
  if (queue_out_) gst_pad_remove_probe(queue_out_.get(), queue_probe_);
  for (const auto& [pad, probe] : retiring_)
    gst_pad_remove_probe(pad.get(), probe);
}

void Recording::attach(GstElement* queue) {
  queue_ = queue;
  current_ = buildChain(++chains_);
  if (!gst_element_link(queue_, current_.elements.front())) {
    throw std::runtime_error("cannot link the encode queue to the recording");
  }
  queue_out_ = gst::staticPad(queue_, "src");
  queue_probe_ = gst_pad_add_probe(
      queue_out_.get(),
      static_cast<GstPadProbeType>(GST_PAD_PROBE_TYPE_EVENT_DOWNSTREAM | GST_PAD_PROBE_TYPE_BUFFER),
      &Recording::queueProbe, this, nullptr);
}

std::vector<std::string> Recording::files() const {
  std::lock_guard lock(files_mutex_);
  return files_;
}

std::vector<double> Recording::laterFileStarts() const {
  std::lock_guard lock(files_mutex_);
  return starts_;
}

Recording::Chain Recording::buildChain(int number) {
  // The first chain's elements keep their plain names; later ones are numbered, since the
  // finished chain is still in the pipeline while the next one starts.
  const std::string suffix = number == 1 ? "" : "-" + std::to_string(number);
  const auto name = [&](const char* base) { return std::string(base) + suffix; };
  const auto add = [&](GstElement* element) {
    gst_bin_add(GST_BIN(pipeline_), element);
    return element;
  };
  Chain chain;
  GstElement* convert = add(makeElement("videoconvert", name("to_yuv").c_str()));
  GstElement* encoder = add(makeElement("x264enc", name("encode").c_str()));
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
  GstElement* parse = add(makeElement("h264parse", name("parse").c_str()));
  std::vector<GstElement*> encoded = {convert, encoder, parse};
  RestreamTap tap;
  if (restream_ != nullptr) {
    tap = addRestreamTap(pipeline_, *restream_, number, suffix);
    encoded.push_back(tap.tee);
  }
  GstElement* mux = makeElement(config_.outputs.container == "mkv" ? "matroskamux" : "mp4mux",
                                name("mux").c_str());
  if (config_.outputs.container == "fragmented-mp4") {
    // A fragment per second: a killed run leaves a file readable to the last one.
    g_object_set(mux, "fragment-duration", 1000u, nullptr);
  }
  GstElement* file = makeElement("filesink", name("file").c_str());
  g_object_set(file, "async", FALSE, nullptr);
  chain.sink = file;
  if (config_.outputs.segment_seconds > 0) {
    GstElement* segments = add(makeElement("splitmuxsink", name("segments").c_str()));
    g_object_set(segments, "muxer", mux, "sink", file, "max-size-time",
                 static_cast<guint64>(config_.outputs.segment_seconds * GST_SECOND),
                 "send-keyframe-requests", TRUE, nullptr);
    g_signal_connect(segments, "format-location", G_CALLBACK(&Recording::formatLocation), this);
    // The bin completes its children's state changes itself: a muxer prerolling inside
    // it must not hold a live pipeline in PAUSED before its camera has connected.
    g_object_set(segments, "async-handling", TRUE, nullptr);
    chain.elements = encoded;
    chain.elements.push_back(segments);
  } else {
    const std::string path = number == 1 ? first_path_ : numberedPath(first_path_, number);
    g_object_set(file, "location", path.c_str(), nullptr);
    add(mux);
    add(file);
    chain.elements = encoded;
    chain.elements.insert(chain.elements.end(), {mux, file});
  }
  link(chain.elements);
  // Already linked to the tee; they start and leave with the chain.
  chain.elements.insert(chain.elements.end(), tap.branch.begin(), tap.branch.end());
  if (config_.outputs.segment_seconds <= 0) {
    std::lock_guard lock(files_mutex_);
    files_.push_back(number == 1 ? first_path_ : numberedPath(first_path_, number));
  }
  return chain;
}

GstPadProbeReturn Recording::queueProbe(GstPad* pad, GstPadProbeInfo* info, gpointer self) {
  return gst::guarded(GST_PAD_PARENT(pad), "starting a new recording file", GST_PAD_PROBE_OK,
                      [&] { return static_cast<Recording*>(self)->onQueueOutput(pad, info); });
}

// The encode queue's streaming thread, before the event or frame reaches the chain.
GstPadProbeReturn Recording::onQueueOutput(GstPad* pad, GstPadProbeInfo* info) {
  if (info->type & GST_PAD_PROBE_TYPE_BUFFER) {
    if (awaiting_first_frame_) {
      awaiting_first_frame_ = false;
      GstBuffer* buffer = GST_PAD_PROBE_INFO_BUFFER(info);
      std::lock_guard lock(files_mutex_);
      starts_.push_back(GST_BUFFER_PTS_IS_VALID(buffer) ? GST_BUFFER_PTS(buffer) / 1e9 : 0.0);
    }
    return GST_PAD_PROBE_OK;
  }
  GstEvent* event = GST_PAD_PROBE_INFO_EVENT(info);
  if (GST_EVENT_TYPE(event) != GST_EVENT_CAPS) return GST_PAD_PROBE_OK;
  GstCaps* caps = nullptr;
  gst_event_parse_caps(event, &caps);
  if (recorded_caps_ && !sameRecordingFormat(recorded_caps_.get(), caps)) switchChain(pad);
  recorded_caps_.reset(gst_caps_ref(caps));
  return GST_PAD_PROBE_OK;  // on to the chain now linked
}

void Recording::switchChain(GstPad* pad) {
  Chain finished = current_;
  current_ = buildChain(++chains_);
  awaiting_first_frame_ = true;
  GST_INFO("new picture format: recording continues in chain %d", chains_);
  for (GstElement* element : current_.elements) {
    gst_element_sync_state_with_parent(element);
  }

  // Once the finished file has its EOS, its chain leaves the pipeline.
  auto* retired = new RetiredChain;
  retired->pipeline.reset(GST_ELEMENT(gst_object_ref(pipeline_)));
  for (GstElement* element : finished.elements) {
    retired->elements.emplace_back(GST_ELEMENT(gst_object_ref(element)));
  }
  gst::ObjectRef<GstPad> file_in = gst::staticPad(finished.sink, "sink");
  const gulong probe =
      gst_pad_add_probe(file_in.get(), GST_PAD_PROBE_TYPE_EVENT_DOWNSTREAM, onRetiredSinkEos,
                        retired, [](gpointer chain) { delete static_cast<RetiredChain*>(chain); });
  retiring_.emplace_back(std::move(file_in), probe);

  const gst::ObjectRef<GstPad> old_in = gst::staticPad(finished.elements.front(), "sink");
  gst_pad_unlink(pad, old_in.get());
  gst_pad_send_event(old_in.get(), gst_event_new_eos());
  const gst::ObjectRef<GstPad> new_in = gst::staticPad(current_.elements.front(), "sink");
  if (GST_PAD_LINK_FAILED(gst_pad_link(pad, new_in.get()))) {
    throw std::runtime_error("cannot link the encode queue to the new recording");
  }
}

gchar* Recording::formatLocation(GstElement*, guint fragment, gpointer self) {
  return g_strdup(static_cast<Recording*>(self)->segment_namer_(fragment).c_str());
}

}  // namespace deepbug::stream
