// deepbug-stream's monitoring server (web:, docs/web-api.md) against a running stream:
// a clip played as a camera whose white stretches the tiny model scores as events. The
// API and its pagination, the event stream delivering an event, the files it serves and
// the ones it refuses, the token and the Host check, the live view with a client that
// never reads (dropped by the server) while the recording stays lossless, config errors,
// and the page itself in Chromium. Every server binds port 0 on 127.0.0.1.
#include <gtest/gtest.h>
#include <netinet/in.h>
#include <signal.h>
#include <sys/socket.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>
#include <set>

#include "integration/decoded_frames.hpp"
#include "integration/process.hpp"
#include "support/http_client.hpp"

namespace deepbug::test {
namespace {

namespace fs = std::filesystem;
using nlohmann::json;
using std::chrono::seconds;

constexpr const char* kToken = "test-token-0123456789abcdef";
const std::string kBearer = std::string("Authorization: Bearer ") + kToken;

class StreamWeb : public ::testing::Test {
 protected:
  static void SetUpTestSuite() { setenv("GST_REGISTRY", DEEPBUG_GST_REGISTRY, 1); }

  void SetUp() override { dir_ = freshTestDir("stream_web"); }

  void TearDown() override {
    if (app_ > 0) {
      kill(app_, SIGKILL);
      waitForExit(app_, seconds(10));
    }
  }

  std::string path(const std::string& name) const { return (dir_ / name).string(); }

  // Black and white stretches at 15 fps: the tiny model scores white about 0.53 and black
  // about 0.23, so each white stretch is one event, written when the black after it
  // begins. 4 s black, 2 s white, 2 s black, 2 s white, then `tail` s of black.
  std::string makeClip(int tail_seconds) const {
    const std::string clip = path("clip.mp4");
    const std::string caps = " ! video/x-raw,width=320,height=180,framerate=15/1 ! c. ";
    std::string stretches;
    for (const auto& [pattern, frames] :
         std::vector<std::pair<std::string, int>>{{"black", 60},
                                                  {"white", 30},
                                                  {"black", 30},
                                                  {"white", 30},
                                                  {"black", 15 * tail_seconds}}) {
      stretches +=
          "videotestsrc pattern=" + pattern + " num-buffers=" + std::to_string(frames) + caps;
    }
    const ProcessResult made = runCommand(
        "gst-launch-1.0 -q concat name=c ! videoconvert ! x264enc speed-preset=ultrafast "
        "key-int-max=15 ! h264parse ! mp4mux ! filesink location=" +
        clip + " " + stretches);
    EXPECT_EQ(made.exit_code, 0) << made.output;
    return clip;
  }

  std::string writeConfig(const std::string& clip, const std::string& web) const {
    const std::string file = path("config.yaml");
    std::ofstream(file) << "sources:\n  - name: door\n    uri: " << clip
                        << "\n    mode: live\nmodel:\n  path: " << fixture("tiny")
                        << "\n  batch_size: 1\n  device: cpu\n"
                        << "overlay:\n  watch: aggressive\n"
                        << "explain:\n  threshold_on: 0.4\n  threshold_off: 0.3\n"
                        << "  min_frames: 3\n  gap_frames: 2\n"
                        << "live:\n  status_interval: 0.2\n"
                        << "outputs:\n  directory: " << path("out") << "\n"
                        << "web:\n"
                        << web;
    return file;
  }

  void startApp(const std::string& config) {
    app_ = spawnCommand(program("deepbug-stream") + " --config " + config, path("app.log"));
  }

  int waitApp() {
    const int code = waitForExit(app_, seconds(120));
    app_ = -1;
    return code;
  }

  // The bound port, from status.json's web.url once the server runs.
  int waitForPort() {
    int port = 0;
    waitUntil(
        [&] {
          std::ifstream in(path("out/status.json"));
          const json status = json::parse(in, nullptr, false);
          if (!status.is_object() || !status.contains("web")) return false;
          const std::string url = status["web"]["url"];
          port = std::stoi(url.substr(url.rfind(':') + 1));
          return true;
        },
        seconds(30));
    return port;
  }

