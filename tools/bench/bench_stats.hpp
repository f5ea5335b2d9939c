// Timing helpers for benchmarks: repeated runs summarised as median / min / max.
#pragma once

#include <sys/resource.h>

#include <algorithm>
#include <chrono>
#include <fstream>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

namespace deepbug::bench {

// Resident memory in MiB from /proc/self/status ("VmRSS" now, "VmHWM" the peak).
inline double statusMiB(const std::string& key) {
  std::ifstream status("/proc/self/status");
  for (std::string line; std::getline(status, line);) {
    if (line.rfind(key + ":", 0) == 0) return std::stod(line.substr(key.size() + 1)) / 1024.0;
  }
  return 0.0;
}

// CPU seconds (user and system) this process has used so far, all threads together.
inline double processCpuSeconds() {
  rusage usage{};
  getrusage(RUSAGE_SELF, &usage);
  return usage.ru_utime.tv_sec + usage.ru_stime.tv_sec +
         (usage.ru_utime.tv_usec + usage.ru_stime.tv_usec) / 1e6;
}

struct Samples {
  std::vector<double> values;

  double median() const {
    std::vector<double> sorted = values;
    std::sort(sorted.begin(), sorted.end());
    const std::size_t n = sorted.size();
    if (n == 0) return 0.0;
    return n % 2 ? sorted[n / 2] : 0.5 * (sorted[n / 2 - 1] + sorted[n / 2]);
  }
  double min() const {
    return values.empty() ? 0.0 : *std::min_element(values.begin(), values.end());
  }
  double max() const {
    return values.empty() ? 0.0 : *std::max_element(values.begin(), values.end());
  }

  nlohmann::json toJson() const {
    return {{"median", median()}, {"min", min()}, {"max", max()}, {"runs", values.size()}};
  }
};

// Milliseconds one call of `body` takes.
template <typename Body>
double timeMs(Body&& body) {
  const auto start = std::chrono::steady_clock::now();
  body();
  return std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - start)
      .count();
}

}  // namespace deepbug::bench
