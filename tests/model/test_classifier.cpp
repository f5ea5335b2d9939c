#include <ATen/Parallel.h>
#include <gtest/gtest.h>
#include <torch/cuda.h>
#include <torch/script.h>

#include <filesystem>
#include <fstream>

#include "core/error.hpp"
#include "model/classifier.hpp"
#include "support/fixtures.hpp"

namespace deepbug::model {
namespace {

using test::fixture;

ClassifierOptions optionsFor(const std::string& name) {
  ClassifierOptions options;
  options.model_path = fixture(name);
  options.device = "cpu";
  return options;
}

// Constructs a classifier and expects the error to contain every fragment.
template <typename ErrorType = ModelError>
void expectLoadError(const ClassifierOptions& options, const std::vector<std::string>& fragments) {
  try {
    Classifier classifier(options);
    FAIL() << "loaded " << options.model_path;
  } catch (const ErrorType& e) {
    const std::string what = e.what();
    for (const std::string& fragment : fragments) {
      EXPECT_NE(what.find(fragment), std::string::npos)
          << "missing '" << fragment << "' in: " << what;
    }
    EXPECT_EQ(what.find("Exception raised from"), std::string::npos) << "raw c10 dump: " << what;
    EXPECT_FALSE(e.hint().empty());
  }
}

std::vector<std::uint8_t> solidFrame(int w, int h, std::array<std::uint8_t, 3> rgb) {
  std::vector<std::uint8_t> pixels(static_cast<std::size_t>(w) * h * 3);
  for (std::size_t i = 0; i < pixels.size(); ++i)
    pixels[i] = rgb[i % 3];
  return pixels;
}

std::vector<std::uint8_t> noiseFrame(int w, int h, int seed) {
  at::manual_seed(seed);
  const at::Tensor t = at::randint(0, 256, {h, w, 3}, at::kInt).to(at::kByte).contiguous();
  return {t.data_ptr<std::uint8_t>(), t.data_ptr<std::uint8_t>() + t.numel()};
}

TEST(Classifier, ReadsEmbeddedMetadata) {
  const Classifier classifier(optionsFor("tiny"));
  EXPECT_EQ(classifier.labels(), (std::vector<std::string>{"aggressive", "non_aggressive"}));
  EXPECT_EQ(classifier.metadata().architecture, "tiny");
  EXPECT_EQ(classifier.outputKind(), OutputKind::kLogits);
  EXPECT_TRUE(classifier.warnings().empty());
  EXPECT_EQ(classifier.device(), "cpu");

  const Classifier bgr(optionsFor("tiny_bgr_letterbox"));
  EXPECT_EQ(bgr.metadata().channels, ChannelOrder::kBGR);
  EXPECT_EQ(bgr.metadata().aspect, AspectPolicy::kLetterbox);
}

TEST(Classifier, LogitsMatchThePlainModelOnAKnownInput) {
  // A solid colour preprocesses to a known constant per channel, computed here without
  // the preprocessor; the plain TorchScript module must give the same logits.
  const Classifier classifier(optionsFor("tiny"));
  const std::array<std::uint8_t, 3> rgb{200, 30, 90};
  const auto pixels = solidFrame(320, 240, rgb);
  const Classification result =
      classifier.classify(FrameView{pixels.data(), 320, 240, 0, PixelFormat::kRGB});

  const auto& meta = classifier.metadata();
  at::Tensor input = at::empty({1, 3, 224, 224});
  for (int c = 0; c < 3; ++c)
    input[0][c].fill_((rgb[c] / 255.0 - meta.mean[c]) / meta.std[c]);
  torch::jit::Module plain = torch::jit::load(fixture("tiny"));
  plain.eval();
  const at::Tensor expected = plain.forward({input}).toTensor();
  ASSERT_EQ(result.logits.size(), 2u);
  for (int c = 0; c < 2; ++c)
    EXPECT_NEAR(result.logits[c], expected[0][c].item<float>(), 1e-5);

  const at::Tensor probabilities = expected.softmax(1);
  EXPECT_NEAR(result.scores[0] + result.scores[1], 1.0f, 1e-6);
  EXPECT_NEAR(result.scores[1], probabilities[0][1].item<float>(), 1e-6);
  EXPECT_EQ(result.top_index, probabilities[0][1].item<float>() > 0.5f ? 1 : 0);
  EXPECT_FLOAT_EQ(result.top_score, result.scores[result.top_index]);
}

TEST(Classifier, BatchEqualsSingles) {
  const Classifier classifier(optionsFor("tiny"));
  std::vector<std::vector<std::uint8_t>> pixels;
  std::vector<FrameView> frames;
  const std::vector<std::pair<int, int>> sizes{{320, 240}, {1, 1}, {97, 300}, {640, 360}};
  for (std::size_t i = 0; i < sizes.size(); ++i) {
    pixels.push_back(noiseFrame(sizes[i].first, sizes[i].second, static_cast<int>(i)));
  }
  for (std::size_t i = 0; i < sizes.size(); ++i) {
    frames.push_back({pixels[i].data(), sizes[i].first, sizes[i].second, 0,
                      i % 2 ? PixelFormat::kBGR : PixelFormat::kRGB});
  }
  const auto batch = classifier.classify(frames);
  ASSERT_EQ(batch.size(), frames.size());
  for (std::size_t i = 0; i < frames.size(); ++i) {
    const Classification single = classifier.classify(frames[i]);
    for (std::size_t c = 0; c < single.logits.size(); ++c) {
      EXPECT_NEAR(batch[i].logits[c], single.logits[c], 1e-5) << "frame " << i;
    }
    EXPECT_EQ(batch[i].geometry.frame_width, sizes[i].first);
  }
  EXPECT_TRUE(classifier.classify(std::vector<FrameView>{}).empty());
}

TEST(Classifier, TinyAndHugeFrames) {
  const Classifier classifier(optionsFor("tiny"));
  const std::uint8_t one_pixel[3] = {10, 20, 30};
  const auto huge = noiseFrame(4000, 3000, 1);
  const auto results =
      classifier.classify({FrameView{one_pixel, 1, 1, 0, PixelFormat::kRGB},
                           FrameView{huge.data(), 4000, 3000, 0, PixelFormat::kBGR}});
  ASSERT_EQ(results.size(), 2u);
  for (const auto& r : results) {
    EXPECT_TRUE(std::isfinite(r.logits[0]) && std::isfinite(r.logits[1]));
    EXPECT_NEAR(r.scores[0] + r.scores[1], 1.0f, 1e-6);
  }
  EXPECT_EQ(results[1].geometry.frame_width, 4000);
  EXPECT_DOUBLE_EQ(results[1].geometry.scaleX(), 224.0 / 4000);
}

TEST(Classifier, InvalidFrameNamesItsPlaceInTheBatch) {
  const Classifier classifier(optionsFor("tiny"));
  const auto good = noiseFrame(8, 8, 2);
  try {
    classifier.classify({FrameView{good.data(), 8, 8, 0, PixelFormat::kRGB},
                         FrameView{good.data(), 0, 8, 0, PixelFormat::kRGB}});
    FAIL() << "empty frame accepted";
  } catch (const Error& e) {
    EXPECT_NE(std::string(e.what()).find("frame 1 of the batch"), std::string::npos) << e.what();
  }
}

TEST(Classifier, MissingModelFile) {
  ClassifierOptions options;
  options.model_path = "/nonexistent/model.pt";
  expectLoadError(options, {"/nonexistent/model.pt", "does not exist"});
}

TEST(Classifier, NotTorchScript) {
  const std::string path = ::testing::TempDir() + "/not_a_model.pt";
  std::ofstream(path) << "this is a text file, not a model\n";
  ClassifierOptions options;
  options.model_path = path;
  expectLoadError(options, {path, "not a TorchScript archive"});

  expectLoadError(optionsFor("state_dict"), {"state_dict.pt", "not loadable TorchScript"});

  const std::string folder = ::testing::TempDir();
  options.model_path = folder;
  expectLoadError(options, {"not a regular file"});
}

TEST(Classifier, WrongNumberOfOutputs) {
  expectLoadError(optionsFor("tiny_three_outputs"), {"outputs 3 classes but 2 labels"});
  ClassifierOptions options = optionsFor("tiny_three_outputs");
  options.overrides.labels = std::vector<std::string>{"a", "b", "c"};
  EXPECT_EQ(Classifier(options).labels().size(), 3u);
}

TEST(Classifier, WrongInputSize) {
  expectLoadError(optionsFor("fixed_input_32"),
                  {"fixed_input_32.pt", "does not accept a [N, 3, 224, 224] input",
                   "mat1 and mat2 shapes cannot be multiplied"});
  ClassifierOptions options = optionsFor("fixed_input_32");
  options.overrides.input_width = 32;
  options.overrides.input_height = 32;
  const Classifier classifier(options);
  const auto frame = noiseFrame(64, 48, 4);
  EXPECT_EQ(
      classifier.classify(FrameView{frame.data(), 64, 48, 0, PixelFormat::kRGB}).scores.size(), 2u);
}

TEST(Classifier, FixedBatchSizeExport) {
  expectLoadError(optionsFor("fixed_batch"), {"fixed batch size", "fails on a batch of two"});
}

TEST(Classifier, TupleOutput) {
  expectLoadError(optionsFor("tuple_output"), {"returns a Tuple"});
}

TEST(Classifier, FinalSoftmaxIsDetectedAndNotAppliedTwice) {
  const Classifier classifier(optionsFor("tiny_softmax"));
  EXPECT_EQ(classifier.outputKind(), OutputKind::kProbabilities);
  ASSERT_EQ(classifier.warnings().size(), 1u);
  EXPECT_NE(classifier.warnings()[0].find("explanations need logits"), std::string::npos);

  const auto frame = noiseFrame(50, 40, 6);
  const FrameView view{frame.data(), 50, 40, 0, PixelFormat::kRGB};
  const Classification result = classifier.classify(view);
  const at::Tensor raw = classifier.forward(classifier.preprocess({view}));
  EXPECT_NEAR(result.scores[0], raw[0][0].item<float>(), 1e-6);
  EXPECT_NEAR(result.logits[0], std::log(raw[0][0].item<float>()), 1e-5);

  const Classifier log_classifier(optionsFor("tiny_logsoftmax"));
  EXPECT_EQ(log_classifier.outputKind(), OutputKind::kLogProbabilities);
  const Classification log_result = log_classifier.classify(view);
  EXPECT_NEAR(log_result.scores[0] + log_result.scores[1], 1.0f, 1e-6);
}

TEST(Classifier, ModelWithoutMetadataUsesDefaultsAndConfig) {
  const Classifier bare(optionsFor("tiny_nometa"));
  EXPECT_EQ(bare.labels(), (std::vector<std::string>{"class_0", "class_1"}));
  EXPECT_EQ(bare.warnings().size(), 2u);  // no deepbug.json, no labels

  ClassifierOptions options = optionsFor("tiny_nometa");
  options.overrides.labels = std::vector<std::string>{"fight", "calm"};
  const Classifier configured(options);
  EXPECT_EQ(configured.labels()[0], "fight");
  EXPECT_EQ(configured.warnings().size(), 1u);
}

TEST(Classifier, CudaWithoutCudaIsAClearError) {
  ClassifierOptions options = optionsFor("tiny");
  if (torch::cuda::is_available()) {
    options.device = "cuda:99";
    expectLoadError<ConfigError>(options, {"cuda:99", "GPU(s) are visible"});
  } else {
    options.device = "cuda";
    expectLoadError<ConfigError>(options, {"'cuda'", "no CUDA support"});
  }
  options.device = "tpu";
  expectLoadError<ConfigError>(options, {"unknown device 'tpu'"});
  options.device = "auto";
  EXPECT_NO_THROW(Classifier{options});
}

TEST(Classifier, Bf16AutocastStaysCloseToFp32) {
  const auto frame = noiseFrame(120, 90, 9);
  const FrameView view{frame.data(), 120, 90, 0, PixelFormat::kRGB};
  const Classification fp32 = Classifier(optionsFor("tiny")).classify(view);
  ClassifierOptions options = optionsFor("tiny");
  options.precision = Precision::kBf16;
  const Classification bf16 = Classifier(options).classify(view);
  for (int c = 0; c < 2; ++c)
    EXPECT_NEAR(bf16.logits[c], fp32.logits[c], 0.05);

  options.precision = Precision::kFp16;
  expectLoadError<ConfigError>(options, {"fp16 needs a CUDA device"});
}

TEST(Classifier, AppliesItsThreadCountOnTheCallingThread) {
  ClassifierOptions options = optionsFor("tiny");
  options.threads = 1;
  const Classifier classifier(options);
  at::set_num_threads(2);
  const auto frame = noiseFrame(16, 16, 1);
  classifier.classify(FrameView{frame.data(), 16, 16, 0, PixelFormat::kRGB});
  EXPECT_EQ(at::get_num_threads(), 1);
  EXPECT_EQ(classifier.threads(), 1);
  options.threads = -1;
  expectLoadError<ConfigError>(options, {"threads = -1"});
}

TEST(Classifier, ReportCnnClassifiesTwoClasses) {
  const Classifier classifier(optionsFor("report_cnn"));
  EXPECT_EQ(classifier.metadata().architecture, "report-cnn");
  const auto a = noiseFrame(768, 576, 1);
  const auto b = noiseFrame(320, 240, 2);
  const auto results = classifier.classify({FrameView{a.data(), 768, 576, 0, PixelFormat::kBGR},
                                            FrameView{b.data(), 320, 240, 0, PixelFormat::kBGR}});
  ASSERT_EQ(results.size(), 2u);
  EXPECT_EQ(results[0].scores.size(), 2u);
  EXPECT_NE(results[0].logits[0], results[1].logits[0]);
}

}  // namespace
}  // namespace deepbug::model
