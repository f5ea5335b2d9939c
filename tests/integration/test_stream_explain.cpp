// deepbug-stream with explanations, as a program on a clip encoded here: every frame
// still comes out, each event's peak (the best classified frame, from scores.csv) is
// explained with snapshots that open, events.jsonl agrees with scores.csv, and two runs
// with different thread counts give the same events and explained frames.
#include <gtest/gtest.h>

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>
#include <opencv2/imgcodecs.hpp>
#include <opencv2/videoio.hpp>

#include <unistd.h>

#include "integration/csv.hpp"
#include "integration/process.hpp"

namespace deepbug::test {
namespace {

namespace fs = std::filesystem;
using nlohmann::json;

class StreamExplain : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    setenv("GST_REGISTRY", DEEPBUG_GST_REGISTRY, 1);
    // ctest runs each test in a process of its own, in parallel: one folder each.
    dir_ = fs::path(::testing::TempDir()) / ("stream_explain_" + std::to_string(getpid()));
    fs::remove_all(dir_);
    fs::create_directories(dir_);
    // A moving ball over a changing pattern: the tiny model's score drifts with it.
    clip_ = (dir_ / "clip.mp4").string();
    const ProcessResult made = runCommand(
        "gst-launch-1.0 -q videotestsrc pattern=ball motion=sweep num-buffers=90 "
        "background-color=0xff204060 ! video/x-raw,width=320,height=240,framerate=15/1 ! "
        "videoconvert ! x264enc speed-preset=ultrafast ! h264parse ! mp4mux ! filesink "
        "location=" +
        clip_);
    ASSERT_EQ(made.exit_code, 0) << made.output;
    // Scores without explanation, to place the thresholds where events happen.
    const ProcessResult scored = runCommand(program("deepbug-stream") + " --config " +
                                            writeConfig("plain", "") + " --quiet");
    ASSERT_EQ(scored.exit_code, 0) << scored.output;
    for (const auto& row : readCsv((dir_ / "plain" / "cam" / "scores.csv").string()))
      scores_.push_back(std::stod(row.at("aggressive")));
    ASSERT_EQ(scores_.size(), 90u);
  }

  static std::string writeConfig(const std::string& name, const std::string& explain) {
    const std::string file = (dir_ / (name + ".yaml")).string();
    std::ofstream out(file);
    out << "sources:\n  - name: cam\n    uri: " << clip_ << "\n"
        << "model:\n  path: " << fixture("tiny") << "\n  batch_size: 4\n"
        << "overlay:\n  watch: aggressive\n"
        << explain << "outputs:\n  directory: " << (dir_ / name).string() << "\n";
    return file;
  }

  // Thresholds at the 70th and 50th percentiles of the clip's scores: events exist.
  static std::string explainSection(const std::string& extra) {
    std::vector<double> sorted = scores_;
    std::sort(sorted.begin(), sorted.end());
    return "explain:\n  threshold_on: " + std::to_string(sorted[62]) +
           "\n  threshold_off: " + std::to_string(sorted[45]) + "\n  min_frames: 2\n" + extra;
  }

  static std::vector<json> events(const std::string& name) {
    std::vector<json> out;
    std::ifstream in(dir_ / name / "cam" / "events.jsonl");
    for (std::string line; std::getline(in, line);)
      out.push_back(json::parse(line));
    return out;
  }

  static fs::path dir_;
  static std::string clip_;
  static std::vector<double> scores_;
};

fs::path StreamExplain::dir_;
std::string StreamExplain::clip_;
std::vector<double> StreamExplain::scores_;

