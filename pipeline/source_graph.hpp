// The elements of one source's pipeline, built and linked, but for its two ends: the
// input (archive inputs are added by the caller, live ones join a PLAYING pipeline) and
// the encoder chain after the encode queue (recording.hpp):
//
//   [input] ─► queue ─► videoconvert ─► deepbugclassify [─► deepbugexplain] ─► queue
//     ─► deepbugoverlay [─► tee ─► display, live view] ─► queue [─► recording]
//
// Queues put decoding, classification and encoding on separate streaming threads so they
// overlap; in archive mode they block when full, so nothing is dropped. Each element gets
// its settings typed (element_config.hpp). No probes, no signals, no policy: the source
// pipeline attaches those.
#pragma once

#include <gst/gst.h>

#include <functional>
#include <string>

#include "config.hpp"
#include "source_probe.hpp"
#include "web/live_frames.hpp"

namespace deepbug::stream {

// Borrowed pointers: the pipeline bin owns every element.
struct SourceGraph {
  GstElement* entry = nullptr;     // the queue after the decoder: inputs link here, EOS enters here
  GstElement* classify = nullptr;  // deepbugclassify
  GstElement* explain = nullptr;   // deepbugexplain, when explanations are on
  GstElement* overlay = nullptr;   // deepbugoverlay, when the overlay is on
  GstElement* outputs_entry = nullptr;  // the queue before overlay, recording and display
  GstElement* after_overlay = nullptr;  // the first element of recording and display
  GstElement* recording = nullptr;      // the encode queue, when recording
  GstElement* frames_out = nullptr;     // frames through its pad frames_out_pad are the frames out
  const char* frames_out_pad = "sink";
};

// Builds into `pipeline`. Throws on an element that is missing or cannot link,
// ConfigError for an unknown display sink. `warn` reports what costs only a feature (a
// display that cannot open). `live_frames`: where the live view goes (the monitoring
// server's), null for none.
SourceGraph buildSourceGraph(GstElement* pipeline, const StreamConfig& config,
                             const SourceConfig& source, const SourceInfo& info,
                             const std::function<void(const std::string&)>& warn,
                             web::LiveFrames* live_frames);

}  // namespace deepbug::stream
