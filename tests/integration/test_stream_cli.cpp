// deepbug-stream run as a program on clips encoded here by real GStreamer encoders
// and muxers, on Debian's real footage, with signals and with bad input.
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>
#include <opencv2/videoio.hpp>
#include <regex>

#include <unistd.h>

#include "integration/csv.hpp"
#include "integration/process.hpp"

namespace deepbug::test {
namespace {

namespace fs = std::filesystem;
using nlohmann::json;

const std::string kOpenCvData = "/usr/share/doc/opencv-doc/examples/data/";

// Frames a decoder really gets out of a file.
int decodedFrames(const std::string& path) {
  cv::VideoCapture capture(path, cv::CAP_FFMPEG);
  if (!capture.isOpened()) return -1;
  int frames = 0;
  cv::Mat frame;
  while (capture.read(frame))
    ++frames;
  return frames;
}

json readJson(const fs::path& path) {
  std::ifstream in(path);
  return json::parse(in);
}

class StreamCli : public ::testing::Test {
 protected:
  // The programs find the plugin next to themselves; a private registry keeps the
  // user's untouched.
  static void SetUpTestSuite() { setenv("GST_REGISTRY", DEEPBUG_GST_REGISTRY, 1); }

  void SetUp() override { dir_ = freshTestDir("stream_cli"); }

  std::string path(const std::string& name) const { return (dir_ / name).string(); }

  // A clip made by a real encoder and muxer: `frames` frames of a moving ball.
  std::string encodeClip(const std::string& name, int frames, const std::string& size,
                         const std::string& mux, bool audio = false) const {
    const std::string out = path(name);
    std::string pipeline =
        "gst-launch-1.0 -q videotestsrc pattern=ball num-buffers=" + std::to_string(frames) +
        " ! video/x-raw," + size +
        ",framerate=20/1 ! videoconvert ! x264enc speed-preset=ultrafast ! "
        "h264parse ! " +
        mux + " name=mux ! filesink location=" + out;
    if (audio) {
      pipeline += " audiotestsrc num-buffers=" + std::to_string(frames * 2) +
                  " samplesperbuffer=1102 ! audioconvert ! avenc_aac ! aacparse ! mux.";
    }
    const ProcessResult made = runCommand(pipeline);
    EXPECT_EQ(made.exit_code, 0) << made.output;
    return out;
  }

  // A config for `sources` (name → path) with the tiny fixture model.
  std::string writeConfig(const std::vector<std::pair<std::string, std::string>>& sources,
                          const std::string& extra_outputs = "") const {
    const std::string file = path("config.yaml");
    std::ofstream out(file);
    out << "sources:\n";
    for (const auto& [name, uri] : sources) {
      out << "  - name: " << name << "\n    uri: " << uri << "\n";
    }
    out << "model:\n  path: " << fixture("tiny") << "\n  batch_size: 4\n"
        << "overlay:\n  watch: aggressive\n"
        << "outputs:\n  directory: " << path("out") << "\n"
        << extra_outputs;
    return file;
  }

  std::string stream(const std::string& args) const {
    return program("deepbug-stream") + " " + args;
  }

