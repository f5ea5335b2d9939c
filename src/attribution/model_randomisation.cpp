#include "attribution/model_randomisation.hpp"

#include <ATen/CPUGeneratorImpl.h>
#include <torch/csrc/jit/passes/inliner.h>

#include <algorithm>
#include <cmath>
#include <limits>
#include <map>
#include <numeric>
#include <set>
#include <sstream>

#include "core/error.hpp"
#include "core/tensor_text.hpp"

namespace deepbug::attribution {
namespace {

using torch::jit::Block;
using torch::jit::Node;
using torch::jit::Value;

const std::set<std::string> kLayerOps = {"aten::_convolution",
                                         "aten::conv1d",
                                         "aten::conv2d",
                                         "aten::conv3d",
                                         "aten::conv_transpose1d",
                                         "aten::conv_transpose2d",
                                         "aten::conv_transpose3d",
                                         "aten::linear",
                                         "aten::addmm",
                                         "aten::matmul",
                                         "aten::mm"};
// Ops a weight may pass through between its read and the layer's op.
const std::set<std::string> kWeightViews = {"aten::t",          "aten::transpose", "aten::permute",
                                            "aten::contiguous", "aten::view",      "aten::reshape"};

std::string layerName(const std::string& parameter) {
  for (const std::string suffix : {"_weight", ".weight"}) {
    if (parameter.size() > suffix.size() &&
        parameter.compare(parameter.size() - suffix.size(), suffix.size(), suffix) == 0)
      return parameter.substr(0, parameter.size() - suffix.size());
  }
  return parameter;
}

class LayerFinder {
 public:
  LayerFinder(const torch::jit::Module& module) {
    for (const auto& p : module.named_parameters(true))
      parameters_.insert(p.name);
    graph_ = module.get_method("forward").graph()->copy();
    torch::jit::Inline(*graph_);
    paths_[graph_->inputs()[0]] = "";
  }

  std::vector<ParameterisedLayer> run() {
    walk(graph_->block());
    return layers_;
  }

 private:
  void walk(Block* block) {
    for (Node* node : block->nodes()) {
      const std::string kind = node->kind().toQualString();
      if (node->kind() == c10::prim::GetAttr) {
        auto parent = paths_.find(node->input(0));
        if (parent != paths_.end()) {
          const std::string& name = node->s(c10::attr::name);
          paths_[node->output(0)] = parent->second.empty() ? name : parent->second + "." + name;
        }
      } else if (kLayerOps.count(kind)) {
        addLayer(node, kind);
      }
      for (Block* inner : node->blocks())
        walk(inner);
    }
  }

  // The parameter `value` reads, through view-like ops; empty when none.
  std::string parameterOf(const Value* value) const {
    for (int hops = 0; hops < 8; ++hops) {
      auto path = paths_.find(value);
      if (path != paths_.end()) return parameters_.count(path->second) ? path->second : "";
      const Node* producer = value->node();
      if (!kWeightViews.count(producer->kind().toQualString()) || producer->inputs().empty())
        return "";
      value = producer->input(0);
    }
    return "";
  }

  void addLayer(const Node* node, const std::string& kind) {
    ParameterisedLayer layer;
    layer.op = kind;
    for (const Value* input : node->inputs()) {
      const std::string parameter = parameterOf(input);
      if (parameter.empty() || assigned_.count(parameter)) continue;
      assigned_.insert(parameter);
      layer.parameters.push_back(parameter);
    }
    if (layer.parameters.empty()) return;
    // The weight first: the parameter named like one, else the first the op reads (its
    // argument order: conv2d/linear(x, weight, bias)).
    auto weight = std::find_if(layer.parameters.begin(), layer.parameters.end(),
                               [](const std::string& p) { return layerName(p) != p; });
    if (weight != layer.parameters.end()) std::iter_swap(layer.parameters.begin(), weight);
    layer.name = layerName(layer.parameters.front());
    layers_.push_back(std::move(layer));
  }

