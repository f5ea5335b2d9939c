// The bundled sample model on fresh synthetic scenes from a seed never used for its
// training, calibration or model-card figures.
#include <gtest/gtest.h>

#include <filesystem>
#include <nlohmann/json.hpp>

#include "integration/process.hpp"

namespace deepbug::test {
namespace {

namespace fs = std::filesystem;

// The model card's held-out accuracy less three standard errors of a 100-image
// estimate (3·sqrt(p(1−p)/100)): a margin no honest run falls below.
constexpr double kMinimumAccuracy = 0.51;  // 0.6535 − 3·0.0476

TEST(SampleModel, ClassifiesFreshSyntheticScenes) {
  const std::string model =
      std::string(DEEPBUG_SOURCE_DIR) + "/samples/models/report-cnn-synthetic.pt";
  const fs::path data = fs::path(::testing::TempDir()) / "sample_model_fresh";
  fs::remove_all(data);
  const auto made = runCommand(program("deepbug-synth") + " images --count 100 --seed 4242 --out " +
                               data.string());
  ASSERT_EQ(made.exit_code, 0) << made.output;
  const auto eval = runCommand(
      program("deepbug-train") + " evaluate --model " + model + " --data " + data.string(),
      /*keep_stderr=*/false);
  ASSERT_EQ(eval.exit_code, 0) << eval.output;
  const auto report = nlohmann::json::parse(eval.output);
  EXPECT_EQ(report["images"], 100);
  EXPECT_GE(report["accuracy"].get<double>(), kMinimumAccuracy) << eval.output;
}

}  // namespace
}  // namespace deepbug::test
