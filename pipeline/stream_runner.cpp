#include "stream_runner.hpp"

#include <glib-unix.h>
#include <gst/gst.h>
#include <unistd.h>

#include <algorithm>
#include <csignal>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <memory>

#include "classify/classify_settings.hpp"
#include "common/gobject_settings.hpp"
#include "common/gst_ptr.hpp"
#include "core/error.hpp"
#include "meta/model_info.hpp"
#include "rtsp_restream.hpp"
#include "source_input.hpp"
#include "source_pipeline.hpp"
#include "status_lines.hpp"
#include "web/listen_address.hpp"
#include "web_monitor.hpp"

namespace deepbug::stream {
namespace fs = std::filesystem;

namespace {

// "a, b, c", or the first ten and a count for models with many classes.
std::string listLabels(const std::vector<std::string>& labels) {
  std::string all;
  for (std::size_t i = 0; i < labels.size() && i < 10; ++i) {
    all += (all.empty() ? "" : ", ") + labels[i];
  }
  if (labels.size() > 10) all += ", … (" + std::to_string(labels.size()) + " classes)";
  return all;
}

// What is known of a source before it runs. Files are probed (they must decode);
// cameras are not: one that is down at the start is an outage, not a config error.
SourceInfo checkSource(const SourceConfig& source) {
  if (source.kind == SourceKind::kFile) return probeSource(source.location, source.where);
  SourceInfo info;
  if (source.kind == SourceKind::kTest) {
    const std::string problem = checkTestPattern(source.test.pattern);
    if (!problem.empty()) throw ConfigError(source.where + ": " + problem);
    info.width = source.test.width;
    info.height = source.test.height;
    info.fps = source.test.fps;
    if (source.test.frames > 0) info.duration_seconds = double(source.test.frames) / info.fps;
  }
  return info;
}

// Loads the model up front, through a deepbugclassify of its own, so that a bad model is
// a config error (exit code 2) before any output exists, and checks the overlay's class
// against its labels. The returned element keeps the model loaded: every source's
// classifier finds it there (meta/model_info.hpp), so the run loads it once.
gst::ObjectRef<GstElement> loadModel(const StreamConfig& config, bool verbose) {
  gst::ObjectRef<GstElement> loader(
      GST_ELEMENT(gst_object_ref_sink(makeElement("deepbugclassify", "model"))));
  gst::applySettings(loader.get(), gst::classifySettingsTable(),
                     static_cast<const gst::ClassifySettings&>(config.model));
  GstStructure* reply = nullptr;
  g_signal_emit_by_name(loader.get(), gst::kLoadModelSignal, &reply);
  const gst::OwnedStructure owned(reply);
  const gst::ModelInfo model = gst::modelInfoFrom(reply);
  if (!model.error.empty()) throw ConfigError(config.model.where + ": " + model.error, model.hint);
  if (!config.overlay.watch.empty() && std::find(model.labels.begin(), model.labels.end(),
                                                 config.overlay.watch) == model.labels.end()) {
    throw ConfigError(
        config.file + ": overlay.watch '" + config.overlay.watch + "' is not a class of the model",
        "the model's classes: " + listLabels(model.labels));
  }
  if (verbose) {
    std::cerr << "deepbug-stream: model " << config.model.model_path << " ("
              << listLabels(model.labels) << ") on " << model.device << "\n";
  }
  for (const std::string& warning : model.warnings) {
    std::cerr << "deepbug-stream: warning: " << warning << "\n";
  }
  return loader;
}

struct Run {
  GMainLoop* loop = nullptr;
  std::vector<std::unique_ptr<SourcePipeline>> sources;
  std::vector<nlohmann::json> last_status_of;  // per source, for rates
  std::vector<Rates> rates;
  RunOptions options;
  std::string status_path;        // empty: no status.json
  WebMonitor* monitor = nullptr;  // the monitoring server, when configured
  double status_file_interval = 2;
  bool tty = false;
  bool interrupted = false;
  gint64 last_status = 0;
  gint64 last_status_file = 0;
  guint stop_timer = 0;

