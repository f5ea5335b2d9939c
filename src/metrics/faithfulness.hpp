// Faithfulness of heatmaps by region perturbation ("pixel flipping"): remove the image
// patch by patch in the order a heatmap ranks them and watch the explained logit. A map
// that knows what the model uses makes the logit fall fast when the most relevant
// patches go first (MoRF) and slowly when the least relevant go first (LeRF).
//
// Patches: a grid of patch_size × patch_size squares from the top-left corner; where
// patch_size does not divide the image the last row and column of patches are smaller.
// With P patches (row-major index p) and L = steps, each step removes ⌈P / L⌉ more, so
// after k steps the first min(P, k·⌈P / L⌉) patches of the order are replaced (all P
// at step L, and earlier when ⌈P / L⌉·L > P). A patch's score is the sum of the
// relevance on its pixels. Ties keep patch index order: MoRF sorts scores descending,
// LeRF ascending, each stable — so a constant map removes patches in index order both
// ways, and its ABPC is 0.
//
// Everything is batched: the N images of one step go through the model in one call.
#pragma once

#include <torch/script.h>

#include <cstdint>
#include <functional>
#include <vector>

namespace deepbug::metrics {

// The model as a function: an N×C×H×W batch in, [N, classes] logits out.
using LogitFunction = std::function<at::Tensor(const at::Tensor&)>;

// What a removed patch is replaced with.
enum class Replacement {
  // The image's own mean colour, per channel (the default): a flat patch carries no
  // information of its own, and the image's own colour makes a smaller jump than zero.
  // Blur leaves a patch's low frequencies in place, so at 16-px patches much of an
  // object stays recognisable and the curve measures the blur more than the map.
  kMean,
  // The same patch of the image blurred by a Gaussian (options.blur_sigma), done by a
  // separable depthwise convolution with replicated borders.
  kBlur,
  // Zero in the model's input space: for inputs normalised as (x − mean)/std, the
  // normalisation's mean colour.
  kZero,
};

enum class PerturbationOrder {
  kMostRelevantFirst,   // MoRF: score descending (Samek et al. 2017)
  kLeastRelevantFirst,  // LeRF: score ascending
  kRandom,              // a uniform random order per image, from options.seed
};

struct PerturbationOptions {
  std::int64_t patch_size = 16;  // pixels; ≥ 1 (Samek et al. use 9×9 on 224² inputs)
  std::int64_t steps = 20;       // L; ≥ 1
  Replacement replacement = Replacement::kMean;
  PerturbationOrder order = PerturbationOrder::kMostRelevantFirst;
  // kRandom: image n's order is a Fisher–Yates shuffle of the patch indices driven by a
  // std::mt19937_64 seeded with `seed`, drawn for image 0, then 1, …
  std::uint64_t seed = 0;
  // kBlur: the Gaussian's σ in pixels; ≤ 0 means patch_size / 2. Kernel 2⌈3σ⌉ + 1.
  double blur_sigma = 0;
};

struct PerturbationCurve {
  // [N, steps + 1], float64: f_{tₙ}(xₙ^k), the target logit after k steps, k = 0 … L
  // (column 0 is the unperturbed image).
  at::Tensor logits;
  // steps + 1 counts: the patches replaced after k steps, min(P, k·⌈P / L⌉).
  std::vector<std::int64_t> removed;
  std::int64_t patches = 0;  // P
};

// The perturbation curve of `inputs` (N×C×H×W) under `relevance` (N×H×W, any float
// dtype; e.g. relevance summed over channels), explaining target tₙ of image n. The
// model is called steps + 1 times, under torch::NoGradGuard. Throws ConfigError naming
// the argument for patch_size < 1, steps < 1, a relevance or target count that does not
// match the inputs, a relevance holding NaN or infinity, a target out of the model's classes, or a
// model output that is not [N, classes].
PerturbationCurve perturbationCurve(const LogitFunction& model, const at::Tensor& inputs,
                                    const at::Tensor& relevance,
                                    const std::vector<std::int64_t>& targets,
                                    const PerturbationOptions& options = {});

// AOPC, the area over the perturbation curve (Samek et al. 2017, "Evaluating the
// visualization of what a deep neural network has learned", eq. 12), per image:
//   AOPCₙ = 1/(L + 1) · Σ_{k=0}^{L} ( f(xₙ⁰) − f(xₙ^k) ),
// whose mean over images is the paper's ⟨·⟩_{p(x)}. Higher under MoRF = a better map.
// `curve`: [N, L + 1] (PerturbationCurve::logits). Returns [N] float64.
at::Tensor aopc(const at::Tensor& curve);

// ABPC, the area between the LeRF and MoRF perturbation curves (Schulz et al. 2020,
// "Restricting the flow: information bottlenecks for attribution", §4 degradation
// test), per image, with the same step average as AOPC:
//   ABPCₙ = 1/(L + 1) · Σ_{k=0}^{L} ( f(xₙ^{LeRF,k}) − f(xₙ^{MoRF,k}) )
//         = AOPC_MoRF,n − AOPC_LeRF,n.
// Higher = a better map; 0 for a map that ranks nothing (a constant one). Both curves
// [N, L + 1] of the same images and map. Returns [N] float64. Throws ConfigError for
// curves of different shapes.
at::Tensor abpc(const at::Tensor& lerf_curve, const at::Tensor& morf_curve);

}  // namespace deepbug::metrics
