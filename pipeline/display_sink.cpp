#include "display_sink.hpp"

#include <glib.h>

namespace deepbug::stream {

DisplaySink openDisplaySink(const std::string& factory) {
  if (factory == "autovideosink" && g_getenv("DISPLAY") == nullptr &&
      g_getenv("WAYLAND_DISPLAY") == nullptr) {
    return {nullptr, "no display server (DISPLAY and WAYLAND_DISPLAY are unset)"};
  }
  GstElement* sink = gst_element_factory_make(factory.c_str(), "display");
  if (sink == nullptr) return {nullptr, "no GStreamer element '" + factory + "'"};
  // A bus of its own catches the error the sink posts when it cannot open.
  GstBus* bus = gst_bus_new();
  gst_element_set_bus(sink, bus);
  const bool opened = gst_element_set_state(sink, GST_STATE_READY) != GST_STATE_CHANGE_FAILURE;
  std::string problem = factory + " cannot open";
  if (!opened) {
    if (GstMessage* message = gst_bus_pop_filtered(bus, GST_MESSAGE_ERROR)) {
      GError* error = nullptr;
      gst_message_parse_error(message, &error, nullptr);
      if (error != nullptr) {
        problem += ": " + std::string(error->message);
        g_error_free(error);
      }
      gst_message_unref(message);
    }
  }
  gst_element_set_bus(sink, nullptr);
  gst_object_unref(bus);
  if (opened) return {sink, ""};
  gst_element_set_state(sink, GST_STATE_NULL);
  gst_object_unref(gst_object_ref_sink(sink));
  return {nullptr, problem};
}

}  // namespace deepbug::stream
