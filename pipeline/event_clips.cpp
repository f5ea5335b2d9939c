#include "event_clips.hpp"

#include <gst/gst.h>

#include <algorithm>
#include <filesystem>

#include "common/gst_ptr.hpp"

namespace deepbug::stream {
namespace fs = std::filesystem;

namespace {

// What a clip keeps of the recording's buffers, and how it restamps them.
struct Span {
  GstClockTime first_key = 0;               // keep from the first keyframe at or after this
  GstClockTime end = 0;                     // and up to this time
  GstClockTime base = GST_CLOCK_TIME_NONE;  // pts of the first kept buffer
};

GstPadProbeReturn keepSpan(GstPad*, GstPadProbeInfo* info, gpointer data) {
  auto* span = static_cast<Span*>(data);
  GstBuffer* buffer = GST_PAD_PROBE_INFO_BUFFER(info);
  const GstClockTime pts = GST_BUFFER_PTS(buffer);
  if (!GST_CLOCK_TIME_IS_VALID(pts) || pts > span->end) return GST_PAD_PROBE_DROP;
  if (!GST_CLOCK_TIME_IS_VALID(span->base)) {
    const bool key = !GST_BUFFER_FLAG_IS_SET(buffer, GST_BUFFER_FLAG_DELTA_UNIT);
    if (!key || pts < span->first_key) return GST_PAD_PROBE_DROP;
    span->base = pts;
  }
  buffer = gst_buffer_make_writable(buffer);
  GST_BUFFER_PTS(buffer) = pts - span->base;
  if (GST_BUFFER_DTS_IS_VALID(buffer)) {
    const GstClockTime dts = GST_BUFFER_DTS(buffer);
    GST_BUFFER_DTS(buffer) = dts >= span->base ? dts - span->base : 0;
  }
  GST_PAD_PROBE_INFO_DATA(info) = buffer;
  return GST_PAD_PROBE_OK;
}

struct VideoLink {
  GstElement* mux;
  Span* span;
};

bool isVideo(GstPad* pad) {
  const gst::OwnedCaps caps(gst_pad_query_caps(pad, nullptr));
  return caps && gst_caps_get_size(caps.get()) > 0 &&
         g_str_has_prefix(gst_structure_get_name(gst_caps_get_structure(caps.get(), 0)), "video/");
}

// parsebin's pads appear once it has read the container: the video one goes to the muxer.
void linkVideo(GstElement*, GstPad* pad, gpointer data) {
  auto* link = static_cast<VideoLink*>(data);
  if (!isVideo(pad)) return;
  const gst::ObjectRef<GstPad> target(gst_element_request_pad_simple(link->mux, "video_%u"));
  if (!target) return;
  gst_pad_add_probe(pad, GST_PAD_PROBE_TYPE_BUFFER, keepSpan, link->span, nullptr);
  if (GST_PAD_LINK_FAILED(gst_pad_link(pad, target.get()))) {
    GST_WARNING("cannot link the clip's video stream");
  }
}

// Waits for the end of a running pipeline on its `bus`; returns the error text ("" at EOS).
std::string waitForEnd(GstBus* bus) {
  const gst::OwnedMessage message(gst_bus_timed_pop_filtered(
      bus, 300 * GST_SECOND, static_cast<GstMessageType>(GST_MESSAGE_EOS | GST_MESSAGE_ERROR)));
  if (!message) return "the clip did not finish in time";
  if (GST_MESSAGE_TYPE(message.get()) != GST_MESSAGE_ERROR) return "";
  GError* parsed = nullptr;
  gst_message_parse_error(message.get(), &parsed, nullptr);
  const gst::OwnedError error(parsed);
  return error ? error->message : "unknown error";
}

// Runs `pipeline` until EOS or error; returns the error text ("" on success).
std::string runToEnd(GstElement* pipeline) {
  if (gst_element_set_state(pipeline, GST_STATE_PLAYING) == GST_STATE_CHANGE_FAILURE) {
    return "cannot start the clip pipeline";
  }
  const gst::ObjectRef<GstBus> bus(gst_element_get_bus(pipeline));
  std::string error = waitForEnd(bus.get());
  gst_element_set_state(pipeline, GST_STATE_NULL);
  return error;
}

// A new element of `factory`, sunk and held (the pipeline takes its own reference when
// it is added); empty when the factory is missing.
gst::ObjectRef<GstElement> makeHeld(const char* factory) {
  GstElement* element = gst_element_factory_make(factory, nullptr);
  return gst::ObjectRef<GstElement>(element ? GST_ELEMENT(gst_object_ref_sink(element)) : nullptr);
}

// Cuts one clip of `recording` into `path`; returns the error text ("" on success).
std::string cutClip(const std::string& recording, const std::string& path, const char* muxer,
                    const ClipRequest& request, double keyframe_seconds) {
  const gst::ObjectRef<GstElement> pipeline(
      GST_ELEMENT(gst_object_ref_sink(gst_pipeline_new("clip"))));
  const gst::ObjectRef<GstElement> source = makeHeld("filesrc");
  const gst::ObjectRef<GstElement> parse = makeHeld("parsebin");
  const gst::ObjectRef<GstElement> mux = makeHeld(muxer);
  const gst::ObjectRef<GstElement> sink = makeHeld("filesink");
  if (!source || !parse || !mux || !sink) return "missing GStreamer elements for cutting clips";
  g_object_set(source.get(), "location", recording.c_str(), nullptr);
  g_object_set(sink.get(), "location", path.c_str(), nullptr);
  gst_bin_add_many(GST_BIN(pipeline.get()), source.get(), parse.get(), mux.get(), sink.get(),
                   nullptr);
  gst_element_link(source.get(), parse.get());
  gst_element_link(mux.get(), sink.get());
  const double first_key = std::max(0.0, request.start_seconds - keyframe_seconds);
  Span span{static_cast<GstClockTime>(first_key * GST_SECOND),
            static_cast<GstClockTime>(std::max(0.0, request.end_seconds) * GST_SECOND),
            GST_CLOCK_TIME_NONE};
  VideoLink link{mux.get(), &span};
  g_signal_connect(parse.get(), "pad-added", G_CALLBACK(linkVideo), &link);
  std::string error = runToEnd(pipeline.get());
  if (error.empty() && !GST_CLOCK_TIME_IS_VALID(span.base))
    error = "no keyframe in the clip's span";
  return error;
}

}  // namespace

std::vector<ClipResult> cutClips(const std::string& recording, const std::string& clips_dir,
                                 const std::vector<ClipRequest>& requests,
                                 double keyframe_seconds) {
  std::vector<ClipResult> results;
  if (requests.empty()) return results;
  fs::create_directories(clips_dir);
  const std::string extension = fs::path(recording).extension().string();
  const char* muxer = extension == ".mkv" ? "matroskamux" : "mp4mux";
  for (const ClipRequest& request : requests) {
    ClipResult result;
    result.event_id = request.event_id;
    const std::string path =
        (fs::path(clips_dir) / ("event-" + std::to_string(request.event_id) + extension)).string();
    result.error = cutClip(recording, path, muxer, request, keyframe_seconds);
    if (result.error.empty()) {
      result.path = path;
    } else {
      std::error_code ignored;
      fs::remove(path, ignored);
    }
    results.push_back(result);
  }
  return results;
}

}  // namespace deepbug::stream
