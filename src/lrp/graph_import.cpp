#include "lrp/graph_import.hpp"

#include <torch/csrc/jit/passes/constant_propagation.h>
#include <torch/csrc/jit/passes/dead_code_elimination.h>
#include <torch/csrc/jit/passes/freeze_module.h>
#include <torch/csrc/jit/passes/inliner.h>

#include <algorithm>
#include <map>
#include <set>
#include <sstream>

#include "core/error.hpp"

namespace deepbug::lrp {
namespace {

using torch::jit::Node;
using torch::jit::Value;

const std::set<std::string> kActivations = {
    "aten::relu",       "aten::relu_",       "aten::relu6", "aten::hardtanh", "aten::hardtanh_",
    "aten::leaky_relu", "aten::leaky_relu_", "aten::elu",   "aten::gelu",     "aten::silu",
    "aten::silu_",      "aten::sigmoid",     "aten::tanh",  "aten::hardswish"};
const std::set<std::string> kReshapes = {"aten::flatten",
                                         "aten::view",
                                         "aten::reshape",
                                         "aten::squeeze",
                                         "aten::unsqueeze",
                                         "aten::contiguous",
                                         "aten::clone",
                                         "aten::dropout",
                                         "aten::dropout_",
                                         "aten::feature_dropout",
                                         "aten::feature_dropout_",
                                         "aten::alpha_dropout",
                                         "aten::detach"};
const std::set<std::string> kConvolutions = {"aten::_convolution", "aten::conv1d", "aten::conv2d",
                                             "aten::conv3d"};
const std::set<std::string> kLinears = {"aten::linear", "aten::addmm", "aten::matmul", "aten::mm"};
const std::set<std::string> kFinalNormalisers = {"aten::softmax", "aten::log_softmax"};

std::string opName(const Node* node) {
  return node->kind().toQualString();
}

std::string describeNode(const Node* node) {
  std::ostringstream text;
  text << opName(node) << " producing %" << node->output(0)->debugName();
  return text.str();
}

[[noreturn]] void unsupported(const Node* node, const std::string& source, const std::string& why) {
  std::ostringstream hint;
  hint << "supported on the path from the image to the logits: ";
  const auto& ops = supportedOperators();
  for (size_t i = 0; i < ops.size(); ++i)
    hint << (i ? ", " : "") << ops[i];
  throw ModelError(source + ": cannot explain " + describeNode(node) + ": " + why, hint.str());
}

c10::IValue constantOf(const Value* value, const Node* node, const std::string& source,
                       const char* what) {
  auto constant = torch::jit::toIValue(value);
  if (!constant) unsupported(node, source, std::string(what) + " is not a constant of the model");
  return *constant;
}

at::Tensor constantTensor(const Value* value, const Node* node, const std::string& source,
                          const char* what) {
  auto constant = constantOf(value, node, source, what);
  if (constant.isNone()) return {};
  if (!constant.isTensor()) unsupported(node, source, std::string(what) + " is not a tensor");
  return constant.toTensor();
}

std::vector<int64_t> intList(const Value* value, const Node* node, const std::string& source,
                             const char* what) {
  auto constant = constantOf(value, node, source, what);
  if (constant.isNone()) return {};
  if (constant.isInt()) return {constant.toInt()};
  if (!constant.isIntList()) unsupported(node, source, std::string(what) + " is not an int list");
  return constant.toIntVector();
}

template <typename T>
T scalar(const Value* value, const Node* node, const std::string& source, const char* what) {
  auto constant = constantOf(value, node, source, what);
  if constexpr (std::is_same_v<T, bool>) return constant.toBool();
  if constexpr (std::is_same_v<T, double>) return constant.toScalar().toDouble();
  if constexpr (std::is_same_v<T, int64_t>) return constant.toInt();
}

// "self.features.0.weight" -> "features.0"
std::string nameFromWeight(const Value* weight) {
  std::string name = weight->debugName();
  const std::string prefix = "self.", suffix = ".weight";
  if (name.rfind(prefix, 0) != 0 || name.size() <= prefix.size() + suffix.size() ||
      name.compare(name.size() - suffix.size(), suffix.size(), suffix) != 0) {
    return {};
  }
  return name.substr(prefix.size(), name.size() - prefix.size() - suffix.size());
}

class Importer {
 public:
  Importer(LayerGraph& graph, std::string source) : g_(graph), source_(std::move(source)) {}

