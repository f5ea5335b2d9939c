// deepbug-bench live: how many live cameras one machine records while classifying.
// For 1, 2, … sources, deepbug-stream runs that many live test patterns (a camera's
// size and rate) for a fixed time, or that many copies of a footage file paced as
// cameras, recording every frame and classifying every
// `interval`-th. A source count keeps up when every frame is recorded, no frame due
// for classification is skipped, and the run ends within a second (and 10 %) of the
// stream's length — a pipeline that falls behind piles frames up and ends late.
#pragma once

#include <nlohmann/json.hpp>
#include <string>

namespace deepbug::bench {

struct LiveBenchOptions {
  std::string model;
  int interval = 1;  // classify every Nth frame
  int min_sources = 1;
  int max_sources = 8;
  double seconds = 20;  // stream length per run
  int width = 640;
  int height = 360;
  int fps = 15;
  // Instead of test patterns: this file, decoded and paced at its frame rate by every
  // source (mode: live) — decoding real footage costs what a real camera's does.
  std::string footage;
  bool keep_going = false;  // try every count up to max_sources, not only until one fails
  std::string work_dir;     // outputs of the runs (default: a temporary folder)
};

nlohmann::json benchLive(const LiveBenchOptions& options);

}  // namespace deepbug::bench
