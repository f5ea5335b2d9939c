// The live window of outputs.display. A display that cannot open must cost the window,
// never the recording: the sink is opened on its own (to READY) before it joins the
// pipeline, where a failure would fail the whole pipeline.
#pragma once

#include <gst/gst.h>

#include <string>

namespace deepbug::stream {

struct DisplaySink {
  GstElement* sink = nullptr;  // floating, in READY; nullptr when it cannot open
  std::string problem;         // why not, for the warning
};

// `factory` must exist (the caller reports a config error otherwise). autovideosink
// is not tried without a display server (DISPLAY and WAYLAND_DISPLAY unset): its
// fallbacks probe framebuffer sinks, some of which crash on a headless machine.
DisplaySink openDisplaySink(const std::string& factory);

}  // namespace deepbug::stream
