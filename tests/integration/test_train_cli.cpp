// deepbug-train as a program on small synthetic datasets: fit, stop and resume,
// evaluate, and bad datasets.
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>
#include <opencv2/core.hpp>
#include <opencv2/imgcodecs.hpp>

#include "integration/process.hpp"

namespace deepbug::test {
namespace {

namespace fs = std::filesystem;
using nlohmann::json;

class TrainCli : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = freshTestDir("train");
    const auto r =
        runCommand(program("deepbug-synth") + " images --count 40 --seed 9 --out " + path("data"));
    ASSERT_EQ(r.exit_code, 0) << r.output;
  }

  std::string path(const std::string& name) const { return (dir_ / name).string(); }

  std::string fit(const std::string& out, const std::string& extra = "") const {
    return program("deepbug-train") + " fit --data " + path("data") +
           " --arch tiny --input-size 32 " + "--epochs 3 --batch 8 --seed 4 --threads 1 --out " +
           path(out) + " " + extra;
  }

  static json readJson(const std::string& file) {
    std::ifstream in(file);
    return json::parse(in);
  }

  fs::path dir_;
};

TEST_F(TrainCli, FitWritesModelMetadataAndReport) {
  const auto r = runCommand(fit("m.pt"));
  ASSERT_EQ(r.exit_code, 0) << r.output;
  EXPECT_NE(r.output.find("epoch 3/3"), std::string::npos) << r.output;
  const json report = readJson(path("m.pt.report.json"));
  ASSERT_EQ(report["history"].size(), 3u);
  EXPECT_EQ(report["labels"], (json{"aggressive", "non_aggressive"}));
  EXPECT_EQ(report["train_images"].get<int>() + report["validation_images"].get<int>(), 40);
  EXPECT_FALSE(fs::exists(path("m.pt.checkpoint")));

  const auto eval = runCommand(program("deepbug-train") + " evaluate --model " + path("m.pt") +
                               " --data " + path("data"));
  ASSERT_EQ(eval.exit_code, 0) << eval.output;
  const json metrics = json::parse(eval.output);
  EXPECT_EQ(metrics["images"], 40);
  long sum = 0;
  for (const auto& row : metrics["confusion_matrix"]) {
    for (const auto& cell : row)
      sum += cell.get<long>();
  }
  EXPECT_EQ(sum, 40);
  EXPECT_EQ(metrics["per_class"]["aggressive"]["support"], 20);
}

TEST_F(TrainCli, LearnsATaskThatIsEasy) {
  // Red versus blue images with varying shades: training that updates the shipped
  // module's weights reaches near-perfect accuracy within a few epochs.
  cv::RNG rng(3);
  for (const auto& [label, colour] :
       {std::pair{"red", cv::Scalar(40, 40, 200)}, std::pair{"blue", cv::Scalar(200, 40, 40)}}) {
    fs::create_directories(path(std::string("easy/") + label));
    for (int i = 0; i < 40; ++i) {
      const cv::Scalar shade = colour + cv::Scalar::all(rng.uniform(-40, 40));
      const cv::Mat image(48, 64, CV_8UC3, shade);
      cv::imwrite(path(std::string("easy/") + label + "/" + std::to_string(i) + ".png"), image);
    }
  }
  const auto r =
      runCommand(program("deepbug-train") + " fit --data " + path("easy") +
                 " --arch tiny --input-size 32 --epochs 4 --batch 8 --threads 1 " +
                 "--optimizer adam --lr 0.01 --val-fraction 0.25 --out " + path("easy.pt"));
  ASSERT_EQ(r.exit_code, 0) << r.output;
  const auto eval = runCommand(
      program("deepbug-train") + " evaluate --model " + path("easy.pt") + " --data " + path("easy"),
      /*keep_stderr=*/false);
  ASSERT_EQ(eval.exit_code, 0) << eval.output;
  EXPECT_GE(json::parse(eval.output)["accuracy"].get<double>(), 0.95) << eval.output;
}

TEST_F(TrainCli, StoppedRunResumesToTheSameResult) {
  const auto whole = runCommand(fit("whole.pt"));
  ASSERT_EQ(whole.exit_code, 0) << whole.output;

  // Stops after its first batch (a time limit of ~0), leaving a checkpoint.
  const auto first = runCommand(fit("parts.pt", "--max-minutes 0.00001"));
  EXPECT_EQ(first.exit_code, 130) << first.output;
  EXPECT_TRUE(fs::exists(path("parts.pt.checkpoint/state.json")));
  EXPECT_FALSE(fs::exists(path("parts.pt")));
  const auto rest = runCommand(fit("parts.pt", "--resume"));
  ASSERT_EQ(rest.exit_code, 0) << rest.output;
  EXPECT_NE(rest.output.find("resuming epoch 1 at batch 2"), std::string::npos) << rest.output;

  const json a = readJson(path("whole.pt.report.json"));
  const json b = readJson(path("parts.pt.report.json"));
  ASSERT_EQ(b["history"].size(), 3u);
  for (std::size_t e = 0; e < 3; ++e) {
    EXPECT_NEAR(a["history"][e]["validation_loss"].get<double>(),
                b["history"][e]["validation_loss"].get<double>(), 1e-4)
        << "epoch " << e + 1;
  }
}

