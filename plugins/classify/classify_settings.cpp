#include "classify/classify_settings.hpp"

#include <sstream>

#include "core/error.hpp"

namespace deepbug::gst {
namespace {

std::vector<std::string> splitComma(const std::string& text) {
  std::vector<std::string> parts;
  std::stringstream in(text);
  std::string part;
  while (std::getline(in, part, ',')) {
    const auto first = part.find_first_not_of(' ');
    const auto last = part.find_last_not_of(' ');
    parts.push_back(first == std::string::npos ? "" : part.substr(first, last - first + 1));
  }
  return parts;
}

std::array<float, 3> parseTriple(const std::string& property, const std::string& text) {
  const auto parts = splitComma(text);
  std::array<float, 3> values{};
  bool ok = parts.size() == 3;
  for (std::size_t i = 0; ok && i < 3; ++i) {
    try {
      std::size_t used = 0;
      values[i] = std::stof(parts[i], &used);
      ok = used == parts[i].size();
    } catch (const std::exception&) {
      ok = false;
    }
  }
  if (!ok) {
    throw ConfigError(property + " = '" + text + "' is not three numbers",
                      "write e.g. " + property + "=0.485,0.456,0.406");
  }
  return values;
}

}  // namespace

model::ClassifierOptions toClassifierOptions(const ClassifySettings& s) {
  if (s.model.empty()) {
    throw ConfigError("no model set", "set the model property to a TorchScript file");
  }
  model::ClassifierOptions o;
  o.model_path = s.model;
  o.device = s.device;
  o.precision = s.precision;
  o.threads = s.threads;
  o.overrides = toMetadataOverrides(s.labels, s.input_size, s.aspect, s.mean, s.std);
  return o;
}

model::MetadataOverrides toMetadataOverrides(const std::string& labels, unsigned input_size,
                                             AspectSetting aspect, const std::string& mean,
                                             const std::string& std) {
  model::MetadataOverrides o;
  if (!labels.empty()) o.labels = splitComma(labels);
  if (input_size > 0) o.input_width = o.input_height = static_cast<int>(input_size);
  switch (aspect) {
    case AspectSetting::kModel:
      break;
    case AspectSetting::kStretch:
      o.aspect = model::AspectPolicy::kStretch;
      break;
    case AspectSetting::kLetterbox:
      o.aspect = model::AspectPolicy::kLetterbox;
      break;
    case AspectSetting::kCenterCrop:
      o.aspect = model::AspectPolicy::kCenterCrop;
      break;
  }
  if (!mean.empty()) o.mean = parseTriple("mean", mean);
  if (!std.empty()) o.std = parseTriple("std", std);
  return o;
}

}  // namespace deepbug::gst
