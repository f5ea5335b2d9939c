// Spectral relevance analysis on maps whose strategies are known: the graph's Laplacian
// by hand, the eigengap counting the groups, k-means recovering them.
#include "metrics/spectral_clusters.hpp"

#include <gtest/gtest.h>

#include <set>

#include "core/error.hpp"

namespace deepbug::metrics {
namespace {

// `per_group` noisy 16×16 maps for each hot spot: the same strategy, seen many times.
at::Tensor mapsWithHotSpots(const std::vector<std::pair<int64_t, int64_t>>& spots,
                            int64_t per_group, std::uint64_t seed) {
  at::manual_seed(static_cast<int64_t>(seed));
  std::vector<at::Tensor> maps;
  for (const auto& [y, x] : spots) {
    for (int64_t i = 0; i < per_group; ++i) {
      at::Tensor map = at::rand({16, 16}) * 0.1;
      map.narrow(0, y, 4).narrow(1, x, 4) += 1.0 + at::rand({4, 4}) * 0.2;
      maps.push_back(map * (1 + i));  // any logit: the summary normalises it away
    }
  }
  return at::stack(maps);
}

// Points 0, 1 and 10, 11 on a line, 1 neighbour each: two disconnected edges. Each edge
// {a, b} has W = [[0, 1], [1, 0]], degrees 1, so L = [[1, −1], [−1, 1]] per edge:
// eigenvalues 0, 0, 2, 2.
TEST(SpectralClusters, LaplacianOfTwoEdgesByHand) {
  const at::Tensor points = at::tensor({0.0, 1.0, 10.0, 11.0}, at::kDouble).unsqueeze(1);
  const at::Tensor laplacian = knnLaplacian(points, 1);
  const at::Tensor expected = at::tensor({1.0, -1.0, 0.0, 0.0, -1.0, 1.0, 0.0, 0.0,  //
                                          0.0, 0.0, 1.0, -1.0, 0.0, 0.0, -1.0, 1.0},
                                         at::kDouble)
                                  .view({4, 4});
  EXPECT_TRUE(at::allclose(laplacian, expected)) << laplacian;

  SpectralOptions options;
  options.neighbours = 1;
  options.max_clusters = 3;
  const SpectralClusters result = spectralClusters(points, options);
  EXPECT_TRUE(
      at::allclose(result.eigenvalues, at::tensor({0.0, 0.0, 2.0, 2.0}, at::kDouble), 1e-9, 1e-9))
      << result.eigenvalues;
  EXPECT_EQ(result.clusters, 2) << "two components: two zero eigenvalues, then the gap";
  EXPECT_EQ(result.labels[0], result.labels[1]);
  EXPECT_EQ(result.labels[2], result.labels[3]);
  EXPECT_NE(result.labels[0], result.labels[2]);
}

// A symmetric kNN graph: j in i's neighbours or i in j's. On 0, 1, 3 with k = 1: 0↔1 are
// mutual nearest, 3's nearest is 1; so edges 0–1 and 1–3, degrees 1, 2, 1.
TEST(SpectralClusters, NeighbourGraphIsSymmetrised) {
  const at::Tensor points = at::tensor({0.0, 1.0, 3.0}, at::kDouble).unsqueeze(1);
  const at::Tensor laplacian = knnLaplacian(points, 1);
  const double r = 1.0 / std::sqrt(2.0);
  const at::Tensor expected =
      at::tensor({1.0, -r, 0.0, -r, 1.0, -r, 0.0, -r, 1.0}, at::kDouble).view({3, 3});
  EXPECT_TRUE(at::allclose(laplacian, expected)) << laplacian;
}

TEST(SpectralClusters, ThreeStrategiesFoundByTheEigengap) {
  const int64_t per_group = 20;
  const at::Tensor maps = mapsWithHotSpots({{0, 0}, {12, 12}, {0, 12}}, per_group, 3);
  const at::Tensor summaries = relevanceSummary(maps, 8);
  ASSERT_EQ(summaries.sizes(), at::IntArrayRef({3 * per_group, 64}));
  const SpectralClusters result = spectralClusters(summaries, SpectralOptions{});
  ASSERT_EQ(result.clusters, 3);
  ASSERT_EQ(result.labels.size(), static_cast<std::size_t>(3 * per_group));
  std::set<int64_t> seen;
  for (int64_t group = 0; group < 3; ++group) {
    const int64_t label = result.labels[static_cast<std::size_t>(group * per_group)];
    seen.insert(label);
    for (int64_t i = 0; i < per_group; ++i) {
      EXPECT_EQ(result.labels[static_cast<std::size_t>(group * per_group + i)], label)
          << "group " << group << " map " << i;
    }
  }
  EXPECT_EQ(seen.size(), 3u) << "each strategy its own cluster";
  EXPECT_EQ(result.plane.sizes(), at::IntArrayRef({3 * per_group, 2}));
  EXPECT_EQ(result.distance_to_centre.size(), static_cast<std::size_t>(3 * per_group));
}

TEST(SpectralClusters, LargestClusterFirstAndAFixedCountHonoured) {
  // 30 maps of one strategy, 10 of another.
  const at::Tensor big = mapsWithHotSpots({{0, 0}}, 30, 5);
  const at::Tensor small = mapsWithHotSpots({{12, 12}}, 10, 6);
  const at::Tensor summaries = relevanceSummary(at::cat({small, big}), 8);
  const SpectralClusters found = spectralClusters(summaries, SpectralOptions{});
  ASSERT_EQ(found.clusters, 2);
  EXPECT_EQ(found.labels.front(), 1) << "the 10 come first in the data but form cluster 1";
  EXPECT_EQ(found.labels.back(), 0);

  SpectralOptions four;
  four.clusters = 4;
  const SpectralClusters fixed = spectralClusters(summaries, four);
  EXPECT_EQ(fixed.clusters, 4);
  EXPECT_EQ(std::set<int64_t>(fixed.labels.begin(), fixed.labels.end()).size(), 4u);
  // The same seed, the same answer.
  EXPECT_EQ(spectralClusters(summaries, four).labels, fixed.labels);
}

TEST(SpectralClusters, SummariesIgnoreTheLogitsScale) {
  const at::Tensor map = at::rand({2, 20, 20}) - 0.5;
  const at::Tensor a = relevanceSummary(map, 5), b = relevanceSummary(map * 1000, 5);
  EXPECT_TRUE(at::allclose(a, b, 1e-5, 1e-6));
  EXPECT_TRUE(at::equal(relevanceSummary(at::zeros({20, 20}), 5), at::zeros({25})));
}

TEST(SpectralClusters, BadInputIsNamed) {
  EXPECT_THROW(spectralClusters(at::zeros({1, 4}), SpectralOptions{}), ConfigError);
  SpectralOptions none;
  none.neighbours = 0;
  EXPECT_THROW(spectralClusters(at::zeros({5, 4}), none), ConfigError);
  EXPECT_THROW(relevanceSummary(at::zeros({4}), 2), ConfigError);
  EXPECT_THROW(relevanceSummary(at::zeros({4, 4}), 0), ConfigError);
}

}  // namespace
}  // namespace deepbug::metrics