  void run() {
    const auto& inputs = g_.graph->inputs();
    if (inputs.size() != 2) {
      throw ModelError(source_ + ": forward() takes " + std::to_string(inputs.size() - 1) +
                           " arguments; an image classifier takes one image batch",
                       "export a module whose forward(x) maps images to logits");
    }
    g_.input = inputs[1];
    path_.insert(g_.input);
    for (Node* node : g_.graph->nodes())
      visit(node);
    findOutput();
    nameLayers();
  }

 private:
  bool onPath(const Node* node) const {
    return std::any_of(node->inputs().begin(), node->inputs().end(),
                       [&](const Value* v) { return path_.count(v) > 0; });
  }

  void visit(Node* node) {
    if (!onPath(node)) return;
    for (const Value* out : node->outputs()) {
      // Shape queries (aten::size, aten::dim) read the activations but carry no relevance.
      if (out->type()->kind() != c10::TypeKind::TensorType &&
          node->kind() != c10::prim::ListConstruct)
        return;
    }
    if (!node->blocks().empty()) unsupported(node, source_, "control flow is not supported");
    const std::string op = opName(node);
    if (kConvolutions.count(op)) return addConvolution(node);
    if (kLinears.count(op)) return addLinear(node);
    if (op == "aten::batch_norm") return foldBatchNorm(node);
    if (kActivations.count(op)) return addSimple(node, LayerKind::kActivation);
    if (kReshapes.count(op)) return addSimple(node, LayerKind::kReshape);
    if (op == "aten::max_pool2d") return addMaxPool(node);
    if (op == "aten::avg_pool2d") return addAvgPool(node);
    if (op == "aten::adaptive_avg_pool2d") return addSimple(node, LayerKind::kAdaptiveAvgPool);
    if (op == "aten::mean") return addMean(node);
    if (op == "aten::amax") return addSpatialReduction(node, LayerKind::kSpatialMax);
    if (op == "aten::add" || op == "aten::add_") return addAdd(node);
    if (op == "prim::ListConstruct") return addList(node);
    if (op == "aten::cat") return addCat(node);
    if (kFinalNormalisers.count(op)) return addFinalNormaliser(node);
    unsupported(node, source_, "operator not supported");
  }

  Layer& newLayer(Node* node, LayerKind kind, std::vector<const Value*> inputs) {
    for (const Value* in : inputs) {
      if (!path_.count(in)) unsupported(node, source_, "mixes the image path with a constant");
    }
    Layer layer;
    layer.index = static_cast<int>(g_.layers.size());
    layer.kind = kind;
    layer.op = opName(node);
    layer.node = node;
    layer.inputs = std::move(inputs);
    layer.output = node->output(0);
    path_.insert(layer.output);
    producer_[layer.output] = layer.index;
    g_.layers.push_back(std::move(layer));
    return g_.layers.back();
  }

  void addSimple(Node* node, LayerKind kind) {
    if (!path_.count(node->input(0))) unsupported(node, source_, "its first input is a constant");
    newLayer(node, kind, {node->input(0)});
  }

  void addConvolution(Node* node) {
    const std::string op = opName(node);
    Layer& layer = newLayer(node, LayerKind::kConvolution, {node->input(0)});
    layer.weight = constantTensor(node->input(1), node, source_, "the weight");
    layer.bias = constantTensor(node->input(2), node, source_, "the bias");
    if (!layer.weight.defined()) unsupported(node, source_, "the weight is missing");
    layer.convolution.stride = intList(node->input(3), node, source_, "stride");
    auto padding = constantOf(node->input(4), node, source_, "padding");
    if (padding.isString()) {
      if (padding.toStringRef() != "valid") unsupported(node, source_, "padding='same'");
      layer.convolution.padding.assign(layer.weight.dim() - 2, 0);
    } else {
      layer.convolution.padding = intList(node->input(4), node, source_, "padding");
    }
    layer.convolution.dilation = intList(node->input(5), node, source_, "dilation");
    if (op == "aten::_convolution") {
      if (scalar<bool>(node->input(6), node, source_, "transposed"))
        unsupported(node, source_, "transposed convolutions are not supported");
      layer.convolution.groups = scalar<int64_t>(node->input(8), node, source_, "groups");
    } else {
      layer.convolution.groups = scalar<int64_t>(node->input(6), node, source_, "groups");
    }
    layer.name = nameFromWeight(node->input(1));
  }

