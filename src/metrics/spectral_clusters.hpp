// Spectral relevance analysis (SpRAy; Lapuschkin et al. 2019, "Unmasking Clever Hans
// predictors and assessing what machines really learn", Nat. Commun. 10:1096): the
// strategies a model uses for a class, found as clusters of its heatmaps.
//
//   1. Each map is summarised: average-pooled to side × side and divided by its largest
//      |R| (relevanceSummary), so that clusters form by where evidence lies, not by how
//      large the logit was.
//   2. A symmetric k-nearest-neighbour graph on the summaries (Euclidean distance): w_ij
//      = 1 when j is among the k nearest of i or i among those of j, else 0 — SpRAy's
//      affinity.
//   3. The normalised Laplacian L = I − D^{-1/2} W D^{-1/2} (von Luxburg 2007, "A tutorial
//      on spectral clustering", §3.2), its eigenvalues λ₁ ≤ λ₂ ≤ … by torch::linalg::eigh.
//      As many eigenvalues are 0 as the graph has connected components; a large gap
//      λ_{K+1} − λ_K says the data form K groups (the eigengap heuristic, §8.3): K is the
//      largest gap for K in [1, max_clusters], unless fixed.
//   4. The K first eigenvectors, each row normalised to unit length (Ng, Jordan and Weiss
//      2002), clustered by k-means (k-means++ seeding, the best of `restarts` runs by
//      inertia).
#pragma once

#include <torch/script.h>

#include <cstdint>
#include <vector>

namespace deepbug::metrics {

// [H, W] or [N, H, W] relevance → [side·side] or [N, side·side] float summaries.
// An all-zero map stays zero.
at::Tensor relevanceSummary(const at::Tensor& relevance, int64_t side);

struct SpectralOptions {
  int64_t neighbours = 10;   // k of the kNN graph (capped at N − 1)
  int64_t max_clusters = 8;  // the eigengap's search range, 1…max_clusters
  int64_t clusters = 0;      // fixed K; 0: by the eigengap
  int64_t restarts = 10;     // k-means runs, the best kept
  int64_t iterations = 100;  // k-means iterations per run, at most
  std::uint64_t seed = 1;
};

struct SpectralClusters {
  int64_t clusters = 0;
  std::vector<int64_t> labels;             // per summary, 0…clusters−1, largest cluster first
  at::Tensor eigenvalues;                  // the smallest min(N, max_clusters + 1), ascending
  at::Tensor embedding;                    // [N, clusters], rows of unit length
  at::Tensor plane;                        // [N, 2]: eigenvectors 2 and 3 (the first informative
                                           // pair), for a scatter plot; zeros where N < 3
  std::vector<double> distance_to_centre;  // per summary, in the embedding
};

// `summaries`: [N, D]. Throws deepbug::ConfigError for fewer than 2 summaries or
// options out of range.
SpectralClusters spectralClusters(const at::Tensor& summaries, const SpectralOptions& options);

// The normalised Laplacian of the symmetric kNN graph of `summaries` (step 2–3), exposed
// for tests.
at::Tensor knnLaplacian(const at::Tensor& summaries, int64_t neighbours);

}  // namespace deepbug::metrics
