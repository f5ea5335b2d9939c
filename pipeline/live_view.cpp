#include "live_view.hpp"

#include <cmath>
#include <stdexcept>

#include "common/gst_ptr.hpp"
#include "source_input.hpp"

namespace deepbug::stream {
namespace {

// Where a source's live-view JPEGs go.
struct LiveViewTarget {
  web::LiveFrames& frames;
  std::string source;
};

GstPadProbeReturn dropUnwatched(GstPad*, GstPadProbeInfo*, gpointer data) {
  const auto& target = *static_cast<LiveViewTarget*>(data);
  return target.frames.watched(target.source) ? GST_PAD_PROBE_OK : GST_PAD_PROBE_DROP;
}

GstFlowReturn onSample(GstElement* sink, gpointer data) {
  const auto& target = *static_cast<LiveViewTarget*>(data);
  GstSample* sample = nullptr;
  g_signal_emit_by_name(sink, "pull-sample", &sample);
  if (sample == nullptr) return GST_FLOW_EOS;
  GstBuffer* buffer = gst_sample_get_buffer(sample);
  GstMapInfo map;
  if (buffer != nullptr && gst_buffer_map(buffer, &map, GST_MAP_READ)) {
    try {
      target.frames.publish(target.source,
                            std::string(reinterpret_cast<const char*>(map.data), map.size));
    } catch (const std::exception&) {
      // Nothing unwinds into GStreamer; a frame the live view cannot take is skipped.
    }
    gst_buffer_unmap(buffer, &map);
  }
  gst_sample_unref(sample);
  return GST_FLOW_OK;
}

}  // namespace

GstElement* buildLiveView(GstElement* pipeline, GstElement* upstream, const WebConfig& web,
                          const std::string& source, web::LiveFrames& frames) {
  GstElement* queue = makeElement("queue", "to_live_view");
  GstElement* rate = makeElement("videorate", "live_view_rate");
  GstElement* scale = makeElement("videoscale", "live_view_scale");
  GstElement* convert = makeElement("videoconvert", "live_view_convert");
  GstElement* size = makeElement("capsfilter", "live_view_size");
  GstElement* encode = makeElement("jpegenc", "live_view_jpeg");
  GstElement* sink = makeElement("appsink", "live_view");
  gst_bin_add_many(GST_BIN(pipeline), queue, rate, scale, convert, size, encode, sink, nullptr);

  g_object_set(queue, "max-size-buffers", 2u, "max-size-bytes", 0u, "max-size-time", guint64{0},
               nullptr);
  gst_util_set_object_arg(G_OBJECT(queue), "leaky", "downstream");
  // drop-only: never duplicates frames to fill a rate; max-rate caps it.
  g_object_set(rate, "drop-only", TRUE, "max-rate", static_cast<gint>(std::ceil(web.live_fps)),
               nullptr);
  // The height follows from the width and the frame's aspect ratio.
  const gst::OwnedCaps caps(gst_caps_new_simple("video/x-raw", "width", G_TYPE_INT, web.live_width,
                                                "format", G_TYPE_STRING, "I420", nullptr));
  g_object_set(size, "caps", caps.get(), nullptr);
  g_object_set(encode, "quality", 80, nullptr);
  g_object_set(sink, "emit-signals", TRUE, "sync", FALSE, "async", FALSE, "max-buffers", 1u, "drop",
               TRUE, nullptr);

  auto* target = new LiveViewTarget{frames, source};
  const gst::ObjectRef<GstPad> out(gst_element_get_static_pad(queue, "src"));
  // The target lives as long as the sink's handler; the probe runs only while the
  // pipeline plays, and the pipeline stops before its elements go.
  gst_pad_add_probe(out.get(), GST_PAD_PROBE_TYPE_BUFFER, dropUnwatched, target, nullptr);
  g_signal_connect_data(
      sink, "new-sample", G_CALLBACK(onSample), target,
      [](gpointer data, GClosure*) { delete static_cast<LiveViewTarget*>(data); }, GConnectFlags{});

  if (!gst_element_link_many(upstream, queue, rate, scale, convert, size, encode, sink, nullptr)) {
    throw std::runtime_error("cannot link the live view of '" + source + "'");
  }
  return queue;
}

}  // namespace deepbug::stream