TEST_F(StreamExplain, EveryEventPeakIsExplainedOnItsOwnFrameAndEveryFrameComesOut) {
  const ProcessResult run = runCommand(program("deepbug-stream") + " --config " +
                                       writeConfig("archive", explainSection("")) + " --quiet");
  ASSERT_EQ(run.exit_code, 0) << run.output;
  const fs::path out = dir_ / "archive" / "cam";
  cv::VideoCapture video((out / "labelled.mp4").string(), cv::CAP_FFMPEG);
  int frames = 0;
  for (cv::Mat frame; video.read(frame);)
    ++frames;
  EXPECT_EQ(frames, 90);

  const std::vector<json> found = events("archive");
  ASSERT_FALSE(found.empty()) << "thresholds at the clip's own percentiles give events";
  for (const json& event : found) {
    const int start = event["start"]["frame"], end = event["end"]["frame"];
    const int peak = event["peak"]["frame"];
    // The peak is the best score inside the event, as scores.csv has it.
    const auto best = std::max_element(scores_.begin() + start, scores_.begin() + end + 1);
    EXPECT_EQ(peak, best - scores_.begin()) << event.dump();
    EXPECT_NEAR(event["peak"]["score"].get<double>(), *best, 1e-5);
    ASSERT_EQ(event["explained"].size(), 1u) << event.dump();
    const json& explained = event["explained"][0];
    EXPECT_EQ(explained["frame"], peak);
    EXPECT_DOUBLE_EQ(explained["pts"].get<double>(), explained["shown_on_frame_pts"].get<double>());
    for (const char* kind : {"frame", "heatmap", "overlay"}) {
      const cv::Mat image = cv::imread(explained["snapshot"][kind].get<std::string>());
      EXPECT_FALSE(image.empty()) << kind << " snapshot of frame " << peak;
    }
    const json& box = explained["relevance"]["hottest_region"];
    EXPECT_GE(box["x"].get<int>(), 0);
    EXPECT_LE(box["x"].get<int>() + box["width"].get<int>(), 320);
    EXPECT_GT(explained["relevance"]["scale"].get<double>(), 0.0);
  }
  const json summary = json::parse(std::ifstream(out / "summary.json"));
  EXPECT_EQ(summary["frames_out"], 90);
  EXPECT_EQ(summary["explain"]["events"], found.size());
  EXPECT_EQ(summary["explain"]["frames_explained"], found.size());
  EXPECT_EQ(summary["explain"]["frames_skipped"], 0);
  EXPECT_GT(summary["stages"]["overlay"]["heatmap_frames"].get<int>(), 0);
  // A clip per event, cut from the labelled video: it covers the event.
  EXPECT_EQ(summary["explain"]["clips"], found.size());
  for (const json& event : found) {
    cv::VideoCapture clip(event["clip"].get<std::string>(), cv::CAP_FFMPEG);
    ASSERT_TRUE(clip.isOpened()) << event["clip"];
    int clip_frames = 0;
    for (cv::Mat frame; clip.read(frame);)
      ++clip_frames;
    const int event_frames =
        event["end"]["frame"].get<int>() - event["start"]["frame"].get<int>() + 1;
    EXPECT_GE(clip_frames, event_frames) << event["clip"];
    EXPECT_LE(clip_frames, 90) << event["clip"];
  }
}

TEST_F(StreamExplain, SameEventsAndExplainedFramesAtAnyThreadCount) {
  const std::string extra = "  top_k: 2\n  every_n: 5\n";
  ASSERT_EQ(runCommand(program("deepbug-stream") + " --config " +
                       writeConfig("one", explainSection(extra + "  clips: false\n")) +
                       " --quiet --set model.threads=1 --set explain.threads=1")
                .exit_code,
            0);
  ASSERT_EQ(runCommand(program("deepbug-stream") + " --config " +
                       writeConfig("two", explainSection(extra + "  concurrency: 2\n")) +
                       " --quiet --set model.threads=0 --set explain.threads=1 "
                       "--set explain.max_in_flight=4")
                .exit_code,
            0);
  EXPECT_FALSE(fs::exists(dir_ / "one" / "cam" / "clips")) << "clips: false";
  EXPECT_TRUE(fs::exists(dir_ / "two" / "cam" / "clips"));
  const std::vector<json> a = events("one"), b = events("two");
  ASSERT_FALSE(a.empty());
  ASSERT_EQ(a.size(), b.size());
  for (std::size_t i = 0; i < a.size(); ++i) {
    EXPECT_EQ(a[i]["start"]["frame"], b[i]["start"]["frame"]);
    EXPECT_EQ(a[i]["end"]["frame"], b[i]["end"]["frame"]);
    EXPECT_EQ(a[i]["peak"]["frame"], b[i]["peak"]["frame"]);
    ASSERT_EQ(a[i]["explained"].size(), b[i]["explained"].size());
    for (std::size_t j = 0; j < a[i]["explained"].size(); ++j) {
      const json& x = a[i]["explained"][j];
      const json& y = b[i]["explained"][j];
      EXPECT_EQ(x["frame"], y["frame"]);
      EXPECT_NEAR(x["relevance"]["positive_sum"].get<double>(),
                  y["relevance"]["positive_sum"].get<double>(),
                  1e-4 * std::abs(x["relevance"]["positive_sum"].get<double>()) + 1e-7);
    }
  }
}

