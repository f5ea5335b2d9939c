// deepbug-bench soak: memory over time. deepbug-stream runs a live test pattern with a
// config's model, overlay, explain and outputs settings (its sources and output folder
// replaced; explanation on) for a given time, while the process's resident memory
// is sampled every few seconds. Every program keeps freed memory in its heap for reuse
// (core/runtime.hpp), so a leak shows as a rising line, not as noise: the figures are
// the start, peak and end, and after a warm-up the least-squares slope (MiB per hour)
// and the growth from the end of the warm-up to the end.
#pragma once

#include <nlohmann/json.hpp>
#include <string>
#include <vector>

namespace deepbug::bench {

struct SoakBenchOptions {
  std::string config;  // a deepbug-stream config; its sources and output folder are replaced
  std::vector<std::string> sets;
  double minutes = 30;
  double warmup_minutes = 5;  // excluded from the slope and the growth
  double sample_seconds = 5;
  int width = 640;
  int height = 360;
  int fps = 15;
  std::string work_dir;  // the run's outputs (default: a temporary folder)
};

nlohmann::json benchSoak(const SoakBenchOptions& options);

// The figures of RSS samples (seconds since the start, MiB): start,
// peak, end, and after `warmup_seconds` the slope per hour and end − warm-up value.
// Throws ConfigError when fewer than two samples lie after the warm-up.
nlohmann::json soakFigures(const std::vector<std::pair<double, double>>& samples,
                           double warmup_seconds);

}  // namespace deepbug::bench
