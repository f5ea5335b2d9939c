// Sample footage: a clip on a real surveillance background in which fights start
// and stop at known times among walking people, with per-frame ground truth.
#pragma once

#include <cstdint>
#include <string>

namespace deepbug::synth {

struct FootageOptions {
  std::string out_dir;
  std::string background_clip;
  std::uint64_t seed = 1;
  double seconds = 30.0;
  double fps = 15.0;
};

// Writes OUT/sample.avi (MJPG) and OUT/ground_truth.json; returns the frame count.
int writeFootage(const FootageOptions& options);

}  // namespace deepbug::synth
