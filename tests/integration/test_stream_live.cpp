// deepbug-stream on live sources: a real RTSP camera (gst-rtsp-server on 127.0.0.1)
// that goes away and comes back, a camera that never answers, live test patterns faster
// than the classifier, segments with retention, and credentials that must stay secret.
// Every wait polls a condition (status.json, summary.json); none is a bare sleep.
#include <gtest/gtest.h>
#include <signal.h>
#include <sys/wait.h>

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>
#include <regex>
#include <sstream>

#include "integration/process.hpp"

namespace deepbug::test {
namespace {

namespace fs = std::filesystem;
using nlohmann::json;
using std::chrono::seconds;

json readJsonOr(const fs::path& path, json fallback = json::object()) {
  std::ifstream in(path);
  if (!in) return fallback;
  try {
    return json::parse(in);
  } catch (const json::exception&) {
    return fallback;  // never happens with the atomic rewrite; tolerated anyway
  }
}

struct Decoded {
  int frames = -1;        // frames a real decoder gets out of the file
  bool monotonic = true;  // their presentation times strictly increase
  int width = 0, height = 0;
};

// Decodes with GStreamer (demuxer, parser, decoder) and reads each decoded frame's
// timestamp from identity's per-buffer messages.
Decoded decode(const std::string& path) {
  const std::string demux =
      path.size() > 4 && path.substr(path.size() - 4) == ".mkv" ? "matroskademux" : "qtdemux";
  const ProcessResult run =
      runCommand("gst-launch-1.0 -v filesrc location=" + path + " ! " + demux +
                     " ! h264parse ! avdec_h264 ! identity silent=false ! "
                     "fakesink",
                 false);
  Decoded d;
  if (run.exit_code != 0) return d;
  d.frames = 0;
  std::smatch size;
  if (std::regex_search(run.output, size,
                        std::regex(R"(avdec_h264.*src: caps = video/x-raw.*?width=\(int\)(\d+), )"
                                   R"(height=\(int\)(\d+))"))) {
    d.width = std::stoi(size[1]);
    d.height = std::stoi(size[2]);
  }
  const std::regex pts(R"(chain.*?pts: (\d+):(\d+):(\d+\.\d+))");
  double last = -1;
  for (auto it = std::sregex_iterator(run.output.begin(), run.output.end(), pts);
       it != std::sregex_iterator(); ++it) {
    const double t = std::stod((*it)[1]) * 3600 + std::stod((*it)[2]) * 60 + std::stod((*it)[3]);
    if (d.frames > 0 && t <= last) d.monotonic = false;
    last = t;
    ++d.frames;
  }
  return d;
}

// The test camera: deepbug-rtsp-test-server, stopped and restarted on the same port.
class RtspCamera {
 public:
  RtspCamera(std::string log, std::string credentials)
      : log_(std::move(log)), credentials_(std::move(credentials)) {}
  ~RtspCamera() { stop(); }

  // Starts on `port` (0: any free one) sending `width`×`height`; returns the camera's URI
  // without credentials.
  std::string start(int port, int width = 320, int height = 180) {
    const std::string command = program("deepbug-rtsp-test-server") + " --port " +
                                std::to_string(port) + " --mount /cam --width " +
                                std::to_string(width) + " --height " + std::to_string(height) +
                                " --fps 15" + credentials_;
    std::filesystem::remove(log_);  // never read the READY line of an earlier start
    pid_ = spawnCommand(command, log_);
    std::smatch match;
    const std::regex ready(R"(READY (rtsp://127\.0\.0\.1:(\d+)/cam))");
    std::string text;
    waitUntil(
        [&] {
          text = readFile(log_);
          return std::regex_search(text, match, ready);
        },
        seconds(20));
    if (match.empty()) return {};
    port_ = std::stoi(match[2]);
    return match[1];
  }

  void stop() {
    if (pid_ <= 0) return;
    kill(pid_, SIGTERM);
    waitForExit(pid_, seconds(20));
    pid_ = -1;
  }

  int port() const { return port_; }

