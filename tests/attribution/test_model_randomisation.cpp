// Model randomisation: the layers found in forward order (the project's named
// parameters and a traced model's submodules), the cascade re-initialising exactly the
// top layers and nothing else, and the similarity measures on hand-computed cases and a
// second, loop-by-loop SSIM.
#include <gtest/gtest.h>
#include <torch/script.h>

#include <cmath>
#include <map>
#include <string>
#include <vector>

#include "attribution/model_randomisation.hpp"
#include "core/error.hpp"
#include "lrp/lrp_test_support.hpp"
#include "model/architectures.hpp"
#include "support/config_error.hpp"

namespace deepbug::attribution {
namespace {

using test::configErrorOf;

std::vector<std::string> names(const std::vector<ParameterisedLayer>& layers) {
  std::vector<std::string> result;
  for (const auto& layer : layers)
    result.push_back(layer.name);
  return result;
}

std::map<std::string, at::Tensor> parameterCopies(const torch::jit::Module& module) {
  std::map<std::string, at::Tensor> result;
  for (const auto& p : module.named_parameters(true))
    result[p.name] = p.value.detach().clone();
  return result;
}

std::map<std::string, at::Tensor> buffersOf(const torch::jit::Module& module) {
  std::map<std::string, at::Tensor> result;
  for (const auto& b : module.named_buffers(true))
    result[b.name] = b.value.detach().clone();
  return result;
}

TEST(ModelRandomisation, TheProjectsLayersInForwardOrderWithTheirParameters) {
  const auto lenet = parameterisedLayers(model::buildArchitecture("lenet", 3, 1), "lenet");
  EXPECT_EQ(names(lenet), (std::vector<std::string>{"conv1", "conv2", "fc1", "fc2", "fc3"}));
  ASSERT_EQ(lenet.size(), 5u);
  EXPECT_EQ(lenet[0].parameters, (std::vector<std::string>{"conv1_weight", "conv1_bias"}));
  EXPECT_EQ(lenet[0].op, "aten::conv2d");
  EXPECT_EQ(lenet[4].op, "aten::linear");
  // vgg6-bn: bias-free convolutions; the batch norms' parameters belong to no layer.
  const auto vgg = parameterisedLayers(model::buildArchitecture("vgg6-bn", 2, 1), "vgg6-bn");
  EXPECT_EQ(names(vgg), (std::vector<std::string>{"conv1", "conv2", "conv3", "conv4", "conv5",
                                                  "conv6", "fc1"}));
  ASSERT_EQ(vgg.size(), 7u);
  EXPECT_EQ(vgg[2].parameters, (std::vector<std::string>{"conv3_weight"}));
}

TEST(ModelRandomisation, OrderIsTheForwardPassNotTheRegistrationOrder) {
  // Registered head first, but forward runs the convolution first.
  const torch::jit::Module net =
      lrp::testing::scriptedNet(R"(
def forward(self, x):
    x = torch.relu(torch.conv2d(x, self.conv_weight, self.conv_bias))
    return torch.linear(torch.flatten(x, 1), self.head_weight, self.head_bias)
)",
                                {{"head_bias", at::zeros({2})},
                                 {"head_weight", at::ones({2, 4})},
                                 {"conv_bias", at::zeros({1})},
                                 {"conv_weight", at::ones({1, 1, 1, 1})}});
  const auto layers = parameterisedLayers(net, "net");
  EXPECT_EQ(names(layers), (std::vector<std::string>{"conv", "head"}));
  ASSERT_EQ(layers.size(), 2u);
  EXPECT_EQ(layers[1].parameters, (std::vector<std::string>{"head_weight", "head_bias"}));
}

TEST(ModelRandomisation, ATracedModelsSubmodulesInForwardOrder) {
  const torch::jit::Module traced = torch::jit::load(lrp::testing::fixture("alexnet_layout"));
  const auto layers = parameterisedLayers(traced, "alexnet_layout");
  EXPECT_EQ(names(layers), (std::vector<std::string>{"features.0", "features.3", "features.6",
                                                     "features.8", "features.10", "classifier.1",
                                                     "classifier.4", "classifier.6"}));
  ASSERT_FALSE(layers.empty());
  EXPECT_EQ(layers[0].parameters,
            (std::vector<std::string>{"features.0.weight", "features.0.bias"}));
}

TEST(ModelRandomisation, TheCascadeReinitialisesExactlyTheTopLayers) {
  const torch::jit::Module lenet = model::buildArchitecture("lenet", 3, 2);
  const auto before = parameterCopies(lenet);
  torch::jit::Module top2 = randomiseTopLayers(lenet, 2, 17, "lenet");
  const auto after = parameterCopies(top2);
  const auto original = parameterCopies(lenet);
  ASSERT_EQ(after.size(), 10u);
  for (const auto& [name, value] : after) {
    const bool top = name.rfind("fc2", 0) == 0 || name.rfind("fc3", 0) == 0;
    if (top) {
      // Every element redrawn (lenet's biases start at zero, so a kept one would show).
      EXPECT_FALSE(at::any(value == before.at(name)).item<bool>()) << name;
      const double bound = 1 / std::sqrt(static_cast<double>(name.rfind("fc2", 0) == 0 ? 120 : 84));
      EXPECT_LE(value.abs().max().item<double>(), bound) << name;
    } else {
      EXPECT_TRUE(at::equal(value, before.at(name))) << name;
    }
    // The caller's module is untouched.
    EXPECT_TRUE(at::equal(original.at(name), before.at(name))) << name;
  }
  // The copy still runs.
  const at::Tensor out = top2.forward({at::rand({1, 3, 32, 32})}).toTensor();
  EXPECT_EQ(out.sizes(), (std::vector<int64_t>{1, 3}));
}

TEST(ModelRandomisation, BuffersAndBatchNormStayAndTheCascadeAgreesOnSharedLayers) {
  const torch::jit::Module vgg = model::buildArchitecture("vgg6-bn", 2, 3);
  const std::vector<torch::jit::Module> cascade = cascadingRandomisation(vgg, 5, "vgg6-bn");
  ASSERT_EQ(cascade.size(), 8u);  // k = 0 … 7
  const auto trained = parameterCopies(vgg);
  const auto k0 = parameterCopies(cascade[0]);
  const auto k1 = parameterCopies(cascade[1]);
  const auto k3 = parameterCopies(cascade[3]);
  for (const auto& [name, value] : trained)
    EXPECT_TRUE(at::equal(k0.at(name), value)) << name;
  // k = 3 re-initialises fc1, conv6, conv5; its fc1 is k = 1's.
  EXPECT_TRUE(at::equal(k3.at("fc1_weight"), k1.at("fc1_weight")));
  EXPECT_FALSE(at::equal(k3.at("fc1_weight"), trained.at("fc1_weight")));
  EXPECT_FALSE(at::equal(k3.at("conv5_weight"), trained.at("conv5_weight")));
  EXPECT_TRUE(at::equal(k3.at("conv4_weight"), trained.at("conv4_weight")));
  EXPECT_TRUE(at::equal(k3.at("conv5_bn_weight"), trained.at("conv5_bn_weight")));
  EXPECT_TRUE(at::equal(k3.at("conv6_bn_bias"), trained.at("conv6_bn_bias")));
  const auto buffers = buffersOf(vgg);
  ASSERT_FALSE(buffers.empty());
  const auto k7_buffers = buffersOf(cascade[7]);
  for (const auto& [name, value] : buffers)
    EXPECT_TRUE(at::equal(k7_buffers.at(name), value)) << name;
  // The same seed draws the same values; another seed others.
  EXPECT_TRUE(at::equal(parameterCopies(randomiseTopLayers(vgg, 1, 5, "vgg")).at("fc1_weight"),
                        k1.at("fc1_weight")));
  EXPECT_FALSE(at::equal(parameterCopies(randomiseTopLayers(vgg, 1, 6, "vgg")).at("fc1_weight"),
                         k1.at("fc1_weight")));
}

TEST(ModelRandomisation, NestedParametersOfATracedModelAreReinitialised) {
  const torch::jit::Module traced = torch::jit::load(lrp::testing::fixture("alexnet_layout"));
  const auto before = parameterCopies(traced);
  const auto after = parameterCopies(randomiseTopLayers(traced, 1, 9, "alexnet_layout"));
  for (const auto& [name, value] : after) {
    const bool top = name.rfind("classifier.6.", 0) == 0;
    EXPECT_EQ(!at::equal(value, before.at(name)), top) << name;
  }
}

TEST(ModelRandomisation, LayerCountOutOfRangeIsNamed) {
  const torch::jit::Module lenet = model::buildArchitecture("lenet", 2, 1);
  EXPECT_NE(configErrorOf([&] { randomiseTopLayers(lenet, 6, 0, "lenet"); }).find("k:"),
            std::string::npos);
  EXPECT_NE(configErrorOf([&] { randomiseTopLayers(lenet, -1, 0, "lenet"); }).find("k:"),
            std::string::npos);
}

TEST(MapSimilarity, SpearmanOfIdenticalAndNegatedMaps) {
  at::manual_seed(1);
  const at::Tensor map = at::randn({16, 16}, at::kDouble);
  EXPECT_DOUBLE_EQ(spearmanCorrelation(map, map), 1.0);
  EXPECT_DOUBLE_EQ(spearmanCorrelation(map, -map), -1.0);
  // With the absolute value a map and its negation rank alike.
  EXPECT_DOUBLE_EQ(spearmanCorrelation(map, -map, true), 1.0);
  // Ranks only: a monotone transform changes nothing.
  EXPECT_DOUBLE_EQ(spearmanCorrelation(map, at::exp(map)), 1.0);
}

TEST(MapSimilarity, SpearmanWithTiesTakesAverageRanks) {
  // a = [1, 2, 2, 3] ranks [1, 2.5, 2.5, 4]; b = [1, 3, 2, 2] ranks [1, 4, 2.5, 2.5].
  // Around the mean 2.5: cov = (−1.5)(−1.5) = 2.25, Σ deviations² = 4.5 each: ρ = 0.5.
  EXPECT_DOUBLE_EQ(
      spearmanCorrelation(at::tensor({1.0, 2.0, 2.0, 3.0}), at::tensor({1.0, 3.0, 2.0, 2.0})), 0.5);
  // a = [−3, 1, −1, 2] ranks [1, 3, 2, 4]; b = |a| = [3, 1, 1, 2] ranks [4, 1.5, 1.5, 3]:
  // cov = −1.5, Σ da² = 5, Σ db² = 4.5: ρ = −1.5/√22.5 = −1/√10; with |·| both are b: 1.
  const at::Tensor a = at::tensor({-3.0, 1.0, -1.0, 2.0}).view({2, 2});
  const at::Tensor b = at::tensor({3.0, 1.0, 1.0, 2.0}).view({2, 2});
  EXPECT_NEAR(spearmanCorrelation(a, b), -1 / std::sqrt(10.0), 1e-15);
  EXPECT_DOUBLE_EQ(spearmanCorrelation(a, b, true), 1.0);
  // A constant map has no ranking.
  EXPECT_TRUE(std::isnan(spearmanCorrelation(at::ones({2, 2}), b)));
  EXPECT_NE(configErrorOf([&] { spearmanCorrelation(a, at::ones({4})); }).find("a, b"),
            std::string::npos);
}

// SSIM by its definition, window by window (a second formulation of the convolutions).
double ssimByLoops(const at::Tensor& a, const at::Tensor& b) {
  const at::Tensor p = normaliseToUnit(a), q = normaliseToUnit(b);
  double g[11], total = 0;
  for (int i = 0; i < 11; ++i)
    total += g[i] = std::exp(-(i - 5) * (i - 5) / (2 * 1.5 * 1.5));
  const double c1 = 1e-4, c2 = 9e-4;
  double sum = 0;
  int windows = 0;
  for (int64_t y = 0; y + 11 <= a.size(0); ++y) {
    for (int64_t x = 0; x + 11 <= a.size(1); ++x) {
      double mp = 0, mq = 0, pp = 0, qq = 0, pq = 0;
      for (int i = 0; i < 11; ++i) {
        for (int j = 0; j < 11; ++j) {
          const double w = g[i] * g[j] / (total * total);
          const double u = p[y + i][x + j].item<double>(), v = q[y + i][x + j].item<double>();
          mp += w * u, mq += w * v, pp += w * u * u, qq += w * v * v, pq += w * u * v;
        }
      }
      const double vp = pp - mp * mp, vq = qq - mq * mq, cov = pq - mp * mq;
      sum += (2 * mp * mq + c1) * (2 * cov + c2) / ((mp * mp + mq * mq + c1) * (vp + vq + c2));
      ++windows;
    }
  }
  return sum / windows;
}

TEST(MapSimilarity, SsimIsOneForTheSameMapAndMatchesTheDefinition) {
  at::manual_seed(2);
  const at::Tensor map = at::randn({13, 14}, at::kDouble);
  EXPECT_NEAR(ssim(map, map), 1.0, 1e-12);
  // Normalised to [0, 1] first: an affine rescaling is the same map.
  EXPECT_NEAR(ssim(map, 3 * map + 1), 1.0, 1e-12);
  const at::Tensor other = at::randn({13, 14}, at::kDouble);
  const double unrelated = ssim(map, other);
  EXPECT_LT(unrelated, 0.5);
  EXPECT_NEAR(unrelated, ssimByLoops(map, other), 1e-12);
  const at::Tensor smooth = map + 0.3 * other;
  EXPECT_NEAR(ssim(map, smooth), ssimByLoops(map, smooth), 1e-12);
  EXPECT_GT(ssim(map, smooth), unrelated);
}

TEST(MapSimilarity, SsimRejectsMapsSmallerThanItsWindowOrOfOtherShapes) {
  EXPECT_NE(configErrorOf([&] {
              ssim(at::rand({10, 20}), at::rand({10, 20}));
            }).find("11×11"),
            std::string::npos);
  EXPECT_NE(configErrorOf([&] {
              ssim(at::rand({12, 12}), at::rand({12, 13}));
            }).find("a, b"),
            std::string::npos);
  EXPECT_NE(configErrorOf([&] {
              ssim(at::rand({1, 12, 12}), at::rand({1, 12, 12}));
            }).find("H×W"),
            std::string::npos);
}

}  // namespace
}  // namespace deepbug::attribution
