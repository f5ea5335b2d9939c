// The LRP engine: runs a model's own graph forward keeping the activations, then
// propagates relevance backward layer by layer with the rules of a composite.
// Batched, tensor ops only, the same code on CPU and CUDA.
#pragma once

#include <torch/script.h>

#include <functional>
#include <optional>
#include <string>
#include <unordered_map>
#include <vector>

#include "lrp/affine_rules.hpp"
#include "lrp/composite.hpp"
#include "lrp/layer_graph.hpp"
#include "lrp/rule.hpp"

namespace deepbug::lrp {

// What relevance starts from at the logits.
enum class InitialRelevance {
  kLogit,        // the target's logit at the target, zero elsewhere
  kOne,          // 1 at the target
  kContrastive,  // z_target − z_other (2 classes) or − the mean of the others, folded
                 // into the last affine layer
};

std::string toString(InitialRelevance init);
std::optional<InitialRelevance> parseInitialRelevance(const std::string& text);

struct ExplainerOptions {
  CompositeSpec composite;
  c10::ScalarType dtype = c10::kFloat;  // kFloat or kDouble
  std::string device = "cpu";           // a resolved LibTorch device string
  // The input normalisation ([0,1] pixels → (x − mean)/std), for z^B's bounds.
  std::vector<double> mean{0.485, 0.456, 0.406};
  std::vector<double> std{0.229, 0.224, 0.225};
  double stabilizer = 1e-6;  // the e of stab(d) = d + e·sign(d); 0 only for verification
};

struct Explanation {
  at::Tensor relevance;  // input-shaped, in the computation's dtype
  at::Tensor logits;     // [N, classes]
  std::vector<int64_t> targets;
  at::Tensor explained;  // [N]: what was distributed (target logit, 1, or the contrast)
  // With keep_layers: per layer, the relevance at its output (undefined where none).
  std::vector<at::Tensor> layer_relevance;
};

// The activations of one forward pass, by graph value.
struct Activations {
  std::unordered_map<const torch::jit::Value*, at::Tensor> tensors;
  at::Tensor logits;
};

class Explainer {
 public:
  // Imports the model's graph and prepares every layer's weights for the options'
  // dtype and device. Throws ModelError (unsupported graph) or ConfigError (composite,
  // rule overrides, device).
  Explainer(const torch::jit::Module& module, const std::string& source, ExplainerOptions options);

  const LayerGraph& graph() const { return graph_; }
  const std::vector<Rule>& rules() const { return rules_; }
  const ExplainerOptions& options() const { return options_; }

  // The engine's own forward pass (batch norm folded, computation dtype).
  Activations forward(const at::Tensor& input) const;

  // Explains a preprocessed N×C×H×W batch. `target`: a class index for every sample,
  // or the predicted class when empty. Throws ConfigError for a bad target.
  Explanation explain(const at::Tensor& input, std::optional<int64_t> target, InitialRelevance init,
                      bool keep_layers = false) const;
  // The same with a target per sample (e.g. each image's true class). Throws ConfigError
  // for a target out of range or a count that is not the batch's.
  Explanation explain(const at::Tensor& input, const std::vector<int64_t>& targets,
                      InitialRelevance init, bool keep_layers = false) const;

 private:
  // Both explain()s: `choose` picks the targets from the logits.
  Explanation explainChoosing(
      const at::Tensor& input,
      const std::function<std::vector<int64_t>(const at::Tensor& logits)>& choose,
      InitialRelevance init, bool keep_layers) const;
  at::Tensor backwardFrom(int start_layer,
                          std::unordered_map<const torch::jit::Value*, at::Tensor> relevance,
                          Activations& activations, std::vector<at::Tensor>* kept) const;
  AffineContext contextFor(const Layer& layer, const AffineWeights& weights, const at::Tensor& x,
                           const at::Tensor& z) const;
  at::Tensor contrastiveAtLastLayer(const Activations& activations,
                                    const std::vector<int64_t>& targets,
                                    at::Tensor* explained) const;
  at::Tensor runLayer(const Layer& layer, const std::vector<c10::IValue>& inputs) const;
  void markNonNegativeInputs();

  LayerGraph graph_;
  ExplainerOptions options_;
  c10::Device device_{c10::kCPU};
  std::vector<Rule> rules_;
  std::vector<AffineOp> ops_;            // by layer index (affine layers)
  std::vector<AffineWeights> weights_;   // by layer index (affine layers)
  std::optional<InputBounds> bounds_;    // when a box rule is used
  std::vector<bool> input_nonnegative_;  // by layer index: its input is ≥ 0 by construction
  std::unordered_map<const torch::jit::Node*, int> layer_of_node_;
  std::unordered_map<const torch::jit::Node*, bool> skipped_nodes_;  // folded into a layer
};

}  // namespace deepbug::lrp