// gap_frames as long as the clip: one event, from where the first event without a
// bridge starts (flicker before it is not bridged) to the clip's last frame at or
// above threshold_off, whatever dips lie between.
TEST_F(StreamExplain, GapFramesBridgeEveryDipAfterTheFirstEvent) {
  for (const std::string name : {"unbridged", "bridged"}) {
    const std::string gap = name == "bridged" ? "  gap_frames: 89\n" : "";
    const ProcessResult run = runCommand(program("deepbug-stream") + " --config " +
                                         writeConfig(name, explainSection(gap)) + " --quiet");
    ASSERT_EQ(run.exit_code, 0) << run.output;
  }
  const std::vector<json> unbridged = events("unbridged");
  ASSERT_FALSE(unbridged.empty());
  std::vector<double> sorted = scores_;
  std::sort(sorted.begin(), sorted.end());
  const double off = std::stod(std::to_string(sorted[45]));  // as explainSection wrote it
  int last = -1;
  for (int i = 0; i < static_cast<int>(scores_.size()); ++i) {
    if (scores_[i] >= off) last = i;
  }
  const std::vector<json> bridged = events("bridged");
  ASSERT_EQ(bridged.size(), 1u);
  EXPECT_EQ(bridged[0]["start"]["frame"], unbridged[0]["start"]["frame"]);
  EXPECT_EQ(bridged[0]["end"]["frame"].get<int>(), last);
}

TEST_F(StreamExplain, BenchStreamTakesAConfigOrTheEventOptionsNotBoth) {
  const std::string bench = program("deepbug-bench") + " stream --footage " + clip_;
  const std::string config = writeConfig("bench", explainSection(""));
  const ProcessResult both = runCommand(bench + " --config " + config + " --threshold-on 0.5");
  EXPECT_EQ(both.exit_code, 2) << both.output;
  EXPECT_NE(both.output.find("excludes"), std::string::npos) << both.output;
  const ProcessResult neither = runCommand(bench);
  EXPECT_EQ(neither.exit_code, 2) << neither.output;
  EXPECT_NE(neither.output.find("--config or --model"), std::string::npos) << neither.output;
  const ProcessResult bad =
      runCommand(bench + " --config " + config + " --set explain.gap_frames=-1");
  EXPECT_EQ(bad.exit_code, 2) << bad.output;
  EXPECT_NE(bad.output.find("gap_frames"), std::string::npos) << bad.output;
  EXPECT_FALSE(fs::exists(dir_ / "bench"));
}

TEST_F(StreamExplain, ConfigErrorsNameTheExplainKey) {
  const ProcessResult run = runCommand(
      program("deepbug-stream") + " --config " +
      writeConfig("bad", "explain:\n  threshold_on: 0.3\n  threshold_off: 0.5\n") + " --quiet");
  EXPECT_EQ(run.exit_code, 2) << run.output;
  EXPECT_NE(run.output.find("threshold_off"), std::string::npos) << run.output;
  EXPECT_NE(run.output.find("bad.yaml:"), std::string::npos) << run.output;
  EXPECT_FALSE(fs::exists(dir_ / "bad"));
}

// Ctrl-C in the middle of real footage with explanations running: the open event is
// closed and explained, every line of events.jsonl is complete, the video is playable.
TEST_F(StreamExplain, CtrlCFinishesTheExplanationsInFlightAndTheFiles) {
  // Thresholds at 0: one event from the first frame, explained every 20 frames (chunks).
  const std::string config =
      writeConfig("interrupted",
                  "explain:\n  threshold_on: 0\n  threshold_off: 0\n  min_frames: 1\n"
                  "  max_event_frames: 20\n");
  std::string text = readFile(config);
  const std::string clip_line = "uri: " + clip_;
  text.replace(text.find(clip_line), clip_line.size(),
               "uri: /usr/share/doc/opencv-doc/examples/data/vtest.avi");
  std::ofstream(config) << text;
  const std::string log = (dir_ / "interrupted.log").string();
  const pid_t pid =
      spawnCommand(program("deepbug-stream") + " --config " + config + " --status-every 0.1", log);
  // Two explained frames (six snapshot files) show the stream is well under way.
  ASSERT_TRUE(waitUntil(
      [&] {
        const fs::path snapshots = dir_ / "interrupted" / "cam" / "snapshots";
        std::error_code ec;
        if (!fs::is_directory(snapshots, ec)) return false;
        return std::distance(fs::directory_iterator(snapshots), fs::directory_iterator()) >= 6;
      },
      std::chrono::seconds(120)))
      << readFile(log);
  kill(pid, SIGINT);
  ASSERT_EQ(waitForExit(pid, std::chrono::seconds(60)), 130) << readFile(log);
  const fs::path out = dir_ / "interrupted" / "cam";
  const json summary = json::parse(std::ifstream(out / "summary.json"));
  EXPECT_TRUE(summary["interrupted"].get<bool>());
  const int frames_out = summary["frames_out"];
  EXPECT_LT(frames_out, 795) << "stopped early";
  cv::VideoCapture video((out / "labelled.mp4").string(), cv::CAP_FFMPEG);
  int frames = 0;
  for (cv::Mat frame; video.read(frame);)
    ++frames;
  EXPECT_EQ(frames, frames_out);
  const std::vector<json> found = events("interrupted");
  ASSERT_EQ(found.size(), 1u);
  EXPECT_TRUE(found[0]["ended_by_stream_end"].get<bool>());
  EXPECT_EQ(found[0]["end"]["frame"].get<int>(), frames_out - 1);
  // Every chunk of 20 frames had its peak explained, the last (partial) one included.
  EXPECT_EQ(static_cast<int>(found[0]["explained"].size()), (frames_out + 19) / 20);
  for (const json& explained : found[0]["explained"]) {
    EXPECT_FALSE(cv::imread(explained["snapshot"]["overlay"].get<std::string>()).empty());
  }
}

