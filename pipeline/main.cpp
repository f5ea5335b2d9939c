// deepbug-stream: classify (and later explain) footage with GStreamer and LibTorch,
// writing the labelled video, per-frame scores and a run summary per source.
#include <gst/gst.h>
#include <CLI/CLI.hpp>

#include "config.hpp"
#include "core/cli_main.hpp"
#include "plugin_registry.hpp"
#include "stream_runner.hpp"

int main(int argc, char** argv) {
  return deepbug::guardedMain("deepbug-stream", argv, [&]() -> int {
    CLI::App app{"Classify footage with a TorchScript model; write labelled video and scores"};
    std::string config_path;
    std::vector<std::string> overrides;
    deepbug::stream::RunOptions options;
    app.add_option("--config", config_path, "YAML config (config/README.md)")->required();
    app.add_option("--set", overrides, "Override a config value: key.path=value (repeatable)");
    app.add_flag("--dry-run", options.dry_run,
                 "Validate the config, probe the sources, load the model; write nothing");
    app.add_flag("--quiet", options.quiet, "No progress lines");
    app.add_option("--status-every", options.status_interval_seconds,
                   "Seconds between status lines when stderr is not a terminal")
        ->check(CLI::Range(0.05, 86400.0))
        ->capture_default_str();
    app.add_flag("--overwrite", options.overwrite,
                 "Reuse output folders that hold an earlier run instead of new ones");
    try {
      app.parse(argc, argv);
    } catch (const CLI::ParseError& e) {
      const int code = app.exit(e);
      return code == 0 ? deepbug::kExitOk : deepbug::kExitBadInput;
    }
    gst_init(nullptr, nullptr);
    deepbug::stream::registerDeepbugPlugin();
    const deepbug::stream::StreamConfig config =
        deepbug::stream::loadConfig(config_path, overrides);
    return deepbug::stream::runStream(config, options);
  });
}
