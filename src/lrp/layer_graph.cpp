#include "lrp/layer_graph.hpp"

#include <cctype>

namespace deepbug::lrp {

std::string toString(LayerKind kind) {
  switch (kind) {
    case LayerKind::kConvolution:
      return "convolution";
    case LayerKind::kLinear:
      return "linear";
    case LayerKind::kActivation:
      return "activation";
    case LayerKind::kReshape:
      return "reshape";
    case LayerKind::kMaxPool:
      return "max-pool";
    case LayerKind::kAvgPool:
      return "avg-pool";
    case LayerKind::kAdaptiveAvgPool:
      return "adaptive-avg-pool";
    case LayerKind::kMean:
      return "mean";
    case LayerKind::kSpatialMax:
      return "spatial-max";
    case LayerKind::kAdd:
      return "add";
    case LayerKind::kCat:
      return "cat";
  }
  return "?";
}

int LayerGraph::firstAffine() const {
  for (const Layer& layer : layers) {
    if (isAffine(layer.kind)) return layer.index;
  }
  return -1;
}

int LayerGraph::lastAffine() const {
  for (auto it = layers.rbegin(); it != layers.rend(); ++it) {
    if (isAffine(it->kind)) return it->index;
  }
  return -1;
}

int LayerGraph::find(const std::string& index_or_name) const {
  bool numeric = !index_or_name.empty();
  for (char c : index_or_name)
    numeric = numeric && std::isdigit(static_cast<unsigned char>(c));
  if (numeric) {
    const long index = std::stol(index_or_name);
    return index < static_cast<long>(layers.size()) ? static_cast<int>(index) : -1;
  }
  for (const Layer& layer : layers) {
    if (layer.name == index_or_name) return layer.index;
  }
  return -1;
}

const std::vector<std::string>& supportedOperators() {
  static const std::vector<std::string> ops = {
      "aten::_convolution/conv1d/conv2d/conv3d",
      "aten::linear/addmm/matmul/mm (constant weights)",
      "aten::batch_norm (after a convolution or linear)",
      "aten::relu/relu_/relu6/hardtanh/leaky_relu/elu/gelu/silu/sigmoid/tanh/hardswish",
      "aten::max_pool2d",
      "aten::avg_pool2d",
      "aten::adaptive_avg_pool2d",
      "aten::mean (over H, W)",
      "aten::amax (over H, W: global max pooling)",
      "aten::flatten/view/reshape/squeeze/unsqueeze/contiguous/clone/detach",
      "aten::dropout/feature_dropout/alpha_dropout (eval)",
      "aten::add/add_ (residual, or a matmul's bias)",
      "aten::cat",
      "aten::softmax/log_softmax (final, stripped)"};
  return ops;
}

}  // namespace deepbug::lrp
