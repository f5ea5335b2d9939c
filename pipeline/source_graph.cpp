#include "source_graph.hpp"

#include "common/gobject_settings.hpp"
#include "common/gst_ptr.hpp"
#include "core/error.hpp"
#include "display_sink.hpp"
#include "element_config.hpp"
#include "live_view.hpp"
#include "source_input.hpp"

namespace deepbug::stream {
namespace {

// Every queue holds up to a few frames and blocks when full: the file mode never drops.
void configureQueue(GstElement* queue, guint buffers) {
  g_object_set(queue, "max-size-buffers", buffers, "max-size-bytes", 0u, "max-size-time",
               guint64{0}, nullptr);
}

class GraphBuilder {
 public:
  GraphBuilder(GstElement* pipeline, const StreamConfig& config, const SourceConfig& source,
               const SourceInfo& info, const std::function<void(const std::string&)>& warn,
               web::LiveFrames* live_frames)
      : pipeline_(pipeline),
        config_(config),
        source_(source),
        info_(info),
        warn_(warn),
        live_frames_(live_frames) {}

  SourceGraph build() {
    buildOutputBranch(buildAnalysisBranch());
    return graph_;
  }

 private:
  GstElement* make(const char* factory, const char* name) {
    GstElement* element = makeElement(factory, name);
    gst_bin_add(GST_BIN(pipeline_), element);
    return element;
  }

  void link(std::initializer_list<GstElement*> chain, const char* what) {
    GstElement* previous = nullptr;
    for (GstElement* element : chain) {
      if (previous != nullptr && !gst_element_link(previous, element)) {
        throw std::runtime_error(std::string("cannot link the ") + what + " of '" + source_.name +
                                 "' (" + GST_ELEMENT_NAME(previous) + " → " +
                                 GST_ELEMENT_NAME(element) + ")");
      }
      previous = element;
    }
  }

  GstElement* buildAnalysisBranch() {
    graph_.entry = make("queue", "decoded");
    if (source_.live) {
      // Room for the frames that arrive while a batch is classified: the classifier
      // skips late frames to catch up, so this queue drains instead of dropping.
      const auto seconds = std::max(3.0, 3 * config_.live.max_lag);
      g_object_set(graph_.entry, "max-size-buffers", 0u, "max-size-bytes", 0u, "max-size-time",
                   static_cast<guint64>(seconds * GST_SECOND), nullptr);
    } else {
      configureQueue(graph_.entry, 8);
    }
    GstElement* convert = make("videoconvert", "to_rgb");
    GstElement* rgb = make("capsfilter", "rgb");
    const gst::OwnedCaps caps(gst_caps_from_string("video/x-raw, format=RGB"));
    g_object_set(rgb, "caps", caps.get(), nullptr);

    graph_.classify = make("deepbugclassify", "classify");
    gst::applySettings(graph_.classify, gst::classifySettingsTable(),
                       classifySettingsFor(config_, source_));
    link({graph_.entry, convert, rgb, graph_.classify}, "analysis branch");
    if (!config_.explain.enabled) return graph_.classify;

    graph_.explain = make("deepbugexplain", "explain");
    gst::applySettings(graph_.explain, gst::explainSettingsTable(),
                       explainSettingsFor(config_, source_));
    link({graph_.classify, graph_.explain}, "explain stage");
    return graph_.explain;
  }

  void buildOutputBranch(GstElement* upstream) {
    const OutputsConfig& outputs = config_.outputs;
    const bool live_view = live_frames_ != nullptr;
    const int consumers = int{outputs.video} + int{outputs.display} + int{live_view};
    if (consumers == 0) {
      graph_.frames_out = make("fakesink", "discard");
      graph_.frames_out_pad = "sink";
      g_object_set(graph_.frames_out, "sync", FALSE, "async", FALSE, nullptr);
      link({upstream, graph_.frames_out}, "output branch");
      return;
    }
    GstElement* queue = make("queue", "classified");
    configureQueue(queue, 8);
    graph_.outputs_entry = queue;
    link({upstream, queue}, "output branch");
    GstElement* tail = queue;
    if (config_.overlay.enabled) {
      graph_.overlay = make("deepbugoverlay", "overlay");
      gst::applySettings(graph_.overlay, gst::overlaySettingsTable(), overlaySettingsFor(config_));
      link({tail, graph_.overlay}, "overlay");
      tail = graph_.overlay;
    }
    if (consumers > 1) {
      GstElement* split = make("tee", "split");
      link({tail, split}, "output branch");
      tail = split;
      graph_.after_overlay = split;
    }
    // The frames out are the recording's when there is one, else the window's, else the
    // live view's.
    GstElement* first = nullptr;
    if (outputs.video) {
      first = buildRecording(tail);
      graph_.frames_out = first;
      graph_.frames_out_pad = "src";
    }
    if (outputs.display) {
      GstElement* display = buildDisplay(tail);
      if (first == nullptr) {
        first = graph_.frames_out = display;
        graph_.frames_out_pad = "sink";
      }
    }
    if (live_view) {
      GstElement* view = buildLiveView(pipeline_, tail, config_.web, source_.name, *live_frames_);
      if (first == nullptr) {
        first = graph_.frames_out = view;
        graph_.frames_out_pad = "sink";
      }
    }
    if (consumers == 1) graph_.after_overlay = first;
  }

  // The encode queue; the encoder, muxer and file after it are the Recording's.
  GstElement* buildRecording(GstElement* upstream) {
    graph_.recording = make("queue", "to_encode");
    configureQueue(graph_.recording, 8);
    link({upstream, graph_.recording}, "recording");
    return graph_.recording;
  }

  // The labelled stream in a window. Its queue drops frames the window cannot show in
  // time; the recording beside it keeps them all.
  GstElement* buildDisplay(GstElement* upstream) {
    GstElement* queue = make("queue", "to_display");
    g_object_set(queue, "max-size-buffers", 2u, "max-size-bytes", 0u, "max-size-time", guint64{0},
                 nullptr);
    gst_util_set_object_arg(G_OBJECT(queue), "leaky", "downstream");
    GstElement* convert = make("videoconvert", "display_convert");
    const std::string& factory = config_.outputs.display_sink;
    if (!gst::ObjectRef<GstElementFactory>(gst_element_factory_find(factory.c_str()))) {
      throw ConfigError("outputs.display_sink: no GStreamer element '" + factory + "'",
                        "use autovideosink, xvimagesink, fakesink...");
    }
    DisplaySink display = openDisplaySink(factory);
    if (display.sink == nullptr) {
      warn_("outputs.display: " + display.problem +
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
    link({upstream, queue, convert, sink}, "display");
    return queue;
  }

  GstElement* pipeline_;
  const StreamConfig& config_;
  const SourceConfig& source_;
  const SourceInfo& info_;
  const std::function<void(const std::string&)>& warn_;
  web::LiveFrames* live_frames_;
  SourceGraph graph_;
};

}  // namespace

SourceGraph buildSourceGraph(GstElement* pipeline, const StreamConfig& config,
                             const SourceConfig& source, const SourceInfo& info,
                             const std::function<void(const std::string&)>& warn,
                             web::LiveFrames* live_frames) {
  return GraphBuilder(pipeline, config, source, info, warn, live_frames).build();
}

}  // namespace deepbug::stream