TEST_F(StreamExplain, WithoutExplainTheStreamWritesNoEventsOrSnapshots) {
  const fs::path out = dir_ / "plain" / "cam";
  EXPECT_FALSE(fs::exists(out / "events.jsonl"));
  EXPECT_FALSE(fs::exists(out / "snapshots"));
  EXPECT_FALSE(json::parse(std::ifstream(out / "summary.json")).contains("explain"));
}

// The product's promise on its own sample: the bundled model and config on the
// sample footage (made as `make demo` makes it) find every fight on time, raise no
// alarm outside one, and each event's peak heatmap is hottest on the fight.
TEST(SampleFootage, EveryFightFoundOnTimeAndExplainedOnTheFight) {
  setenv("GST_REGISTRY", DEEPBUG_GST_REGISTRY, 1);
  const fs::path dir =
      fs::path(::testing::TempDir()) / ("sample_footage_" + std::to_string(getpid()));
  fs::remove_all(dir);
  const auto made = runCommand(program("deepbug-synth") + " footage --seed 7 --out " +
                               (dir / "footage").string());
  ASSERT_EQ(made.exit_code, 0) << made.output;
  // config/cctv.yaml, which the demo runs: its model, events and overlay.
  const auto bench = runCommand(
      program("deepbug-bench") + " stream --footage " + (dir / "footage/sample.avi").string() +
          " --config " + DEEPBUG_SOURCE_DIR + "/config/cctv.yaml" + " --ground-truth " +
          (dir / "footage/ground_truth.json").string() + " --work-dir " + (dir / "runs").string(),
      /*keep_stderr=*/false);
  ASSERT_EQ(bench.exit_code, 0) << bench.output;
  const json truth = json::parse(bench.output)["against_ground_truth"];
  SCOPED_TRACE(truth.dump(1));
  std::ifstream truth_in(dir / "footage/ground_truth.json");
  const json fights = json::parse(truth_in)["fights"];
  ASSERT_EQ(fights.size(), 2u);
  EXPECT_EQ(truth["fights_missed"], 0);
  // One event per fight, from its start to its end within 1 s.
  std::vector<json> events;
  std::ifstream events_in(dir / "runs/archive/bench/events.jsonl");
  for (std::string line; std::getline(events_in, line);)
    events.push_back(json::parse(line));
  for (const json& fight : fights) {
    const double f0 = fight["start_s"], f1 = fight["end_s"];
    double first = 1e9, last = -1e9;
    int matching = 0;
    for (const json& e : events) {
      const double e0 = e["start"]["pts"], e1 = e["end"]["pts"];
      if (std::min(e1, f1) <= std::max(e0, f0)) continue;
      first = std::min(first, e0);
      last = std::max(last, e1);
      ++matching;
    }
    EXPECT_EQ(matching, 1) << "fight at " << f0 << " s";
    EXPECT_LE(std::abs(first - f0), 1.0) << "fight at " << f0 << " s";
    EXPECT_LE(std::abs(last - f1), 1.0) << "fight at " << f0 << " s";
    std::cout << "[ measured ] fight " << f0 << "–" << f1 << " s: " << matching << " event(s), "
              << first << "–" << last << " s\n";
  }
  EXPECT_EQ(truth["events_matching_no_fight"], 0);
  ASSERT_EQ(truth["events"].get<int>(), 2);
  EXPECT_EQ(truth["event_peaks_in_fight_box"], truth["events"]);
  for (const json& peak : truth["event_peaks"]) {
    EXPECT_TRUE(peak["explained"].get<bool>()) << "event " << peak["event"];
    EXPECT_TRUE(peak["hottest_in_fight_box"].get<bool>()) << "event " << peak["event"];
  }
}

}  // namespace
}  // namespace deepbug::test
