// The layer DAG the LRP engine works on, imported from a TorchScript graph: every
// node on the path from the input image to the logits becomes a Layer; shape
// arithmetic and constants stay in the TorchScript graph and are evaluated as they are.
#pragma once

#include <torch/script.h>

#include <memory>
#include <optional>
#include <string>
#include <vector>

namespace deepbug::lrp {

enum class LayerKind {
  kConvolution,      // any stride/padding/dilation/groups; batch norm folded in
  kLinear,           // linear, addmm, matmul with a constant matrix; batch norm folded in
  kActivation,       // relu and other element-wise activations: relevance passes through
  kReshape,          // flatten, view, reshape, dropout (eval), contiguous, ...
  kMaxPool,          // max_pool2d
  kAvgPool,          // avg_pool2d
  kAdaptiveAvgPool,  // adaptive_avg_pool2d
  kMean,             // mean over the spatial dimensions
  kSpatialMax,       // amax over the spatial dimensions (global max pooling)
  kAdd,              // residual a + b
  kCat,              // concatenation (along channels in practice)
};

std::string toString(LayerKind kind);

// True for the layers with weights (z = Wx + b), the ones LRP rules apply to.
inline bool isAffine(LayerKind kind) {
  return kind == LayerKind::kConvolution || kind == LayerKind::kLinear;
}

struct ConvolutionShape {
  std::vector<int64_t> stride, padding, dilation;
  int64_t groups = 1;
};

struct PoolShape {
  std::vector<int64_t> kernel, stride, padding, dilation;
  bool ceil_mode = false;
  bool count_include_pad = true;
  std::optional<int64_t> divisor_override;
};

// Batch norm after an affine layer, folded into it in the computation's dtype.
struct FoldedBatchNorm {
  at::Tensor weight, bias, running_mean, running_var;  // undefined weight/bias = 1/0
  double eps = 1e-5;
};

struct Layer {
  int index = 0;
  LayerKind kind = LayerKind::kActivation;
  std::string op;    // the TorchScript operator, e.g. "aten::_convolution"
  std::string name;  // "features.0", "layer1.0.conv1", or "<op>_<index>" without weights
  torch::jit::Node* node = nullptr;              // the node computing the layer (before folding)
  std::vector<const torch::jit::Value*> inputs;  // relevance-carrying inputs
  const torch::jit::Value* output = nullptr;     // after folded batch norm / bias add

  // Affine layers, as stored in the model (float, on the model's device).
  at::Tensor weight;  // conv: [out, in/groups, k...]; linear: [out, in]
  at::Tensor bias;    // may be undefined
  std::optional<FoldedBatchNorm> batch_norm;
  ConvolutionShape convolution;

  PoolShape pool;                  // kMaxPool, kAvgPool
  std::vector<int64_t> mean_dims;  // kMean, kSpatialMax
  bool keep_dim = false;           // kMean, kSpatialMax
  int64_t cat_dim = 1;             // kCat

  std::vector<int64_t> output_shape;  // for a 1-image batch of the model's input size
};

// The imported model. Owns the frozen module whose graph the layers point into.
struct LayerGraph {
  torch::jit::Module frozen;
  std::shared_ptr<torch::jit::Graph> graph;
  const torch::jit::Value* input = nullptr;   // the image batch
  const torch::jit::Value* output = nullptr;  // the logits (a final softmax stripped)
  std::vector<Layer> layers;                  // in execution order
  std::vector<std::string> warnings;

  // Index of the first affine layer in execution order ("first" in composites).
  int firstAffine() const;
  // Index of the last affine layer, or -1.
  int lastAffine() const;
  // Finds a layer by index ("3") or name ("features.0"); -1 when none matches.
  int find(const std::string& index_or_name) const;
};

// Operators the importer accepts on the path from the image to the logits.
const std::vector<std::string>& supportedOperators();

}  // namespace deepbug::lrp
