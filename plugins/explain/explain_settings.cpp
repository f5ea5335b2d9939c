#include "explain/explain_settings.hpp"

#include <sstream>

#include "core/error.hpp"
#include "model/device.hpp"

namespace deepbug::gst {

explain::ArchivePolicy toArchivePolicy(const ExplainSettings& s) {
  explain::ArchivePolicy policy;
  policy.events.threshold_on = s.threshold_on;
  policy.events.threshold_off = s.threshold_off;
  policy.events.min_frames = s.min_frames;
  policy.selection.every_n = s.every_n;
  policy.selection.top_k = s.top_k;
  policy.selection.max_rate = s.max_rate;
  policy.max_event_frames = s.max_event_frames;
  explain::validate(policy);
  explain::EventSegmenter check(policy.events);  // thresholds and min_frames
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
  std::istringstream rules(s.rules);
  for (std::string rule; std::getline(rules, rule, ',');) {
    if (!rule.empty()) options.composite.overrides.push_back(lrp::parseRuleOverride(rule));
  }
  options.init = s.init;
  options.overrides = toMetadataOverrides(s.labels, s.input_size, s.aspect, s.mean, s.std);
  return options;
}

}  // namespace deepbug::gst
