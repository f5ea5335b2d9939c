// Classifier architectures built in C++ as TorchScript modules (define() with
// TorchScript source and registered parameters), so the module that is trained is
// the module that ships: no Python, no torch::nn (which cannot be saved as
// TorchScript). Internal: exposes LibTorch types.
#pragma once

#include <torch/script.h>

#include <string>
#include <vector>

namespace deepbug::model {

struct ArchitectureInfo {
  std::string name;
  std::string description;
};

const std::vector<ArchitectureInfo>& architectures();

// A freshly initialised module (He-normal weights, zero biases) with `classes`
// outputs. Throws ConfigError naming the known architectures for an unknown name.
// The module has methods `features(x)` (globally pooled features) and `head(f)`
// (the classifier on them); forward(x) = head(features(x)).
torch::jit::Module buildArchitecture(const std::string& name, int classes, std::uint64_t seed);

// Whether a parameter of a built architecture belongs to `head` (its fc layers).
bool isHeadParameter(const std::string& name);

}  // namespace deepbug::model
