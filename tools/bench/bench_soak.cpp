#include "bench_soak.hpp"

#include <gst/gst.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <cmath>
#include <condition_variable>
#include <filesystem>
#include <fstream>
#include <mutex>
#include <thread>

#include "bench_stats.hpp"
#include "config.hpp"
#include "core/error.hpp"
#include "core/runtime.hpp"
#include "plugin_registry.hpp"
#include "stream_runner.hpp"

namespace deepbug::bench {
namespace fs = std::filesystem;
using nlohmann::json;
using Clock = std::chrono::steady_clock;

namespace {

// Samples the resident memory every `period` until stopped.
class RssSampler {
 public:
  explicit RssSampler(double period_seconds)
      : period_(period_seconds), start_(Clock::now()), thread_([this] { run(); }) {}
  ~RssSampler() { stop(); }

  std::vector<std::pair<double, double>> stop() {
    {
      std::lock_guard lock(mutex_);
      stopping_ = true;
    }
    wake_.notify_all();
    if (thread_.joinable()) thread_.join();
    return samples_;
  }

 private:
  void run() {
    std::unique_lock lock(mutex_);
    for (;;) {
      const double t = std::chrono::duration<double>(Clock::now() - start_).count();
      samples_.emplace_back(t, statusMiB("VmRSS"));
      if (wake_.wait_for(lock, std::chrono::duration<double>(period_),
                         [this] { return stopping_; })) {
        samples_.emplace_back(std::chrono::duration<double>(Clock::now() - start_).count(),
                              statusMiB("VmRSS"));
        return;
      }
    }
  }

  double period_;
  Clock::time_point start_;
  std::mutex mutex_;
  std::condition_variable wake_;
  bool stopping_ = false;
  std::vector<std::pair<double, double>> samples_;
  std::thread thread_;  // last: starts once the rest is ready
};

}  // namespace

json soakFigures(const std::vector<std::pair<double, double>>& samples, double warmup_seconds) {
  std::vector<std::pair<double, double>> after;
  for (const auto& sample : samples) {
    if (sample.first >= warmup_seconds) after.push_back(sample);
  }
  if (after.size() < 2) {
    throw ConfigError("fewer than two memory samples after the warm-up",
                      "run longer than the warm-up, or sample more often");
  }
  // Least squares: slope = Σ(t − t̄)(m − m̄) / Σ(t − t̄)².
  double t_mean = 0, m_mean = 0;
  for (const auto& [t, m] : after) {
    t_mean += t;
    m_mean += m;
  }
  t_mean /= static_cast<double>(after.size());
  m_mean /= static_cast<double>(after.size());
  double covariance = 0, variance = 0;
  for (const auto& [t, m] : after) {
    covariance += (t - t_mean) * (m - m_mean);
    variance += (t - t_mean) * (t - t_mean);
  }
  const double slope_per_second = variance > 0 ? covariance / variance : 0.0;
  double peak = 0;
  for (const auto& sample : samples)
    peak = std::max(peak, sample.second);
  return {{"start_mib", samples.front().second},
          {"peak_mib", peak},
          {"end_mib", samples.back().second},
          {"warmup_seconds", warmup_seconds},
          {"after_warmup_mib", after.front().second},
          {"growth_after_warmup_mib", samples.back().second - after.front().second},
          {"slope_mib_per_hour", slope_per_second * 3600.0},
          {"samples", samples.size()}};
}

json benchSoak(const SoakBenchOptions& o) {
  if (o.config.empty()) throw ConfigError("no config", "pass --config, e.g. config/cctv.yaml");
  if (!(o.minutes > 0) || o.warmup_minutes < 0 || !(o.sample_seconds > 0)) {
    throw ConfigError(
        "--minutes and --sample-seconds must be positive, --warmup-minutes not "
        "negative");
  }
  if (o.warmup_minutes >= o.minutes) {
    throw ConfigError("--warmup-minutes must be shorter than --minutes",
                      "the figures are taken after the warm-up");
  }
  gst_init(nullptr, nullptr);
  stream::registerDeepbugPlugin();
  const long frames = std::lround(o.minutes * 60.0 * o.fps);
  const std::string uri = "test:ball?width=" + std::to_string(o.width) +
                          "&height=" + std::to_string(o.height) + "&fps=" + std::to_string(o.fps) +
                          "&frames=" + std::to_string(frames);
  const fs::path work = o.work_dir.empty() ? fs::temp_directory_path() /
                                                 ("deepbug-bench-soak-" + std::to_string(getpid()))
                                           : fs::path(o.work_dir);
  std::vector<std::string> sets = o.sets;
  sets.push_back("sources=[{name: soak, uri: " + json(uri).dump() + "}]");
  sets.push_back("outputs.directory=" + json(work.string()).dump());
  stream::StreamConfig config = stream::loadConfig(o.config, sets);
  // Explanation on, whatever the config says: it is half of the work being soaked.
  config.explain.enabled = true;

  stream::RunOptions run;
  run.quiet = true;
  run.overwrite = true;
  RssSampler sampler(o.sample_seconds);
  const auto start = Clock::now();
  const int code = stream::runStream(config, run);
  const double wall = std::chrono::duration<double>(Clock::now() - start).count();
  const std::vector<std::pair<double, double>> samples = sampler.stop();
  if (code != kExitOk) {
    throw std::runtime_error("the soak run failed (exit code " + std::to_string(code) +
                             "); outputs in " + work.string());
  }
  std::ifstream in(work / "soak" / "summary.json");
  const json summary = json::parse(in);
  if (o.work_dir.empty()) fs::remove_all(work);

  json curve = json::array();
  for (const auto& [t, m] : samples)
    curve.push_back({std::round(t * 10) / 10, std::round(m * 100) / 100});
  return {{"benchmark", "soak"},
          {"config", o.config},
          {"source", uri},
          {"minutes", o.minutes},
          {"wall_seconds", wall},
          {"frames_expected", frames},
          {"frames_out", summary["frames_out"]},
          {"frames_classified", summary["frames_classified"]},
          {"explain", summary["explain"]},
          {"memory", soakFigures(samples, o.warmup_minutes * 60.0)},
          {"rss_mib_over_time", curve},
          {"runtime", json::parse(toJson(runtimeInfo()))}};
}

}  // namespace deepbug::bench
