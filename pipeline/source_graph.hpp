// The elements of one source's pipeline, built and linked (the input excepted: archive
// inputs are added by the caller, live ones join a PLAYING pipeline):
//
//   [input] ─► queue ─► videoconvert ─► deepbugclassify [─► deepbugexplain] ─► queue
//     ─► deepbugoverlay [─► tee ─► display] ─► queue ─► videoconvert ─► x264enc ─► h264parse
//     ─► mp4mux|matroskamux ─► filesink   (or splitmuxsink: time-named segments)
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

namespace deepbug::stream {

// Borrowed pointers: the pipeline bin owns every element.
struct SourceGraph {
  GstElement* entry = nullptr;     // the queue after the decoder: inputs link here, EOS enters here
  GstElement* classify = nullptr;  // deepbugclassify
  GstElement* explain = nullptr;   // deepbugexplain, when explanations are on
  GstElement* overlay = nullptr;   // deepbugoverlay, when the overlay is on
  GstElement* outputs_entry = nullptr;  // the queue before overlay, recording and display
  GstElement* after_overlay = nullptr;  // the first element of recording and display
  GstElement* frames_out = nullptr;     // frames entering it are the frames out
  GstElement* segments = nullptr;       // splitmuxsink, when recording in segments
};

// Builds into `pipeline`, recording to `video_path` unless segmented. Throws on an
// element that is missing or cannot link, ConfigError for an unknown display sink.
// `warn` reports what costs only a feature (a display that cannot open).
SourceGraph buildSourceGraph(GstElement* pipeline, const StreamConfig& config,
                             const SourceConfig& source, const SourceInfo& info,
                             const std::string& video_path,
                             const std::function<void(const std::string&)>& warn);

}  // namespace deepbug::stream
