// The deepbugclassify settings: the struct, its table (one definition of each setting:
// name, type, range, doc; the default is the member initialiser) and their translation
// into the classifier's options.
#pragma once

#include <string>
#include <vector>

#include "common/settings_table.hpp"
#include "model/classifier.hpp"

namespace deepbug::gst {

enum class AspectSetting { kModel, kStretch, kLetterbox, kCenterCrop };

// How frames become model input; deepbugexplain takes the same settings, so that it
// preprocesses as the classifier did.
struct PreprocessSettings {
  std::vector<std::string> labels;  // empty: the model's
  unsigned input_size = 0;          // 0: the model's
  AspectSetting aspect = AspectSetting::kModel;
  std::vector<float> mean;  // r, g, b; empty: the model's
  std::vector<float> std;
};

struct ClassifySettings : PreprocessSettings {
  std::string model_path;
  std::string device = "auto";
  model::Precision precision = model::Precision::kFp32;
  unsigned batch_size = 1;
  unsigned interval = 1;
  int threads = 0;
  unsigned batch_timeout_ms = 200;
  unsigned max_lag_ms = 0;  // 0: never skip a late frame
};

extern const ChoiceType kPrecisionChoices;
extern const ChoiceType kAspectChoices;

const SettingsTable<ClassifySettings>& classifySettingsTable();

// The preprocessing settings' rows, for any settings struct built on PreprocessSettings.
template <class S>
void addPreprocessSettings(SettingsTable<S>& table, const std::string& as) {
  table.push_back(textList<S>("labels", &S::labels, "Class names, one per output" + as));
  table.push_back(count<S>("input-size", &S::input_size, 0, 4096,
                           "Square model input in pixels; 0: the model's" + as));
  table.push_back(
      choice<S>("aspect", &S::aspect, kAspectChoices, "How frames are fitted to the input" + as));
  table.push_back(
      triple<S>("mean", &S::mean, "Per-channel mean of [0,1] RGB pixels; empty: the model's" + as));
  table.push_back(
      triple<S>("std", &S::std, "Per-channel standard deviation; empty: the model's" + as));
}

// Throws deepbug::ConfigError naming the setting for malformed values.
model::ClassifierOptions toClassifierOptions(const ClassifySettings& settings);
model::MetadataOverrides toMetadataOverrides(const PreprocessSettings& settings);

}  // namespace deepbug::gst
