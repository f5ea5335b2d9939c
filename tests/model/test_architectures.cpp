#include <gtest/gtest.h>
#include <torch/script.h>

#include <filesystem>

#include "core/error.hpp"
#include "model/architectures.hpp"
#include "model/classifier.hpp"
#include "model/model_loader.hpp"
#include "model/model_metadata.hpp"

namespace deepbug::model {
namespace {

std::map<std::string, std::vector<int64_t>> parameterShapes(const torch::jit::Module& module) {
  std::map<std::string, std::vector<int64_t>> shapes;
  for (const auto& p : module.named_parameters())
    shapes[p.name] = p.value.sizes().vec();
  return shapes;
}

TEST(Architectures, ReportCnnLayersAndActivationShapes) {
  torch::jit::Module net = buildArchitecture("report-cnn", 2, 1);
  const auto shapes = parameterShapes(net);
  const std::map<std::string, std::vector<int64_t>> expected{
      {"conv1_weight", {16, 3, 5, 5}},   {"conv1_bias", {16}},
      {"conv2_weight", {32, 16, 5, 5}},  {"conv2_bias", {32}},
      {"conv3_weight", {64, 32, 3, 3}},  {"conv3_bias", {64}},
      {"conv4_weight", {128, 64, 5, 5}}, {"conv4_bias", {128}},
      {"fc1_weight", {256, 128}},        {"fc1_bias", {256}},
      {"fc2_weight", {2, 256}},          {"fc2_bias", {2}}};
  EXPECT_EQ(shapes, expected);

  // Activations, layer by layer, with the module's own weights: 224→220→216→214→210.
  torch::NoGradGuard no_grad;
  at::Tensor x = at::rand({2, 3, 224, 224});
  const std::vector<int64_t> sides{220, 216, 214, 210};
  const std::vector<int64_t> channels{16, 32, 64, 128};
  at::Tensor a = x;
  for (int i = 0; i < 4; ++i) {
    const std::string n = "conv" + std::to_string(i + 1);
    a = at::relu(
        at::conv2d(a, net.attr(n + "_weight").toTensor(), net.attr(n + "_bias").toTensor()));
    EXPECT_EQ(a.sizes(), (std::vector<int64_t>{2, channels[i], sides[i], sides[i]})) << n;
  }
  a = a.mean({2, 3});
  EXPECT_EQ(a.sizes(), (std::vector<int64_t>{2, 128}));
  a = at::relu(at::linear(a, net.attr("fc1_weight").toTensor(), net.attr("fc1_bias").toTensor()));
  EXPECT_EQ(a.sizes(), (std::vector<int64_t>{2, 256}));
  a = at::linear(a, net.attr("fc2_weight").toTensor(), net.attr("fc2_bias").toTensor());
  const at::Tensor out = net.forward({x}).toTensor();
  EXPECT_EQ(out.sizes(), (std::vector<int64_t>{2, 2}));
  EXPECT_TRUE(at::allclose(out, a, 1e-4, 1e-5));
  // Global pooling makes it size-agnostic: train small, run at 224.
  EXPECT_EQ(net.forward({at::rand({1, 3, 112, 112})}).toTensor().sizes(),
            (std::vector<int64_t>{1, 2}));
}

TEST(Architectures, Vgg6BnCostAndBatchNormModes) {
  torch::jit::Module net = buildArchitecture("vgg6-bn", 2, 1);
  // Multiply-adds at 224: each convolution's weights times its output positions
  // (stride-2 first convolution, then a 2×2 pool after convolutions 2 to 5).
  const std::vector<int64_t> sides{112, 112, 56, 28, 14, 7};
  double macs = 0;
  for (int i = 0; i < 6; ++i) {
    const at::Tensor w = net.attr("conv" + std::to_string(i + 1) + "_weight").toTensor();
    macs += static_cast<double>(w.numel()) * sides[i] * sides[i];
  }
  EXPECT_LT(2 * macs, 1e9);  // under 1 GFLOP
  EXPECT_GT(2 * macs, 0.4e9);
  torch::NoGradGuard no_grad;
  net.eval();
  EXPECT_EQ(net.run_method("features", at::rand({1, 3, 224, 224})).toTensor().sizes(),
            (std::vector<int64_t>{1, 128}));

  // Training mode normalises by the batch and updates the running statistics; eval
  // mode uses them, so a sample's output does not depend on its batch.
  const at::Tensor mean_before = net.attr("conv1_bn_mean").toTensor().clone();
  net.train();
  net.forward({at::rand({4, 3, 64, 64}) + 0.5});
  EXPECT_FALSE(at::allclose(net.attr("conv1_bn_mean").toTensor(), mean_before));
  net.eval();
  const at::Tensor batch = at::rand({3, 3, 64, 64});
  const at::Tensor together = net.forward({batch}).toTensor();
  const at::Tensor alone = net.forward({batch.narrow(0, 1, 1)}).toTensor();
  EXPECT_TRUE(at::allclose(together.narrow(0, 1, 1), alone, 1e-4, 1e-5));
}

// LeNet-5's layers, and its adaptive pool making it size-agnostic: 64 px digits and
// LeNet's own 32 px both reach the 400 features of the dense head.
TEST(Architectures, LeNetLayersAtAnyInputSize) {
  torch::jit::Module net = buildArchitecture("lenet", 10, 1);
  const std::map<std::string, std::vector<int64_t>> expected{
      {"conv1_weight", {6, 3, 5, 5}},  {"conv1_bias", {6}},
      {"conv2_weight", {16, 6, 5, 5}}, {"conv2_bias", {16}},
      {"fc1_weight", {120, 400}},      {"fc1_bias", {120}},
      {"fc2_weight", {84, 120}},       {"fc2_bias", {84}},
      {"fc3_weight", {10, 84}},        {"fc3_bias", {10}}};
  EXPECT_EQ(parameterShapes(net), expected);
  net.eval();
  torch::NoGradGuard no_grad;
  for (const int64_t side : {32, 64}) {
    const at::Tensor x = at::rand({2, 3, side, side});
    EXPECT_EQ(net.run_method("features", x).toTensor().sizes(), at::IntArrayRef({2, 400})) << side;
    EXPECT_EQ(net.forward({x}).toTensor().sizes(), at::IntArrayRef({2, 10})) << side;
  }
}

TEST(Architectures, TrainedModuleShipsAsTorchScript) {
  torch::jit::Module net = buildArchitecture("tiny", 3, 2);
  for (const at::Tensor& p : net.parameters())
    EXPECT_TRUE(p.requires_grad());
  ModelMetadata meta;
  meta.labels = {"a", "b", "c"};
  meta.input_width = meta.input_height = 64;
  meta.architecture = "tiny";
  const std::string path = ::testing::TempDir() + "/tiny_built.pt";
  net.save(path, {{kMetadataFile, toJson(meta)}});

  ClassifierOptions options;
  options.model_path = path;
  options.device = "cpu";
  const Classifier classifier(options);
  EXPECT_EQ(classifier.labels(), meta.labels);
  EXPECT_EQ(classifier.metadata().input_width, 64);
  const std::uint8_t pixels[12] = {1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12};
  EXPECT_EQ(classifier.classify(FrameView{pixels, 2, 2, 0, PixelFormat::kRGB}).scores.size(), 3u);
}

TEST(Architectures, SeedsAreDeterministic) {
  const auto a = buildArchitecture("report-cnn", 2, 7).attr("conv2_weight").toTensor();
  const auto b = buildArchitecture("report-cnn", 2, 7).attr("conv2_weight").toTensor();
  const auto c = buildArchitecture("report-cnn", 2, 8).attr("conv2_weight").toTensor();
  EXPECT_TRUE(at::equal(a, b));
  EXPECT_FALSE(at::equal(a, c));
}

TEST(Architectures, UnknownNameListsTheKnownOnes) {
  try {
    buildArchitecture("resnet-9000", 2, 1);
    FAIL() << "accepted";
  } catch (const ConfigError& e) {
    EXPECT_NE(e.hint().find("report-cnn"), std::string::npos) << e.hint();
  }
  EXPECT_THROW(buildArchitecture("tiny", 1, 1), ConfigError);
}

}  // namespace
}  // namespace deepbug::model
