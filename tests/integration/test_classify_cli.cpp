// deepbug-classify run as a program on real files: images, folders and an AVI written
// here with OpenCV's encoder.
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>
#include <opencv2/imgcodecs.hpp>
#include <opencv2/imgproc.hpp>
#include <opencv2/videoio.hpp>

#include "integration/process.hpp"

namespace deepbug::test {
namespace {

namespace fs = std::filesystem;

class ClassifyCli : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = freshTestDir("classify_cli");
    fs::create_directories(dir_ / "images" / "class_a");
  }

  std::string path(const std::string& name) const { return (dir_ / name).string(); }

  // A moving white square on grey, `frames` frames at 10 fps, MJPG in AVI.
  std::string writeVideo(int frames) const {
    const std::string file = path("clip.avi");
    cv::VideoWriter writer(file, cv::VideoWriter::fourcc('M', 'J', 'P', 'G'), 10.0, {160, 120});
    EXPECT_TRUE(writer.isOpened());
    for (int i = 0; i < frames; ++i) {
      cv::Mat frame(120, 160, CV_8UC3, cv::Scalar(90, 90, 90));
      cv::rectangle(frame, cv::Rect(5 * i, 40, 30, 30), cv::Scalar(255, 255, 255), cv::FILLED);
      writer.write(frame);
    }
    return file;
  }

  void writeImage(const std::string& name, int w, int h) const {
    cv::Mat image(h, w, CV_8UC3, cv::Scalar(10, 120, 230));
    ASSERT_TRUE(cv::imwrite(path(name), image));
  }

  fs::path dir_;
};

std::size_t countLines(const std::string& file) {
  std::ifstream in(file);
  std::size_t lines = 0;
  std::string line;
  while (std::getline(in, line))
    ++lines;
  return lines;
}

TEST_F(ClassifyCli, ClassifiesEveryFrameOfAVideo) {
  const std::string video = writeVideo(12);
  const auto result =
      runCommand(program("deepbug-classify") + " -m " + fixture("tiny") + " " + video +
                 " --batch 5 --csv " + path("scores.csv") + " --summary " + path("summary.json"));
  ASSERT_EQ(result.exit_code, 0) << result.output;
  EXPECT_NE(result.output.find("clip.avi frame 11 t=1.10s"), std::string::npos) << result.output;
  EXPECT_EQ(countLines(path("scores.csv")), 13u);  // header + 12 frames
  std::ifstream summary_file(path("summary.json"));
  const auto summary = nlohmann::json::parse(summary_file);
  EXPECT_EQ(summary["frames"], 12);
  EXPECT_EQ(
      summary["labels"]["aggressive"].get<int>() + summary["labels"]["non_aggressive"].get<int>(),
      12);
}

TEST_F(ClassifyCli, EveryNthFrameAndMaxFrames) {
  const std::string video = writeVideo(12);
  const auto result = runCommand(program("deepbug-classify") + " -m " + fixture("tiny") + " " +
                                 video + " --every 4 --quiet");
  ASSERT_EQ(result.exit_code, 0) << result.output;
  EXPECT_NE(result.output.find("\"frames\":3"), std::string::npos) << result.output;

  const auto limited = runCommand(program("deepbug-classify") + " -m " + fixture("tiny") + " " +
                                  video + " --max-frames 5 --quiet");
  ASSERT_EQ(limited.exit_code, 0) << limited.output;
  EXPECT_NE(limited.output.find("\"frames\":5"), std::string::npos) << limited.output;
}

TEST_F(ClassifyCli, FoldersOfImagesOfAnySize) {
  writeImage("images/class_a/one_pixel.png", 1, 1);
  writeImage("images/class_a/wide.jpg", 1280, 200);
  writeImage("images/tall.png", 30, 900);
  const auto result = runCommand(program("deepbug-classify") + " -m " + fixture("tiny") + " " +
                                 path("images") + " --aspect letterbox");
  ASSERT_EQ(result.exit_code, 0) << result.output;
  EXPECT_NE(result.output.find("\"frames\":3"), std::string::npos) << result.output;
  EXPECT_NE(result.output.find("one_pixel.png frame 0"), std::string::npos) << result.output;
}