TEST_F(TrainCli, WindowsAroundLabelledRegions) {
  const auto r = runCommand(fit(
      "crop.pt", "--crop-size 16 --crop-boxes " + path("data/boxes.csv") + " --crop-region pair"));
  ASSERT_EQ(r.exit_code, 0) << r.output;
  const json report = readJson(path("crop.pt.report.json"));
  EXPECT_EQ(report["options"]["crop_size"], 16);
  // The shipped model runs on whole images of the input size.
  const auto eval = runCommand(
      program("deepbug-train") + " evaluate --model " + path("crop.pt") + " --data " + path("data"),
      /*keep_stderr=*/false);
  ASSERT_EQ(eval.exit_code, 0) << eval.output;
  EXPECT_EQ(json::parse(eval.output)["images"], 40);

  const auto too_big = runCommand(fit("x.pt", "--crop-size 64"));
  EXPECT_EQ(too_big.exit_code, 2) << too_big.output;
  EXPECT_NE(too_big.output.find("--crop-size 64 must lie in 0..32"), std::string::npos)
      << too_big.output;
  const auto no_boxes = runCommand(fit("x.pt", "--crop-size 16 --crop-boxes " + path("none.csv")));
  EXPECT_EQ(no_boxes.exit_code, 2) << no_boxes.output;
  EXPECT_NE(no_boxes.output.find("none.csv"), std::string::npos) << no_boxes.output;
  const auto no_region = runCommand(
      fit("x.pt", "--crop-size 16 --crop-region elbow --crop-boxes " + path("data/boxes.csv")));
  EXPECT_EQ(no_region.exit_code, 2) << no_region.output;
  EXPECT_NE(no_region.output.find("no 'elbow' rows"), std::string::npos) << no_region.output;
}

TEST_F(TrainCli, UnreadableImagesAreSkippedAndNamed) {
  std::ofstream(path("data/aggressive/broken.jpg")) << "not a jpeg";
  const auto r = runCommand(fit("m.pt", "--val-fraction 0"));
  ASSERT_EQ(r.exit_code, 0) << r.output;
  EXPECT_NE(r.output.find("skipping unreadable image '" + path("data/aggressive/broken.jpg")),
            std::string::npos)
      << r.output;
  EXPECT_EQ(readJson(path("m.pt.report.json"))["skipped"].size(), 1u);

  const auto eval = runCommand(
      program("deepbug-train") + " evaluate --model " + path("m.pt") + " --data " + path("data"),
      /*keep_stderr=*/false);
  ASSERT_EQ(eval.exit_code, 0) << eval.output;
  EXPECT_EQ(json::parse(eval.output)["skipped"].size(), 1u);
}

TEST_F(TrainCli, BadDatasetsExitWithCode2) {
  fs::create_directories(path("one_class/aggressive"));
  fs::copy(path("data/aggressive"), path("one_class/aggressive"));
  fs::create_directories(path("empty_class/aggressive"));
  fs::create_directories(path("empty_class/non_aggressive"));
  fs::copy(path("data/aggressive"), path("empty_class/aggressive"));
  fs::create_directories(path("renamed/fight"));
  fs::create_directories(path("renamed/calm"));
  fs::copy(path("data/aggressive"), path("renamed/fight"));
  fs::copy(path("data/non_aggressive"), path("renamed/calm"));
  ASSERT_EQ(runCommand(fit("m.pt")).exit_code, 0);

  struct Case {
    std::string command;
    std::string message;
  };
  const std::string train = program("deepbug-train");
  const std::vector<Case> cases{
      {train + " fit --arch tiny --out " + path("x.pt") + " --data " + path("missing"),
       "does not exist"},
      {train + " fit --arch tiny --out " + path("x.pt") + " --data " + path("one_class"),
       "has 1 class folder(s)"},
      {train + " fit --arch tiny --out " + path("x.pt") + " --data " + path("empty_class"),
       "non_aggressive' holds no images"},
      {train + " fit --arch vgg99 --out " + path("x.pt") + " --data " + path("data"),
       "unknown architecture 'vgg99'"},
      {train + " evaluate --model " + path("m.pt") + " --data " + path("renamed"),
       "'calm' in '" + path("renamed") + "' matches none of the model's labels"},
  };
  for (const Case& c : cases) {
    const auto r = runCommand(c.command);
    EXPECT_EQ(r.exit_code, 2) << c.command << "\n" << r.output;
    EXPECT_NE(r.output.find(c.message), std::string::npos) << c.command << "\n" << r.output;
  }
  EXPECT_FALSE(fs::exists(path("x.pt")));
}

}  // namespace
}  // namespace deepbug::test
