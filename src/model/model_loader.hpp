// Loading and validating a TorchScript classifier. Internal to the core library and
// its tools (it exposes LibTorch types); programs use Classifier.
#pragma once

#include <torch/script.h>

#include <string>
#include <vector>

#include "model/model_metadata.hpp"

namespace deepbug::model {

struct LoadOptions {
  std::string path;
  std::string device = "cpu";  // a resolved LibTorch device string (see resolveDevice)
  MetadataOverrides overrides;
};

struct LoadedModel {
  torch::jit::Module module;
  ModelMetadata metadata;
  bool has_embedded_metadata = false;  // deepbug.json was in the archive
  OutputKind output_kind = OutputKind::kLogits;
  c10::Device device{c10::kCPU};
  c10::ScalarType dtype = c10::kFloat;  // of its parameters; inputs are converted to it
  std::vector<std::string> warnings;
};

// Loads the archive, reads deepbug.json, applies overrides, and runs a dummy batch to
// check the input size and the [N, C] output against the labels. Throws ModelError
// (or ConfigError) with the file, what is wrong and what would fix it.
LoadedModel loadModel(const LoadOptions& options);

// The name under which metadata is stored inside TorchScript archives.
inline constexpr const char* kMetadataFile = "deepbug.json";

}  // namespace deepbug::model
