// CUDA against CPU for the tensor code that runs on either: heatmap rendering and the
// LRP engine. Label `gpu`; skipped on machines without CUDA.
#include <gtest/gtest.h>
#include <torch/cuda.h>
#include <torch/script.h>

#include "lrp/explainer.hpp"
#include "model/geometry.hpp"
#include "render/blend.hpp"
#include "render/heatmap.hpp"

namespace deepbug {
namespace {

#define SKIP_WITHOUT_CUDA() \
  if (!torch::cuda::is_available()) GTEST_SKIP() << "no CUDA device"

int64_t maxDifference(const at::Tensor& a, const at::Tensor& b) {
  return (a.to(at::kInt) - b.to(at::kInt)).abs().max().item<int64_t>();
}

TEST(RenderOnCuda, GivesTheSameImagesAsTheCpu) {
  SKIP_WITHOUT_CUDA();
  const auto g = model::computeGeometry(640, 360, 224, 224, model::AspectPolicy::kLetterbox);
  torch::manual_seed(9);
  const at::Tensor frame = torch::randint(0, 256, {360, 640, 3}, at::kByte);
  const at::Tensor relevance = torch::randn({224, 224});
  const double scale = render::robustMax(relevance, 99.5);
  EXPECT_NEAR(render::robustMax(relevance.cuda(), 99.5), scale, 1e-5 * scale);
  EXPECT_TRUE(torch::equal(render::colorize(relevance.cuda(), scale, false).cpu(),
                           render::colorize(relevance, scale, false)));
  const at::Tensor on_gpu = render::blendOntoFrame(frame.cuda(), relevance.cuda(), g, scale, {});
  EXPECT_TRUE(on_gpu.is_cuda());
  EXPECT_LE(maxDifference(on_gpu.cpu(), render::blendOntoFrame(frame, relevance, g, scale, {})), 1);
}

class LrpOnCuda : public ::testing::TestWithParam<std::string> {};

TEST_P(LrpOnCuda, Float64RelevanceMatchesTheCpu) {
  SKIP_WITHOUT_CUDA();
  const torch::jit::Module module =
      torch::jit::load(std::string(DEEPBUG_FIXTURE_DIR) + "/" + GetParam() + ".pt");
  torch::manual_seed(4);
  const at::Tensor x = torch::randn({2, 3, 224, 224}, at::kDouble);
  for (const std::string& composite : lrp::compositeNames()) {
    lrp::ExplainerOptions options;
    options.composite.name = composite;
    options.dtype = at::kDouble;
    const auto cpu = lrp::Explainer(module, GetParam(), options)
                         .explain(x, std::nullopt, lrp::InitialRelevance::kContrastive);
    options.device = "cuda:0";
    const auto cuda = lrp::Explainer(module, GetParam(), options)
                          .explain(x, std::nullopt, lrp::InitialRelevance::kContrastive);
    EXPECT_TRUE(cuda.relevance.is_cuda());
    const double scale = cpu.relevance.abs().max().item<double>();
    EXPECT_LT((cuda.relevance.cpu() - cpu.relevance).abs().max().item<double>(), 1e-9 * scale)
        << composite;
  }
}

INSTANTIATE_TEST_SUITE_P(Fixtures, LrpOnCuda,
                         ::testing::Values("report_cnn", "vgg16_layout", "resnet18_layout"));

}  // namespace
}  // namespace deepbug
