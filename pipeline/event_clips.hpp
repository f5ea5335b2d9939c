// clips/: a short clip per event, cut from the labelled recording without re-encoding.
// The encoder puts a keyframe at least every `keyframe_seconds`, so the first keyframe
// at or after start − keyframe_seconds lies at or before the clip's start: the clip
// begins there (a decodable cut), restamped to start at zero, and ends after `end`.
#pragma once

#include <string>
#include <vector>

namespace deepbug::stream {

struct ClipRequest {
  long long event_id = 0;
  double start_seconds = 0.0;  // stream time, pre-roll included
  double end_seconds = 0.0;    // post-roll included
};

struct ClipResult {
  long long event_id = 0;
  std::string path;   // written clip; empty on failure
  std::string error;  // why not
};

// Cuts every request out of `recording` (MP4, fragmented MP4 or MKV) into
// `clips_dir/event-ID.<recording's extension>`, one GStreamer pipeline per clip:
// filesrc ! parsebin ! mp4mux|matroskamux ! filesink, a pad probe keeping the span.
std::vector<ClipResult> cutClips(const std::string& recording, const std::string& clips_dir,
                                 const std::vector<ClipRequest>& requests, double keyframe_seconds);

}  // namespace deepbug::stream