 private:
  std::string log_;
  std::string credentials_;
  pid_t pid_ = -1;
  int port_ = 0;
};

class StreamLive : public ::testing::Test {
 protected:
  static void SetUpTestSuite() { setenv("GST_REGISTRY", DEEPBUG_GST_REGISTRY, 1); }

  void SetUp() override { dir_ = freshTestDir("stream_live"); }

  void TearDown() override {
    if (app_ > 0) {
      kill(app_, SIGKILL);
      waitForExit(app_, seconds(10));
    }
  }

  std::string path(const std::string& name) const { return (dir_ / name).string(); }

  std::string writeConfig(const std::string& sources, const std::string& model,
                          const std::string& extra) const {
    const std::string file = path("config.yaml");
    std::ofstream(file) << "sources:\n"
                        << sources << "model:\n  path: " << model
                        << "\n  batch_size: 1\n  device: cpu\n"
                        << "overlay:\n  watch: aggressive\n"
                        << "live:\n  status_interval: 0.2\n  reconnect:\n    timeout: 2\n"
                        << "    initial_delay: 0.3\n    max_delay: 1\n"
                        << extra << "outputs:\n  directory: " << path("out") << "\n";
    return file;
  }

  void startApp(const std::string& config, const std::string& env = "") {
    app_ = spawnCommand(
        env + program("deepbug-stream") + " --config " + config + " --status-every 0.5",
        path("app.log"));
  }

  int stopApp() {
    kill(app_, SIGINT);
    const int code = waitForExit(app_, seconds(60));
    app_ = -1;
    return code;
  }

  int waitApp(seconds timeout) {
    const int code = waitForExit(app_, timeout);
    app_ = -1;
    return code;
  }

  json status(const std::string& source) const {
    const json all = readJsonOr(path("out/status.json"));
    for (const json& s : all.value("sources", json::array())) {
      if (s.value("source", "") == source) return s;
    }
    return json::object();
  }

  std::uint64_t framesIn(const std::string& source) const {
    return status(source).value("frames_in", std::uint64_t{0});
  }

  struct Outage {
    std::uint64_t frames_before = 0;  // frames in when the app saw the camera gone
    double seconds_to_frames = 0;     // from stopping the camera to 30 frames after it
  };

  // Once `source` has 30 frames, the camera goes away; once the app has noticed, it comes
  // back sending `width`×`height`; returns when 30 more frames came in after a reconnect.
  void restartCamera(RtspCamera& camera, const std::string& source, int width, int height,
                     Outage* outage) {
    ASSERT_TRUE(waitUntil([&] { return framesIn(source) >= 30; }, seconds(60)))
        << readFile(path("app.log"));
    camera.stop();
    const auto stopped = std::chrono::steady_clock::now();
    ASSERT_TRUE(
        waitUntil([&] { return status(source).value("input", "") != "streaming"; }, seconds(20)))
        << readFile(path("app.log"));
    outage->frames_before = framesIn(source);
    ASSERT_FALSE(camera.start(camera.port(), width, height).empty())
        << readFile(path("camera.log"));
    ASSERT_TRUE(waitUntil(
        [&] {
          const json s = status(source);
          return s.value("reconnects", 0) >= 1 &&
                 s.value("frames_in", std::uint64_t{0}) >= outage->frames_before + 30;
        },
        seconds(60)))
        << readFile(path("app.log"));
    outage->seconds_to_frames =
        std::chrono::duration<double>(std::chrono::steady_clock::now() - stopped).count();
  }