TEST_F(ClassifyCli, BadInputsExitWithCode2AndWriteNothing) {
  const std::string video = writeVideo(3);
  const std::string base = program("deepbug-classify") + " --csv " + path("scores.csv") + " ";
  struct Case {
    std::string args;
    std::string message;
  };
  const std::vector<Case> cases{
      {"-m " + path("missing.pt") + " " + video, "missing.pt' does not exist"},
      {"-m " + fixture("tiny") + " " + path("nothing.avi"), "nothing.avi' does not exist"},
      {"-m " + fixture("tiny") + " " + path("images"), "holds no image files"},
      {"-m " + fixture("tiny_three_outputs") + " " + video, "outputs 3 classes but 2 labels"},
      {"-m " + fixture("tiny") + " --input-size 224 " + video, "--input-size '224'"},
      {"-m " + fixture("tiny") + " --aspect zoom " + video, "--aspect 'zoom'"},
      {"-m " + fixture("tiny") + " --device cuda:x " + video, "unknown device 'cuda:x'"},
      {"-m " + fixture("tiny") + " --labels a,b,c " + video, "outputs 2 classes but 3 labels"},
      {"-m " + fixture("tiny") + " --batch 0 " + video, "--batch"},
  };
  for (const Case& c : cases) {
    const auto result = runCommand(base + c.args);
    EXPECT_EQ(result.exit_code, 2) << c.args << "\n" << result.output;
    EXPECT_NE(result.output.find(c.message), std::string::npos) << c.args << "\n" << result.output;
    EXPECT_FALSE(fs::exists(path("scores.csv"))) << c.args;
  }
}

TEST_F(ClassifyCli, DamagedVideoIsNamed) {
  const std::string file = path("broken.avi");
  std::ofstream(file) << "RIFF....AVI garbage";
  const auto result =
      runCommand(program("deepbug-classify") + " -m " + fixture("tiny") + " " + file);
  EXPECT_EQ(result.exit_code, 2) << result.output;
  EXPECT_NE(result.output.find("broken.avi"), std::string::npos) << result.output;
}

TEST(ProgramRuntime, IdleOpenMpThreadsSleep) {
  // Without a user choice the programs run with OMP_WAIT_POLICY=PASSIVE ...
  const auto result =
      runCommand("env -u OMP_WAIT_POLICY " + program("deepbug-classify") + " --version");
  ASSERT_EQ(result.exit_code, 0) << result.output;
  const auto info = nlohmann::json::parse(result.output);
  EXPECT_EQ(info["omp_wait_policy"], "PASSIVE");
  EXPECT_GE(info["intra_op_threads"].get<int>(), 1);
  // ... and an explicit choice is kept.
  const auto active =
      runCommand("env OMP_WAIT_POLICY=ACTIVE " + program("deepbug-classify") + " --version");
  EXPECT_EQ(nlohmann::json::parse(active.output)["omp_wait_policy"], "ACTIVE");
}

TEST(ProgramRuntime, BenchPrintsJson) {
  const auto result =
      runCommand(program("deepbug-bench") + " classify --model tiny=" + fixture("tiny") +
                 " --repeats 2 --batch 1 --batch 2 --frame-width 64 --frame-height 48");
  ASSERT_EQ(result.exit_code, 0) << result.output;
  const auto report = nlohmann::json::parse(result.output);
  EXPECT_EQ(report["benchmark"], "classify");
  ASSERT_EQ(report["models"][0]["results"].size(), 2u);
  EXPECT_GT(
      report["models"][0]["results"][1]["module_forward_ms_per_frame"]["median"].get<double>(),
      0.0);

  const auto bad = runCommand(program("deepbug-bench") + " classify --model " + fixture("tiny"));
  EXPECT_EQ(bad.exit_code, 2) << bad.output;
  EXPECT_NE(bad.output.find("is not NAME=PATH"), std::string::npos) << bad.output;
}

}  // namespace
}  // namespace deepbug::test