  void addLinear(Node* node) {
    const std::string op = opName(node);
    if (op == "aten::linear") {
      Layer& layer = newLayer(node, LayerKind::kLinear, {node->input(0)});
      layer.weight = constantTensor(node->input(1), node, source_, "the weight");
      layer.bias = constantTensor(node->input(2), node, source_, "the bias");
      layer.name = nameFromWeight(node->input(1));
    } else if (op == "aten::addmm") {  // beta * bias + alpha * (x @ mat2)
      if (scalar<double>(node->input(3), node, source_, "beta") != 1.0 ||
          scalar<double>(node->input(4), node, source_, "alpha") != 1.0)
        unsupported(node, source_, "addmm with beta or alpha other than 1");
      Layer& layer = newLayer(node, LayerKind::kLinear, {node->input(1)});
      layer.weight = constantTensor(node->input(2), node, source_, "the weight").t();
      layer.bias = constantTensor(node->input(0), node, source_, "the bias");
    } else {  // matmul / mm with a constant right-hand matrix
      Layer& layer = newLayer(node, LayerKind::kLinear, {node->input(0)});
      at::Tensor matrix = constantTensor(node->input(1), node, source_, "the right-hand matrix");
      if (!matrix.defined() || matrix.dim() != 2)
        unsupported(node, source_, "matmul is supported with a constant 2-D right-hand side");
      layer.weight = matrix.t();
    }
    Layer& layer = g_.layers.back();
    if (!layer.weight.defined() || layer.weight.dim() != 2)
      unsupported(node, source_, "the weight is not a matrix");
  }

  // The affine layer producing `value` when nothing else reads its output.
  Layer* foldTarget(const Value* value) {
    auto found = producer_.find(value);
    if (found == producer_.end()) return nullptr;
    Layer& layer = g_.layers[found->second];
    if (!isAffine(layer.kind) || layer.output != value || value->uses().size() != 1) return nullptr;
    return &layer;
  }

  void foldBatchNorm(Node* node) {
    Layer* layer = foldTarget(node->input(0));
    if (!layer || layer->batch_norm)
      unsupported(node, source_, "batch norm is supported right after a convolution or linear");
    if (scalar<bool>(node->input(5), node, source_, "training"))
      unsupported(node, source_, "batch norm in training mode");
    FoldedBatchNorm bn;
    bn.weight = constantTensor(node->input(1), node, source_, "the batch-norm weight");
    bn.bias = constantTensor(node->input(2), node, source_, "the batch-norm bias");
    bn.running_mean = constantTensor(node->input(3), node, source_, "the running mean");
    bn.running_var = constantTensor(node->input(4), node, source_, "the running variance");
    bn.eps = scalar<double>(node->input(7), node, source_, "eps");
    layer->batch_norm = bn;
    moveOutput(*layer, node->output(0));
  }

  void moveOutput(Layer& layer, const Value* output) {
    producer_.erase(layer.output);
    layer.output = output;
    producer_[output] = layer.index;
    path_.insert(output);
  }

  void addAdd(Node* node) {
    const bool a = path_.count(node->input(0)) > 0, b = path_.count(node->input(1)) > 0;
    const auto alpha = constantOf(node->input(2), node, source_, "alpha");
    if (alpha.toScalar().toDouble() != 1.0) unsupported(node, source_, "add with alpha != 1");
    if (a && b) {
      newLayer(node, LayerKind::kAdd, {node->input(0), node->input(1)});
      return;
    }
    // x @ W + b written as two ops: fold the constant into the bias of the matmul.
    const Value* path_input = a ? node->input(0) : node->input(1);
    Layer* layer = foldTarget(path_input);
    auto constant = torch::jit::toIValue(a ? node->input(1) : node->input(0));
    if (!layer || layer->kind != LayerKind::kLinear || layer->bias.defined() || layer->batch_norm ||
        !constant || !constant->isTensor())
      unsupported(node, source_, "adding a constant is supported only as the bias of a matmul");
    layer->bias = constant->toTensor();
    moveOutput(*layer, node->output(0));
  }

  void addMaxPool(Node* node) {
    Layer& layer = newLayer(node, LayerKind::kMaxPool, {node->input(0)});
    layer.pool.kernel = intList(node->input(1), node, source_, "kernel_size");
    layer.pool.stride = intList(node->input(2), node, source_, "stride");
    layer.pool.padding = intList(node->input(3), node, source_, "padding");
    layer.pool.dilation = intList(node->input(4), node, source_, "dilation");
    layer.pool.ceil_mode = scalar<bool>(node->input(5), node, source_, "ceil_mode");
    if (layer.pool.stride.empty()) layer.pool.stride = layer.pool.kernel;
  }

