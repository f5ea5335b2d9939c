// deepbug-explain run as a program: the layer table, arrays in and out, and a folder
// of synthetic scenes with their hand-labelled fight boxes.
#include <gtest/gtest.h>
#include <torch/script.h>

#include <filesystem>
#include <nlohmann/json.hpp>
#include <opencv2/imgcodecs.hpp>

#include "integration/csv.hpp"
#include "integration/process.hpp"
#include "io/npy.hpp"

namespace deepbug::test {
namespace {

namespace fs = std::filesystem;

class ExplainCli : public ::testing::Test {
 protected:
  void SetUp() override { dir_ = freshTestDir("explain_cli"); }
  std::string path(const std::string& name) const { return (dir_ / name).string(); }
  fs::path dir_;
};

TEST_F(ExplainCli, InspectListsLayersShapesAndRules) {
  const auto result = runCommand(program("deepbug-explain") + " --model " + fixture("report_cnn") +
                                 " --inspect --composite layered");
  ASSERT_EQ(result.exit_code, 0) << result.output;
  for (const char* expected : {"conv1", "box", "conv2", "gamma:0.25", "conv4", "epsilon:0.25rms",
                               "fc2", "16x220x220", "128x210x210"}) {
    EXPECT_NE(result.output.find(expected), std::string::npos) << expected << "\n" << result.output;
  }
}

TEST_F(ExplainCli, ArrayInRelevanceOutInTheComputationDtype) {
  torch::manual_seed(1);
  io::writeNpy(path("x.npy"), at::randn({2, 3, 224, 224}, at::kDouble));
  const auto result =
      runCommand(program("deepbug-explain") + " --model " + fixture("report_cnn") + " --input " +
                     path("x.npy") + " --relevance-out " + path("r.npy") +
                     " --composite epsilon-gamma-box --dtype float64 --target 1 --init contrastive",
                 /*keep_stderr=*/false);
  ASSERT_EQ(result.exit_code, 0) << result.output;
  const at::Tensor r = io::readNpy(path("r.npy"));
  EXPECT_EQ(r.scalar_type(), at::kDouble);
  EXPECT_EQ(r.sizes(), (std::vector<int64_t>{2, 3, 224, 224}));
  const auto report = nlohmann::json::parse(result.output);
  EXPECT_EQ(report["targets"], (std::vector<int64_t>{1, 1}));
  for (int n = 0; n < 2; ++n) {
    EXPECT_NEAR(report["relevance_sum"][n].get<double>(), r[n].sum().item<double>(), 1e-9);
  }
}

TEST_F(ExplainCli, BadInputsAreClearErrorsWithExitCode2) {
  io::writeNpy(path("x3.npy"), at::rand({3, 224, 224}));  // no batch dimension
  const std::string base = program("deepbug-explain") + " --model " + fixture("report_cnn");
  struct Case {
    std::string args, expected;
  };
  for (const Case& c : std::vector<Case>{
           {" --input " + path("missing.npy") + " --relevance-out " + path("r.npy"), "missing.npy"},
           {" --inspect --target fight", "--target 'fight'"},
           {" --inspect --composite plus-everything", "unknown composite"},
           {" --inspect --rule conv7=zero", "conv7"},
           {" --input " + path("x3.npy") + " --relevance-out " + path("r.npy") +
                " --target aggressive",
            "N×C×H×W"}}) {
    const auto result = runCommand(base + c.args);
    EXPECT_EQ(result.exit_code, 2) << c.args << "\n" << result.output;
    EXPECT_NE(result.output.find(c.expected), std::string::npos) << c.args << "\n" << result.output;
  }
  const auto unsupported = runCommand(program("deepbug-explain") + " --model " +
                                      fixture("unsupported_op") + " --inspect");
  EXPECT_EQ(unsupported.exit_code, 2);
  EXPECT_NE(unsupported.output.find("aten::mul"), std::string::npos) << unsupported.output;
  EXPECT_FALSE(fs::exists(path("r.npy")));
}

TEST_F(ExplainCli, FolderOfScenesWithFightBoxes) {
  const auto made =
      runCommand(program("deepbug-synth") + " images --count 4 --seed 77 --out " + path("scenes"));
  ASSERT_EQ(made.exit_code, 0) << made.output;
  const auto result = runCommand(program("deepbug-explain") + " --model " + fixture("tiny") +
                                     " --images " + path("scenes") + " --out " + path("out") +
                                     " --boxes " + path("scenes/boxes.csv") +
                                     " --target aggressive --batch 3 --scale shared --quiet",
                                 /*keep_stderr=*/false);
  ASSERT_EQ(result.exit_code, 0) << result.output;
  const auto rows = readCsv(path("out/index.csv"));
  ASSERT_EQ(rows.size(), 4u);
  int with_region = 0;
  for (const auto& row : rows) {
    EXPECT_EQ(row.at("target"), "aggressive");
    const bool aggressive = row.at("file").rfind("aggressive/", 0) == 0;
    EXPECT_EQ(row.at("has_region"), aggressive ? "1" : "0") << row.at("file");
    with_region += aggressive;
    const fs::path stem = fs::path(path("out")) / fs::path(row.at("file")).replace_extension();
    const cv::Mat heatmap = cv::imread(stem.string() + ".heatmap.png");
    const cv::Mat overlay = cv::imread(stem.string() + ".overlay.png");
    const cv::Mat frame = cv::imread(path("scenes/" + row.at("file")));
    EXPECT_EQ(heatmap.size(), cv::Size(224, 224));
    EXPECT_EQ(overlay.size(), frame.size()) << "overlays are drawn at the frame's resolution";
  }
  const auto summary = nlohmann::json::parse(result.output);
  EXPECT_EQ(summary["explained"], 4);
  EXPECT_EQ(summary["localization"]["images_with_region"], with_region);
  EXPECT_EQ(with_region, 2);
}

}  // namespace
}  // namespace deepbug::test
