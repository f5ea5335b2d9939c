#include "lrp/inspect.hpp"

#include <iomanip>
#include <sstream>

namespace deepbug::lrp {
namespace {

std::string shapeText(at::IntArrayRef sizes) {
  std::string text;
  for (size_t i = 1; i < sizes.size(); ++i)
    text += (i > 1 ? "x" : "") + std::to_string(sizes[i]);
  return text;
}

std::string details(const Layer& layer) {
  std::ostringstream text;
  if (layer.kind == LayerKind::kConvolution) {
    text << "k" << layer.weight.size(2) << " s" << layer.convolution.stride[0] << " p"
         << layer.convolution.padding[0];
    if (layer.convolution.groups != 1) text << " g" << layer.convolution.groups;
  }
  if (layer.batch_norm) text << (text.tellp() > 0 ? " " : "") << "+bn";
  return text.str();
}

}  // namespace

std::string formatLayerTable(const Explainer& explainer, const std::vector<int64_t>& input_shape) {
  const LayerGraph& graph = explainer.graph();
  std::vector<int64_t> shape{1};
  shape.insert(shape.end(), input_shape.begin(), input_shape.end());
  const Activations activations = explainer.forward(at::zeros(shape));
  std::ostringstream out;
  out << "composite: " << explainer.options().composite.name << "\n";
  out << std::left << std::setw(4) << "#" << std::setw(26) << "layer" << std::setw(20) << "kind"
      << std::setw(14) << "details" << std::setw(16) << "output"
      << "rule\n";
  for (const Layer& layer : graph.layers) {
    out << std::left << std::setw(4) << layer.index << std::setw(26) << layer.name << std::setw(20)
        << toString(layer.kind) << std::setw(14) << details(layer) << std::setw(16)
        << shapeText(activations.tensors.at(layer.output).sizes())
        << toString(explainer.rules()[layer.index]) << "\n";
  }
  out << "input " << shapeText(activations.tensors.at(graph.input).sizes()) << " → logits "
      << shapeText(activations.logits.sizes()) << "\n";
  for (const auto& warning : graph.warnings)
    out << "warning: " << warning << "\n";
  return out.str();
}

}  // namespace deepbug::lrp
