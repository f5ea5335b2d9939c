#include "event_clips.hpp"

#include <gst/gst.h>

#include <algorithm>
#include <filesystem>

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

// parsebin's pads appear once it has read the container: the video one goes to the muxer.
void linkVideo(GstElement*, GstPad* pad, gpointer data) {
  auto* link = static_cast<VideoLink*>(data);
  GstCaps* caps = gst_pad_query_caps(pad, nullptr);
  const bool video =
      caps && gst_caps_get_size(caps) > 0 &&
      g_str_has_prefix(gst_structure_get_name(gst_caps_get_structure(caps, 0)), "video/");
  if (caps) gst_caps_unref(caps);
  if (!video) return;
  GstPad* target = gst_element_request_pad_simple(link->mux, "video_%u");
  if (target == nullptr) return;
  gst_pad_add_probe(pad, GST_PAD_PROBE_TYPE_BUFFER, keepSpan, link->span, nullptr);
  if (GST_PAD_LINK_FAILED(gst_pad_link(pad, target))) {
    GST_WARNING("cannot link the clip's video stream");
  }
  gst_object_unref(target);
}

// Runs `pipeline` until EOS or error; returns the error text ("" on success).
std::string runToEnd(GstElement* pipeline) {
  if (gst_element_set_state(pipeline, GST_STATE_PLAYING) == GST_STATE_CHANGE_FAILURE) {
    return "cannot start the clip pipeline";
  }
  GstBus* bus = gst_element_get_bus(pipeline);
  GstMessage* message = gst_bus_timed_pop_filtered(
      bus, 300 * GST_SECOND, static_cast<GstMessageType>(GST_MESSAGE_EOS | GST_MESSAGE_ERROR));
  std::string error;
  if (message == nullptr) {
    error = "the clip did not finish in time";
  } else if (GST_MESSAGE_TYPE(message) == GST_MESSAGE_ERROR) {
    GError* err = nullptr;
    gst_message_parse_error(message, &err, nullptr);
    error = err ? err->message : "unknown error";
    g_clear_error(&err);
  }
  if (message) gst_message_unref(message);
  gst_element_set_state(pipeline, GST_STATE_NULL);
  gst_object_unref(bus);
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
    GstElement* pipeline = gst_pipeline_new("clip");
    GstElement* source = gst_element_factory_make("filesrc", nullptr);
    GstElement* parse = gst_element_factory_make("parsebin", nullptr);
    GstElement* mux = gst_element_factory_make(muxer, nullptr);
    GstElement* sink = gst_element_factory_make("filesink", nullptr);
    if (!source || !parse || !mux || !sink) {
      result.error = "missing GStreamer elements for cutting clips";
      for (GstElement* e : {source, parse, mux, sink})
        if (e) gst_object_unref(e);
      gst_object_unref(pipeline);
      results.push_back(result);
      continue;
    }
    g_object_set(source, "location", recording.c_str(), nullptr);
    g_object_set(sink, "location", path.c_str(), nullptr);
    gst_bin_add_many(GST_BIN(pipeline), source, parse, mux, sink, nullptr);
    gst_element_link(source, parse);
    gst_element_link(mux, sink);
    const double first_key = std::max(0.0, request.start_seconds - keyframe_seconds);
    Span span{static_cast<GstClockTime>(first_key * GST_SECOND),
              static_cast<GstClockTime>(std::max(0.0, request.end_seconds) * GST_SECOND),
              GST_CLOCK_TIME_NONE};
    VideoLink link{mux, &span};
    g_signal_connect(parse, "pad-added", G_CALLBACK(linkVideo), &link);
    result.error = runToEnd(pipeline);
    if (result.error.empty() && !GST_CLOCK_TIME_IS_VALID(span.base)) {
      result.error = "no keyframe in the clip's span";
    }
    gst_object_unref(pipeline);
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
