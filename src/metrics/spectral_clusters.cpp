#include "metrics/spectral_clusters.hpp"

#include <ATen/CPUGeneratorImpl.h>

#include <algorithm>
#include <limits>
#include <numeric>

#include "core/error.hpp"
#include "core/seed.hpp"

namespace deepbug::metrics {
namespace {

struct KMeans {
  at::Tensor centres;           // [K, D]
  std::vector<int64_t> labels;  // per point
  double inertia = std::numeric_limits<double>::infinity();
};

// k-means++ seeding (Arthur and Vassilvitskii 2007), then Lloyd iterations.
KMeans kmeans(const at::Tensor& x, int64_t k, int64_t iterations, at::Generator& generator) {
  const int64_t n = x.size(0);
  std::vector<int64_t> chosen{at::randint(n, {1}, generator).item<int64_t>()};
  at::Tensor nearest = (x - x[chosen[0]]).pow(2).sum(1);
  while (static_cast<int64_t>(chosen.size()) < k) {
    const double total = nearest.sum().item<double>();
    // All points coincide with a centre: any other point will do.
    const int64_t next = total > 0
                             ? at::multinomial(nearest / total, 1, false, generator).item<int64_t>()
                             : static_cast<int64_t>(chosen.size()) % n;
    chosen.push_back(next);
    nearest = at::minimum(nearest, (x - x[next]).pow(2).sum(1));
  }
  KMeans best;
  at::Tensor centres = x.index_select(0, at::tensor(chosen, at::kLong));
  at::Tensor labels;
  for (int64_t it = 0; it < iterations; ++it) {
    const at::Tensor next = at::cdist(x, centres).argmin(1);
    if (labels.defined() && at::equal(next, labels)) break;
    labels = next;
    for (int64_t c = 0; c < k; ++c) {
      const at::Tensor members = labels == c;
      // An emptied cluster keeps its centre.
      if (members.any().item<bool>()) centres[c] = x.index({members}).mean(0);
    }
  }
  // Labels of the final centres (the loop may stop at its limit before they settle).
  labels = at::cdist(x, centres).argmin(1);
  best.centres = centres;
  best.inertia = at::cdist(x, centres).amin(1).pow(2).sum().item<double>();
  const at::Tensor final_labels = labels.contiguous();
  best.labels.assign(final_labels.data_ptr<int64_t>(), final_labels.data_ptr<int64_t>() + n);
  return best;
}

}  // namespace

at::Tensor relevanceSummary(const at::Tensor& relevance, int64_t side) {
  if (side < 1) throw ConfigError("summary side " + std::to_string(side) + " is not positive");
  const bool single = relevance.dim() == 2;
  if (!single && relevance.dim() != 3) {
    throw ConfigError("relevance summary: expected [H, W] or [N, H, W] maps");
  }
  const at::Tensor maps = (single ? relevance.unsqueeze(0) : relevance).to(at::kCPU, at::kFloat);
  const at::Tensor pooled = at::adaptive_avg_pool2d(maps.unsqueeze(1), {side, side}).flatten(1);
  const at::Tensor largest = maps.flatten(1).abs().amax(1, true);
  const at::Tensor summary = pooled / at::where(largest > 0, largest, at::ones_like(largest));
  return single ? summary.squeeze(0) : summary;
}

at::Tensor knnLaplacian(const at::Tensor& summaries, int64_t neighbours) {
  const int64_t n = summaries.size(0);
  const int64_t k = std::min<int64_t>(neighbours, n - 1);
  const at::Tensor x = summaries.to(at::kDouble);
  at::Tensor distances = at::cdist(x, x);
  distances.fill_diagonal_(std::numeric_limits<double>::infinity());
  // Ties between equal distances go to the lower index, as topk on a stable sort would.
  const at::Tensor nearest =
      std::get<1>(distances.sort(/*stable=*/true, /*dim=*/1, /*descending=*/false)).narrow(1, 0, k);
  at::Tensor w = at::zeros({n, n}, at::kDouble);
  w.scatter_(1, nearest, 1.0);
  w = at::maximum(w, w.t());
  const at::Tensor inv_sqrt_degree = w.sum(1).rsqrt();
  return at::eye(n, at::kDouble) - inv_sqrt_degree.unsqueeze(1) * w * inv_sqrt_degree.unsqueeze(0);
}

SpectralClusters spectralClusters(const at::Tensor& summaries, const SpectralOptions& o) {
  if (summaries.dim() != 2 || summaries.size(0) < 2) {
    throw ConfigError("spectral clustering needs at least 2 maps, as [N, D] summaries");
  }
  if (o.neighbours < 1 || o.max_clusters < 1 || o.clusters < 0 || o.restarts < 1 ||
      o.iterations < 1) {
    throw ConfigError(
        "spectral clustering: neighbours, max_clusters, restarts and iterations "
        "must be positive, clusters ≥ 0");
  }
  const int64_t n = summaries.size(0);
  const at::Tensor laplacian = knnLaplacian(summaries, o.neighbours);
  const auto [values, vectors] = at::linalg_eigh(laplacian);

  SpectralClusters result;
  const int64_t kept = std::min<int64_t>(n, o.max_clusters + 1);
  result.eigenvalues = values.narrow(0, 0, kept).clone();
  if (o.clusters > 0) {
    result.clusters = std::min<int64_t>(o.clusters, n);
  } else {
    // K maximising λ_{K+1} − λ_K (1-based), K in [1, max_clusters], within the N − 1 gaps.
    const int64_t search = std::min<int64_t>(o.max_clusters, n - 1);
    const at::Tensor gaps = values.narrow(0, 1, search) - values.narrow(0, 0, search);
    result.clusters = gaps.argmax().item<int64_t>() + 1;
  }
  const int64_t k = result.clusters;
  at::Tensor embedding = vectors.narrow(1, 0, k);
  const at::Tensor norms = embedding.norm(2, 1, true);
  embedding = embedding / at::where(norms > 0, norms, at::ones_like(norms));
  result.embedding = embedding.to(at::kFloat);
  result.plane = n >= 3 ? vectors.narrow(1, 1, 2).to(at::kFloat) : at::zeros({n, 2}, at::kFloat);

  KMeans best;
  at::Generator generator = at::detail::createCPUGenerator(mixSeed(o.seed, 0x5b7a));
  for (int64_t run = 0; run < o.restarts; ++run) {
    KMeans candidate = kmeans(embedding, k, o.iterations, generator);
    if (candidate.inertia < best.inertia) best = std::move(candidate);
  }
  // Relabel by size, largest first (ties: lower old label first), so that cluster 0 is
  // the class's main strategy and labels do not depend on the seeding order.
  std::vector<int64_t> size(static_cast<std::size_t>(k), 0);
  for (int64_t label : best.labels)
    ++size[static_cast<std::size_t>(label)];
  std::vector<int64_t> order(static_cast<std::size_t>(k));
  std::iota(order.begin(), order.end(), 0);
  std::stable_sort(order.begin(), order.end(),
                   [&](int64_t a, int64_t b) { return size[a] > size[b]; });
  std::vector<int64_t> rank(static_cast<std::size_t>(k));
  for (int64_t r = 0; r < k; ++r)
    rank[static_cast<std::size_t>(order[static_cast<std::size_t>(r)])] = r;
  result.labels.reserve(static_cast<std::size_t>(n));
  for (int64_t i = 0; i < n; ++i) {
    const int64_t label = best.labels[static_cast<std::size_t>(i)];
    result.labels.push_back(rank[static_cast<std::size_t>(label)]);
    result.distance_to_centre.push_back((embedding[i] - best.centres[label]).norm().item<double>());
  }
  return result;
}

}  // namespace deepbug::metrics