  bool allFinished() const {
    return std::all_of(sources.begin(), sources.end(), [](const auto& s) { return s->finished(); });
  }

  // Snapshots every source; rates cover the time since the previous snapshot.
  std::vector<nlohmann::json> snapshot() {
    std::vector<nlohmann::json> now;
    last_status_of.resize(sources.size());
    rates.resize(sources.size());
    for (std::size_t i = 0; i < sources.size(); ++i) {
      now.push_back(sources[i]->status());
      if (!last_status_of[i].is_null()) rates[i] = ratesBetween(last_status_of[i], now[i]);
      last_status_of[i] = now[i];
    }
    return now;
  }

  void printProgress(bool final, const std::vector<nlohmann::json>& status) {
    if (options.quiet) return;
    std::string text;
    for (std::size_t i = 0; i < sources.size(); ++i) {
      const std::string line = status[i].value("mode", "") == "live"
                                   ? liveProgressText(*sources[i], status[i], rates[i])
                                   : progressText(*sources[i]);
      // A terminal shows one line per source, redrawn in place.
      text += tty ? "\033[K" + line + "\n" : "deepbug-stream: " + line + "\n";
    }
    if (tty) {
      std::cerr << text << std::flush;
      if (!final) std::cerr << "\033[" << sources.size() << "A" << std::flush;
    } else {
      std::cerr << text;
    }
  }

  // status.json, and the same to the monitoring server.
  void publishStatus(const std::vector<nlohmann::json>& status, bool final) {
    nlohmann::json out{{"updated", g_get_real_time() / 1e6}, {"running", !final}};
    out["sources"] = nlohmann::json::array();
    for (std::size_t i = 0; i < sources.size(); ++i) {
      nlohmann::json entry = status[i];
      entry["fps_in"] = rates[i].fps_in;
      entry["fps_out"] = rates[i].fps_out;
      entry["classify_ms_per_batch"] = rates[i].classify_ms;
      out["sources"].push_back(entry);
    }
    if (monitor != nullptr) {
      out["web"] = {{"url", monitor->url()}};
      monitor->publish(out);
    }
    writeStatusFile(out);
  }

  // Rewritten whole (write, then rename) so a reader never sees half a file.
  void writeStatusFile(const nlohmann::json& out) const {
    if (status_path.empty()) return;
    const std::string tmp = status_path + ".tmp";
    {
      std::ofstream file(tmp);
      file << out.dump(1) << "\n";
      if (!file) return;  // a full disk must not stop the recording
    }
    std::error_code ec;
    fs::rename(tmp, status_path, ec);
  }