  fs::path dir_;
  pid_t app_ = -1;
};

json bodyJson(const HttpResponse& response) {
  return json::parse(response.body, nullptr, false);
}

TEST_F(StreamWeb, ApiEventStreamFilesTokenAndALosslessRecording) {
  const std::string clip = makeClip(8);
  startApp(writeConfig(clip, "  listen: 127.0.0.1:0\n  token: " + std::string(kToken) +
                                 "\n  live_fps: 4\n  live_width: 160\n"));
  const int port = waitForPort();
  ASSERT_GT(port, 0) << readFile(path("app.log"));

  // The event stream, opened before any event: it must deliver them as they are written.
  HttpConnection events_stream(port);
  ASSERT_TRUE(events_stream.send("/api/stream", {kBearer}, port));
  // A live-view client that never reads: its socket buffer fills, the server's write to
  // it times out; the pipeline must not notice.
  HttpConnection stalled(port);
  const int tiny_buffer = 4096;
  setsockopt(stalled.fd(), SOL_SOCKET, SO_RCVBUF, &tiny_buffer, sizeof(tiny_buffer));
  ASSERT_TRUE(stalled.send("/live/door.mjpeg", {kBearer}, port));
  // And one that reads: its first frame whenever the pipeline gets going, then 2 s more.
  HttpConnection viewer(port);
  ASSERT_TRUE(viewer.send("/live/door.mjpeg", {kBearer}, port));
  const std::string part_header = "Content-Type: image/jpeg\r\n";
  const auto count = [&](const std::string& text) {
    std::size_t n = 0;
    for (auto at = text.find(part_header); at != std::string::npos;
         at = text.find(part_header, at + 1))
      ++n;
    return n;
  };
  std::string mjpeg = viewer.readUntil([&](const std::string& text) { return count(text) >= 1; },
                                       std::chrono::seconds(30));
  const std::size_t first = count(mjpeg);
  ASSERT_EQ(first, 1u) << "no live-view frame in 30 s";
  const auto viewed_from = std::chrono::steady_clock::now();
  mjpeg += viewer.readUntil([](const std::string&) { return false; }, std::chrono::seconds(2));
  const double viewed_seconds =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - viewed_from).count();
  const HttpResponse live = parseHttpResponse(mjpeg);
  EXPECT_EQ(live.status, 200);
  EXPECT_EQ(live.header("Content-Type"), "multipart/x-mixed-replace; boundary=frame");
  const std::string& parts = live.body;
  std::size_t jpegs = 0;
  for (auto at = parts.find(part_header); at != std::string::npos;
       at = parts.find(part_header, at + 1)) {
    const auto body = parts.find("\r\n\r\n", at) + 4;
    if (body + 2 > parts.size()) break;  // the last part, cut off by the read's end
    ++jpegs;
    EXPECT_EQ(static_cast<unsigned char>(parts[body]), 0xFF);  // a JPEG's SOI marker
    EXPECT_EQ(static_cast<unsigned char>(parts[body + 1]), 0xD8);
  }
  EXPECT_GE(jpegs, 1u);
  // At most live_fps frames a second to a client after the first.
  EXPECT_LE(static_cast<double>(count(mjpeg) - first), 4 * viewed_seconds + 1);

  const std::string pushed = events_stream.readUntil(
      [](const std::string& text) {
        std::size_t n = 0;
        for (auto at = text.find("event: new-event"); at != std::string::npos;
             at = text.find("event: new-event", at + 1))
          ++n;
        return n >= 2;
      },
      std::chrono::seconds(60));
  EXPECT_NE(pushed.find("event: status"), std::string::npos) << pushed.substr(0, 500);
  const auto first_event = pushed.find("event: new-event\ndata: ");
  ASSERT_NE(first_event, std::string::npos) << pushed.substr(0, 2000);
  const auto data_at = first_event + std::string("event: new-event\ndata: ").size();
  const json pushed_event =
      json::parse(pushed.substr(data_at, pushed.find('\n', data_at) - data_at));
  EXPECT_EQ(pushed_event["source"], "door");
  EXPECT_EQ(pushed_event["id"], 1);

