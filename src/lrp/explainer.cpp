#include "lrp/explainer.hpp"

#include <algorithm>
#include <set>

#include "core/error.hpp"
#include "lrp/graph_import.hpp"
#include "lrp/pooling_rules.hpp"

namespace deepbug::lrp {
namespace {

using torch::jit::Node;
using torch::jit::Value;
using RelevanceMap = std::unordered_map<const Value*, at::Tensor>;

void accumulate(RelevanceMap& relevance, const Value* value, const at::Tensor& r) {
  auto [it, inserted] = relevance.emplace(value, r);
  if (!inserted) it->second = it->second + r;
}

bool isInPlace(const std::string& op) {
  return !op.empty() && op.back() == '_';
}

// Runs a node that carries no relevance (shape arithmetic, lists) as TorchScript
// would. List and tuple construction are interpreter instructions, not operators.
void runNode(Node* node, torch::jit::Stack& stack) {
  switch (node->kind()) {
    case c10::prim::ListConstruct: {
      c10::impl::GenericList list(
          node->output()->type()->expectRef<c10::ListType>().getElementType());
      for (c10::IValue& value : stack)
        list.emplace_back(std::move(value));
      stack.assign(1, c10::IValue(std::move(list)));
      return;
    }
    case c10::prim::TupleConstruct: {
      stack.assign(1, c10::IValue(c10::ivalue::Tuple::create(std::move(stack))));
      return;
    }
    case c10::prim::ListUnpack:
    case c10::prim::TupleUnpack: {
      const c10::IValue packed = stack.at(0);
      stack.clear();
      if (packed.isTuple()) {
        for (const c10::IValue& value : packed.toTupleRef().elements())
          stack.push_back(value);
      } else {
        for (const c10::IValue& value : packed.toListRef())
          stack.push_back(value);
      }
      return;
    }
    default:
      node->getOperation()(stack);
  }
}

// The last affine layer, when only reshapes separate it from the logits: the layer
// into which `contrastive` folds the difference of logits.
int foldableLastLayer(const LayerGraph& graph) {
  const int last = graph.lastAffine();
  if (last < 0) return -1;
  const Value* value = graph.layers[last].output;
  for (size_t i = last + 1; i < graph.layers.size(); ++i) {
    const Layer& layer = graph.layers[i];
    if (layer.kind != LayerKind::kReshape || layer.inputs[0] != value) return -1;
    value = layer.output;
  }
  return value == graph.output ? last : -1;
}

}  // namespace

std::string toString(InitialRelevance init) {
  switch (init) {
    case InitialRelevance::kLogit:
      return "logit";
    case InitialRelevance::kOne:
      return "one";
    case InitialRelevance::kContrastive:
      return "contrastive";
  }
  return "?";
}

std::optional<InitialRelevance> parseInitialRelevance(const std::string& text) {
  if (text == "logit") return InitialRelevance::kLogit;
  if (text == "one") return InitialRelevance::kOne;
  if (text == "contrastive") return InitialRelevance::kContrastive;
  return std::nullopt;
}

Explainer::Explainer(const torch::jit::Module& module, const std::string& source,
                     ExplainerOptions options)
    : graph_(importGraph(module, source)), options_(std::move(options)) {
  if (options_.dtype != c10::kFloat && options_.dtype != c10::kDouble)
    throw ConfigError("LRP computes in float32 or float64");
  device_ = c10::Device(options_.device);
  rules_ = assignRules(graph_, options_.composite);
  markNonNegativeInputs();
  ops_.resize(graph_.layers.size());
  weights_.resize(graph_.layers.size());
  for (const Layer& layer : graph_.layers) {
    layer_of_node_[layer.node] = layer.index;
    if (layer.output->node() != layer.node) skipped_nodes_[layer.output->node()] = true;
    if (!isAffine(layer.kind)) continue;
    ops_[layer.index] = AffineOp{layer.kind, layer.convolution};
    weights_[layer.index] =
        prepareAffineWeights(layer, rules_[layer.index], options_.dtype, device_);
    if (rules_[layer.index].kind != RuleKind::kBox) continue;
    if (layer.inputs[0] != graph_.input) {
      throw ConfigError("layer " + std::to_string(layer.index) + " (" + layer.name +
                            ") has the box rule (z^B) but does not read the image",
                        "give z^B only to the first layer (see --inspect)");
    }
    if (options_.mean.size() != options_.std.size() || options_.mean.empty())
      throw ConfigError("the box rule needs the input's mean and std per channel");
    const auto opts = at::TensorOptions().dtype(options_.dtype).device(device_);
    at::Tensor mean = at::tensor(options_.mean, at::kDouble).to(opts);
    at::Tensor std = at::tensor(options_.std, at::kDouble).to(opts);
    const int64_t channels = static_cast<int64_t>(options_.mean.size());
    bounds_ = InputBounds{((0.0 - mean) / std).view({1, channels, 1, 1}),
                          ((1.0 - mean) / std).view({1, channels, 1, 1})};
  }
}

// Which layers read an input that is ≥ 0 by construction (a ReLU's output, pooled,
// reshaped, added or concatenated), so their rules can skip the x⁻ terms unchecked.
void Explainer::markNonNegativeInputs() {
  static const std::set<std::string> kNonNegative = {"aten::relu", "aten::relu_", "aten::relu6"};
  std::unordered_map<const Value*, bool> nonnegative{{graph_.input, false}};
  input_nonnegative_.assign(graph_.layers.size(), false);
  for (const Layer& layer : graph_.layers) {
    bool inputs = true;
    for (const Value* in : layer.inputs)
      inputs = inputs && nonnegative[in];
    input_nonnegative_[layer.index] = nonnegative[layer.inputs[0]];
    switch (layer.kind) {
      case LayerKind::kConvolution:
      case LayerKind::kLinear:
        nonnegative[layer.output] = false;
        break;
      case LayerKind::kActivation:
        nonnegative[layer.output] = kNonNegative.count(layer.op) > 0;
        break;
      default:
        nonnegative[layer.output] = inputs;
    }
  }
}

AffineContext Explainer::contextFor(const Layer& layer, const AffineWeights& weights,
                                    const at::Tensor& x, const at::Tensor& z) const {
  AffineContext context{ops_[layer.index], weights, x, z, options_.stabilizer};
  if (bounds_ && layer.inputs[0] == graph_.input) context.bounds = &*bounds_;
  context.input_nonnegative = input_nonnegative_[layer.index];
  return context;
}

at::Tensor Explainer::runLayer(const Layer& layer, const std::vector<c10::IValue>& inputs) const {
  if (isAffine(layer.kind)) {
    const AffineWeights& w = weights_[layer.index];
    return ops_[layer.index].forward(inputs[0].toTensor(), w.w, w.b);
  }
  // Everything else runs as the model wrote it; in-place ops get a copy so that the
  // activations kept for the backward stay intact.
  torch::jit::Stack stack(inputs);
  if (isInPlace(layer.op)) stack[0] = stack[0].toTensor().clone();
  layer.node->getOperation()(stack);
  return stack.at(0).toTensor();
}

Activations Explainer::forward(const at::Tensor& input) const {
  c10::InferenceMode guard;
  if (input.dim() < 2)
    throw ConfigError("LRP input must be a batch (N×C×H×W); got " + std::to_string(input.dim()) +
                      " dimension(s)");
  std::unordered_map<const Value*, c10::IValue> env;
  env[graph_.input] = input.to(device_, options_.dtype).contiguous();
  for (Node* node : graph_.graph->nodes()) {
    if (node->kind() == c10::prim::Constant) {
      env[node->output()] = *torch::jit::toIValue(node->output());
      continue;
    }
    if (skipped_nodes_.count(node)) continue;
    std::vector<c10::IValue> inputs;
    for (const Value* in : node->inputs()) {
      auto found = env.find(in);
      if (found == env.end()) {
        throw ModelError("LRP forward: %" + in->debugName() + " is not available for " +
                         node->kind().toQualString());
      }
      inputs.push_back(found->second);
    }
    auto layer = layer_of_node_.find(node);
    if (layer != layer_of_node_.end()) {
      env[graph_.layers[layer->second].output] = runLayer(graph_.layers[layer->second], inputs);
      continue;
    }
    torch::jit::Stack stack(std::move(inputs));
    runNode(node, stack);
    for (size_t i = 0; i < node->outputs().size(); ++i)
      env[node->output(i)] = stack.at(i);
  }
  Activations result;
  result.tensors[graph_.input] = env.at(graph_.input).toTensor();
  for (const Layer& layer : graph_.layers)
    result.tensors[layer.output] = env.at(layer.output).toTensor();
  result.logits = result.tensors.at(graph_.output);
  return result;
}

namespace {

void checkTarget(int64_t target, int64_t classes) {
  if (target < 0 || target >= classes) {
    throw ConfigError("target class " + std::to_string(target) + " is out of range",
                      "the model has " + std::to_string(classes) + " classes (0-based)");
  }
}

}  // namespace

Explanation Explainer::explain(const at::Tensor& input, std::optional<int64_t> target,
                               InitialRelevance init, bool keep_layers) const {
  return explainChoosing(
      input,
      [&](const at::Tensor& logits) {
        std::vector<int64_t> targets;
        if (target) checkTarget(*target, logits.size(1));
        const at::Tensor predicted = logits.argmax(1).cpu();
        for (int64_t n = 0; n < logits.size(0); ++n)
          targets.push_back(target ? *target : predicted[n].item<int64_t>());
        return targets;
      },
      init, keep_layers);
}

Explanation Explainer::explain(const at::Tensor& input, const std::vector<int64_t>& targets,
                               InitialRelevance init, bool keep_layers) const {
  return explainChoosing(
      input,
      [&](const at::Tensor& logits) {
        if (static_cast<int64_t>(targets.size()) != logits.size(0)) {
          throw ConfigError(std::to_string(targets.size()) + " targets for a batch of " +
                            std::to_string(logits.size(0)));
        }
        for (const int64_t target : targets)
          checkTarget(target, logits.size(1));
        return targets;
      },
      init, keep_layers);
}

Explanation Explainer::explainChoosing(
    const at::Tensor& input,
    const std::function<std::vector<int64_t>(const at::Tensor& logits)>& choose,
    InitialRelevance init, bool keep_layers) const {
  c10::InferenceMode guard;
  Activations activations = forward(input);
  Explanation out;
  out.logits = activations.logits;
  if (out.logits.dim() != 2)
    throw ModelError("the model's output is not [N, classes]; cannot choose a target");
  const int64_t batch = out.logits.size(0), classes = out.logits.size(1);
  out.targets = choose(out.logits);
  if (keep_layers) out.layer_relevance.resize(graph_.layers.size());
  std::vector<at::Tensor>* kept = keep_layers ? &out.layer_relevance : nullptr;

  const at::Tensor index =
      at::tensor(out.targets, at::kLong).to(out.logits.device()).view({batch, 1});
  if (init == InitialRelevance::kContrastive) {
    const int last = foldableLastLayer(graph_);
    if (last < 0 || classes < 2) {
      throw ConfigError(
          "contrastive relevance needs a final linear (or convolution) layer "
          "producing the logits and at least two classes",
          "use --init logit for this model");
    }
    at::Tensor r_in = contrastiveAtLastLayer(activations, out.targets, &out.explained);
    if (kept) (*kept)[last] = out.explained;
    RelevanceMap relevance{{graph_.layers[last].inputs[0], r_in}};
    out.relevance = backwardFrom(last - 1, std::move(relevance), activations, kept);
    return out;
  }
  const at::Tensor chosen = out.logits.gather(1, index);
  const at::Tensor start = init == InitialRelevance::kLogit ? chosen : at::ones_like(chosen);
  out.explained = start.view({batch});
  RelevanceMap relevance{{graph_.output, at::zeros_like(out.logits).scatter(1, index, start)}};
  out.relevance = backwardFrom(static_cast<int>(graph_.layers.size()) - 1, std::move(relevance),
                               activations, kept);
  return out;
}

at::Tensor Explainer::contrastiveAtLastLayer(const Activations& activations,
                                             const std::vector<int64_t>& targets,
                                             at::Tensor* explained) const {
  const int last = foldableLastLayer(graph_);
  const Layer& layer = graph_.layers[last];
  const AffineWeights& full = weights_[last];
  const at::Tensor& x = activations.tensors.at(layer.inputs[0]);
  const int64_t classes = full.w.size(0);
  at::Tensor r_in = at::zeros_like(x);
  *explained = at::zeros({x.size(0)}, x.options());
  const std::set<int64_t> groups(targets.begin(), targets.end());
  for (int64_t t : groups) {
    std::vector<int64_t> members;
    for (size_t n = 0; n < targets.size(); ++n) {
      if (targets[n] == t) members.push_back(static_cast<int64_t>(n));
    }
    const at::Tensor rows = at::tensor(members, at::kLong).to(x.device());
    // z_t − mean of the others, as one output row: W' = W_t − mean_o W_o, b' likewise.
    auto contrast = [&](const at::Tensor& p) {
      if (!p.defined()) return p;
      return (p[t] - (p.sum(0) - p[t]) / static_cast<double>(classes - 1)).unsqueeze(0);
    };
    Layer folded_layer = layer;
    folded_layer.batch_norm.reset();
    folded_layer.weight = contrast(full.w);
    folded_layer.bias = contrast(full.b);
    const AffineWeights folded =
        prepareAffineWeights(folded_layer, rules_[last], options_.dtype, device_);
    const at::Tensor xg = x.index_select(0, rows);
    const at::Tensor zg = ops_[last].forward(xg, folded.w, folded.b);
    r_in.index_copy_(0, rows, propagateAffine(rules_[last], contextFor(layer, folded, xg, zg), zg));
    explained->index_copy_(0, rows, zg.flatten(1).sum(1));
  }
  return r_in;
}

at::Tensor Explainer::backwardFrom(int start_layer, RelevanceMap relevance,
                                   Activations& activations, std::vector<at::Tensor>* kept) const {
  const double stab = options_.stabilizer;
  for (int i = start_layer; i >= 0; --i) {
    const Layer& layer = graph_.layers[i];
    auto found = relevance.find(layer.output);
    if (found == relevance.end()) {  // a branch the target does not depend on
      activations.tensors.erase(layer.output);
      continue;
    }
    at::Tensor R = std::move(found->second);
    relevance.erase(found);
    if (kept) (*kept)[i] = R;
    const Rule& rule = rules_[i];
    const at::Tensor& x = activations.tensors.at(layer.inputs[0]);
    const at::Tensor& out = activations.tensors.at(layer.output);
    switch (layer.kind) {
      case LayerKind::kConvolution:
      case LayerKind::kLinear: {
        // R moves in: the rule drops it once its signals are computed (peak memory).
        accumulate(relevance, layer.inputs[0],
                   propagateAffine(rule, contextFor(layer, weights_[i], x, out), std::move(R)));
        break;
      }
      case LayerKind::kActivation:
      case LayerKind::kReshape:
        accumulate(relevance, layer.inputs[0], R.reshape(x.sizes()));
        break;
      case LayerKind::kMaxPool:
      case LayerKind::kAvgPool:
      case LayerKind::kAdaptiveAvgPool:
      case LayerKind::kMean:
      case LayerKind::kSpatialMax:
        accumulate(relevance, layer.inputs[0], propagatePooling(layer, rule, x, out, R, stab));
        break;
      case LayerKind::kAdd: {
        const at::Tensor& b = activations.tensors.at(layer.inputs[1]);
        auto parts = propagateAdd(x, b, out, R, stab);
        accumulate(relevance, layer.inputs[0], parts[0]);
        accumulate(relevance, layer.inputs[1], parts[1]);
        break;
      }
      case LayerKind::kCat: {
        std::vector<at::Tensor> inputs;
        for (const Value* in : layer.inputs)
          inputs.push_back(activations.tensors.at(in));
        auto parts = propagateCat(inputs, layer.cat_dim, R);
        for (size_t k = 0; k < parts.size(); ++k)
          accumulate(relevance, layer.inputs[k], parts[k]);
        break;
      }
    }
    // Every reader of this output comes later in execution order, so is done: free it.
    activations.tensors.erase(layer.output);
  }
  auto found = relevance.find(graph_.input);
  return found != relevance.end() ? found->second
                                  : at::zeros_like(activations.tensors.at(graph_.input));
}

}  // namespace deepbug::lrp
