#include "restream_tap.hpp"

#include <gst/app/gstappsink.h>

#include <stdexcept>

#include "source_input.hpp"

namespace deepbug::stream {
namespace {

struct TapTarget {
  RestreamFeed* feed;
  int chain;
};

// The branch's streaming thread. Always OK: an error here would travel back through the
// tee and end the recording.
GstFlowReturn onSample(GstAppSink* sink, gpointer data) {
  auto* target = static_cast<TapTarget*>(data);
  GstSample* sample = gst_app_sink_pull_sample(sink);
  if (sample != nullptr) {
    target->feed->push(sample, target->chain);
    gst_sample_unref(sample);
  }
  return GST_FLOW_OK;
}

}  // namespace

RestreamTap addRestreamTap(GstElement* pipeline, RestreamFeed& feed, int chain,
                           const std::string& suffix) {
  RestreamTap tap;
  const auto add = [&](const char* factory, const char* base) {
    GstElement* element = makeElement(factory, (base + suffix).c_str());
    gst_bin_add(GST_BIN(pipeline), element);
    return element;
  };
  tap.tee = add("tee", "restream_tee");
  GstElement* queue = add("queue", "restream_queue");
  gst_util_set_object_arg(G_OBJECT(queue), "leaky", "downstream");
  g_object_set(queue, "max-size-buffers", 8u, "max-size-bytes", 0u, "max-size-time", guint64{0},
               nullptr);
  GstElement* sink = add("appsink", "restream_sink");
  g_object_set(sink, "sync", FALSE, "async", FALSE, "enable-last-sample", FALSE, "max-buffers", 1u,
               "drop", TRUE, "wait-on-eos", FALSE, nullptr);
  GstAppSinkCallbacks callbacks{};
  callbacks.new_sample = onSample;
  gst_app_sink_set_callbacks(GST_APP_SINK(sink), &callbacks, new TapTarget{&feed, chain},
                             [](gpointer data) { delete static_cast<TapTarget*>(data); });
  tap.branch = {queue, sink};
  if (!gst_element_link_many(tap.tee, queue, sink, nullptr)) {
    throw std::runtime_error("cannot link the RTSP re-stream's branch");
  }
  // The recording's pad, requested now: linking one element's request pad to another's
  // (the muxer's) finds none whose template caps fit the tee's ANY, while an existing
  // pad links by the caps that reach it.
  const gst::ObjectRef<GstPad> recording(gst_element_request_pad_simple(tap.tee, "src_%u"));
  if (!recording) throw std::runtime_error("cannot branch the recording for the RTSP re-stream");
  return tap;
}

}  // namespace deepbug::stream
