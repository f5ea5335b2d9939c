#include "bench_stream.hpp"

#include <gst/gst.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <sstream>

#include "config.hpp"
#include "core/error.hpp"
#include "core/runtime.hpp"
#include "footage_accuracy.hpp"
#include "model/classifier.hpp"
#include "plugin_registry.hpp"
#include "stream_runner.hpp"

namespace deepbug::bench {
namespace fs = std::filesystem;
using nlohmann::json;

namespace {

// One deepbug-stream run of the footage; returns its summary.json.
json runOnce(stream::StreamConfig config, const fs::path& out) {
  config.outputs.directory = out.string();
  stream::RunOptions run;
  run.quiet = true;
  run.overwrite = true;
  const int code = stream::runStream(config, run);
  if (code != kExitOk) {
    throw std::runtime_error("a deepbug-stream run failed (exit code " + std::to_string(code) +
                             "); outputs in " + out.string());
  }
  std::ifstream in(out / "bench" / "summary.json");
  return json::parse(in);
}

// Seconds of classification (preprocessing and inference) per classified frame.
double classifySecondsPerFrame(const json& summary) {
  const json& c = summary.at("stages").at("classify");
  const double classified = c.at("classified").get<double>();
  if (classified <= 0) return 0.0;
  return (c.at("preprocess_seconds").get<double>() + c.at("inference_seconds").get<double>()) /
         classified;
}

// The footage as the one source "bench" of the config the options name, or of one
// written from the options; read as deepbug-stream reads its own.
stream::StreamConfig benchConfig(const StreamBenchOptions& o) {
  const std::string footage = fs::absolute(o.footage).string();
  const std::string source = "sources=[{name: bench, uri: " + json(footage).dump() + "}]";
  if (!o.config.empty()) {
    std::vector<std::string> sets = o.sets;
    sets.push_back(source);
    return stream::loadConfig(o.config, sets);
  }
  if (o.model.empty()) throw ConfigError("no model", "pass --config or --model");
  std::ostringstream yaml;
  yaml << "sources: []\n"
       << "model:\n  path: " << json(o.model).dump() << "\n  batch_size: " << o.batch << "\n";
  if (!o.target.empty()) yaml << "overlay:\n  watch: " << json(o.target).dump() << "\n";
  yaml << "explain:\n  composite: " << json(o.composite).dump()
       << "\n  threshold_on: " << o.threshold_on << "\n  threshold_off: " << o.threshold_off
       << "\n  min_frames: " << o.min_frames << "\n  gap_frames: " << o.gap_frames
       << "\n  top_k: " << o.top_k << "\n"
       << "outputs:\n  directory: bench\n";
  return stream::loadConfigText(yaml.str(), "(deepbug-bench stream options)", {source});
}

}  // namespace

json benchStream(const StreamBenchOptions& o) {
  gst_init(nullptr, nullptr);
  stream::registerDeepbugPlugin();
  if (!fs::is_regular_file(o.footage)) {
    throw ConfigError("no footage file '" + o.footage + "'", "check --footage");
  }
  stream::StreamConfig config = benchConfig(o);
  model::ClassifierOptions probe;
  probe.model_path = config.model.model_path;
  probe.device = "cpu";
  const model::Classifier classifier(probe);
  if (o.config.empty() && o.target.empty()) {
    // Watched and explained: the model's first label.
    config.overlay.watch = config.explain.target = classifier.labels().front();
  }
  config.explain.snapshots = true;

  const fs::path work =
      o.work_dir.empty()
          ? fs::temp_directory_path() / ("deepbug-bench-stream-" + std::to_string(getpid()))
          : fs::path(o.work_dir);
  // Off, on, off again: the two "off" runs bracket the "on" run against drift.
  stream::StreamConfig off = config;
  off.explain.enabled = false;
  stream::StreamConfig on = config;
  on.explain.enabled = true;
  on.explain.mode = gst::ExplainMode::kArchive;
  on.explain.relevance_npy = !o.ground_truth.empty();
  stream::StreamConfig live = on;
  live.explain.mode = gst::ExplainMode::kLive;
  live.explain.max_rate = o.live_max_rate;
  gst::validate(live.explain);  // what the runs change is checked as the config was

  const json off1 = runOnce(off, work / "off-1");
  const json archive = runOnce(on, work / "archive");
  const json off2 = runOnce(off, work / "off-2");
  const json live_run = runOnce(live, work / "live");
  const json accuracy = o.ground_truth.empty()
                            ? json(nullptr)
                            : scoreAgainstGroundTruth((work / "archive" / "bench").string(),
                                                      o.ground_truth, classifier.metadata());
  if (o.work_dir.empty()) fs::remove_all(work);

  const double fps_off = (off1["fps"].get<double>() + off2["fps"].get<double>()) / 2;
  const double fps_on = archive["fps"].get<double>();
  const double frames = archive["frames_out"].get<double>();
  const json& e = archive["explain"];
  const double explained = e["frames_explained"].get<double>();
  const double f = frames > 0 ? explained / frames : 0.0;
  const double lrp_seconds = e["explain_seconds_per_frame"].get<double>();
  const double classify_seconds = classifySecondsPerFrame(archive);
  const double r = classify_seconds > 0 ? lrp_seconds / classify_seconds : 0.0;
  const double bound = 1.0 / (1.0 + f * r);
  const double ratio = fps_off > 0 ? fps_on / fps_off : 0.0;
  return {{"benchmark", "stream"},
          {"footage", o.footage},
          {"config", o.config.empty() ? json(nullptr) : json(o.config)},
          {"model", config.model.model_path},
          {"composite", config.explain.composite},
          {"frames", frames},
          {"off", {{"fps_runs", {off1["fps"], off2["fps"]}}, {"fps", fps_off}}},
          {"archive",
           {{"fps", fps_on},
            {"events", e["events"]},
            {"frames_explained", explained},
            {"fraction_explained", f},
            {"lrp_seconds_per_frame", lrp_seconds},
            {"classify_seconds_per_frame", classify_seconds},
            {"lrp_cost_in_forward_passes", r},
            {"peak_frames_held", e["peak_frames_held"]},
            {"peak_memory_mib", archive["peak_memory_mib"]}}},
          {"ratio", ratio},
          {"best_possible_ratio", bound},
          {"fraction_of_bound", bound > 0 ? ratio / bound : 0.0},
          {"target_fraction_of_bound", 0.95},
          {"live",
           {{"max_rate", o.live_max_rate},
            {"fps", live_run["fps"]},
            {"frames_selected", live_run["explain"]["frames_selected"]},
            {"frames_explained", live_run["explain"]["frames_explained"]},
            {"frames_skipped", live_run["explain"]["frames_skipped"]},
            {"latency_p50_seconds", live_run["explain"]["latency_p50_seconds"]},
            {"latency_p95_seconds", live_run["explain"]["latency_p95_seconds"]}}},
          {"against_ground_truth", accuracy},
          {"runtime", json::parse(toJson(runtimeInfo()))}};
}

}  // namespace deepbug::bench
