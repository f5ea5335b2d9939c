// deepbug-bench: benchmarks that print JSON. Subcommands: classify, lrp, and pipeline,
// stream, live, soak, web and events in builds with GStreamer.
#include <CLI/CLI.hpp>
#include <iostream>

#include "bench_classify.hpp"
#include "bench_lrp.hpp"
#ifdef DEEPBUG_BENCH_PIPELINE
#include "bench_events.hpp"
#include "bench_live.hpp"
#include "bench_pipeline.hpp"
#include "bench_soak.hpp"
#include "bench_stream.hpp"
#include "bench_web.hpp"
#endif
#include "core/cli_main.hpp"

namespace {

std::vector<std::pair<std::string, std::string>> parseModelSpecs(
    const std::vector<std::string>& specs) {
  std::vector<std::pair<std::string, std::string>> models;
  for (const std::string& spec : specs) {
    const auto eq = spec.find('=');
    if (eq == std::string::npos || eq == 0) {
      throw deepbug::ConfigError("--model '" + spec + "' is not NAME=PATH",
                                 "e.g. --model alexnet=build/fixtures/alexnet.pt");
    }
    models.emplace_back(spec.substr(0, eq), spec.substr(eq + 1));
  }
  return models;
}

int run(int argc, char** argv) {
  CLI::App app{"DeepBug benchmarks; each prints one JSON document."};
  app.require_subcommand(1);

  deepbug::bench::ClassifyBenchOptions classify;
  std::vector<std::string> model_specs;
  CLI::App* classify_cmd =
      app.add_subcommand("classify", "Classifier overhead over a plain module.forward");
  classify_cmd->add_option("--model", model_specs, "NAME=PATH of a TorchScript model (repeatable)")
      ->required();
  classify_cmd->add_option("--batch", classify.batches, "Batch sizes")->capture_default_str();
  classify_cmd->add_option("--repeats", classify.repeats, "Interleaved runs per measurement")
      ->check(CLI::Range(1, 1000))
      ->capture_default_str();
  classify_cmd->add_option("--threads", classify.threads, "Intra-op threads, 0 = all cores");
  classify_cmd->add_option("--device", classify.device, "cpu | cuda | cuda:N")
      ->capture_default_str();
  classify_cmd->add_option("--frame-width", classify.frame_width)->capture_default_str();
  classify_cmd->add_option("--frame-height", classify.frame_height)->capture_default_str();

  deepbug::bench::LrpBenchOptions lrp;
  std::vector<std::string> lrp_models;
  CLI::App* lrp_cmd =
      app.add_subcommand("lrp", "LRP time as a multiple of the engine's forward pass");
  lrp_cmd->add_option("--model", lrp_models, "NAME=PATH of a TorchScript model (repeatable)")
      ->required();
  lrp_cmd->add_option("--composite", lrp.composites, "Composites")->capture_default_str();
  lrp_cmd->add_option("--batch", lrp.batches, "Batch sizes (peak memory at the last)")
      ->capture_default_str();
  lrp_cmd->add_option("--repeats", lrp.repeats, "Interleaved forward/LRP pairs")
      ->check(CLI::Range(1, 1000))
      ->capture_default_str();
  lrp_cmd->add_option("--threads", lrp.threads, "Intra-op threads, 0 = all cores");
  lrp_cmd->add_option("--input-size", lrp.input_size)->capture_default_str();

#ifdef DEEPBUG_BENCH_PIPELINE
  deepbug::bench::PipelineBenchOptions pipeline;
  CLI::App* pipeline_cmd = app.add_subcommand(
      "pipeline", "End-to-end deepbug-stream fps against classify-only fps on the same frames");
  pipeline_cmd->add_option("--footage", pipeline.footage, "Video file")->required();
  pipeline_cmd->add_option("--model", pipeline.model, "TorchScript model")->required();
  pipeline_cmd->add_option("--batch", pipeline.batch)->capture_default_str();
  pipeline_cmd->add_option("--threads", pipeline.threads, "Intra-op threads, 0 = all cores");
  pipeline_cmd->add_option("--device", pipeline.device)->capture_default_str();
  pipeline_cmd
      ->add_option("--max-frames", pipeline.max_frames,
                   "Decoded frames held in memory for classify-only")
      ->capture_default_str();
  pipeline_cmd->add_option("--work-dir", pipeline.work_dir, "Keep the pipeline's outputs here");

  deepbug::bench::StreamBenchOptions stream;
  CLI::App* stream_cmd = app.add_subcommand(
      "stream", "deepbug-stream with explanation off and on (archive), and live with a rate cap");
  stream_cmd->add_option("--footage", stream.footage, "Video file")->required();
  CLI::Option* stream_config = stream_cmd->add_option(
      "--config", stream.config,
      "A deepbug-stream config: its model, overlay, explain and live sections run the "
      "footage (its sources and outputs are replaced); instead of --model and the event "
      "options");
  stream_cmd
      ->add_option("--set", stream.sets, "KEY=VALUE override of --config, as deepbug-stream's")
      ->needs(stream_config);
  // Without --config: the model and the event settings from these options.
  const std::vector<CLI::Option*> without_config{
      stream_cmd->add_option("--model", stream.model, "TorchScript model"),
      stream_cmd->add_option("--target", stream.target, "Class to explain (default: first label)"),
      stream_cmd->add_option("--composite", stream.composite)->capture_default_str(),
      stream_cmd->add_option("--threshold-on", stream.threshold_on)->capture_default_str(),
      stream_cmd->add_option("--threshold-off", stream.threshold_off)->capture_default_str(),
      stream_cmd->add_option("--min-frames", stream.min_frames)->capture_default_str(),
      stream_cmd->add_option("--gap-frames", stream.gap_frames)->capture_default_str(),
      stream_cmd->add_option("--top-k", stream.top_k)->capture_default_str(),
      stream_cmd->add_option("--batch", stream.batch, "Classification batch")
          ->capture_default_str()};
  for (CLI::Option* option : without_config)
    option->excludes(stream_config);
  stream_cmd
      ->add_option("--live-max-rate", stream.live_max_rate,
                   "Explanations per second of stream time in the live run")
      ->capture_default_str();
  stream_cmd->add_option("--work-dir", stream.work_dir, "Keep the runs' outputs here");
  stream_cmd->add_option("--ground-truth", stream.ground_truth,
                         "deepbug-synth ground_truth.json: event timing and pointing game");

  deepbug::bench::SoakBenchOptions soak;
  CLI::App* soak_cmd = app.add_subcommand(
      "soak", "Memory over time: a live test pattern classified and explained for a while");
  soak_cmd
      ->add_option("--config", soak.config,
                   "A deepbug-stream config for the model, overlay, explain and outputs "
                   "settings (its sources and output folder are replaced)")
      ->required();
  soak_cmd->add_option("--set", soak.sets, "KEY=VALUE override of --config");
  soak_cmd->add_option("--minutes", soak.minutes, "Length of the stream")->capture_default_str();
  soak_cmd
      ->add_option("--warmup-minutes", soak.warmup_minutes, "Left out of the slope and the growth")
      ->capture_default_str();
  soak_cmd->add_option("--sample-seconds", soak.sample_seconds)->capture_default_str();
  soak_cmd->add_option("--width", soak.width)->capture_default_str();
  soak_cmd->add_option("--height", soak.height)->capture_default_str();
  soak_cmd->add_option("--fps", soak.fps)->capture_default_str();
  soak_cmd->add_option("--work-dir", soak.work_dir, "Keep the run's outputs here");

  deepbug::bench::LiveBenchOptions live;
  CLI::App* live_cmd = app.add_subcommand(
      "live", "How many live sources one machine records while classifying every Nth frame");
  live_cmd->add_option("--model", live.model, "TorchScript model")->required();
  live_cmd->add_option("--interval", live.interval, "Classify every Nth frame")
      ->check(CLI::Range(1, 100000))
      ->capture_default_str();
  live_cmd->add_option("--min-sources", live.min_sources, "First source count tried")
      ->capture_default_str();
  live_cmd->add_option("--max-sources", live.max_sources)->capture_default_str();
  live_cmd->add_option("--seconds", live.seconds, "Stream length per run")->capture_default_str();
  live_cmd->add_option("--width", live.width)->capture_default_str();
  live_cmd->add_option("--height", live.height)->capture_default_str();
  live_cmd->add_option("--fps", live.fps)->capture_default_str();
  live_cmd->add_option("--footage", live.footage,
                       "Play this file as every camera (decoded, paced) instead of test patterns");
  live_cmd->add_flag("--keep-going", live.keep_going, "Try every count, not only until one fails");
  live_cmd->add_option("--work-dir", live.work_dir, "Keep the runs' outputs here");

  deepbug::bench::WebBenchOptions web;
  CLI::App* web_cmd = app.add_subcommand(
      "web", "What the monitoring server and its MJPEG live views cost the pipeline's fps");
  web_cmd->add_option("--model", web.model, "TorchScript model")->required();
  web_cmd->add_option("--footage", web.footage, "Video file, classified as archive footage")
      ->required();
  web_cmd->add_option("--clients", web.clients, "Live-view readers of the cases after web on")
      ->capture_default_str();
  web_cmd->add_option("--live-fps", web.live_fps, "web.live_fps")->capture_default_str();
  web_cmd->add_option("--live-width", web.live_width, "web.live_width")->capture_default_str();
  web_cmd->add_option("--repeat", web.repeat, "Runs per case (median reported)")
      ->check(CLI::Range(1, 100))
      ->capture_default_str();
  web_cmd->add_option("--work-dir", web.work_dir, "Keep the runs' outputs here");

  deepbug::bench::EventsBenchOptions events;
  CLI::App* events_cmd = app.add_subcommand(
      "events", "Event API requests on a day of one camera: byte-offset index vs whole-file reads");
  events_cmd->add_option("--events", events.events, "Lines of the synthetic events.jsonl")
      ->check(CLI::Range(1, 100000000))
      ->capture_default_str();
  events_cmd->add_option("--rows", events.rows, "Rows of the synthetic scores.csv (15 fps)")
      ->check(CLI::Range(1, 1000000000))
      ->capture_default_str();
  events_cmd->add_option("--requests", events.requests, "Requests per type (median reported)")
      ->check(CLI::Range(1, 1000))
      ->capture_default_str();
  events_cmd->add_option("--work-dir", events.work_dir,
                         "Write the synthetic output folder under here (removed at the end)");
#endif

  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& e) {
    return app.exit(e) == 0 ? deepbug::kExitOk : deepbug::kExitBadInput;
  }

