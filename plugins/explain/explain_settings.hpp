// The deepbugexplain settings: the struct, its table (one definition of each setting:
// name, type, range, doc; the default is the member initialiser), their combined
// validation and their translation into the explain library's policies and options.
#pragma once

#include <string>

#include "classify/classify_settings.hpp"
#include "explain/archive_planner.hpp"
#include "explain/explain_scheduler.hpp"
#include "explain/frame_explainer.hpp"

namespace deepbug::gst {

enum class ExplainMode { kAuto, kArchive, kLive };

// Preprocessing (PreprocessSettings) as deepbugclassify's properties of the same names.
struct ExplainSettings : PreprocessSettings {
  std::string model_path;  // empty: the model named by the upstream classification meta
  std::string target;      // class to watch and explain; empty: the model's first label
  std::string composite = "epsilon-plus-flat";
  std::vector<std::string> rules;  // LAYER=RULE overrides
  std::string init = "contrastive";
  std::string device = "auto";
  ExplainMode mode = ExplainMode::kAuto;
  double threshold_on = 0.6;
  double threshold_off = 0.4;
  unsigned min_frames = 3;
  unsigned gap_frames = 0;
  unsigned every_n = 0;
  unsigned top_k = 1;
  double max_rate = 0.0;
  unsigned max_event_frames = 300;
  unsigned batch_size = 1;
  unsigned concurrency = 1;
  unsigned threads = 1;  // LibTorch threads per LRP worker
  unsigned max_in_flight = 2;
  unsigned thumbnail_width = 160;  // live picture-in-picture; 0: none
};

extern const ChoiceType kExplainModeChoices;

const SettingsTable<ExplainSettings>& explainSettingsTable();

// Checks the settings together (hysteresis, chunk size, worker counts): throws
// deepbug::ConfigError naming the setting. The element checks at start, the
// application when it reads its config.
void validate(const ExplainSettings& settings);

// Throws deepbug::ConfigError naming the property for invalid values.
explain::ArchivePolicy toArchivePolicy(const ExplainSettings& settings);
explain::SchedulerOptions toSchedulerOptions(const ExplainSettings& settings);
// `model_path` resolved by the element (the property or the upstream meta's model).
explain::FrameExplainerOptions toExplainerOptions(const ExplainSettings& settings,
                                                  const std::string& model_path);

}  // namespace deepbug::gst
