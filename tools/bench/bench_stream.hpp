// deepbug-bench stream: the cost of explanations in the stream. The same footage runs
// through deepbug-stream with explanation off and on (archive mode), and once more in
// live mode with a rate cap. With a fraction f of frames explained at r times the cost
// of classifying one, the best possible on/off speed ratio is 1 / (1 + f·r); the
// benchmark reports how close the run comes to it, and how many live selections were
// skipped for want of capacity.
#pragma once

#include <nlohmann/json.hpp>
#include <string>
#include <vector>

namespace deepbug::bench {

struct StreamBenchOptions {
  std::string footage;
  // A deepbug-stream config (through loadConfig, with `sets` as --set) gives the model,
  // overlay, explain and live settings; without one, the fields below do.
  std::string config;
  std::vector<std::string> sets;
  std::string model;
  std::string target;  // empty: the model's first label
  std::string composite = "epsilon-plus-flat";
  double threshold_on = 0.6;
  double threshold_off = 0.45;
  int min_frames = 8;
  int gap_frames = 0;
  int top_k = 1;
  int batch = 4;               // classification batch
  double live_max_rate = 0.5;  // explanations per second of stream time in the live run
  std::string work_dir;        // outputs of the runs (default: a temporary folder)
  std::string ground_truth;    // deepbug-synth ground_truth.json: score events and maps
};

nlohmann::json benchStream(const StreamBenchOptions& options);

}  // namespace deepbug::bench