  void stopAll(const std::string& reason) {
    for (auto& s : sources)
      s->requestStop(reason);
  }
};

gboolean onBusMessage(GstBus*, GstMessage* message, gpointer data) {
  auto* pair = static_cast<std::pair<Run*, SourcePipeline*>*>(data);
  Run& run = *pair->first;
  SourcePipeline& source = *pair->second;
  bool ended = false;
  try {
    ended = !source.finished() && source.handleMessage(message);
    if (ended) source.finish(run.interrupted);
  } catch (const std::exception& e) {
    // Nothing unwinds into GLib. A message that cannot be handled (summary.json on a
    // full disk, …) ends the source with its cause; the other sources go on.
    source.abandon(std::string("handling a ") + GST_MESSAGE_TYPE_NAME(message) +
                   " message failed: " + e.what());
    ended = true;
  }
  if (ended) {
    if (source.failed()) {
      if (run.tty && !run.options.quiet) std::cerr << "\n";
      std::cerr << "deepbug-stream: source '" << source.name() << "': " << source.error() << "\n";
    }
    if (run.allFinished()) g_main_loop_quit(run.loop);
  }
  return G_SOURCE_CONTINUE;
}

gboolean onInterrupt(gpointer data) {
  Run& run = *static_cast<Run*>(data);
  if (run.interrupted) {
    std::cerr << "\ndeepbug-stream: interrupted again, exiting now\n";
    _exit(kExitInterrupted);
  }
  run.interrupted = true;
  std::cerr << "\ndeepbug-stream: stopping: finishing the output files (Ctrl-C again to quit "
               "at once)\n";
  run.stopAll("interrupted");
  run.stop_timer = g_timeout_add(
      static_cast<guint>(run.options.stop_timeout_seconds * 1000),
      [](gpointer d) -> gboolean {
        auto& r = *static_cast<Run*>(d);
        std::cerr << "deepbug-stream: outputs did not finish within "
                  << r.options.stop_timeout_seconds << " s; stopping anyway\n";
        for (auto& s : r.sources) {
          try {
            s->finish(true);
          } catch (const std::exception& e) {
            s->abandon(std::string("finishing after the stop timeout failed: ") + e.what());
          }
        }
        g_main_loop_quit(r.loop);
        r.stop_timer = 0;
        return G_SOURCE_REMOVE;
      },
      &run);
  return G_SOURCE_CONTINUE;
}

gboolean onTick(gpointer data) {
  Run& run = *static_cast<Run*>(data);
  const gint64 now = g_get_monotonic_time();
  const bool print =
      run.tty || (now - run.last_status) / 1e6 >= run.options.status_interval_seconds;
  const bool file = (now - run.last_status_file) / 1e6 >= run.status_file_interval;
  if (!print && !file) return G_SOURCE_CONTINUE;
  try {
    const auto status = run.snapshot();
    if (print) {
      run.last_status = now;
      run.printProgress(false, status);
    }
    if (file) {
      run.last_status_file = now;
      run.publishStatus(status, false);
    }
  } catch (const std::exception& e) {
    // Nothing unwinds into GLib; a status line that cannot be made costs only itself.
    std::cerr << "deepbug-stream: warning: status not updated: " << e.what() << "\n";
  }
  return G_SOURCE_CONTINUE;
}

bool holdsRun(const fs::path& dir) {
  std::error_code ec;
  return fs::exists(dir, ec) && !fs::is_empty(dir, ec);
}

// After an announced URL: a server on every interface is opened by this machine's name.
std::string everyInterfaceNote(const std::string& host) {
  return web::isEveryInterfaceHost(host)
             ? " (every interface: open it with this machine's name or address)"
             : "";
}

}  // namespace

std::string chooseOutputDir(const std::string& base, const std::string& name, bool overwrite) {
  const fs::path first = fs::path(base) / name;
  if (overwrite || !holdsRun(first)) return first.string();
  for (int n = 2;; ++n) {
    const fs::path candidate = fs::path(base) / (name + "-" + std::to_string(n));
    if (!holdsRun(candidate)) return candidate.string();
  }
}

int runStream(const StreamConfig& config, const RunOptions& options) {
  std::vector<SourceInfo> infos;
  for (const SourceConfig& source : config.sources) {
    infos.push_back(checkSource(source));
  }
  const gst::ObjectRef<GstElement> model = loadModel(config, !options.quiet);
  if (options.dry_run) {
    for (std::size_t i = 0; i < config.sources.size(); ++i) {
      const SourceInfo& info = infos[i];
      const SourceConfig& source = config.sources[i];
      std::cout << source.name << ": "
                << (source.kind == SourceKind::kFile ? source.location : source.display_uri);
      if (source.kind == SourceKind::kFile || source.kind == SourceKind::kTest) {
        std::cout << " (" << info.width << "x" << info.height << ", " << info.fps << " fps, "
                  << info.duration_seconds << " s)";
      }
      std::cout << (source.live ? " live" : "") << " -> "
                << chooseOutputDir(config.outputs.directory, config.sources[i].name,
                                   options.overwrite)
                << "\n";
    }
    std::cout << "config OK\n";
    return kExitOk;
  }

  // Bound before anything is written: a port in use is a config error (exit code 2).
  std::unique_ptr<RtspRestream> restream;
  if (config.outputs.rtsp.enabled) {
    std::vector<std::string> names;
    for (const SourceConfig& source : config.sources)
      names.push_back(source.name);
    restream = std::make_unique<RtspRestream>(config.outputs.rtsp, names);
  }

  std::unique_ptr<WebMonitor> monitor;
  if (config.web.enabled) monitor = std::make_unique<WebMonitor>(config);

  Run run;
  run.options = options;
  run.monitor = monitor.get();
  run.tty = isatty(STDERR_FILENO) != 0;
  if (config.outputs.status_file) {
    fs::create_directories(config.outputs.directory);
    run.status_path = (fs::path(config.outputs.directory) / "status.json").string();
  }
  run.status_file_interval = config.live.status_interval;
  run.loop = g_main_loop_new(nullptr, FALSE);
  std::vector<std::unique_ptr<std::pair<Run*, SourcePipeline*>>> bus_data;
  std::vector<guint> watches;
  for (std::size_t i = 0; i < config.sources.size(); ++i) {
    const std::string dir =
        chooseOutputDir(config.outputs.directory, config.sources[i].name, options.overwrite);
    SourceViewers viewers;
    if (restream) viewers.rtsp = &restream->feed(i);
    if (monitor) viewers.live_frames = &monitor->frames();
    run.sources.push_back(
        std::make_unique<SourcePipeline>(config, config.sources[i], infos[i], dir, viewers));
    if (monitor) monitor->addSource(config.sources[i].name, dir);
  }
  for (auto& source : run.sources) {
    source->start();
    if (!options.quiet) {
      std::cerr << "deepbug-stream: " << source->name() << " -> " << source->outputDir() << "\n";
      const nlohmann::json status = source->status();
      if (status.contains("rtsp")) {
        std::cerr << "deepbug-stream: " << source->name() << " re-streamed at "
                  << status["rtsp"].get<std::string>()
                  << everyInterfaceNote(config.outputs.rtsp.address) << "\n";
      }
    }
    bus_data.push_back(std::make_unique<std::pair<Run*, SourcePipeline*>>(&run, source.get()));
    const gst::ObjectRef<GstBus> bus(gst_element_get_bus(source->pipeline()));
    watches.push_back(gst_bus_add_watch(bus.get(), onBusMessage, bus_data.back().get()));
  }
  if (monitor) {
    monitor->start();
    if (!options.quiet)
      std::cerr << "deepbug-stream: monitoring page at " << monitor->url()
                << everyInterfaceNote(
                       web::parseListenAddress(config.web.listen, WebConfig::kDefaultPort).host)
                << "\n";
  }
  const guint sigint = g_unix_signal_add(SIGINT, onInterrupt, &run);
  const guint sigterm = g_unix_signal_add(SIGTERM, onInterrupt, &run);
  const guint tick = g_timeout_add(500, onTick, &run);
  run.last_status = run.last_status_file = g_get_monotonic_time();
  run.publishStatus(run.snapshot(), false);

  if (!run.allFinished()) g_main_loop_run(run.loop);

  g_source_remove(tick);
  g_source_remove(sigint);
  g_source_remove(sigterm);
  if (run.stop_timer != 0) g_source_remove(run.stop_timer);
  for (guint watch : watches)
    g_source_remove(watch);
  const std::vector<nlohmann::json> final_status = run.snapshot();
  run.printProgress(true, final_status);

  bool failed = false;
  for (auto& source : run.sources) {
    source->finish(run.interrupted);
    failed |= source->failed();
    const nlohmann::json summary = source->summary();
    for (const auto& warning : summary["warnings"]) {
      std::cerr << "deepbug-stream: warning: " << source->name() << ": "
                << warning.get<std::string>() << "\n";
    }
    if (!options.quiet) {
      std::cerr << "deepbug-stream: " << source->name() << ": " << source->framesOut()
                << " frames written to " << source->outputDir() << "\n";
    }
  }
  std::vector<nlohmann::json> closing;  // the sources' final states, rates as last measured
  for (const auto& source : run.sources)
    closing.push_back(source->status());
  run.publishStatus(closing, true);
  run.sources.clear();
  g_main_loop_unref(run.loop);
  if (run.interrupted) return kExitInterrupted;
  return failed ? kExitFailure : kExitOk;
}

}  // namespace deepbug::stream
