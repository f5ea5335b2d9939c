// Checks a footage file before anything is written: it must decode and hold a video
// stream. Gives the duration and frame rate for progress and ETA.
#pragma once

#include <string>

namespace deepbug::stream {

struct SourceInfo {
  int width = 0;
  int height = 0;
  double fps = 0;               // 0 when the container does not say
  double duration_seconds = 0;  // 0 when unknown
  bool has_audio = false;
};

// Throws ConfigError naming the file (prefixed with `where`) when it cannot be read
// as footage: empty, not a media file, no video stream, or no decoder for it.
SourceInfo probeSource(const std::string& path, const std::string& where);

}  // namespace deepbug::stream
