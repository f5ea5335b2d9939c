// What a model needs around it: class labels, input geometry and normalisation.
// Stored in the TorchScript archive as the extra file "deepbug.json"; config values
// override it; defaults fill what neither gives.
#pragma once

#include <array>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace deepbug::model {

// How a frame of any shape becomes the model's fixed input size.
enum class AspectPolicy {
  kStretch,     // resize to the input size, ignoring aspect ratio (default)
  kLetterbox,   // fit inside, keep aspect, pad the rest with black
  kCenterCrop,  // fill, keep aspect, cut the overhang symmetrically
};

std::string toString(AspectPolicy policy);
std::optional<AspectPolicy> parseAspectPolicy(std::string_view text);

// What the model's forward() returns, found from the op producing its output.
enum class OutputKind {
  kLogits,
  kProbabilities,     // ends in softmax
  kLogProbabilities,  // ends in log_softmax
};

std::string toString(OutputKind kind);

// Channel order the model was trained on.
enum class ChannelOrder { kRGB, kBGR };

struct ModelMetadata {
  std::vector<std::string> labels;
  int input_width = 224;
  int input_height = 224;
  ChannelOrder channels = ChannelOrder::kRGB;
  std::array<float, 3> mean{0.485f, 0.456f, 0.406f};  // ImageNet, in [0,1] units
  std::array<float, 3> std{0.229f, 0.224f, 0.225f};
  AspectPolicy aspect = AspectPolicy::kStretch;
  std::string architecture;     // e.g. "report-cnn", "alexnet"; informative
  std::string provenance_json;  // free-form JSON object: data, command, accuracy
};

// Values that replace the model's own metadata (from config or command line).
struct MetadataOverrides {
  std::optional<std::vector<std::string>> labels;
  std::optional<int> input_width;
  std::optional<int> input_height;
  std::optional<std::array<float, 3>> mean;
  std::optional<std::array<float, 3>> std;
  std::optional<AspectPolicy> aspect;
  std::optional<ChannelOrder> channels;
};

// Parses deepbug.json text. `source` names the file in error messages.
// Throws ModelError for malformed JSON, wrong types or out-of-range values.
ModelMetadata parseModelMetadata(std::string_view json_text, const std::string& source);

// The inverse of parseModelMetadata (pretty-printed JSON).
std::string toJson(const ModelMetadata& metadata);

// Applies overrides and checks the result (sizes positive, std non-zero, labels unique).
// Throws ConfigError naming the offending value.
ModelMetadata applyOverrides(ModelMetadata metadata, const MetadataOverrides& overrides);

// Checks ranges; throws ModelError (or ConfigError) mentioning `source`.
void validateMetadata(const ModelMetadata& metadata, const std::string& source);

}  // namespace deepbug::model
