// deepbug-bench web: what the monitoring server and its live views cost the pipeline.
// One archive run of a footage file (as fast as the machine goes) per case — web off,
// web on with nobody watching, then 1 and 4 browsers reading the MJPEG live view — with
// the pipeline's fps (frames out over wall time) and the process's CPU seconds of each,
// beside the first case's.
#pragma once

#include <nlohmann/json.hpp>
#include <string>
#include <vector>

namespace deepbug::bench {

struct WebBenchOptions {
  std::string model;
  std::string footage;             // a video file, classified as archive footage
  std::vector<int> clients{1, 4};  // live-view readers in the cases after "nobody"
  double live_fps = 5;             // web.live_fps
  int live_width = 640;            // web.live_width
  int repeat = 3;                  // runs per case; the median is reported
  std::string work_dir;            // outputs of the runs (default: a temporary folder)
};

nlohmann::json benchWeb(const WebBenchOptions& options);

}  // namespace deepbug::bench