  fs::path dir_;
  pid_t app_ = -1;
};

TEST_F(StreamLive, RtspCameraThatRestartsIsReconnectedWithoutLosingTheRecording) {
  RtspCamera camera(path("camera.log"), " --user viewer --password Sesame-42");
  const std::string uri = camera.start(0);
  ASSERT_FALSE(uri.empty()) << readFile(path("camera.log"));
  const std::string config =
      writeConfig("  - name: door\n    uri: " + uri +
                      "\n    user: viewer\n    password: ${DEEPBUG_TEST_CAMERA_PASSWORD}\n",
                  fixture("tiny"), "");
  startApp(config, "env DEEPBUG_TEST_CAMERA_PASSWORD=Sesame-42 ");

  Outage outage;
  ASSERT_NO_FATAL_FAILURE(restartCamera(camera, "door", 320, 180, &outage));
  const std::uint64_t before = outage.frames_before;
  const double reconnect_seconds = outage.seconds_to_frames;
  EXPECT_EQ(stopApp(), 130) << readFile(path("app.log"));

  const json summary = readJsonOr(path("out/door/summary.json"));
  ASSERT_TRUE(summary.contains("live")) << summary.dump(1);
  EXPECT_EQ(summary["mode"], "live");
  EXPECT_GE(summary["live"]["reconnects"].get<int>(), 1) << summary.dump(1);
  ASSERT_FALSE(summary["live"]["outages"].empty());
  EXPECT_GT(summary["live"]["outages"][0]["seconds"].get<double>(), 0.0);
  EXPECT_EQ(summary["frames_in"], summary["frames_out"]) << summary.dump(1);
  const Decoded video = decode(path("out/door/labelled.mp4"));
  EXPECT_EQ(video.frames, summary["frames_out"].get<int>());
  EXPECT_TRUE(video.monotonic);
  std::cout << "reconnect timeline: outage " << summary["live"]["outages"][0].dump()
            << ", frames before the outage " << before << ", frames recorded "
            << summary["frames_out"] << ", test saw frames again " << reconnect_seconds
            << " s after stopping the camera\n";

  // The password reached the camera (frames arrived) and nothing else.
  for (const std::string file : {"app.log", "out/status.json", "out/door/summary.json"}) {
    EXPECT_EQ(readFile(path(file)).find("Sesame-42"), std::string::npos) << file;
  }
}

// A camera back at another resolution after a reconnect: the file in progress is
// finished and the recording continues in labelled-2; both decode at their own size,
// together they hold every frame, and the classifier goes on with the new size. (mp4mux
// could write both sizes into one file, which many players mishandle; matroskamux
// refuses the change and would end the recording.)
TEST_F(StreamLive, ACameraBackAtAnotherResolutionContinuesInANewFile) {
  struct Case {
    std::string container;
    bool segmented;  // one long segment: the change must start the next one
  };
  for (const Case& c : {Case{"mp4", false}, Case{"mkv", false}, Case{"mp4", true}}) {
    SCOPED_TRACE(c.container + (c.segmented ? " segmented" : ""));
    fs::remove_all(path("out"));
    RtspCamera camera(path("camera.log"), "");
    const std::string uri = camera.start(0, 320, 180);
    ASSERT_FALSE(uri.empty()) << readFile(path("camera.log"));
    const std::string config =
        writeConfig("  - name: door\n    uri: " + uri + "\n", fixture("tiny"), "");
    std::ofstream(config, std::ios::app) << "  container: " << c.container << "\n"
                                         << (c.segmented ? "  segment_seconds: 600\n" : "");
    startApp(config);
    Outage outage;
    ASSERT_NO_FATAL_FAILURE(restartCamera(camera, "door", 352, 288, &outage));
    const std::uint64_t before = outage.frames_before;
    EXPECT_EQ(stopApp(), 130) << readFile(path("app.log"));

    const json summary = readJsonOr(path("out/door/summary.json"));
    EXPECT_TRUE(summary["error"].is_null()) << summary.dump(1);
    std::vector<std::string> files;
    if (c.segmented) {
      for (const auto& entry : fs::directory_iterator(path("out/door"))) {
        if (entry.path().extension() == ".mp4") files.push_back(entry.path().string());
      }
      std::sort(files.begin(), files.end());  // time-named: in recording order
      EXPECT_EQ(summary["segments"]["opened"], 2) << summary.dump(1);
    } else {
      files = {path("out/door/labelled." + c.container),
               path("out/door/labelled-2." + c.container)};
      EXPECT_EQ(summary["files"], json(files)) << summary.dump(1);
    }
    ASSERT_EQ(files.size(), 2u);
    const Decoded first = decode(files[0]);
    const Decoded second = decode(files[1]);
    EXPECT_EQ(first.width, 320);
    EXPECT_EQ(first.height, 180);
    EXPECT_EQ(second.width, 352);
    EXPECT_EQ(second.height, 288);
    EXPECT_GE(first.frames, static_cast<int>(before));
    EXPECT_GE(second.frames, 30);
    EXPECT_EQ(first.frames + second.frames, summary["frames_out"].get<int>()) << summary.dump(1);
    EXPECT_EQ(summary["frames_in"], summary["frames_out"]);
    EXPECT_TRUE(first.monotonic);
    EXPECT_TRUE(second.monotonic);

    // Frames of the new size were classified, not only carried.
    std::vector<std::string> rows;
    std::istringstream lines(readFile(path("out/door/scores.csv")));
    for (std::string line; std::getline(lines, line);)
      rows.push_back(line);
    ASSERT_EQ(rows.size(), summary["frames_in"].get<std::size_t>() + 1)
        << "a header and every frame";
    int classified_after = 0;
    for (std::size_t i = 1 + static_cast<std::size_t>(std::max(0, first.frames)); i < rows.size();
         ++i) {
      classified_after += rows[i].find(",1,") != std::string::npos ? 1 : 0;
    }
    EXPECT_GT(classified_after, 0);
  }
}

TEST_F(StreamLive, ACameraThatNeverAnswersDoesNotStopTheOthers) {
  // A port nobody listens on (connection refused, again and again) and a webcam that
  // does not exist.
  const std::string config = writeConfig(
      "  - name: dead\n    uri: rtsp://nobody:Hidden-99@127.0.0.1:9/cam\n"
      "  - name: webcam\n    uri: v4l2:///dev/deepbug-no-such-video\n"
      "  - name: pattern\n    uri: test:ball?width=320&height=180&fps=15&frames=45\n",
      fixture("tiny"), "");
  startApp(config);
  ASSERT_TRUE(waitUntil([&] { return fs::exists(path("out/pattern/summary.json")); }, seconds(60)))
      << readFile(path("app.log"));
  ASSERT_TRUE(waitUntil(
      [&] {
        const json dead = status("dead");
        return dead.contains("input") && dead["input"] != "connecting";
      },
      seconds(20)));
  EXPECT_EQ(stopApp(), 130) << readFile(path("app.log"));

  const json good = readJsonOr(path("out/pattern/summary.json"));
  EXPECT_EQ(good["frames_in"], 45) << good.dump(1);
  EXPECT_EQ(good["frames_out"], 45);
  EXPECT_EQ(decode(path("out/pattern/labelled.mp4")).frames, 45);
  const json dead = readJsonOr(path("out/dead/summary.json"));
  EXPECT_EQ(dead["frames_in"], 0) << dead.dump(1);
  EXPECT_EQ(dead["uri"], "rtsp://nobody:***@127.0.0.1:9/cam");
  EXPECT_FALSE(dead["warnings"].empty());
  const json webcam = readJsonOr(path("out/webcam/summary.json"));
  EXPECT_EQ(webcam["frames_in"], 0) << webcam.dump(1);
  EXPECT_NE(webcam["warnings"].dump().find("/dev/deepbug-no-such-video"), std::string::npos)
      << webcam.dump(1);
  for (const std::string file : {"app.log", "out/status.json", "out/dead/summary.json"}) {
    EXPECT_EQ(readFile(path(file)).find("Hidden-99"), std::string::npos) << file;
  }
}

TEST_F(StreamLive, ACameraGoneLongerThanGiveUpAfterEndsItsSourceWithAnError) {
  const std::string config = writeConfig("  - name: gone\n    uri: rtsp://127.0.0.1:9/cam\n",
                                         fixture("tiny"), "    give_up_after: 1.5\n");
  startApp(config);
  EXPECT_EQ(waitApp(seconds(60)), 1) << readFile(path("app.log"));
  const json summary = readJsonOr(path("out/gone/summary.json"));
  EXPECT_NE(summary.value("error", "").find("give_up_after"), std::string::npos) << summary.dump(1);
  EXPECT_EQ(summary["frames_in"], 0);
}

TEST_F(StreamLive, ASourceFasterThanTheClassifierNeverLosesAFrame) {
  // The report's CNN needs ~0.15 s a frame on two CPU cores; the pattern sends 30 a second.
  const std::string model =
      std::string(DEEPBUG_SOURCE_DIR) + "/samples/models/report-cnn-synthetic.pt";
  const std::string config =
      writeConfig("  - name: fast\n    uri: test:ball?width=320&height=180&fps=30&frames=120\n",
                  model, "  max_lag: 0.1\n");
  startApp(config);
  EXPECT_EQ(waitApp(seconds(120)), 0) << readFile(path("app.log"));
  const json summary = readJsonOr(path("out/fast/summary.json"));
  EXPECT_EQ(summary["frames_in"], 120) << summary.dump(1);
  EXPECT_EQ(summary["frames_out"], 120);
  const int classified = summary["frames_classified"];
  const int skipped = summary["frames_skipped"];
  // Every frame was either classified or skipped for lateness (how many of each depends
  // on the machine's speed; the skip rule itself is ClassifyElement's test-clock test).
  EXPECT_EQ(classified + skipped, 120) << summary.dump(1);
  EXPECT_GT(classified, 0);
  EXPECT_EQ(decode(path("out/fast/labelled.mp4")).frames, 120);
}

TEST_F(StreamLive, SegmentsBeyondTheRetentionLimitAreDeletedNewestKept) {
  const std::string config =
      writeConfig("  - name: seg\n    uri: test:ball?width=320&height=180&fps=30&frames=180\n",
                  fixture("tiny"), "");
  std::ofstream(config, std::ios::app)
      << "  segment_seconds: 1\n  retention:\n    max_size_mib: 0.001\n"
      << "  encoder:\n    keyframe_seconds: 0.5\n";
  startApp(config);
  EXPECT_EQ(waitApp(seconds(120)), 0) << readFile(path("app.log"));
  const json summary = readJsonOr(path("out/seg/summary.json"));
  ASSERT_TRUE(summary.contains("segments")) << summary.dump(1);
  const int opened = summary["segments"]["opened"];
  const int deleted = summary["segments"]["deleted"];
  EXPECT_GE(opened, 4) << summary.dump(1);
  EXPECT_GE(deleted, 2);
  std::vector<fs::path> left;
  for (const auto& entry : fs::directory_iterator(path("out/seg"))) {
    if (entry.path().extension() == ".mp4") left.push_back(entry.path());
  }
  EXPECT_EQ(static_cast<int>(left.size()), opened - deleted);
  const std::string newest = summary["segments"]["current"];
  ASSERT_TRUE(fs::exists(newest));
  EXPECT_GT(decode(newest).frames, 0);
  EXPECT_NE(fs::path(newest).filename().string().find("labelled-"), std::string::npos);
}

TEST_F(StreamLive, FilesPlayedAsCamerasWithADisplay) {
  const std::string clip = path("clip.mp4");
  const ProcessResult made = runCommand(
      "gst-launch-1.0 -q videotestsrc pattern=ball num-buffers=40 ! video/x-raw,width=320,"
      "height=180,framerate=20/1 ! videoconvert ! x264enc speed-preset=ultrafast ! h264parse ! "
      "mp4mux ! filesink location=" +
      clip);
  ASSERT_EQ(made.exit_code, 0) << made.output;
  const std::string config =
      writeConfig("  - name: replay\n    uri: " + clip + "\n    mode: live\n", fixture("tiny"), "");
  std::ofstream(config, std::ios::app) << "  display: true\n  display_sink: fakesink\n";
  const auto started = std::chrono::steady_clock::now();
  startApp(config);
  EXPECT_EQ(waitApp(seconds(60)), 0) << readFile(path("app.log"));
  const double wall =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count();
  EXPECT_GE(wall, 1.9);  // 40 frames at 20 fps are paced, not decoded at once
  const json summary = readJsonOr(path("out/replay/summary.json"));
  EXPECT_EQ(summary["mode"], "live");
  EXPECT_EQ(summary["frames_out"], 40) << summary.dump(1);
  EXPECT_EQ(decode(path("out/replay/labelled.mp4")).frames, 40);
}

}  // namespace
}  // namespace deepbug::test