  fs::path dir_;
};

TEST_F(StreamCli, EveryFrameOfEncodedClipsIsLabelledAndScoredWithOneModelLoad) {
  const std::vector<std::pair<std::string, std::string>> clips{
      {"h264_mp4", encodeClip("a.mp4", 30, "width=320,height=240", "mp4mux")},
      {"h264_mkv", encodeClip("b.mkv", 30, "width=320,height=240", "matroskamux")},
      {"odd_size", encodeClip("c.mp4", 30, "width=642,height=362", "mp4mux")},
      {"with_audio", encodeClip("d.mp4", 30, "width=320,height=240", "mp4mux", true)}};
  const ProcessResult run = runCommand(stream("--config " + writeConfig(clips) + " --quiet"));
  ASSERT_EQ(run.exit_code, 0) << run.output;
  for (const auto& [name, file] : clips) {
    const fs::path out = dir_ / "out" / name;
    EXPECT_EQ(decodedFrames((out / "labelled.mp4").string()), 30) << name;
    const auto rows = readCsv((out / "scores.csv").string());
    ASSERT_EQ(rows.size(), 30u) << name << ": one row per frame";
    EXPECT_EQ(rows[0].count("pts_seconds"), 1u);
    EXPECT_EQ(rows[0].count("aggressive"), 1u);
    EXPECT_EQ(rows[0].at("classified"), "1");
    const json summary = readJson(out / "summary.json");
    EXPECT_EQ(summary["frames_in"], 30) << name;
    EXPECT_EQ(summary["frames_out"], 30) << name;
    EXPECT_EQ(summary["frames_classified"], 30) << name;
    EXPECT_TRUE(summary["error"].is_null()) << summary.dump();
    // The program loaded the model once, to check it; all four classifiers shared it.
    EXPECT_EQ(summary["stages"]["classify"]["model_loads"], 0) << name;
  }
  EXPECT_TRUE(readJson(dir_ / "out" / "with_audio" / "summary.json")["source_info"]["has_audio"]);
}

// A window that cannot open costs the window, never the recording: a sink that fails to
// start (filesink without a file) and autovideosink without a display server both give
// a warning, and every frame is still classified and written.
TEST_F(StreamCli, ADisplayThatCannotOpenIsAWarningAndTheRecordingGoesOn) {
  const std::string clip = encodeClip("a.mp4", 20, "width=320,height=240", "mp4mux");
  for (const std::string sink : {"filesink", "autovideosink"}) {
    SCOPED_TRACE(sink);
    fs::remove_all(dir_ / "out");
    const ProcessResult run = runCommand(
        "env -u DISPLAY -u WAYLAND_DISPLAY " +
        stream("--config " +
               writeConfig({{"cam", clip}}, "  display: true\n  display_sink: " + sink + "\n") +
               " --quiet"));
    ASSERT_EQ(run.exit_code, 0) << run.output;
    EXPECT_EQ(decodedFrames(path("out/cam/labelled.mp4")), 20);
    const json summary = readJson(dir_ / "out" / "cam" / "summary.json");
    EXPECT_EQ(summary["frames_classified"], 20);
    EXPECT_TRUE(summary["error"].is_null()) << summary.dump();
    ASSERT_EQ(summary["warnings"].size(), 1u) << summary.dump();
    EXPECT_NE(summary["warnings"][0].get<std::string>().find("outputs.display"), std::string::npos)
        << summary["warnings"][0];
  }
}

// The model fails in the middle of the stream (on the first bright frame): the error is
// in summary.json, the exit code is 1, and the recording is finished — every frame that
// was classified before the failure decodes from labelled.mp4.
TEST_F(StreamCli, AClassificationFailureMidStreamFinishesTheRecording) {
  const std::string clip = path("dark-then-bright.mp4");
  const std::string caps = "video/x-raw,width=320,height=240,framerate=20/1";
  const ProcessResult made =
      runCommand("gst-launch-1.0 -q concat name=c ! " + caps +
                 " ! videoconvert ! x264enc speed-preset=ultrafast ! h264parse ! mp4mux ! filesink "
                 "location=" +
                 clip + " videotestsrc pattern=black num-buffers=20 ! " + caps +
                 " ! c. videotestsrc pattern=white num-buffers=20 ! " + caps + " ! c.");
  ASSERT_EQ(made.exit_code, 0) << made.output;
  std::string config = writeConfig({{"cam", clip}});
  std::string text = readFile(config);
  text.replace(text.find(fixture("tiny")), fixture("tiny").size(),
               fixture("fails_on_bright_frames"));
  std::ofstream(config) << text;
  const ProcessResult run = runCommand(stream("--config " + config + " --quiet"));
  EXPECT_EQ(run.exit_code, 1) << run.output;
  const json summary = readJson(dir_ / "out" / "cam" / "summary.json");
  ASSERT_TRUE(summary["error"].is_string()) << summary.dump();
  EXPECT_NE(summary["error"].get<std::string>().find("classify"), std::string::npos);
  const int written = summary["frames_out"];
  // Batches of 4: the batch holding frame 20 (the first bright one) fails; every frame
  // of the batches before it is written.
  EXPECT_GE(written, 16);
  EXPECT_LT(written, 20);
  EXPECT_EQ(decodedFrames(path("out/cam/labelled.mp4")), written);
}

TEST_F(StreamCli, MkvContainerAndIntervalFromTheCommandLine) {
  const std::string clip = encodeClip("a.mp4", 24, "width=320,height=240", "mp4mux");
  const ProcessResult run =
      runCommand(stream("--config " + writeConfig({{"cam", clip}}) +
                        " --set outputs.container=mkv --set model.interval=3 --quiet"));
  ASSERT_EQ(run.exit_code, 0) << run.output;
  EXPECT_EQ(decodedFrames(path("out/cam/labelled.mkv")), 24);
  const auto rows = readCsv(path("out/cam/scores.csv"));
  ASSERT_EQ(rows.size(), 24u);
  for (std::size_t i = 0; i < rows.size(); ++i) {
    EXPECT_EQ(rows[i].at("classified"), i % 3 == 0 ? "1" : "0") << "frame " << i;
  }
  EXPECT_EQ(readJson(dir_ / "out" / "cam" / "summary.json")["frames_classified"], 8);
}

TEST_F(StreamCli, RealSurveillanceFootage) {
  const ProcessResult run = runCommand(
      stream("--config " + writeConfig({{"vtest", kOpenCvData + "vtest.avi"}}) + " --quiet"));
  ASSERT_EQ(run.exit_code, 0) << run.output;
  EXPECT_EQ(decodedFrames(path("out/vtest/labelled.mp4")), 795);
  const json summary = readJson(dir_ / "out" / "vtest" / "summary.json");
  EXPECT_EQ(summary["frames_out"], 795);
  EXPECT_EQ(summary["source_info"]["width"], 768);
}

int reportedFrames(const std::string& log) {
  static const std::regex pattern(R"((\d+) frames,)");
  int last = 0;
  for (std::sregex_iterator it(log.begin(), log.end(), pattern), end; it != end; ++it) {
    last = std::stoi((*it)[1]);
  }
  return last;
}

TEST_F(StreamCli, CtrlCFinishesAPlayableFile) {
  const std::string config = writeConfig({{"vtest", kOpenCvData + "vtest.avi"}});
  const std::string log = path("log.txt");
  const pid_t pid = spawnCommand(stream("--config " + config + " --status-every 0.1"), log);
  ASSERT_TRUE(
      waitUntil([&] { return reportedFrames(readFile(log)) >= 40; }, std::chrono::seconds(120)))
      << readFile(log);
  const int reported = reportedFrames(readFile(log));
  kill(pid, SIGINT);
  EXPECT_EQ(waitForExit(pid, std::chrono::seconds(60)), 130) << readFile(log);
  const int frames = decodedFrames(path("out/vtest/labelled.mp4"));
  EXPECT_GE(frames, reported);
  EXPECT_LT(frames, 795) << "stopped early";
  const json summary = readJson(dir_ / "out" / "vtest" / "summary.json");
  EXPECT_TRUE(summary["interrupted"].get<bool>());
  EXPECT_EQ(summary["frames_out"], frames);
}

TEST_F(StreamCli, KilledFragmentedMp4IsReadableToTheLastFragment) {
  const std::string config =
      writeConfig({{"vtest", kOpenCvData + "vtest.avi"}}, "  container: fragmented-mp4\n");
  const std::string log = path("log.txt");
  const pid_t pid = spawnCommand(stream("--config " + config + " --status-every 0.1"), log);
  // 100 frames are 10 s of footage: several one-second fragments are on disk.
  ASSERT_TRUE(
      waitUntil([&] { return reportedFrames(readFile(log)) >= 100; }, std::chrono::seconds(120)))
      << readFile(log);
  kill(pid, SIGKILL);
  waitForExit(pid, std::chrono::seconds(30));
  EXPECT_GT(decodedFrames(path("out/vtest/labelled.mp4")), 10);
}

TEST_F(StreamCli, DamagedFileGivesFramesAndAWarningOrAClearError) {
  const std::string clip = kOpenCvData + "Megamind_bugy.avi";
  const std::string log = path("log.txt");
  const pid_t pid =
      spawnCommand(stream("--config " + writeConfig({{"damaged", clip}}) + " --quiet"), log);
  const int code = waitForExit(pid, std::chrono::seconds(300));
  ASSERT_NE(code, -1) << "hung: " << readFile(log);
  ASSERT_TRUE(code == 0 || code == 1 || code == 2) << "crashed (" << code << "): " << readFile(log);
  if (code == 2) {
    EXPECT_NE(readFile(log).find("Megamind_bugy.avi"), std::string::npos) << readFile(log);
    EXPECT_FALSE(fs::exists(path("out"))) << "nothing written for bad input";
  } else {
    const json summary = readJson(dir_ / "out" / "damaged" / "summary.json");
    EXPECT_GT(summary["frames_out"].get<int>(), 0);
    EXPECT_EQ(decodedFrames(path("out/damaged/labelled.mp4")), summary["frames_out"].get<int>());
    if (code == 1) {
      EXPECT_FALSE(summary["error"].is_null());
    }
  }
}

TEST_F(StreamCli, BadInputFilesExitWithCode2AndWriteNothing) {
  std::ofstream(path("empty.mp4")).close();
  std::ofstream(path("text.mp4")) << "this is not a video\n";
  const std::vector<std::pair<std::string, std::string>> cases{
      {path("empty.mp4"), "empty"},
      {path("text.mp4"), "not readable footage"},
      {path("missing.mp4"), "no file"}};
  for (const auto& [file, expected] : cases) {
    const ProcessResult run =
        runCommand(stream("--config " + writeConfig({{"cam", file}}) + " --quiet"));
    EXPECT_EQ(run.exit_code, 2) << file << ": " << run.output;
    EXPECT_NE(run.output.find(file), std::string::npos) << run.output;
    EXPECT_NE(run.output.find(expected), std::string::npos) << run.output;
    EXPECT_FALSE(fs::exists(path("out"))) << file;
  }
}

TEST_F(StreamCli, ConfigErrorsNameFileLineAndColumn) {
  const std::string clip = encodeClip("a.mp4", 4, "width=64,height=48", "mp4mux");
  auto runWith = [&](const std::string& text, const std::string& args = "") {
    std::ofstream(path("bad.yaml")) << text;
    return runCommand(stream("--config " + path("bad.yaml") + " " + args));
  };
  const std::string head =
      "sources:\n  - name: cam\n    uri: " + clip + "\nmodel:\n  path: " + fixture("tiny") + "\n";
  const std::string outputs = "outputs:\n  directory: " + path("out") + "\n";

  ProcessResult r = runWith(head + "  batch_sise: 4\n" + outputs);
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_NE(r.output.find("bad.yaml:6:3: unknown key 'batch_sise'"), std::string::npos) << r.output;
  EXPECT_NE(r.output.find("did you mean 'batch_size'"), std::string::npos) << r.output;

  r = runWith(head + "  batch_size: many\n" + outputs);
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_NE(r.output.find("bad.yaml:6:15: 'batch_size' must be a whole number"), std::string::npos)
      << r.output;

  r = runWith(head + outputs, "--set model.interval=0");
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_NE(r.output.find("--set model.interval=0: 'interval' = 0 is out of range"),
            std::string::npos)
      << r.output;

  r = runWith(head + "outputs:\n  directory: ${DEEPBUG_TEST_UNSET_VARIABLE}\n");
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_NE(r.output.find("DEEPBUG_TEST_UNSET_VARIABLE is not set"), std::string::npos) << r.output;

  r = runWith("sources:\n  - name: cam\n    uri: " + clip +
              "\nmodel:\n  path: " + fixture("state_dict") + "\n" + outputs);
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_NE(r.output.find("bad.yaml:5:9"), std::string::npos) << r.output;

  r = runWith(head + outputs + "overlay:\n  watch: fighting\n");
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_NE(r.output.find("not a class of the model"), std::string::npos) << r.output;
  EXPECT_FALSE(fs::exists(path("out")));
}

TEST_F(StreamCli, DryRunValidatesAndWritesNothing) {
  const std::string clip = encodeClip("a.mp4", 4, "width=64,height=48", "mp4mux");
  const ProcessResult run =
      runCommand(stream("--config " + writeConfig({{"cam", clip}}) + " --dry-run"));
  EXPECT_EQ(run.exit_code, 0) << run.output;
  EXPECT_NE(run.output.find("config OK"), std::string::npos);
  EXPECT_FALSE(fs::exists(path("out")));
}

TEST_F(StreamCli, AnEarlierRunIsNeverOverwrittenSilently) {
  const std::string clip = encodeClip("a.mp4", 4, "width=64,height=48", "mp4mux");
  const std::string config = writeConfig({{"cam", clip}});
  ASSERT_EQ(runCommand(stream("--config " + config + " --quiet")).exit_code, 0);
  ASSERT_EQ(runCommand(stream("--config " + config + " --quiet")).exit_code, 0);
  EXPECT_TRUE(fs::exists(path("out/cam/summary.json")));
  EXPECT_TRUE(fs::exists(path("out/cam-2/summary.json")));
  ASSERT_EQ(runCommand(stream("--config " + config + " --quiet --overwrite")).exit_code, 0);
  EXPECT_FALSE(fs::exists(path("out/cam-3")));
}

TEST_F(StreamCli, EnvironmentVariablesInValues) {
  const std::string clip = encodeClip("a.mp4", 4, "width=64,height=48", "mp4mux");
  std::ofstream(path("env.yaml")) << "sources:\n  - name: cam\n    uri: " << clip
                                  << "\nmodel:\n  path: " << fixture("tiny")
                                  << "\noutputs:\n  directory: ${DEEPBUG_TEST_OUT}/runs\n";
  const ProcessResult run = runCommand("DEEPBUG_TEST_OUT=" + path("elsewhere") + " " +
                                       stream("--config " + path("env.yaml") + " --quiet"));
  ASSERT_EQ(run.exit_code, 0) << run.output;
  EXPECT_TRUE(fs::exists(path("elsewhere/runs/cam/labelled.mp4")));
}

// deepbug-bench soak as CI runs it: three minutes of a live test pattern classified
// and explained with config/soak.yaml (the tiny model, to spare the machine's other
// tests). No slope is asserted here: three minutes are all warm-up; the figures of a
// half-hour run are in the README.
TEST(SoakBench, ThreeMinutesRecordEveryFrameAndReportMemoryOverTime) {
  setenv("GST_REGISTRY", DEEPBUG_GST_REGISTRY, 1);
  const fs::path work = fs::path(::testing::TempDir()) / ("soak_" + std::to_string(getpid()));
  fs::remove_all(work);
  const ProcessResult run =
      runCommand(program("deepbug-bench") + " soak --config " + DEEPBUG_SOURCE_DIR +
                     "/config/soak.yaml --set model.path=" + fixture("tiny") +
                     " --minutes 3 --warmup-minutes 1 --work-dir " + work.string(),
                 /*keep_stderr=*/false);
  ASSERT_EQ(run.exit_code, 0) << run.output;
  const json report = json::parse(run.output);
  EXPECT_EQ(report["frames_expected"], 2700);
  EXPECT_EQ(report["frames_out"], report["frames_expected"]) << "every frame recorded";
  EXPECT_GT(report["explain"]["frames_selected"].get<int>(), 0);
  const json& memory = report["memory"];
  EXPECT_GE(memory["samples"].get<int>(), 36);  // every 5 s for 3 minutes
  EXPECT_LE(memory["start_mib"].get<double>(), memory["peak_mib"].get<double>());
  EXPECT_LE(memory["end_mib"].get<double>(), memory["peak_mib"].get<double>());
  EXPECT_TRUE(memory["slope_mib_per_hour"].is_number());
  fs::remove_all(work);
}

}  // namespace
}  // namespace deepbug::test
