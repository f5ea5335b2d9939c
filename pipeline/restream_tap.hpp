// The recording's H.264 for the RTSP re-stream (restream_feed.hpp), taken after the
// recording's parser so the re-stream costs no second encode:
//
//   h264parse ─► tee ─► mux … (the recording, as before)
//                   └► queue (leaky, a few frames) ─► appsink ─► RestreamFeed
//
// The branch can never hold the recording back: its queue drops its oldest frames when
// full, and the appsink neither syncs nor prerolls.
#pragma once

#include <gst/gst.h>

#include <string>
#include <vector>

#include "restream_feed.hpp"

namespace deepbug::stream {

struct RestreamTap {
  GstElement* tee = nullptr;        // goes between the parser and the muxer
  std::vector<GstElement*> branch;  // queue and appsink, already linked to the tee
};

// Adds the tap's elements to `pipeline`, named with `suffix` (recording chains after the
// first are numbered); `chain` is the recording chain's number. Throws when an element
// is missing or cannot link.
RestreamTap addRestreamTap(GstElement* pipeline, RestreamFeed& feed, int chain,
                           const std::string& suffix);

}  // namespace deepbug::stream
