// MonitorServer on its own, on 127.0.0.1 port 0: started and stopped at once (never
// hangs), an event stream opened before the first status, the page folder's files and
// none beside it, and the cap on streaming clients.
#include "web/monitor_server.hpp"

#include <gtest/gtest.h>

#include <memory>
#include <string>
#include <vector>

#include "support/http_client.hpp"
#include "web_test_dir.hpp"

namespace deepbug::web {
namespace {

namespace fs = std::filesystem;

class MonitorServerTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = test::freshTestDir("monitor_server");
    test::writeText(dir_ / "ui" / "index.html", "<!doctype html><title>page</title>");
    test::writeText(dir_ / "ui" / "assets" / "app.js", "console.log(1)");
    test::writeText(dir_ / "secret.txt", "beside the page folder");
    fs::create_directories(dir_ / "out");
  }

  std::unique_ptr<MonitorServer> makeServer() {
    MonitorSettings settings;
    settings.listen = parseListenAddress("127.0.0.1:0", 8090);
    settings.output_dir = dir_ / "out";
    settings.ui_dir = dir_ / "ui";
    return std::make_unique<MonitorServer>(settings, frames_, events_);
  }

  fs::path dir_;
  LiveFrames frames_;
  EventLog events_{dir_};
};

TEST_F(MonitorServerTest, StartedAndStoppedAtOnceItEnds) {
  for (int i = 0; i < 20; ++i) {
    auto server = makeServer();
    server->bind();
    ASSERT_GT(server->port(), 0);
    server->start();
    server->stop();
    EXPECT_FALSE(server->failed());
  }
  auto never_started = makeServer();
  never_started->bind();
  never_started->stop();
}

TEST_F(MonitorServerTest, AnEventStreamOpenedBeforeTheFirstStatusGetsAnEmptyOne) {
  auto server = makeServer();
  server->bind();
  server->start();
  test::HttpConnection stream(server->port());
  ASSERT_TRUE(stream.send("/api/stream", {}, server->port()));
  const std::string text = stream.readUntil(
      [](const std::string& t) {
        return t.find("\n\n", t.find("event: status")) != std::string::npos;
      },
      std::chrono::seconds(20));
  EXPECT_NE(text.find("event: status\ndata: {\"running\":true,\"sources\":[],\"updated\":0"),
            std::string::npos)
      << text;
  server->stop();
}

TEST_F(MonitorServerTest, ThePageFolderIsServedAndNothingBesideIt) {
  auto server = makeServer();
  server->bind();
  server->start();
  const int port = server->port();
  const test::HttpResponse page = test::httpGet(port, "/");
  EXPECT_EQ(page.status, 200);
  EXPECT_EQ(page.body, "<!doctype html><title>page</title>");
  EXPECT_EQ(page.header("Content-Type"), "text/html; charset=utf-8");
  EXPECT_EQ(test::httpGet(port, "/assets/app.js").status, 200);
  for (const std::string target :
       {"/../secret.txt", "/%2e%2e/secret.txt", "/..%2Fsecret.txt", "/assets/../../secret.txt",
        "/assets/..%2F..%2Fsecret.txt", "//secret.txt", "/files/../secret.txt"}) {
    const test::HttpResponse refused = test::httpGet(port, target);
    EXPECT_EQ(refused.status, 404) << target;
    EXPECT_EQ(refused.body.find("beside the page folder"), std::string::npos) << target;
  }
  server->stop();
}

TEST_F(MonitorServerTest, StreamingClientsBeyondTheCapAreTurnedAway) {
  auto server = makeServer();
  server->bind();
  server->start();
  const int port = server->port();
  std::vector<std::unique_ptr<test::HttpConnection>> open;
  for (int i = 0; i < 24; ++i) {
    open.push_back(std::make_unique<test::HttpConnection>(port));
    ASSERT_TRUE(open.back()->send("/api/stream", {}, port));
    // Held once its greeting arrived.
    const std::string greeting = open.back()->readUntil(
        [](const std::string& t) { return t.find("event: status") != std::string::npos; },
        std::chrono::seconds(20));
    ASSERT_NE(greeting.find("200 OK"), std::string::npos) << i << ": " << greeting;
  }
  const test::HttpResponse refused = test::httpGet(port, "/api/stream");
  EXPECT_EQ(refused.status, 503) << refused.body;
  // Short requests are still answered.
  EXPECT_EQ(test::httpGet(port, "/api/sources").status, 200);
  open.clear();
  server->stop();
}

}  // namespace
}  // namespace deepbug::web
