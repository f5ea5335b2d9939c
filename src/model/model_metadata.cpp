#include "model/model_metadata.hpp"

#include <nlohmann/json.hpp>
#include <set>

#include "core/error.hpp"

namespace deepbug::model {

using nlohmann::json;

std::string toString(AspectPolicy policy) {
  switch (policy) {
    case AspectPolicy::kStretch:
      return "stretch";
    case AspectPolicy::kLetterbox:
      return "letterbox";
    case AspectPolicy::kCenterCrop:
      return "center-crop";
  }
  return "stretch";
}

std::string toString(OutputKind kind) {
  switch (kind) {
    case OutputKind::kLogits:
      return "logits";
    case OutputKind::kProbabilities:
      return "softmax";
    case OutputKind::kLogProbabilities:
      return "log_softmax";
  }
  return "logits";
}

std::optional<AspectPolicy> parseAspectPolicy(std::string_view text) {
  if (text == "stretch") return AspectPolicy::kStretch;
  if (text == "letterbox") return AspectPolicy::kLetterbox;
  if (text == "center-crop") return AspectPolicy::kCenterCrop;
  return std::nullopt;
}

namespace {

constexpr const char* kFormat = "deepbug-model/1";

[[noreturn]] void fail(const std::string& source, const std::string& what) {
  throw ModelError(source + ": " + what,
                   "fix deepbug.json inside the model archive, or override the value in the "
                   "config's model: section");
}

std::array<float, 3> readTriple(const json& value, const std::string& source,
                                const std::string& key) {
  if (!value.is_array() || value.size() != 3) fail(source, "'" + key + "' must be 3 numbers");
  std::array<float, 3> out{};
  for (std::size_t i = 0; i < 3; ++i) {
    if (!value[i].is_number()) fail(source, "'" + key + "' must be 3 numbers");
    out[i] = value[i].get<float>();
  }
  return out;
}

int readPositiveInt(const json& value, const std::string& source, const std::string& key) {
  if (!value.is_number_integer() || value.get<long long>() < 1 || value.get<long long>() > 16384) {
    fail(source, "'" + key + "' must be an integer between 1 and 16384");
  }
  return value.get<int>();
}

}  // namespace

ModelMetadata parseModelMetadata(std::string_view json_text, const std::string& source) {
  json doc;
  try {
    doc = json::parse(json_text);
  } catch (const json::parse_error& e) {
    fail(source, std::string("not valid JSON: ") + e.what());
  }
  if (!doc.is_object()) fail(source, "must hold a JSON object");

  ModelMetadata meta;
  if (doc.contains("format") && doc["format"] != kFormat) {
    fail(source, "unknown format " + doc["format"].dump() + " (this build reads " + kFormat + ")");
  }
  if (doc.contains("labels")) {
    const json& labels = doc["labels"];
    if (!labels.is_array()) fail(source, "'labels' must be a list of strings");
    for (const json& label : labels) {
      if (!label.is_string()) fail(source, "'labels' must be a list of strings");
      meta.labels.push_back(label.get<std::string>());
    }
  }
  if (doc.contains("input")) {
    const json& input = doc["input"];
    if (!input.is_object()) fail(source, "'input' must be an object");
    if (input.contains("width"))
      meta.input_width = readPositiveInt(input["width"], source, "input.width");
    if (input.contains("height")) {
      meta.input_height = readPositiveInt(input["height"], source, "input.height");
    }
    if (input.contains("mean")) meta.mean = readTriple(input["mean"], source, "input.mean");
    if (input.contains("std")) meta.std = readTriple(input["std"], source, "input.std");
    if (input.contains("channels")) {
      const std::string order =
          input["channels"].is_string() ? input["channels"].get<std::string>() : "";
      if (order == "RGB") {
        meta.channels = ChannelOrder::kRGB;
      } else if (order == "BGR") {
        meta.channels = ChannelOrder::kBGR;
      } else {
        fail(source, "'input.channels' must be \"RGB\" or \"BGR\"");
      }
    }
    if (input.contains("aspect")) {
      const auto policy = input["aspect"].is_string()
                              ? parseAspectPolicy(input["aspect"].get<std::string>())
                              : std::nullopt;
      if (!policy) fail(source, "'input.aspect' must be stretch, letterbox or center-crop");
      meta.aspect = *policy;
    }
  }
  if (doc.contains("architecture")) {
    if (!doc["architecture"].is_string()) fail(source, "'architecture' must be a string");
    meta.architecture = doc["architecture"].get<std::string>();
  }
  if (doc.contains("provenance")) meta.provenance_json = doc["provenance"].dump();
  validateMetadata(meta, source);
  return meta;
}

std::string toJson(const ModelMetadata& meta) {
  json doc;
  doc["format"] = kFormat;
  doc["labels"] = meta.labels;
  doc["input"] = {{"width", meta.input_width},
                  {"height", meta.input_height},
                  {"channels", meta.channels == ChannelOrder::kRGB ? "RGB" : "BGR"},
                  {"mean", meta.mean},
                  {"std", meta.std},
                  {"aspect", toString(meta.aspect)}};
  if (!meta.architecture.empty()) doc["architecture"] = meta.architecture;
  if (!meta.provenance_json.empty()) doc["provenance"] = json::parse(meta.provenance_json);
  return doc.dump(2);
}

void validateMetadata(const ModelMetadata& meta, const std::string& source) {
  if (meta.input_width < 1 || meta.input_height < 1) {
    throw ConfigError(source + ": input size " + std::to_string(meta.input_width) + "x" +
                          std::to_string(meta.input_height) + " is not positive",
                      "give the size the model was exported with, e.g. 224x224");
  }
  for (std::size_t c = 0; c < 3; ++c) {
    if (!(meta.std[c] > 0.0f)) {
      throw ConfigError(source + ": std[" + std::to_string(c) +
                            "] = " + std::to_string(meta.std[c]) + " must be positive",
                        "std is the per-channel standard deviation in [0,1] units, e.g. 0.229");
    }
  }
  std::set<std::string> seen;
  for (const std::string& label : meta.labels) {
    if (label.empty()) throw ConfigError(source + ": a label is empty", "name every class");
    if (!seen.insert(label).second) {
      throw ConfigError(source + ": label '" + label + "' appears twice",
                        "class labels must be unique");
    }
  }
}

ModelMetadata applyOverrides(ModelMetadata meta, const MetadataOverrides& overrides) {
  if (overrides.labels) meta.labels = *overrides.labels;
  if (overrides.input_width) meta.input_width = *overrides.input_width;
  if (overrides.input_height) meta.input_height = *overrides.input_height;
  if (overrides.mean) meta.mean = *overrides.mean;
  if (overrides.std) meta.std = *overrides.std;
  if (overrides.aspect) meta.aspect = *overrides.aspect;
  if (overrides.channels) meta.channels = *overrides.channels;
  validateMetadata(meta, "model settings");
  return meta;
}

}  // namespace deepbug::model
