// A source's live view for the monitoring page: the labelled frames, scaled and JPEG-
// encoded into LiveFrames for the MJPEG clients (web/live_frames.hpp).
//
//   tee ─► queue (leaky, 2 frames) ─► videorate (max-rate) ─► videoscale ─► videoconvert
//     ─► capsfilter (width) ─► jpegenc ─► appsink
//
// Frames are dropped at the queue's output while nobody watches, so the branch costs
// nothing then; the leaky queue means a busy encoder drops live-view frames, never the
// recording's.
#pragma once

#include <gst/gst.h>

#include <string>

#include "config.hpp"
#include "web/live_frames.hpp"

namespace deepbug::stream {

// Adds the branch to `pipeline` and links `upstream` to it; returns its queue. Throws
// when an element is missing or cannot link.
GstElement* buildLiveView(GstElement* pipeline, GstElement* upstream, const WebConfig& web,
                          const std::string& source, web::LiveFrames& frames);

}  // namespace deepbug::stream
