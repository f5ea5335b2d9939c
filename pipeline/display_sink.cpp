#include "display_sink.hpp"

#include <glib.h>

#include <memory>

#include "common/gst_ptr.hpp"

namespace deepbug::stream {
namespace {

// Sets `sink` to READY on a bus of its own, which catches the error the sink posts when
// it cannot open; returns whether it opened, and why not into `problem`.
bool openOnOwnBus(GstElement* sink, std::string& problem) {
  const gst::ObjectRef<GstBus> bus(gst_bus_new());
  gst_element_set_bus(sink, bus.get());
  const bool opened = gst_element_set_state(sink, GST_STATE_READY) != GST_STATE_CHANGE_FAILURE;
  if (!opened) {
    if (const gst::OwnedMessage message{gst_bus_pop_filtered(bus.get(), GST_MESSAGE_ERROR)}) {
      GError* parsed = nullptr;
      gst_message_parse_error(message.get(), &parsed, nullptr);
      const gst::OwnedError error(parsed);
      if (error) problem += ": " + std::string(error->message);
    }
  }
  gst_element_set_bus(sink, nullptr);
  return opened;
}

}  // namespace

DisplaySink openDisplaySink(const std::string& factory) {
  if (factory == "autovideosink" && g_getenv("DISPLAY") == nullptr &&
      g_getenv("WAYLAND_DISPLAY") == nullptr) {
    return {nullptr, "no display server (DISPLAY and WAYLAND_DISPLAY are unset)"};
  }
  // Floating until the caller adds it; dropped here when it cannot open.
  gst::FloatingElement sink(gst_element_factory_make(factory.c_str(), "display"));
  if (!sink) return {nullptr, "no GStreamer element '" + factory + "'"};
  std::string problem = factory + " cannot open";
  if (openOnOwnBus(sink.get(), problem)) return {sink.release(), ""};
  gst_element_set_state(sink.get(), GST_STATE_NULL);
  return {nullptr, problem};
}

}  // namespace deepbug::stream
