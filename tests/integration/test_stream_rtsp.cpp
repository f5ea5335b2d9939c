// deepbug-stream's RTSP re-stream (outputs.rtsp): a GStreamer client (rtspsrc, as VLC or
// an NVR would connect) decodes the labelled stream while the recording keeps every
// frame; Basic authentication; a port in use and an open address without a password
// are config errors. Every server binds port 0, so parallel tests never collide.
#include <arpa/inet.h>
#include <gtest/gtest.h>
#include <netinet/in.h>
#include <signal.h>
#include <sys/socket.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>
#include <regex>

#include "integration/decoded_frames.hpp"
#include "integration/process.hpp"

namespace deepbug::test {
namespace {

namespace fs = std::filesystem;
using nlohmann::json;
using std::chrono::seconds;

// What a client got: the frames it decoded, and how it ended.
struct Viewing {
  int frames = 0;
  ProcessResult run;
};

// A client that decodes up to `frames` frames within 30 s. Success is judged by the
// frames that reached its sink, not its exit code: after its last frame the client
// stops reading and tears down, and a server that has closed the connection by then
// (a client that stops reading is dropped) makes the teardown report an error.
Viewing watch(const std::string& url, const std::string& credentials, int frames = 10) {
  Viewing viewing;
  viewing.run = runCommand("timeout 30 gst-launch-1.0 -v rtspsrc location=" + url +
                           " protocols=tcp latency=100 " + credentials +
                           " ! rtph264depay ! h264parse ! avdec_h264 ! identity eos-after=" +
                           std::to_string(frames) + " ! fakesink name=screen silent=false");
  const std::regex decoded(R"(screen: last-message = chain)");
  viewing.frames = static_cast<int>(std::distance(
      std::sregex_iterator(viewing.run.output.begin(), viewing.run.output.end(), decoded),
      std::sregex_iterator()));
  return viewing;
}

class StreamRtsp : public ::testing::Test {
 protected:
  static void SetUpTestSuite() { setenv("GST_REGISTRY", DEEPBUG_GST_REGISTRY, 1); }

  void SetUp() override { dir_ = freshTestDir("stream_rtsp"); }

  void TearDown() override {
    if (app_ > 0) {
      kill(app_, SIGKILL);
      waitForExit(app_, seconds(10));
    }
  }

  std::string path(const std::string& name) const { return (dir_ / name).string(); }

  // A test pattern of `frames` frames at 15 fps, re-streamed with `rtsp` (its keys).
  std::string writeConfig(const std::string& rtsp, int frames = 900) const {
    const std::string file = path("config.yaml");
    std::ofstream(file) << "sources:\n  - name: door\n    uri: test:ball?width=320&height=180"
                        << "&fps=15&frames=" << frames << "\n"
                        << "model:\n  path: " << fixture("tiny")
                        << "\n  batch_size: 1\n  device: cpu\n"
                        << "live:\n  status_interval: 0.2\n"
                        << "outputs:\n  directory: " << path("out") << "\n"
                        << "  encoder:\n    keyframe_seconds: 1\n"
                        << "  rtsp:\n"
                        << rtsp;
    return file;
  }

  void startApp(const std::string& config, const std::string& env = "") {
    app_ = spawnCommand(env + program("deepbug-stream") + " --config " + config, path("app.log"));
  }

  int stopApp() {
    kill(app_, SIGINT);
    const int code = waitForExit(app_, seconds(60));
    app_ = -1;
    return code;
  }

  json readJson(const std::string& name) const {
    std::ifstream in(path(name));
    try {
      return in ? json::parse(in) : json::object();
    } catch (const json::exception&) {
      return json::object();
    }
  }

  // The source's URL from status.json once it records, or "".
  std::string waitForUrl() const {
    std::string url;
    waitUntil(
        [&] {
          for (const json& s : readJson("out/status.json").value("sources", json::array())) {
            if (s.value("frames_out", 0) > 0) url = s.value("rtsp", "");
          }
          return !url.empty();
        },
        seconds(60));
    return url;
  }

  void expectEveryFrameRecorded() {
    const json summary = readJson("out/door/summary.json");
    EXPECT_GT(summary.value("frames_out", 0), 0) << summary.dump(1);
    EXPECT_EQ(summary["frames_in"], summary["frames_out"]) << summary.dump(1);
    EXPECT_EQ(decodedFrames(path("out/door/labelled.mp4")), summary.value("frames_out", 0));
  }

