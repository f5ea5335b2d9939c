#include "explain/explain_settings.hpp"

#include "core/error.hpp"
#include "model/device.hpp"

namespace deepbug::gst {

const ChoiceType kExplainModeChoices{
    "GstDeepbugExplainMode",
    {{static_cast<int>(ExplainMode::kAuto), "auto", "Live when upstream is live, else archive"},
     {static_cast<int>(ExplainMode::kArchive), "archive",
      "Hold frames until explained: lossless, deterministic"},
     {static_cast<int>(ExplainMode::kLive), "live",
      "Never hold a frame; skip what finds no room"}}};

const SettingsTable<ExplainSettings>& explainSettingsTable() {
  using S = ExplainSettings;
  static const SettingsTable<S> table = [] {
    SettingsTable<S> t;
    t.push_back(file<S>("model", &S::model_path,
                        "TorchScript model file; empty: the one named by the upstream "
                        "deepbugclassify's meta"));
    t.push_back(
        text<S>("target", &S::target, "Class to watch and explain; empty: the first label"));
    t.push_back(text<S>("composite", &S::composite,
                        "LRP composite (epsilon-plus-flat, epsilon-gamma-box, …)"));
    t.push_back(textList<S>("rules", &S::rules, "Per-layer rule overrides LAYER=RULE"));
    t.push_back(text<S>("init", &S::init, "Initial relevance: logit, one or contrastive"));
    t.push_back(text<S>("device", &S::device, "auto, cpu, cuda or cuda:N"));
    t.push_back(choice<S>("mode", &S::mode, kExplainModeChoices, "Archive or live explanation"));
    t.push_back(number<S>("threshold-on", &S::threshold_on, 0, 1,
                          "An event opens at this score of the target"));
    t.push_back(
        number<S>("threshold-off", &S::threshold_off, 0, 1, "An event closes below this score"));
    t.push_back(count<S>("min-frames", &S::min_frames, 1, 1000000,
                         "Shorter events are flicker and are dropped"));
    t.push_back(count<S>("gap-frames", &S::gap_frames, 0, 1000000,
                         "An event rides out this many frames below threshold-off (a pause "
                         "inside one fight); 0: it closes at the first"));
    t.push_back(count<S>("every-n", &S::every_n, 0, 1000000,
                         "Also explain every n-th classified frame of an event (0: off)"));
    t.push_back(count<S>("top-k", &S::top_k, 1, 1000000,
                         "Explain the k best frames of each event (1: the peak)"));
    t.push_back(number<S>("max-rate", &S::max_rate, 0, 1e6,
                          "At most this many explanations per second of stream time (0: no cap)"));
    t.push_back(count<S>("max-event-frames", &S::max_event_frames, 1, 1000000,
                         "Archive: frames of one event held at most; longer events are "
                         "explained in chunks of this many"));
    t.push_back(count<S>("batch-size", &S::batch_size, 1, 256, "Archive: frames per LRP batch"));
    t.push_back(count<S>("concurrency", &S::concurrency, 1, 64, "LRP batches run at once"));
    t.push_back(count<S>("threads", &S::threads, 1, 256, "LibTorch threads per LRP worker"));
    t.push_back(count<S>("max-in-flight", &S::max_in_flight, 1, 256,
                         "LRP batches submitted and not yet done, at most"));
    t.push_back(count<S>("thumbnail-width", &S::thumbnail_width, 0, 4096,
                         "Live: width of the explained frame's copy carried in the meta "
                         "(picture-in-picture); 0: none"));
    addPreprocessSettings(t, ", as deepbugclassify's");
    return t;
  }();
  return table;
}

void validate(const ExplainSettings& settings) {
  (void)toArchivePolicy(settings);
  (void)toSchedulerOptions(settings);
}

explain::ArchivePolicy toArchivePolicy(const ExplainSettings& s) {
  explain::ArchivePolicy policy;
  policy.events.threshold_on = s.threshold_on;
  policy.events.threshold_off = s.threshold_off;
  policy.events.min_frames = s.min_frames;
  policy.events.gap_frames = s.gap_frames;
  policy.selection.every_n = s.every_n;
  policy.selection.top_k = s.top_k;
  policy.selection.max_rate = s.max_rate;
  policy.max_event_frames = s.max_event_frames;
  explain::validate(policy);
  explain::EventSegmenter check(policy.events);  // thresholds, min_frames, gap_frames
  (void)check;
  return policy;
}

explain::SchedulerOptions toSchedulerOptions(const ExplainSettings& s) {
  explain::SchedulerOptions options;
  options.concurrency = static_cast<int>(s.concurrency);
  options.intra_op_threads = static_cast<int>(s.threads);
  options.max_in_flight = static_cast<int>(s.max_in_flight);
  explain::validate(options);
  return options;
}

explain::FrameExplainerOptions toExplainerOptions(const ExplainSettings& s,
                                                  const std::string& model_path) {
  explain::FrameExplainerOptions options;
  options.model_path = model_path;
  options.device = model::resolveDevice(s.device);
  options.composite.name = s.composite;
  for (const std::string& rule : s.rules)
    options.composite.overrides.push_back(lrp::parseRuleOverride(rule));
  options.init = s.init;
  options.overrides = toMetadataOverrides(s);
  return options;
}

}  // namespace deepbug::gst