  // Access: the token in three forms, the cookie it is exchanged for, a foreign Host.
  EXPECT_EQ(httpGet(port, "/api/sources").status, 401);
  EXPECT_EQ(httpGet(port, "/api/sources", {"Authorization: Bearer wrong-token-0123456789"}).status,
            401);
  EXPECT_EQ(httpGet(port, "/api/sources?token=wrong").status, 401);
  const HttpResponse exchanged = httpGet(port, std::string("/api/sources?token=") + kToken);
  EXPECT_EQ(exchanged.status, 200);
  const std::string cookie = exchanged.header("Set-Cookie");
  EXPECT_NE(cookie.find("HttpOnly"), std::string::npos) << cookie;
  EXPECT_NE(cookie.find("SameSite=Strict"), std::string::npos) << cookie;
  EXPECT_EQ(cookie.find(kToken), std::string::npos) << "the cookie is a session, not the token";
  EXPECT_EQ(httpGet(port, "/api/sources", {"Cookie: " + cookie.substr(0, cookie.find(';'))}).status,
            200);
  EXPECT_EQ(httpGet(port, "/api/sources", {kBearer, "Host: attacker.example:80"}).status, 403);

  const HttpResponse sources = httpGet(port, "/api/sources", {kBearer});
  ASSERT_EQ(sources.status, 200);
  const json listed = bodyJson(sources);
  ASSERT_EQ(listed["sources"].size(), 1u) << sources.body;
  EXPECT_EQ(listed["sources"][0]["source"], "door");
  EXPECT_EQ(listed["sources"][0]["live"], "/live/door.mjpeg");

  // Pagination, newest first; a filter; bad parameters.
  const json all = bodyJson(httpGet(port, "/api/events", {kBearer}));
  ASSERT_EQ(all["total"], 2) << all.dump();
  EXPECT_EQ(all["events"][0]["id"], 2);
  EXPECT_EQ(all["events"][1]["id"], 1);
  const json page2 = bodyJson(httpGet(port, "/api/events?limit=1&offset=1", {kBearer}));
  ASSERT_EQ(page2["events"].size(), 1u);
  EXPECT_EQ(page2["total"], 2);
  EXPECT_EQ(page2["events"][0]["id"], 1);
  EXPECT_EQ(bodyJson(httpGet(port, "/api/events?offset=2", {kBearer}))["events"].size(), 0u);
  EXPECT_EQ(bodyJson(httpGet(port, "/api/events?source=yard", {kBearer}))["total"], 0);
  const HttpResponse bad = httpGet(port, "/api/events?limit=many", {kBearer});
  EXPECT_EQ(bad.status, 400);
  EXPECT_NE(bodyJson(bad)["error"].get<std::string>().find("limit=many"), std::string::npos);
  EXPECT_EQ(httpGet(port, "/api/events/door/99", {kBearer}).status, 404);

  // One event with its frames and score curve; every file it links is served.
  const json event = bodyJson(httpGet(port, "/api/events/door/1", {kBearer}));
  ASSERT_TRUE(event.is_object());
  ASSERT_FALSE(event["explained"].empty()) << event.dump();
  const json& peak = event["explained"].front();
  for (const char* kind : {"frame", "heatmap", "overlay"}) {
    const std::string url = peak["snapshot"][kind];
    ASSERT_EQ(url.rfind("/files/door/snapshots/", 0), 0u) << url;
    const HttpResponse png = httpGet(port, url, {kBearer});
    EXPECT_EQ(png.status, 200) << url;
    EXPECT_EQ(png.header("Content-Type"), "image/png") << url;
    EXPECT_EQ(png.body.substr(1, 3), "PNG") << url;
  }
  ASSERT_FALSE(event["scores"].empty());
  double highest = 0;
  for (const json& s : event["scores"])
    highest = std::max(highest, s["score"].get<double>());
  EXPECT_GT(highest, 0.4) << "the curve holds the event's own scores";

  // Nothing outside the output folder, however the path is spelled.
  std::ofstream(path("secret.txt")) << "outside";
  fs::create_symlink(path("secret.txt"), path("out/door/escape.txt"));
  for (const std::string target :
       {"/files/../secret.txt", "/files/door/../../secret.txt", "/files/..%2Fsecret.txt",
        "/files/door%2F..%2F..%2Fsecret.txt", "/files/%2e%2e/secret.txt", "/files/door/escape.txt",
        "/files//etc/passwd", "/files/door/snapshots", "/../secret.txt",
        "/%2e%2e/%2e%2e/secret.txt"}) {
    const HttpResponse refused = httpGet(port, target, {kBearer});
    EXPECT_EQ(refused.status, 404) << target;
    EXPECT_EQ(refused.body.find("outside"), std::string::npos) << target;
  }
  EXPECT_EQ(httpGet(port, "/files/status.json", {kBearer}).status, 200);

