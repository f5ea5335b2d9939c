// The model randomisation sanity check (Adebayo et al. 2018, "Sanity checks for saliency
// maps", §3.1): re-initialise a trained model's parameters layer by layer, from the
// output down ("cascading randomisation"), explain each copy, and measure how similar its
// heatmaps stay to the trained model's. An explanation method that still draws the same
// map once the weights are random does not explain the model.
//
// Layers are the convolution and linear operations of forward(), in the order they run:
// the module's forward graph is inlined (submodule calls included) and walked node by
// node, nested blocks in place; each aten::conv*/_convolution/conv_transpose*/linear/
// addmm/matmul/mm node that reads a parameter of the module (directly, or through
// t/transpose/permute/contiguous/view/reshape) is one layer, owning the parameters it
// reads — the project's own `<layer>_weight`/`<layer>_bias` and a traced PyTorch model's
// `<path>.weight`/`<path>.bias` alike. A parameter read by several such nodes belongs to
// the first. Batch-norm scale, shift and statistics, and parameters no such node reads,
// are never re-initialised: the check asks what the convolution and linear weights
// contribute.
#pragma once

#include <torch/script.h>

#include <cstdint>
#include <string>
#include <vector>

namespace deepbug::attribution {

struct ParameterisedLayer {
  // The weight's name without its `_weight`/`.weight` suffix ("conv1", "features.0"),
  // or the whole parameter name when it has neither.
  std::string name;
  std::string op;                       // e.g. "aten::conv2d"
  std::vector<std::string> parameters;  // as named_parameters() names them; weight first
};

// The layers in forward order. Throws ModelError when forward() reads no parameter
// through a convolution or linear operation.
std::vector<ParameterisedLayer> parameterisedLayers(const torch::jit::Module& module,
                                                    const std::string& source);

// A copy of the module with the parameters of its last `k` layers (forward order)
// re-initialised; every other parameter and buffer is bit-identical to the module's,
// which is left untouched. Each re-initialised tensor is drawn as PyTorch's nn.Conv2d /
// nn.Linear reset_parameters() draws it, U(−1/√fan_in, 1/√fan_in) with fan_in = the
// weight's element count / its first dimension (in_channels/groups · kernel area, or
// in_features), from a CPU generator seeded by (seed, layer index, parameter index):
// a layer's new values do not depend on k, so the copies of a cascade agree on every
// layer both re-initialise. Throws ConfigError for k < 0 or k > the layer count.
torch::jit::Module randomiseTopLayers(const torch::jit::Module& module, std::int64_t k,
                                      std::uint64_t seed, const std::string& source = "model");

// The cascade: element k is randomiseTopLayers(module, k, seed) for k = 0 … L (element 0
// an unchanged copy, element L every layer re-initialised).
std::vector<torch::jit::Module> cascadingRandomisation(const torch::jit::Module& module,
                                                       std::uint64_t seed,
                                                       const std::string& source = "model");

// Spearman's rank correlation of two maps of the same shape (any shape, flattened), as
// Adebayo et al. compare heatmaps with and without their absolute value:
//   ρ = cov(rank(a), rank(b)) / (σ_rank(a) · σ_rank(b))
// (Spearman 1904), the Pearson correlation of the ranks, tied values taking the average
// of the ranks they span (so the formula holds exactly with ties). `absolute`: rank |a|
// and |b|. NaN when either map is constant (no ranking to compare). Throws ConfigError
// for different shapes or empty maps.
double spearmanCorrelation(const at::Tensor& a, const at::Tensor& b, bool absolute = false);

// A map scaled to [0, 1]: (m − min m) / (max m − min m); all zeros when m is constant.
at::Tensor normaliseToUnit(const at::Tensor& map);

// Structural similarity (Wang et al. 2004, "Image quality assessment: from error
// visibility to structural similarity", eq. 13 with their §III-C settings): both
// H×W maps normalised to [0, 1] (normaliseToUnit; so the dynamic range L = 1), local
// statistics under an 11×11 Gaussian window of σ = 1.5 normalised to sum 1,
//   SSIM(x, y) = (2μₓμᵧ + C₁)(2σₓᵧ + C₂) / ((μₓ² + μᵧ² + C₁)(σₓ² + σᵧ² + C₂)),
// C₁ = (0.01·L)², C₂ = (0.03·L)², averaged over the windows that lie wholly inside the
// map (the 'valid' positions, as Wang's reference ssim_index.m). float64. Throws
// ConfigError for maps that are not 2-D, differ in shape, or are under 11×11.
double ssim(const at::Tensor& a, const at::Tensor& b);

}  // namespace deepbug::attribution
