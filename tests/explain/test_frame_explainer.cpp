// LRP on video frames: the classifier's preprocessing, batch = singles, the map is the
// engine's relevance summed over colour, and the hottest region lands in frame pixels.
#include <gtest/gtest.h>
#include <torch/torch.h>

#include <vector>

#include "explain/frame_explainer.hpp"
#include "model/classifier.hpp"
#include "model/geometry.hpp"

namespace deepbug::explain {
namespace {

const std::string kTiny = std::string(DEEPBUG_FIXTURE_DIR) + "/tiny.pt";

// A 320×240 RGB frame with a bright square whose place depends on `seed`.
std::vector<std::uint8_t> makeFrame(int seed) {
  std::vector<std::uint8_t> pixels(320 * 240 * 3);
  for (std::size_t i = 0; i < pixels.size(); ++i)
    pixels[i] = static_cast<std::uint8_t>((i * 7 + static_cast<std::size_t>(seed) * 31) % 97);
  for (int y = 40 + seed * 20; y < 100 + seed * 20; ++y)
    for (int x = 60 + seed * 40; x < 120 + seed * 40; ++x)
      for (int c = 0; c < 3; ++c)
        pixels[(static_cast<std::size_t>(y) * 320 + x) * 3 + c] = 250;
  return pixels;
}

model::FrameView viewOf(const std::vector<std::uint8_t>& pixels) {
  model::FrameView view;
  view.data = pixels.data();
  view.width = 320;
  view.height = 240;
  view.format = model::PixelFormat::kRGB;
  return view;
}

FrameExplainerOptions tinyOptions() {
  FrameExplainerOptions options;
  options.model_path = kTiny;
  options.composite.name = "epsilon-plus-flat";
  return options;
}

TEST(FrameExplainer, PreparesTheSameInputAsTheClassifier) {
  const FrameExplainer explainer(tinyOptions());
  const auto pixels = makeFrame(1);
  const ExplainRequest request = explainer.prepare(viewOf(pixels), 7, 700, 1);
  model::ClassifierOptions options;
  options.model_path = kTiny;
  options.device = "cpu";
  const model::Classifier classifier(options);
  const at::Tensor expected = classifier.preprocess({viewOf(pixels)})[0];
  EXPECT_TRUE(at::equal(request.input, expected));
  EXPECT_EQ(request.frame_index, 7);
  EXPECT_EQ(request.geometry.frame_width, 320);
  EXPECT_EQ(request.geometry.input_width, 224);
}

TEST(FrameExplainer, ABatchGivesWhatEachFrameGivesAlone) {
  const FrameExplainer explainer(tinyOptions());
  ExplainBatch batch;
  std::vector<std::vector<std::uint8_t>> frames;
  for (int i = 0; i < 3; ++i)
    frames.push_back(makeFrame(i));
  for (int i = 0; i < 3; ++i)
    batch.frames.push_back(explainer.prepare(viewOf(frames[i]), i, i * 40, 0));
  const BatchResult together = explainer.explain(batch);
  ASSERT_EQ(together.frames.size(), 3u);
  for (int i = 0; i < 3; ++i) {
    ExplainBatch single;
    single.frames.push_back(batch.frames[i]);
    const FrameRelevance alone = explainer.explain(single).frames.at(0);
    const FrameRelevance& in_batch = together.frames[i];
    EXPECT_EQ(in_batch.frame_index, i);
    EXPECT_TRUE(in_batch.error.empty());
    ASSERT_EQ(in_batch.relevance.sizes(), (std::vector<int64_t>{224, 224}));
    EXPECT_TRUE(at::allclose(in_batch.relevance, alone.relevance, 1e-5, 1e-7));
    EXPECT_NEAR(in_batch.relevance_sum, alone.relevance_sum, 1e-5);
    EXPECT_NEAR(in_batch.relevance_sum, in_batch.relevance.sum().item<double>(), 1e-6);
    EXPECT_GE(in_batch.positive_sum, in_batch.relevance_sum);
    ASSERT_EQ(in_batch.logits.size(), 2u);
    // Contrastive: what is distributed is z_target − z_other.
    EXPECT_NEAR(in_batch.explained, in_batch.logits[0] - in_batch.logits[1], 1e-4);
  }
}

TEST(FrameExplainer, TheHottestRegionIsMappedToFramePixels) {
  // A 224×224 map whose only positive relevance is a 28×28 block at input (112, 56);
  // the frame is 448×224 stretched onto the input, so x doubles.
  at::Tensor map = at::full({224, 224}, -0.01, at::kFloat);
  map.slice(0, 56, 84).slice(1, 112, 140).fill_(1.0);
  const auto geometry = model::computeGeometry(448, 224, 224, 224, model::AspectPolicy::kStretch);
  const PixelBox box = hottestRegion(map, geometry);
  EXPECT_EQ(box.x, 224);
  EXPECT_EQ(box.y, 56);
  EXPECT_EQ(box.width, 56);
  EXPECT_EQ(box.height, 28);
}

}  // namespace
}  // namespace deepbug::explain