  ASSERT_EQ(waitApp(), 0) << readFile(path("app.log"));
  // The stalled client cost the recording nothing.
  std::ifstream summary_in(path("out/door/summary.json"));
  const json summary = json::parse(summary_in);
  const int frames_in = summary["frames_in"];
  EXPECT_EQ(frames_in, 60 + 30 + 30 + 30 + 15 * 8) << summary.dump();
  EXPECT_EQ(summary["frames_out"], frames_in);
  EXPECT_EQ(decodedFrames(path("out/door/labelled.mp4")), frames_in);
}

TEST_F(StreamWeb, ALiveViewThatAcceptsNothingIsDroppedWhileTheRecordingKeepsEveryFrame) {
  // Snow, so that every live-view JPEG is large and a client that reads nothing fills
  // its socket buffers within seconds.
  const std::string config = path("config.yaml");
  std::ofstream(config) << "sources:\n  - name: door\n"
                        << "    uri: test:snow?width=320&height=180&fps=15&frames=3000\n"
                        << "model:\n  path: " << fixture("tiny")
                        << "\n  batch_size: 1\n  device: cpu\n"
                        << "live:\n  status_interval: 0.2\n"
                        << "outputs:\n  directory: " << path("out") << "\n"
                        << "web:\n  listen: 127.0.0.1:0\n  token: " << kToken
                        << "\n  live_fps: 15\n  live_width: 640\n";
  startApp(config);
  const int port = waitForPort();
  ASSERT_GT(port, 0) << readFile(path("app.log"));
  const auto liveViewers = [&] {
    const json sources = bodyJson(httpGet(port, "/api/sources", {kBearer}));
    if (!sources.is_object() || sources.value("sources", json::array()).empty()) return -1;
    return sources["sources"][0].value("live_viewers", -1);
  };
  ASSERT_EQ(liveViewers(), 0);

  HttpConnection stalled(port);
  const int tiny_buffer = 4096;
  setsockopt(stalled.fd(), SOL_SOCKET, SO_RCVBUF, &tiny_buffer, sizeof(tiny_buffer));
  ASSERT_TRUE(stalled.send("/live/door.mjpeg", {kBearer}, port));
  EXPECT_TRUE(waitUntil([&] { return liveViewers() == 1; }, seconds(30)))
      << "the live view never counted its client";
  // Still connected, never reading: once a write has waited 5 s the server gives up on
  // it.
  EXPECT_TRUE(waitUntil([&] { return liveViewers() == 0; }, seconds(90)))
      << "the stalled live view was never dropped";

  // The server still serves a new viewer.
  HttpConnection viewer(port);
  ASSERT_TRUE(viewer.send("/live/door.mjpeg", {kBearer}, port));
  const std::string frame = viewer.readUntil(
      [](const std::string& text) {
        const auto part = text.find("Content-Type: image/jpeg\r\n");
        return part != std::string::npos && text.find("\r\n\r\n", part) != std::string::npos;
      },
      seconds(30));
  EXPECT_NE(frame.find("Content-Type: image/jpeg"), std::string::npos) << frame.substr(0, 300);

  kill(app_, SIGINT);
  EXPECT_EQ(waitApp(), 130) << readFile(path("app.log"));
  std::ifstream summary_in(path("out/door/summary.json"));
  const json summary = json::parse(summary_in);
  EXPECT_GT(summary.value("frames_out", 0), 0) << summary.dump();
  EXPECT_EQ(summary["frames_in"], summary["frames_out"]) << summary.dump();
  EXPECT_EQ(decodedFrames(path("out/door/labelled.mp4")), summary.value("frames_out", 0));
}

TEST_F(StreamWeb, AnOpenAddressNeedsATokenAndABusyPortStopsTheRunBeforeItWrites) {
  const std::string clip = makeClip(1);
  const ProcessResult open = runCommand(program("deepbug-stream") + " --config " +
                                        writeConfig(clip, "  listen: 0.0.0.0:0\n"));
  EXPECT_EQ(open.exit_code, 2) << open.output;
  EXPECT_NE(open.output.find("web.listen '0.0.0.0:0' can be reached from other machines"),
            std::string::npos)
      << open.output;
  EXPECT_NE(open.output.find("web.token"), std::string::npos) << open.output;

  const ProcessResult short_token =
      runCommand(program("deepbug-stream") + " --config " + writeConfig(clip, "  token: abc\n"));
  EXPECT_EQ(short_token.exit_code, 2) << short_token.output;
  EXPECT_NE(short_token.output.find("web.token is shorter"), std::string::npos)
      << short_token.output;

  // A port taken by another program.
  const int busy = socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in address{};
  address.sin_family = AF_INET;
  address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  ASSERT_EQ(bind(busy, reinterpret_cast<sockaddr*>(&address), sizeof(address)), 0);
  ASSERT_EQ(listen(busy, 1), 0);
  socklen_t length = sizeof(address);
  getsockname(busy, reinterpret_cast<sockaddr*>(&address), &length);
  const int port = ntohs(address.sin_port);
  const ProcessResult taken =
      runCommand(program("deepbug-stream") + " --config " +
                 writeConfig(clip, "  listen: 127.0.0.1:" + std::to_string(port) + "\n"));
  close(busy);
  EXPECT_EQ(taken.exit_code, 2) << taken.output;
  EXPECT_NE(
      taken.output.find("web.listen '127.0.0.1:" + std::to_string(port) + "': cannot listen there"),
      std::string::npos)
      << taken.output;
  EXPECT_FALSE(fs::exists(path("out"))) << "nothing is written before the server is bound";
}

#if defined(DEEPBUG_NODE) && defined(DEEPBUG_BROWSER_CHECK) && defined(DEEPBUG_WEB_UI_BUILT)
// The page in Chromium: opened with ?token= (the cookie carries on), it shows the source
// and, once the first event is written, its heatmap overlay as a thumbnail — at desktop
// and phone width, with no console error, no broken image, no horizontal scroll.
TEST_F(StreamWeb, ThePageShowsTheSourceAndAnEventWithItsHeatmap) {
  ASSERT_TRUE(fs::exists(DEEPBUG_NODE) &&
              fs::exists(fs::path(DEEPBUG_BROWSER_CHECK).parent_path() / "node_modules"))
      << "node or tests/browser/node_modules missing: make deps installs them";
  const std::string clip = makeClip(20);
  startApp(writeConfig(clip, "  listen: 127.0.0.1:0\n  token: " + std::string(kToken) + "\n"));
  const int port = waitForPort();
  ASSERT_GT(port, 0) << readFile(path("app.log"));
  const std::string url =
      "http://127.0.0.1:" + std::to_string(port) + "/?token=" + std::string(kToken);
  for (const int width : {1280, 390}) {
    SCOPED_TRACE("width " + std::to_string(width));
    const std::string shot = path("page-" + std::to_string(width) + ".png");
    const ProcessResult page =
        runCommand(std::string(DEEPBUG_NODE) + " " + DEEPBUG_BROWSER_CHECK + " --page '" + url +
                       "' --screenshot " + shot + " --width " + std::to_string(width) +
                       " --wait-for 'img.thumb' --timeout 60000 --fail-on-overflow",
                   false);
    const json report = json::parse(page.output, nullptr, false);
    ASSERT_TRUE(report.is_object()) << page.output;
    EXPECT_EQ(page.exit_code, 0) << report.dump(1);
    EXPECT_TRUE(report["ok"].get<bool>()) << report.dump(1);
    EXPECT_TRUE(report["console_errors"].empty()) << report.dump(1);
    EXPECT_TRUE(report["broken_images"].empty()) << report.dump(1);
    EXPECT_FALSE(report["horizontal_overflow"].get<bool>()) << report.dump(1);
    EXPECT_GE(report["images"].get<int>(), 2) << "the live view and the event's overlay";
    EXPECT_TRUE(fs::exists(shot));
  }
  kill(app_, SIGINT);
  EXPECT_EQ(waitApp(), 130) << "stopped with Ctrl-C";
}
#endif

}  // namespace
}  // namespace deepbug::test
