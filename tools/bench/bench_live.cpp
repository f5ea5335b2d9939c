#include "bench_live.hpp"

#include <gst/gst.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <iostream>
#include <sstream>
#include <thread>

#include "bench_stats.hpp"
#include "config.hpp"
#include "core/error.hpp"
#include "core/runtime.hpp"
#include "plugin_registry.hpp"
#include "source_probe.hpp"
#include "stream_runner.hpp"

namespace deepbug::bench {
namespace fs = std::filesystem;
using nlohmann::json;

namespace {

// `sources` cameras: test patterns of the options' size and rate, or the footage paced
// as a camera; read as deepbug-stream reads its config.
stream::StreamConfig liveConfig(const LiveBenchOptions& o, int sources, const fs::path& out) {
  const long frames = std::lround(o.seconds * o.fps);  // test patterns
  const std::string uri =
      !o.footage.empty()
          ? fs::absolute(o.footage).string()
          : "test:ball?width=" + std::to_string(o.width) + "&height=" + std::to_string(o.height) +
                "&fps=" + std::to_string(o.fps) + "&frames=" + std::to_string(frames);
  std::ostringstream yaml;
  yaml << "sources:\n";
  for (int i = 0; i < sources; ++i) {
    yaml << "  - name: cam" << i + 1 << "\n    uri: " << json(uri).dump() << "\n"
         << (o.footage.empty() ? "" : "    mode: live\n");
  }
  yaml << "model:\n  path: " << json(o.model).dump()
       << "\n  device: cpu\n  batch_size: 1\n  interval: " << o.interval << "\n"
       << "outputs:\n  directory: " << json(out.string()).dump() << "\n  status_file: false\n";
  return stream::loadConfigText(yaml.str(), "(deepbug-bench live options)", {});
}

// Frames each source sends, and for how long.
struct SourceLength {
  std::uint64_t frames = 0;
  double seconds = 0;
};

SourceLength sourceLength(const LiveBenchOptions& o) {
  if (o.footage.empty()) {
    return {static_cast<std::uint64_t>(std::lround(o.seconds * o.fps)), o.seconds};
  }
  const stream::SourceInfo info = stream::probeSource(o.footage, "--footage");
  return {static_cast<std::uint64_t>(std::lround(info.duration_seconds * info.fps)),
          info.duration_seconds};
}

json runCount(const LiveBenchOptions& o, int sources, const fs::path& out) {
  fs::remove_all(out);
  const stream::StreamConfig config = liveConfig(o, sources, out);
  stream::RunOptions run;
  run.quiet = true;
  run.overwrite = true;
  const double cpu_before = processCpuSeconds();
  const auto start = std::chrono::steady_clock::now();
  const int code = stream::runStream(config, run);
  const double wall =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  const double cpu = processCpuSeconds() - cpu_before;
  if (code != kExitOk) {
    throw std::runtime_error("deepbug-stream failed with " + std::to_string(sources) +
                             " sources (exit code " + std::to_string(code) + "); outputs in " +
                             out.string());
  }
  const SourceLength length = sourceLength(o);
  std::uint64_t recorded = 0, classified = 0, skipped = 0;
  bool complete = true;
  for (const auto& source : config.sources) {
    std::ifstream in(out / source.name / "summary.json");
    const json s = json::parse(in);
    const auto frames_out = s.at("frames_out").get<std::uint64_t>();
    // A file's frame count from its container is approximate: every decoded frame out.
    complete &= o.footage.empty() ? frames_out == length.frames
                                  : frames_out == s.at("frames_in").get<std::uint64_t>();
    recorded += frames_out;
    classified += s.at("frames_classified").get<std::uint64_t>();
    skipped += s.at("frames_skipped").get<std::uint64_t>();
  }
  const bool on_time = wall <= length.seconds * 1.1 + 1.0;
  const unsigned cores = std::max(1u, std::thread::hardware_concurrency());
  return {{"sources", sources},
          {"frames_per_source", recorded / static_cast<std::uint64_t>(sources)},
          {"frames_recorded", recorded},
          {"frames_classified", classified},
          {"frames_skipped", skipped},
          {"wall_seconds", wall},
          {"stream_seconds", length.seconds},
          {"cpu_utilisation", cpu / wall / cores},
          {"all_frames_recorded", complete},
          {"on_time", on_time},
          {"keeps_up", complete && on_time && skipped == 0}};
}

}  // namespace

json benchLive(const LiveBenchOptions& o) {
  gst_init(nullptr, nullptr);
  stream::registerDeepbugPlugin();
  if (!fs::is_regular_file(o.model))
    throw ConfigError("no model '" + o.model + "'", "check --model");
  const fs::path work =
      !o.work_dir.empty()
          ? fs::path(o.work_dir)
          : fs::temp_directory_path() / ("deepbug-bench-live-" + std::to_string(getpid()));
  json runs = json::array();
  int best = 0;
  for (int n = std::max(1, o.min_sources); n <= o.max_sources; ++n) {
    json result = runCount(o, n, work / ("sources-" + std::to_string(n)));
    std::cerr << "deepbug-bench live: " << result.dump() << "\n";
    const bool keeps_up = result["keeps_up"];
    runs.push_back(std::move(result));
    if (keeps_up) best = n;
    if (!keeps_up && !o.keep_going) break;
  }
  if (o.work_dir.empty()) fs::remove_all(work);
  return {{"benchmark", "live"},
          {"model", o.model},
          {"interval", o.interval},
          {"source", o.footage.empty() ? json{{"pattern", "ball"},
                                              {"width", o.width},
                                              {"height", o.height},
                                              {"fps", o.fps},
                                              {"seconds", o.seconds}}
                                       : json{{"footage", o.footage}}},
          {"runtime", json::parse(toJson(runtimeInfo()))},
          {"runs", runs},
          {"max_sources_keeping_up", best}};
}

}  // namespace deepbug::bench