  void addAvgPool(Node* node) {
    Layer& layer = newLayer(node, LayerKind::kAvgPool, {node->input(0)});
    layer.pool.kernel = intList(node->input(1), node, source_, "kernel_size");
    layer.pool.stride = intList(node->input(2), node, source_, "stride");
    layer.pool.padding = intList(node->input(3), node, source_, "padding");
    layer.pool.ceil_mode = scalar<bool>(node->input(4), node, source_, "ceil_mode");
    layer.pool.count_include_pad = scalar<bool>(node->input(5), node, source_, "count_include_pad");
    auto divisor = constantOf(node->input(6), node, source_, "divisor_override");
    if (!divisor.isNone()) layer.pool.divisor_override = divisor.toInt();
    if (layer.pool.stride.empty()) layer.pool.stride = layer.pool.kernel;
  }

  void addMean(Node* node) {
    if (node->inputs().size() < 3) unsupported(node, source_, "mean over all dimensions");
    addSpatialReduction(node, LayerKind::kMean);
  }

  // mean(x, dim, keepdim) and amax(x, dim, keepdim): the dims are checked (H and W of
  // NCHW) when the rule runs, where the rank is known.
  void addSpatialReduction(Node* node, LayerKind kind) {
    Layer& layer = newLayer(node, kind, {node->input(0)});
    layer.mean_dims = intList(node->input(1), node, source_, "dim");
    layer.keep_dim = scalar<bool>(node->input(2), node, source_, "keepdim");
  }

  void addList(Node* node) {
    for (const torch::jit::Use& use : node->output()->uses()) {
      if (opName(use.user) != "aten::cat") unsupported(node, source_, "a tensor list outside cat");
    }
    path_.insert(node->output());  // cat reads the list's elements directly
  }

  void addCat(Node* node) {
    const Node* list = node->input(0)->node();
    if (list->kind() != c10::prim::ListConstruct)
      unsupported(node, source_, "cat of a list that is not built in the graph");
    std::vector<const Value*> parts(list->inputs().begin(), list->inputs().end());
    Layer& layer = newLayer(node, LayerKind::kCat, parts);
    layer.cat_dim = scalar<int64_t>(node->input(1), node, source_, "dim");
  }

  void addFinalNormaliser(Node* node) {
    // Accepted only as the model's last step; findOutput() checks that and strips it.
    path_.insert(node->output(0));
    normalisers_.insert(node);
  }

  void findOutput() {
    const auto& outputs = g_.graph->outputs();
    const Value* output = outputs.size() == 1 ? outputs[0] : nullptr;
    if (!output || output->type()->kind() != c10::TypeKind::TensorType) {
      throw ModelError(source_ + ": forward() must return one logits tensor",
                       "return only the logits (not a tuple) from forward()");
    }
    if (normalisers_.count(output->node())) {
      g_.warnings.push_back(source_ + ": explaining the logits before the final " +
                            opName(output->node()) +
                            " (relevance of probabilities is not defined)");
      normalisers_.erase(output->node());
      output = output->node()->input(0);
    }
    if (!normalisers_.empty())
      unsupported(*normalisers_.begin(), source_, "softmax inside the model");
    if (!producer_.count(output))
      throw ModelError(source_ + ": the logits do not depend on the input image", "");
    g_.output = output;
  }

  void nameLayers() {
    std::map<std::string, int> seen;
    for (Layer& layer : g_.layers) {
      if (layer.name.empty()) {
        std::string op = layer.op.substr(layer.op.find("::") + 2);
        if (!op.empty() && op.back() == '_' && op != "_convolution") op.pop_back();
        if (!op.empty() && op.front() == '_') op.erase(0, 1);
        layer.name = op + "_" + std::to_string(layer.index);
      }
      if (seen[layer.name]++) layer.name += "_" + std::to_string(layer.index);
    }
  }

  LayerGraph& g_;
  std::string source_;
  std::set<const Value*> path_;
  std::map<const Value*, int> producer_;
  std::set<const Node*> normalisers_;
};

}  // namespace

LayerGraph importGraph(const torch::jit::Module& module, const std::string& source) {
  LayerGraph result;
  torch::jit::Module copy = module.clone();
  copy.eval();
  result.frozen = torch::jit::freeze_module(copy);
  result.graph = result.frozen.get_method("forward").graph();
  torch::jit::Inline(*result.graph);
  torch::jit::ConstantPropagation(result.graph);
  torch::jit::EliminateDeadCode(result.graph);
  Importer(result, source).run();
  return result;
}

}  // namespace deepbug::lrp