  fs::path dir_;
  pid_t app_ = -1;
};

TEST_F(StreamRtsp, AClientDecodesTheLabelledStreamWhileTheRecordingKeepsEveryFrame) {
  startApp(writeConfig("    port: 0\n"));
  const std::string url = waitForUrl();
  ASSERT_TRUE(std::regex_match(url, std::regex(R"(rtsp://127\.0\.0\.1:\d+/door)")))
      << url << "\n"
      << readFile(path("app.log"));
  EXPECT_NE(readFile(path("app.log")).find("door re-streamed at " + url), std::string::npos);

  const Viewing first = watch(url, "");
  EXPECT_GE(first.frames, 10) << first.run.output << "\n" << readFile(path("app.log"));
  // The first client gone, a second one gets a fresh media.
  const Viewing second = watch(url, "");
  EXPECT_GE(second.frames, 10) << second.run.output;
  // No such mount.
  const Viewing nobody = watch(url + "-nobody", "");
  EXPECT_EQ(nobody.frames, 0) << nobody.run.output;
  EXPECT_NE(nobody.run.exit_code, 0) << nobody.run.output;

  EXPECT_EQ(stopApp(), 130) << readFile(path("app.log"));
  expectEveryFrameRecorded();
}

TEST_F(StreamRtsp, APasswordKeepsOutClientsWithoutIt) {
  startApp(writeConfig("    port: 0\n    user: nvr\n    password: ${DEEPBUG_TEST_RTSP_PASSWORD}\n"),
           "env DEEPBUG_TEST_RTSP_PASSWORD=Open-Sesame-7 ");
  const std::string url = waitForUrl();
  ASSERT_FALSE(url.empty()) << readFile(path("app.log"));

  const Viewing anonymous = watch(url, "");
  EXPECT_EQ(anonymous.frames, 0) << anonymous.run.output;
  EXPECT_NE(anonymous.run.exit_code, 0) << anonymous.run.output;
  EXPECT_NE(anonymous.run.output.find("Unauthorized"), std::string::npos) << anonymous.run.output;
  const Viewing wrong = watch(url, "user-id=nvr user-pw=guess");
  EXPECT_EQ(wrong.frames, 0) << wrong.run.output;
  EXPECT_NE(wrong.run.output.find("Unauthorized"), std::string::npos) << wrong.run.output;
  const Viewing viewer = watch(url, "user-id=nvr user-pw=Open-Sesame-7");
  EXPECT_GE(viewer.frames, 10) << viewer.run.output << "\n" << readFile(path("app.log"));

  EXPECT_EQ(stopApp(), 130) << readFile(path("app.log"));
  expectEveryFrameRecorded();
  for (const std::string file : {"app.log", "out/status.json", "out/door/summary.json"}) {
    EXPECT_EQ(readFile(path(file)).find("Open-Sesame-7"), std::string::npos) << file;
  }
}

TEST_F(StreamRtsp, APortInUseIsAConfigErrorBeforeAnythingIsWritten) {
  const int taken = socket(AF_INET, SOCK_STREAM, 0);
  ASSERT_GE(taken, 0);
  sockaddr_in address{};
  address.sin_family = AF_INET;
  address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  ASSERT_EQ(bind(taken, reinterpret_cast<sockaddr*>(&address), sizeof address), 0);
  ASSERT_EQ(listen(taken, 1), 0);
  socklen_t size = sizeof address;
  ASSERT_EQ(getsockname(taken, reinterpret_cast<sockaddr*>(&address), &size), 0);
  const int port = ntohs(address.sin_port);

  const ProcessResult run = runCommand(program("deepbug-stream") + " --config " +
                                       writeConfig("    port: " + std::to_string(port) + "\n", 30));
  close(taken);
  EXPECT_EQ(run.exit_code, 2) << run.output;
  EXPECT_NE(run.output.find("config.yaml:"), std::string::npos) << run.output;
  EXPECT_NE(run.output.find("outputs.rtsp cannot listen on 127.0.0.1 port " + std::to_string(port)),
            std::string::npos)
      << run.output;
  EXPECT_FALSE(fs::exists(path("out"))) << "nothing is written";
}

TEST_F(StreamRtsp, AnOpenAddressWithoutAPasswordIsAConfigError) {
  const ProcessResult run = runCommand(program("deepbug-stream") + " --config " +
                                       writeConfig("    port: 0\n    address: 0.0.0.0\n", 30));
  EXPECT_EQ(run.exit_code, 2) << run.output;
  EXPECT_NE(run.output.find("config.yaml:16:14: 'outputs.rtsp.address' 0.0.0.0"), std::string::npos)
      << run.output;
  EXPECT_NE(run.output.find("password"), std::string::npos) << run.output;
  EXPECT_FALSE(fs::exists(path("out")));
}

}  // namespace
}  // namespace deepbug::test
