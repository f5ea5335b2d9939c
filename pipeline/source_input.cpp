#include "source_input.hpp"

#include <memory>
#include <stdexcept>
#include <string>

#include "common/gst_ptr.hpp"

namespace deepbug::stream {
namespace {

// A class reference from g_type_class_ref.
struct TypeClassUnref {
  void operator()(gpointer klass) const { g_type_class_unref(klass); }
};
using OwnedEnumClass = std::unique_ptr<GEnumClass, TypeClassUnref>;

// The decoder's video pad becomes the bin's output; `target` (may be null) is the
// element to feed instead, for inputs that process the decoded frames further.
struct PadRouting {
  GstElement* bin;
  GstElement* target;
};

bool hasTarget(GstPad* ghost) {
  return gst::ObjectRef<GstPad>(gst_ghost_pad_get_target(GST_GHOST_PAD(ghost))) != nullptr;
}

void onDecodedPad(GstElement*, GstPad* pad, gpointer data) {
  const auto* routing = static_cast<const PadRouting*>(data);
  const gst::ObjectRef<GstPad> ghost = gst::staticPad(routing->bin, "src");
  const gst::ObjectRef<GstPad> into =
      routing->target ? gst::staticPad(routing->target, "sink") : gst::ObjectRef<GstPad>();
  const bool taken = into ? gst_pad_is_linked(into.get()) : hasTarget(ghost.get());
  if (taken) {
    GST_ELEMENT_WARNING(routing->bin, STREAM, DEMUX,
                        ("more than one video stream; only the first is processed"), (nullptr));
  } else if (into) {
    if (GST_PAD_LINK_FAILED(gst_pad_link(pad, into.get()))) {
      GST_ELEMENT_WARNING(routing->bin, CORE, NEGOTIATION, ("cannot link the decoded video stream"),
                          (nullptr));
    }
  } else {
    gst_ghost_pad_set_target(GST_GHOST_PAD(ghost.get()), pad);
  }
}

void freeRouting(gpointer data, GClosure*) {
  delete static_cast<PadRouting*>(data);
}

// RTSP settings live on the source element uridecodebin creates.
void onSourceSetup(GstElement*, GstElement* source, gpointer data) {
  const auto* config = static_cast<const SourceConfig*>(data);
  if (config->kind != SourceKind::kRtsp) return;
  if (g_object_class_find_property(G_OBJECT_GET_CLASS(source), "protocols") == nullptr) return;
  const char* protocols = config->protocols == "tcp"   ? "tcp"
                          : config->protocols == "udp" ? "udp"
                                                       : "udp+udp-mcast+tcp";
  gst_util_set_object_arg(G_OBJECT(source), "protocols", protocols);
  g_object_set(source, "latency", static_cast<guint>(config->latency_ms), nullptr);
  if (!config->user.empty()) g_object_set(source, "user-id", config->user.c_str(), nullptr);
  if (!config->password.empty()) {
    g_object_set(source, "user-pw", config->password.c_str(), nullptr);
  }
}

std::string uriOf(const SourceConfig& source) {
  switch (source.kind) {
    case SourceKind::kFile: {
      const gst::OwnedText uri(gst_filename_to_uri(source.location.c_str(), nullptr));
      return uri ? uri.get() : "";
    }
    case SourceKind::kRtsp:
      return source.location;  // credentials go to rtspsrc's properties, not the URI
    case SourceKind::kV4l2:
      return "v4l2://" + source.location;
    case SourceKind::kTest:
      break;
  }
  return {};
}

GstElement* makeTestInput(GstElement* bin, const TestPattern& test) {
  GstElement* src = makeElement("videotestsrc", "pattern");
  gst_util_set_object_arg(G_OBJECT(src), "pattern", test.pattern.c_str());
  g_object_set(src, "is-live", TRUE, "num-buffers", static_cast<gint>(test.frames), nullptr);
  gst_bin_add(GST_BIN(bin), src);  // before the next makeElement, which may throw
  GstElement* caps = makeElement("capsfilter", "size");
  const gst::OwnedCaps wanted(gst_caps_new_simple("video/x-raw", "width", G_TYPE_INT, test.width,
                                                  "height", G_TYPE_INT, test.height, "framerate",
                                                  GST_TYPE_FRACTION, test.fps, 1, nullptr));
  g_object_set(caps, "caps", wanted.get(), nullptr);
  gst_bin_add(GST_BIN(bin), caps);
  gst_element_link(src, caps);
  return caps;
}

}  // namespace

GstElement* makeElement(const char* factory, const char* name) {
  GstElement* element = gst_element_factory_make(factory, name);
  if (element == nullptr) {
    throw std::runtime_error("GStreamer element '" + std::string(factory) +
                             "' is missing; install the GStreamer plugins (make deps)");
  }
  return element;
}

std::string checkTestPattern(const std::string& pattern) {
  GstElement* made = gst_element_factory_make("videotestsrc", nullptr);
  if (made == nullptr)
    return "GStreamer's videotestsrc is missing; install the plugins (make deps)";
  // Never added anywhere: sunk here, dropped on return.
  const gst::ObjectRef<GstElement> src(GST_ELEMENT(gst_object_ref_sink(made)));
  GParamSpec* spec = g_object_class_find_property(G_OBJECT_GET_CLASS(src.get()), "pattern");
  const OwnedEnumClass patterns(G_ENUM_CLASS(g_type_class_ref(spec->value_type)));
  std::string problem;
  if (g_enum_get_value_by_nick(patterns.get(), pattern.c_str()) == nullptr) {
    problem = "no test pattern '" + pattern + "'; patterns:";
    for (guint i = 0; i < patterns->n_values; ++i)
      problem += std::string(" ") + patterns->values[i].value_nick;
  }
  return problem;
}

GstElement* makeSourceInput(const SourceConfig& source, const char* name) {
  // Floating until the caller adds it to its pipeline; a throw before then drops it.
  gst::FloatingElement bin(gst_bin_new(name));
  GstPad* ghost = gst_ghost_pad_new_no_target("src", GST_PAD_SRC);
  gst_element_add_pad(bin.get(), ghost);
  if (source.kind == SourceKind::kTest) {
    GstElement* last = makeTestInput(bin.get(), source.test);
    const gst::ObjectRef<GstPad> out = gst::staticPad(last, "src");
    gst_ghost_pad_set_target(GST_GHOST_PAD(ghost), out.get());
    return bin.release();
  }
  GstElement* decode = makeElement("uridecodebin", "decode");
  const gst::OwnedCaps video_only(gst_caps_from_string("video/x-raw(ANY)"));
  // Audio and other streams are not exposed at all: nothing to drain or discard.
  g_object_set(decode, "uri", uriOf(source).c_str(), "caps", video_only.get(), "expose-all-streams",
               FALSE, nullptr);
  gst_bin_add(GST_BIN(bin.get()), decode);
  GstElement* pace = nullptr;
  if (source.kind == SourceKind::kFile && source.live) {
    // A file played as a camera: frames leave at their frame rate.
    pace = makeElement("clocksync", "pace");
    gst_bin_add(GST_BIN(bin.get()), pace);
    const gst::ObjectRef<GstPad> out = gst::staticPad(pace, "src");
    gst_ghost_pad_set_target(GST_GHOST_PAD(ghost), out.get());
  }
  g_signal_connect_data(decode, "pad-added", G_CALLBACK(onDecodedPad),
                        new PadRouting{bin.get(), pace}, freeRouting,
                        static_cast<GConnectFlags>(0));
  // `source` outlives every input built from it (the config lives for the run).
  g_signal_connect(decode, "source-setup", G_CALLBACK(onSourceSetup),
                   const_cast<SourceConfig*>(&source));
  return bin.release();
}

}  // namespace deepbug::stream
