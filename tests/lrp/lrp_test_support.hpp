// Shared helpers of the LRP tests: small TorchScript nets with chosen weights, the
// traced fixtures, and float64 comparisons.
#pragma once

#include <gtest/gtest.h>
#include <torch/script.h>

#include <string>
#include <utility>
#include <vector>

#include "lrp/explainer.hpp"

namespace deepbug::lrp::testing {

inline std::string fixture(const std::string& name) {
  return std::string(DEEPBUG_FIXTURE_DIR) + "/" + name + ".pt";
}

// A module whose forward is TorchScript `source`, reading `parameters` as self.NAME.
inline torch::jit::Module scriptedNet(
    const std::string& source, const std::vector<std::pair<std::string, at::Tensor>>& parameters) {
  torch::jit::Module module("Net");
  for (const auto& [name, value] : parameters)
    module.register_parameter(name, value, false);
  module.define(source);
  module.eval();
  return module;
}

inline ExplainerOptions float64Options(const std::string& composite, double stabilizer = 1e-6) {
  ExplainerOptions options;
  options.composite.name = composite;
  options.dtype = c10::kDouble;
  options.stabilizer = stabilizer;
  return options;
}

// LRP-0 on every affine layer (via overrides of a composite).
inline ExplainerOptions allZeroOptions(const torch::jit::Module& net, double stabilizer = 1e-6) {
  ExplainerOptions options = float64Options("epsilon-plus", stabilizer);
  Explainer probe(net, "net", options);
  for (const Layer& layer : probe.graph().layers) {
    if (isAffine(layer.kind))
      options.composite.overrides.push_back({layer.name, parseRule("zero")});
  }
  return options;
}

// max |a − b| / max |b| (the absolute difference when b is all zero).
inline double relativeError(const at::Tensor& a, const at::Tensor& b) {
  const double scale = b.abs().max().item<double>();
  const double difference = (a.to(at::kDouble) - b.to(at::kDouble)).abs().max().item<double>();
  return scale > 0 ? difference / scale : difference;
}

inline at::Tensor d(std::vector<double> values, std::vector<int64_t> shape) {
  return at::tensor(values, at::kDouble).view(shape);
}

}  // namespace deepbug::lrp::testing