  std::set<std::string> parameters_;
  std::shared_ptr<torch::jit::Graph> graph_;
  std::map<const Value*, std::string> paths_;
  std::set<std::string> assigned_;
  std::vector<ParameterisedLayer> layers_;
};

// A generator for (seed, layer, parameter): splitmix64 of the three, so that nearby
// seeds and indices give unrelated streams.
std::uint64_t mix(std::uint64_t seed, std::uint64_t layer, std::uint64_t parameter) {
  std::uint64_t z = seed ^ (layer * 0x9E3779B97F4A7C15ULL) ^ (parameter * 0xC2B2AE3D27D4EB4FULL);
  z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ULL;
  z = (z ^ (z >> 27)) * 0x94D049BB133111EBULL;
  return z ^ (z >> 31);
}

// Puts `value` in the slot of the parameter named `path` ("a.b.weight": submodule a.b).
void setParameter(torch::jit::Module& module, const std::string& path, const at::Tensor& value) {
  torch::jit::Module owner = module;
  std::size_t start = 0;
  for (std::size_t dot = path.find('.'); dot != std::string::npos; dot = path.find('.', start)) {
    owner = owner.attr(path.substr(start, dot - start)).toModule();
    start = dot + 1;
  }
  owner.setattr(path.substr(start), value);
}

}  // namespace

std::vector<ParameterisedLayer> parameterisedLayers(const torch::jit::Module& module,
                                                    const std::string& source) {
  std::vector<ParameterisedLayer> layers = LayerFinder(module).run();
  if (layers.empty()) {
    throw ModelError(source +
                         ": forward() reads no parameter through a convolution or linear "
                         "operation, so there is no layer to re-initialise",
                     "the check needs a model with conv/linear weights");
  }
  return layers;
}

torch::jit::Module randomiseTopLayers(const torch::jit::Module& module, std::int64_t k,
                                      std::uint64_t seed, const std::string& source) {
  const std::vector<ParameterisedLayer> layers = parameterisedLayers(module, source);
  const auto count = static_cast<std::int64_t>(layers.size());
  if (k < 0 || k > count) {
    throw ConfigError("k: " + std::to_string(k) + " layers to re-initialise, but " + source +
                          " has " + std::to_string(count),
                      "use k in [0, " + std::to_string(count) + "]");
  }
  torch::jit::Module copy = module.clone();
  std::map<std::string, at::Tensor> by_name;
  for (const auto& p : copy.named_parameters(true))
    by_name[p.name] = p.value;
  torch::NoGradGuard no_grad;
  for (std::int64_t i = count - k; i < count; ++i) {
    const ParameterisedLayer& layer = layers[static_cast<std::size_t>(i)];
    const at::Tensor& weight = by_name.at(layer.parameters.front());
    const std::int64_t fan_in =
        weight.dim() > 0 && weight.size(0) > 0 ? weight.numel() / weight.size(0) : 1;
    const double bound = 1.0 / std::sqrt(static_cast<double>(std::max<std::int64_t>(fan_in, 1)));
    for (std::size_t j = 0; j < layer.parameters.size(); ++j) {
      const at::Tensor& old = by_name.at(layer.parameters[j]);
      at::Generator generator = at::make_generator<at::CPUGeneratorImpl>(
          mix(seed, static_cast<std::uint64_t>(i), static_cast<std::uint64_t>(j)));
      at::Tensor fresh = at::empty(old.sizes(), at::kDouble).uniform_(-bound, bound, generator);
      // A new tensor in the copy's slot, never a write into the old one: whether clone()
      // copies or shares parameter storage, the caller's module keeps its values.
      setParameter(copy, layer.parameters[j],
                   fresh.to(old.options()).set_requires_grad(old.requires_grad()));
    }
  }
  return copy;
}

std::vector<torch::jit::Module> cascadingRandomisation(const torch::jit::Module& module,
                                                       std::uint64_t seed,
                                                       const std::string& source) {
  const auto count = static_cast<std::int64_t>(parameterisedLayers(module, source).size());
  std::vector<torch::jit::Module> cascade;
  for (std::int64_t k = 0; k <= count; ++k)
    cascade.push_back(randomiseTopLayers(module, k, seed, source));
  return cascade;
}

namespace {

// Ranks 1…n, ties taking the mean of the ranks they span.
std::vector<double> averageRanks(const std::vector<double>& values) {
  std::vector<std::size_t> order(values.size());
  std::iota(order.begin(), order.end(), 0);
  std::stable_sort(order.begin(), order.end(),
                   [&](std::size_t a, std::size_t b) { return values[a] < values[b]; });
  std::vector<double> ranks(values.size());
  for (std::size_t first = 0; first < order.size();) {
    std::size_t last = first;
    while (last + 1 < order.size() && values[order[last + 1]] == values[order[first]])
      ++last;
    const double rank = 0.5 * static_cast<double>(first + last) + 1.0;
    for (std::size_t i = first; i <= last; ++i)
      ranks[order[i]] = rank;
    first = last + 1;
  }
  return ranks;
}

std::vector<double> flatValues(const at::Tensor& map, bool absolute) {
  at::Tensor flat = map.detach().to(at::kCPU, at::kDouble).contiguous().view({-1});
  if (absolute) flat = flat.abs();
  const double* data = flat.data_ptr<double>();
  return std::vector<double>(data, data + flat.numel());
}

}  // namespace

double spearmanCorrelation(const at::Tensor& a, const at::Tensor& b, bool absolute) {
  if (!a.defined() || !b.defined() || a.sizes() != b.sizes()) {
    throw ConfigError("a, b: maps of different shapes (" +
                          (a.defined() ? shapeText(a) : std::string("none")) + " and " +
                          (b.defined() ? shapeText(b) : std::string("none")) + ")",
                      "compare maps of one image at one resolution");
  }
  if (a.numel() == 0) throw ConfigError("a, b: empty maps", "compare maps with pixels");
  const std::vector<double> ra = averageRanks(flatValues(a, absolute));
  const std::vector<double> rb = averageRanks(flatValues(b, absolute));
  const double n = static_cast<double>(ra.size());
  const double mean = (n + 1) / 2;  // the mean of average ranks is always (n + 1)/2
  double cov = 0, va = 0, vb = 0;
  for (std::size_t i = 0; i < ra.size(); ++i) {
    cov += (ra[i] - mean) * (rb[i] - mean);
    va += (ra[i] - mean) * (ra[i] - mean);
    vb += (rb[i] - mean) * (rb[i] - mean);
  }
  if (va == 0 || vb == 0) return std::numeric_limits<double>::quiet_NaN();
  return cov / std::sqrt(va * vb);
}

at::Tensor normaliseToUnit(const at::Tensor& map) {
  at::Tensor m = map.detach().to(at::kDouble);
  const double low = m.min().item<double>();
  const double high = m.max().item<double>();
  if (!(high > low)) return at::zeros_like(m);
  return (m - low) / (high - low);
}

double ssim(const at::Tensor& a, const at::Tensor& b) {
  constexpr int64_t kWindow = 11;
  constexpr double kSigma = 1.5;
  if (!a.defined() || !b.defined() || a.dim() != 2 || a.sizes() != b.sizes()) {
    throw ConfigError("a, b: SSIM compares two H×W maps of one shape, got " +
                          (a.defined() ? shapeText(a) : std::string("none")) + " and " +
                          (b.defined() ? shapeText(b) : std::string("none")),
                      "sum relevance over channels to an H×W map first");
  }
  if (a.size(0) < kWindow || a.size(1) < kWindow) {
    throw ConfigError("a, b: " + shapeText(a) + " maps are smaller than SSIM's 11×11 window",
                      "compare maps of at least 11×11 pixels");
  }
  const auto options = at::TensorOptions().dtype(at::kDouble).device(a.device());
  at::Tensor x = (at::arange(kWindow, options) - (kWindow - 1) / 2.0);
  at::Tensor g = at::exp(-(x * x) / (2 * kSigma * kSigma));
  g = g / g.sum();
  const at::Tensor window = at::outer(g, g).view({1, 1, kWindow, kWindow});
  auto filter = [&](const at::Tensor& m) { return at::conv2d(m, window); };

  const at::Tensor p = normaliseToUnit(a).to(a.device()).view({1, 1, a.size(0), a.size(1)});
  const at::Tensor q = normaliseToUnit(b).to(a.device()).view({1, 1, b.size(0), b.size(1)});
  const double c1 = 0.01 * 0.01, c2 = 0.03 * 0.03;  // (K·L)², L = 1
  const at::Tensor mu_p = filter(p), mu_q = filter(q);
  const at::Tensor var_p = filter(p * p) - mu_p * mu_p;
  const at::Tensor var_q = filter(q * q) - mu_q * mu_q;
  const at::Tensor cov = filter(p * q) - mu_p * mu_q;
  const at::Tensor map = ((2 * mu_p * mu_q + c1) * (2 * cov + c2)) /
                         ((mu_p * mu_p + mu_q * mu_q + c1) * (var_p + var_q + c2));
  return map.mean().item<double>();
}

}  // namespace deepbug::attribution
