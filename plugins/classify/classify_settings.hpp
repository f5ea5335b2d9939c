// The deepbugclassify properties as plain values, and their translation into the
// classifier's options.
#pragma once

#include <string>

#include "model/classifier.hpp"

namespace deepbug::gst {

enum class AspectSetting { kModel, kStretch, kLetterbox, kCenterCrop };

struct ClassifySettings {
  std::string model;
  std::string labels;  // comma-separated; empty = the model's
  std::string device = "auto";
  model::Precision precision = model::Precision::kFp32;
  unsigned batch_size = 1;
  unsigned interval = 1;
  unsigned input_size = 0;  // 0 = the model's
  AspectSetting aspect = AspectSetting::kModel;
  std::string mean;  // "r,g,b"; empty = the model's
  std::string std;
  int threads = 0;
  unsigned batch_timeout_ms = 200;
  unsigned max_lag_ms = 0;  // 0: never skip a late frame
};

// Throws deepbug::ConfigError naming the property for malformed values.
model::ClassifierOptions toClassifierOptions(const ClassifySettings& settings);

// The preprocessing properties (labels, input-size, aspect, mean, std) as metadata
// overrides; deepbugexplain takes the same ones, so that it preprocesses as the
// classifier did. Throws deepbug::ConfigError naming the property.
model::MetadataOverrides toMetadataOverrides(const std::string& labels, unsigned input_size,
                                             AspectSetting aspect, const std::string& mean,
                                             const std::string& std);

}  // namespace deepbug::gst
