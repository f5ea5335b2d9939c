// The engine on whole graphs: traced fixtures import and explain, conservation,
// batch = stack of singles, contrastive relevance, composites, errors.
#include <gtest/gtest.h>

#include "core/error.hpp"
#include "lrp/inspect.hpp"
#include "lrp_test_support.hpp"
#include "model/architectures.hpp"

namespace deepbug::lrp {
namespace {

using testing::fixture;
using testing::relativeError;

// αβ conserves only where a neuron has both positive and negative contributions, and
// ε = 0.25·rms (layered) absorbs relevance by design; the others conserve exactly
// up to the 1e-6 stabiliser. "all-zero" is LRP-0 on every layer.
const std::vector<std::string> kConservingComposites = {"epsilon-plus-flat", "epsilon-gamma-box",
                                                        "epsilon-plus", "all-zero"};

ExplainerOptions conservingOptions(const std::string& composite, const torch::jit::Module& net) {
  return composite == "all-zero" ? testing::allZeroOptions(net)
                                 : testing::float64Options(composite);
}

// A bias-free conv net with every structural layer kind: relevance is conserved.
torch::jit::Module biasFreeNet() {
  torch::manual_seed(11);
  return testing::scriptedNet(
      "def forward(self, x):\n"
      "    a = torch.relu(torch.conv2d(x, self.c1, None, [1, 1], [1, 1]))\n"
      "    b = torch.relu(torch.conv2d(a, self.c2, None, [1, 1], [1, 1]))\n"
      "    c = torch.relu(torch.conv2d(a, self.c3, None, [1, 1], [0, 0]))\n"
      "    m = torch.max_pool2d(torch.cat([b + a, c], 1), [2, 2], [2, 2])\n"
      "    p = torch.avg_pool2d(m, [3, 3], [1, 1])\n"
      "    f = torch.flatten(torch.adaptive_avg_pool2d(p, [2, 2]), 1)\n"
      "    h = torch.relu(torch.linear(f, self.l1))\n"
      "    return torch.linear(h, self.l2)\n",
      {{"c1", at::randn({4, 3, 3, 3}, at::kDouble)},
       {"c2", at::randn({4, 4, 3, 3}, at::kDouble)},
       {"c3", at::randn({2, 4, 1, 1}, at::kDouble)},
       {"l1", at::randn({10, 24}, at::kDouble)},
       {"l2", at::randn({3, 10}, at::kDouble)}});
}

TEST(Conservation, EveryLayerPassesOnTheExplainedLogit) {
  const auto net = biasFreeNet();
  torch::manual_seed(5);
  const at::Tensor x = at::randn({2, 3, 16, 16}, at::kDouble);
  double worst = 0.0;
  for (const std::string& composite : kConservingComposites) {
    Explainer explainer(net, "bias-free net", conservingOptions(composite, net));
    // Every path passes through the first conv + ReLU and everything from the cat
    // on: the relevance at those layers is the whole; inside the branches it is split.
    const auto& layers = explainer.graph().layers;
    const int cat = std::find_if(layers.begin(), layers.end(), [](const Layer& layer) {
                      return layer.kind == LayerKind::kCat;
                    })->index;
    const auto result = explainer.explain(x, std::nullopt, InitialRelevance::kLogit, true);
    for (int64_t n = 0; n < x.size(0); ++n) {
      const double logit = result.explained[n].item<double>();
      ASSERT_GT(std::abs(logit), 1e-3);
      const double total = result.relevance[n].sum().item<double>();
      const double error = std::abs(total - logit) / std::abs(logit);
      worst = std::max(worst, error);
      EXPECT_LT(error, 1e-6) << composite << " sample " << n;
      for (size_t i = 0; i < result.layer_relevance.size(); ++i) {
        if (static_cast<int>(i) >= 2 && static_cast<int>(i) < cat) continue;
        ASSERT_TRUE(result.layer_relevance[i].defined()) << i;
        const double layer_sum = result.layer_relevance[i][n].sum().item<double>();
        EXPECT_LT(std::abs(layer_sum - logit) / std::abs(logit), 1e-6)
            << composite << ": layer " << i << " (" << explainer.graph().layers[i].name << ")";
      }
    }
  }
  std::cout << "[ measured ] worst relative conservation error: " << worst << "\n";
  ::testing::Test::RecordProperty("conservation_error", std::to_string(worst));
}

// Global max pooling (amax over H, W): the winner rule sends each channel's relevance
// to the one position of its maximum, and conservation holds through it.
TEST(SpatialMax, EachChannelsRelevanceGoesToItsMaximumAndIsConserved) {
  torch::manual_seed(3);
  const auto net = testing::scriptedNet(
      "def forward(self, x):\n"
      "    a = torch.relu(torch.conv2d(x, self.c1, None, [1, 1], [1, 1]))\n"
      "    f = torch.amax(a, [2, 3])\n"
      "    return torch.linear(torch.relu(torch.linear(f, self.l1)), self.l2)\n",
      {{"c1", at::randn({4, 3, 3, 3}, at::kDouble)},
       {"l1", at::randn({6, 4}, at::kDouble)},
       {"l2", at::randn({2, 6}, at::kDouble)}});
  const at::Tensor x = at::randn({3, 3, 8, 8}, at::kDouble);
  Explainer explainer(net, "amax net", testing::allZeroOptions(net));
  const auto& layers = explainer.graph().layers;
  const auto pool = std::find_if(layers.begin(), layers.end(), [](const Layer& layer) {
    return layer.kind == LayerKind::kSpatialMax;
  });
  ASSERT_NE(pool, layers.end());
  EXPECT_EQ(toString(explainer.rules()[pool->index]), "winner");
  const auto result = explainer.explain(x, std::nullopt, InitialRelevance::kLogit, true);
  // The relevance at the conv's output (the pool's input) is the relevance at the pool's
  // output, placed at each channel's argmax; zero everywhere else.
  const at::Tensor conv_out =
      at::relu(at::conv2d(x, net.attr("c1").toTensor(), {}, 1, 1)).reshape({3, 4, -1});
  const at::Tensor at_pool = result.layer_relevance[pool->index];  // [3, 4]
  const at::Tensor below = result.layer_relevance[pool->index - 1].reshape({3, 4, -1});
  const at::Tensor where = conv_out.argmax(2);
  for (int64_t n = 0; n < 3; ++n) {
    for (int64_t c = 0; c < 4; ++c) {
      const int64_t w = where[n][c].item<int64_t>();
      EXPECT_NEAR(below[n][c][w].item<double>(), at_pool[n][c].item<double>(), 1e-12);
      EXPECT_NEAR(below[n][c].abs().sum().item<double>(), std::abs(at_pool[n][c].item<double>()),
                  1e-12)
          << "only the maximum receives relevance";
    }
    EXPECT_LT(relativeError(result.relevance[n].sum(), result.explained[n]), 1e-6);
  }
}

TEST(Conservation, ContrastiveDistributesTheLogitDifference) {
  const auto net = biasFreeNet();
  const at::Tensor x = at::randn({3, 3, 16, 16}, at::kDouble);
  Explainer explainer(net, "bias-free net", testing::float64Options("epsilon-plus-flat"));
  const auto result = explainer.explain(x, int64_t{1}, InitialRelevance::kContrastive);
  for (int64_t n = 0; n < x.size(0); ++n) {
    const at::Tensor z = result.logits[n];
    const double contrast = (z[1] - (z[0] + z[2]) / 2).item<double>();
    EXPECT_NEAR(result.explained[n].item<double>(), contrast, 1e-12);
    EXPECT_NEAR(result.relevance[n].sum().item<double>(), contrast, 1e-6 * std::abs(contrast));
  }
}

// Samples whose predicted classes differ, so that per-target grouping is exercised.
at::Tensor mixedPredictions(const Explainer& explainer, int64_t per_class, int64_t size) {
  torch::manual_seed(17);
  std::vector<at::Tensor> chosen;
  std::map<int64_t, int64_t> counts;
  for (int attempt = 0; attempt < 64 && static_cast<int64_t>(chosen.size()) < 2 * per_class;
       ++attempt) {
    const at::Tensor x = at::randn({1, 3, size, size}, at::kDouble) * (0.2 + attempt % 5) +
                         at::rand({1, 3, 1, 1}, at::kDouble) * 2 - 1;
    const int64_t predicted = explainer.forward(x).logits.argmax(1).item<int64_t>();
    if (counts[predicted]++ < per_class) chosen.push_back(x);
  }
  return at::cat(chosen);
}

void expectBatchEqualsSingles(const Explainer& explainer, const at::Tensor& batch,
                              InitialRelevance init) {
  const auto together = explainer.explain(batch, std::nullopt, init);
  for (int64_t n = 0; n < batch.size(0); ++n) {
    const auto single = explainer.explain(batch.slice(0, n, n + 1), std::nullopt, init);
    EXPECT_LT(relativeError(together.relevance[n], single.relevance[0]), 1e-12)
        << explainer.options().composite.name << " " << toString(init) << " sample " << n;
  }
}

class BatchOfSingles : public ::testing::TestWithParam<std::string> {};

TEST_P(BatchOfSingles, EveryCompositeAndInitialRelevance) {
  torch::jit::Module module = torch::jit::load(fixture(GetParam()));
  torch::manual_seed(8);
  // 64×64: the nets are convolutional up to a global or adaptive pool, and float64 at
  // 224×224 would cost the report CNN minutes here.
  const at::Tensor batch = at::randn({3, 3, 64, 64}, at::kDouble);
  for (const std::string& composite : compositeNames()) {
    Explainer explainer(module, GetParam(), testing::float64Options(composite));
    for (auto init : {InitialRelevance::kLogit, InitialRelevance::kContrastive})
      expectBatchEqualsSingles(explainer, batch, init);
  }
}

INSTANTIATE_TEST_SUITE_P(Fixtures, BatchOfSingles,
                         ::testing::Values("report_cnn", "alexnet_layout", "vgg16_layout"));

TEST(BatchOfSingles, SamplesWithDifferentPredictedClassesInOneBatch) {
  // Bias-free, so the predicted class follows the input (random-weight nets with biases
  // tend to predict one class for everything).
  const torch::jit::Module net = biasFreeNet();
  for (const char* composite : {"epsilon-plus-flat", "layered"}) {
    Explainer explainer(net, "bias-free net", testing::float64Options(composite));
    const at::Tensor batch = mixedPredictions(explainer, 2, 16);
    const auto targets = explainer.explain(batch, std::nullopt, InitialRelevance::kLogit).targets;
    ASSERT_GE(std::set<int64_t>(targets.begin(), targets.end()).size(), 2u)
        << "the batch should hold several predicted classes";
    for (auto init : {InitialRelevance::kLogit, InitialRelevance::kContrastive})
      expectBatchEqualsSingles(explainer, batch, init);
  }
}

// A target per sample (deepbug-eval explains each image's true class): each sample's
// relevance is the one it gets alone with its own target.
TEST(BatchOfSingles, ATargetPerSampleEqualsEachSampleWithItsTarget) {
  const torch::jit::Module net = biasFreeNet();
  Explainer explainer(net, "bias-free net", testing::float64Options("epsilon-plus-flat"));
  torch::manual_seed(3);
  const at::Tensor batch = at::randn({3, 3, 16, 16}, at::kDouble);
  const std::vector<int64_t> targets{1, 0, 1};
  for (auto init : {InitialRelevance::kLogit, InitialRelevance::kContrastive}) {
    const auto together = explainer.explain(batch, targets, init);
    EXPECT_EQ(together.targets, targets);
    for (int64_t n = 0; n < 3; ++n) {
      const auto single = explainer.explain(batch.slice(0, n, n + 1), targets[n], init);
      EXPECT_LT(relativeError(together.relevance[n], single.relevance[0]), 1e-12)
          << toString(init) << " sample " << n;
    }
  }
  EXPECT_THROW(explainer.explain(batch, std::vector<int64_t>{0, 1}, InitialRelevance::kLogit),
               ConfigError)
      << "two targets for three samples";
  EXPECT_THROW(explainer.explain(batch, std::vector<int64_t>{0, 1, 9}, InitialRelevance::kLogit),
               ConfigError)
      << "a class the model does not have";
}

class TracedFixture : public ::testing::TestWithParam<std::string> {};

TEST_P(TracedFixture, ImportsRunsItsOwnForwardAndExplains) {
  torch::jit::Module module = torch::jit::load(fixture(GetParam()));
  torch::manual_seed(2);
  const at::Tensor x = at::randn({2, 3, 96, 96});  // every fixture pools adaptively or globally
  const at::Tensor expected = module.forward({x}).toTensor();
  for (const std::string& composite : compositeNames()) {
    ExplainerOptions options;
    options.composite.name = composite;
    Explainer explainer(module, GetParam(), options);
    const auto result = explainer.explain(x, std::nullopt, InitialRelevance::kContrastive);
    EXPECT_LT(relativeError(result.logits, expected), 1e-4) << composite;
    EXPECT_EQ(result.relevance.sizes(), x.sizes());
    EXPECT_EQ(result.relevance.scalar_type(), at::kFloat);
    EXPECT_TRUE(result.relevance.isfinite().all().item<bool>()) << composite;
    EXPECT_GT(result.relevance.abs().sum().item<double>(), 0.0) << composite;
  }
}

INSTANTIATE_TEST_SUITE_P(Fixtures, TracedFixture,
                         ::testing::Values("report_cnn", "alexnet_layout", "vgg16_layout",
                                           "resnet18_layout", "tiny"));

TEST(GraphImport, ResNetFoldsBatchNormAndKeepsResidualAdds) {
  Explainer explainer(torch::jit::load(fixture("resnet18_layout")), "resnet18", ExplainerOptions{});
  int convolutions = 0, folded = 0, adds = 0;
  for (const Layer& layer : explainer.graph().layers) {
    convolutions += layer.kind == LayerKind::kConvolution;
    folded += layer.batch_norm.has_value();
    adds += layer.kind == LayerKind::kAdd;
  }
  EXPECT_EQ(convolutions, 20);  // 17 + 3 downsampling shortcuts
  EXPECT_EQ(folded, 20);
  EXPECT_EQ(adds, 8);
  const std::string table = formatLayerTable(explainer, {3, 224, 224});
  EXPECT_NE(table.find("layer1.0.conv1"), std::string::npos) << table;
  EXPECT_NE(table.find("+bn"), std::string::npos);
  EXPECT_NE(table.find("64x56x56"), std::string::npos);
}

// The sample model's architecture, built in C++ with batch norms that read the
// module's training flag: after training steps its norms have real statistics, and
// the engine's forward (each norm folded into its convolution) equals the module's.
TEST(GraphImport, Vgg6BnFoldsItsBatchNormsAndMatchesTheModule) {
  torch::jit::Module net = model::buildArchitecture("vgg6-bn", 2, 5);
  torch::manual_seed(3);
  net.train();
  {
    torch::NoGradGuard no_grad;
    for (int i = 0; i < 3; ++i)
      net.forward({at::rand({4, 3, 64, 64}) * 3 - 1});
  }
  net.eval();
  Explainer explainer(net, "vgg6-bn", testing::float64Options("epsilon-plus-flat"));
  int folded = 0;
  for (const Layer& layer : explainer.graph().layers)
    folded += layer.batch_norm.has_value();
  EXPECT_EQ(folded, 6);
  const at::Tensor x = at::rand({2, 3, 64, 64}) * 3 - 1;
  torch::NoGradGuard no_grad;
  const at::Tensor expected = net.forward({x}).toTensor().to(at::kDouble);
  const at::Tensor engine = explainer.forward(x.to(at::kDouble)).logits;
  EXPECT_LT((engine - expected).abs().max().item<double>(),
            1e-4 * (1 + expected.abs().max().item<double>()));
  const auto result = explainer.explain(x.to(at::kDouble), 0, InitialRelevance::kContrastive);
  EXPECT_EQ(result.relevance.sizes(), x.sizes());
  EXPECT_TRUE(result.relevance.isfinite().all().item<bool>());
}

// The digits comparison's small model: a non-global adaptive pool (13×13 → 5×5 at 64 px)
// and a three-layer dense head. With LRP-0 everywhere and the biases zeroed, relevance
// is conserved through the pool's overlapping windows and the dense layers (the
// stabiliser made negligible: its 1e-6 default is not, against these small activations).
TEST(GraphImport, LeNetConservesThroughItsAdaptivePoolAndDenseHead) {
  torch::jit::Module net = model::buildArchitecture("lenet", 10, 4);
  {
    torch::NoGradGuard no_grad;
    for (const auto& p : net.named_parameters()) {
      if (p.name.find("_bias") != std::string::npos) p.value.zero_();
    }
  }
  net.eval();
  Explainer explainer(net, "lenet", testing::allZeroOptions(net, 1e-12));
  const at::Tensor x = at::rand({2, 3, 64, 64}, at::kDouble) * 2 - 1;
  torch::NoGradGuard no_grad;
  const at::Tensor expected = net.forward({x.to(at::kFloat)}).toTensor().to(at::kDouble);
  const auto result = explainer.explain(x, int64_t{3}, InitialRelevance::kLogit);
  EXPECT_LT((result.logits - expected).abs().max().item<double>(),
            1e-4 * (1 + expected.abs().max().item<double>()));
  for (int64_t n = 0; n < x.size(0); ++n) {
    const double logit = result.explained[n].item<double>();
    ASSERT_GT(std::abs(logit), 1e-3) << "sample " << n;
    const double total = result.relevance[n].sum().item<double>();
    EXPECT_LT(std::abs(total - logit) / std::abs(logit), 1e-6) << "sample " << n;
  }
}

TEST(GraphImport, UnsupportedOperatorIsNamedWithTheSupportedList) {
  try {
    Explainer(torch::jit::load(fixture("unsupported_op")), "unsupported_op.pt", ExplainerOptions{});
    FAIL() << "expected a ModelError";
  } catch (const ModelError& error) {
    const std::string what = error.what();
    EXPECT_NE(what.find("unsupported_op.pt"), std::string::npos) << what;
    EXPECT_NE(what.find("aten::mul"), std::string::npos) << what;
    EXPECT_NE(error.hint().find("aten::max_pool2d"), std::string::npos) << error.hint();
  }
}

TEST(GraphImport, FinalSoftmaxIsStrippedWithAWarning) {
  torch::jit::Module module = torch::jit::load(fixture("tiny_softmax"));
  Explainer explainer(module, "tiny_softmax", ExplainerOptions{});
  ASSERT_EQ(explainer.graph().warnings.size(), 1u);
  EXPECT_NE(explainer.graph().warnings[0].find("softmax"), std::string::npos);
  const at::Tensor x = at::randn({1, 3, 224, 224});
  const at::Tensor logits = explainer.forward(x).logits;
  EXPECT_LT(relativeError(logits.softmax(1), module.forward({x}).toTensor()), 1e-5);
}

TEST(Composites, LayeredBandsTheConvolutions) {
  Explainer explainer(torch::jit::load(fixture("vgg16_layout")), "vgg16",
                      ExplainerOptions{{"layered", {}}});
  std::vector<std::string> conv_rules, other_rules;
  for (const Layer& layer : explainer.graph().layers) {
    const std::string rule = toString(explainer.rules()[layer.index]);
    if (layer.kind == LayerKind::kConvolution) conv_rules.push_back(rule);
    if (layer.kind == LayerKind::kLinear) {
      EXPECT_EQ(rule, "zero");
    }
    if (layer.kind == LayerKind::kMaxPool) {
      EXPECT_EQ(rule, "proportional");
    }
  }
  ASSERT_EQ(conv_rules.size(), 13u);
  EXPECT_EQ(conv_rules[0], "box");
  for (int i = 1; i <= 6; ++i)
    EXPECT_EQ(conv_rules[i], "gamma:0.25") << i;
  for (int i = 7; i <= 12; ++i)
    EXPECT_EQ(conv_rules[i], "epsilon:0.25rms") << i;
}

TEST(Composites, OverridesByNameAndIndexAndTheirErrors) {
  torch::jit::Module module = torch::jit::load(fixture("report_cnn"));
  ExplainerOptions options;
  options.composite.overrides = {parseRuleOverride("conv2=gamma:0.5"), parseRuleOverride("0=box")};
  Explainer explainer(module, "report_cnn", options);
  EXPECT_EQ(toString(explainer.rules()[explainer.graph().find("conv2")]), "gamma:0.5");
  EXPECT_EQ(toString(explainer.rules()[0]), "box");

  auto fails = [&](const std::string& override_text) {
    ExplainerOptions bad;
    bad.composite.overrides = {parseRuleOverride(override_text)};
    EXPECT_THROW(Explainer(module, "report_cnn", bad), ConfigError) << override_text;
  };
  fails("conv9=zero");  // no such layer
  fails("conv3=box");   // z^B only on the layer reading the image
  fails("1=zplus");     // layer 1 is a ReLU
  EXPECT_THROW(parseRuleOverride("conv1"), ConfigError);
  EXPECT_THROW(parseRule("alpha-beta:2,2"), ConfigError);
  EXPECT_THROW(parseRule("epsilon:x"), ConfigError);
  ExplainerOptions unknown;
  unknown.composite.name = "epsilon-everything";
  EXPECT_THROW(Explainer(module, "report_cnn", unknown), ConfigError);
}

TEST(Targets, OutOfRangeTargetIsAConfigError) {
  Explainer explainer(torch::jit::load(fixture("tiny")), "tiny", ExplainerOptions{});
  EXPECT_THROW(explainer.explain(at::rand({1, 3, 224, 224}), int64_t{2}, InitialRelevance::kLogit),
               ConfigError);
}

}  // namespace
}  // namespace deepbug::lrp