  if (classify_cmd->parsed()) {
    classify.models = parseModelSpecs(model_specs);
    std::cout << deepbug::bench::benchClassify(classify).dump(2) << std::endl;
  }
  if (lrp_cmd->parsed()) {
    lrp.models = parseModelSpecs(lrp_models);
    std::cout << deepbug::bench::benchLrp(lrp).dump(2) << std::endl;
  }
#ifdef DEEPBUG_BENCH_PIPELINE
  if (pipeline_cmd->parsed()) {
    std::cout << deepbug::bench::benchPipeline(pipeline).dump(2) << std::endl;
  }
  if (soak_cmd->parsed()) {
    std::cout << deepbug::bench::benchSoak(soak).dump(2) << std::endl;
  }
  if (stream_cmd->parsed()) {
    std::cout << deepbug::bench::benchStream(stream).dump(2) << std::endl;
  }
  if (live_cmd->parsed()) {
    std::cout << deepbug::bench::benchLive(live).dump(2) << std::endl;
  }
  if (web_cmd->parsed()) {
    std::cout << deepbug::bench::benchWeb(web).dump(2) << std::endl;
  }
  if (events_cmd->parsed()) {
    std::cout << deepbug::bench::benchEvents(events).dump(2) << std::endl;
  }
#endif
  return deepbug::kExitOk;
}

}  // namespace

int main(int argc, char** argv) {
  return deepbug::guardedMain("deepbug-bench", argv, [&] { return run(argc, argv); });
}
