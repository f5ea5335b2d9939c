// The live keys of deepbug-stream's config: sources, live:, outputs segments/retention.
#include <gtest/gtest.h>
#include <unistd.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>

#include "config.hpp"
#include "core/error.hpp"

namespace deepbug::stream {
namespace {
namespace fs = std::filesystem;

class ConfigLive : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = fs::temp_directory_path() /
           ("deepbug-config-live-" + std::to_string(getpid()) + "-" +
            ::testing::UnitTest::GetInstance()->current_test_info()->name());
    fs::create_directories(dir_);
    std::ofstream(dir_ / "model.pt") << "not read by the config";
    std::ofstream(dir_ / "clip.mp4") << "not read by the config";
  }
  void TearDown() override { fs::remove_all(dir_); }

  StreamConfig load(const std::string& sources, const std::string& rest = "") {
    const fs::path file = dir_ / "c.yaml";
    std::ofstream(file) << "sources:\n"
                        << sources << "model:\n  path: model.pt\n"
                        << rest << "outputs:\n  directory: out\n";
    return loadConfig(file.string(), {});
  }

  std::string error(const std::string& sources, const std::string& rest = "") {
    try {
      load(sources, rest);
    } catch (const ConfigError& e) {
      return std::string(e.what()) + " | " + e.hint();
    }
    return "no error";
  }

  fs::path dir_;
};

TEST_F(ConfigLive, CameraSourcesAreLiveWithCredentialsFromTheEnvironment) {
  setenv("DEEPBUG_TEST_CAM_PASSWORD", "hunter2", 1);
  const StreamConfig c = load(
      "  - name: gate\n    uri: rtsp://10.1.1.5/stream\n    user: viewer\n"
      "    password: ${DEEPBUG_TEST_CAM_PASSWORD}\n    protocols: udp\n    latency_ms: 500\n"
      "  - name: lobby\n    uri: rtsp://op:pw%21@10.1.1.6/s\n"
      "  - name: demo\n    uri: clip.mp4\n    mode: live\n"
      "  - name: pattern\n    uri: test:ball?fps=15\n");
  ASSERT_EQ(c.sources.size(), 4u);
  const SourceConfig& gate = c.sources[0];
  EXPECT_TRUE(gate.live);
  EXPECT_EQ(gate.kind, SourceKind::kRtsp);
  EXPECT_EQ(gate.user, "viewer");
  EXPECT_EQ(gate.password, "hunter2");
  EXPECT_EQ(gate.protocols, "udp");
  EXPECT_EQ(gate.latency_ms, 500);
  EXPECT_EQ(gate.redacted("401 for viewer:hunter2"), "401 for viewer:***");
  const SourceConfig& lobby = c.sources[1];
  EXPECT_EQ(lobby.password, "pw!");
  EXPECT_EQ(lobby.display_uri, "rtsp://op:***@10.1.1.6/s");
  EXPECT_EQ(lobby.redacted("GET rtsp://op:pw%21@10.1.1.6/s"), "GET rtsp://op:***@10.1.1.6/s");
  EXPECT_TRUE(c.sources[2].live);
  EXPECT_EQ(c.sources[2].kind, SourceKind::kFile);
  EXPECT_TRUE(c.sources[3].live);
  EXPECT_TRUE(c.anyLive());
  unsetenv("DEEPBUG_TEST_CAM_PASSWORD");
}

TEST_F(ConfigLive, FilesAreArchiveUnlessToldOtherwise) {
  const StreamConfig c = load("  - name: a\n    uri: clip.mp4\n");
  EXPECT_FALSE(c.sources[0].live);
  EXPECT_FALSE(c.anyLive());
}

TEST_F(ConfigLive, LiveSectionKeys) {
  const StreamConfig c = load("  - name: a\n    uri: test:ball\n",
                              "live:\n  max_lag: 0.5\n  status_interval: 1\n"
                              "  reconnect:\n    timeout: 3\n    initial_delay: 0.5\n"
                              "    max_delay: 10\n    jitter: 0.1\n    give_up_after: 600\n");
  EXPECT_DOUBLE_EQ(c.live.max_lag, 0.5);
  EXPECT_DOUBLE_EQ(c.live.status_interval, 1);
  EXPECT_DOUBLE_EQ(c.live.reconnect.timeout, 3);
  EXPECT_DOUBLE_EQ(c.live.reconnect.initial_delay, 0.5);
  EXPECT_DOUBLE_EQ(c.live.reconnect.max_delay, 10);
  EXPECT_DOUBLE_EQ(c.live.reconnect.give_up_after, 600);
}

TEST_F(ConfigLive, MistakesNameTheKeyAndTheFix) {
  EXPECT_NE(error("  - name: a\n    uri: rtsp://cam/s\n    mode: archive\n").find("c.yaml:4:11"),
            std::string::npos);
  EXPECT_NE(error("  - name: a\n    uri: clip.mp4\n    password: x\n").find("rtsp:// sources only"),
            std::string::npos);
  EXPECT_NE(error("  - name: a\n    uri: test:ball\n", "live:\n  max_lagg: 1\n").find("max_lag"),
            std::string::npos);
  EXPECT_NE(error("  - name: a\n    uri: test:ball\n",
                  "live:\n  reconnect:\n    initial_delay: 5\n    max_delay: 1\n")
                .find("max_delay is below initial_delay"),
            std::string::npos);
  EXPECT_NE(error("  - name: a\n    uri: test:ball?fps=x\n").find("fps=x"), std::string::npos);
}

TEST_F(ConfigLive, RetentionNeedsSegmentsAndPasswordsNeverAppearInErrors) {
  const fs::path file = dir_ / "r.yaml";
  std::ofstream(file) << "sources:\n  - name: a\n    uri: test:ball\nmodel:\n  path: model.pt\n"
                         "outputs:\n  directory: out\n  retention:\n    max_size_mib: 100\n";
  try {
    loadConfig(file.string(), {});
    FAIL() << "retention without segments accepted";
  } catch (const ConfigError& e) {
    EXPECT_NE(std::string(e.hint()).find("segment_seconds"), std::string::npos);
  }
  const StreamConfig ok = loadConfig(
      file.string(), {"outputs.segment_seconds=60", "outputs.retention.max_age_hours=24"});
  EXPECT_DOUBLE_EQ(ok.outputs.segment_seconds, 60);
  EXPECT_DOUBLE_EQ(ok.outputs.retention.max_size_mib, 100);
  EXPECT_DOUBLE_EQ(ok.outputs.retention.max_age_hours, 24);

  std::string message =
      error("  - name: a\n    uri: rtsp://u:top/secret@cam/s\n    mode: archive\n");
  EXPECT_EQ(message.find("secret"), std::string::npos) << message;

  // Values given with --set are named in errors, masked.
  const fs::path cams = dir_ / "cams.yaml";
  std::ofstream(cams) << "sources:\n  - name: a\n    uri: clip.mp4\nmodel:\n  path: model.pt\n"
                         "outputs:\n  directory: out\n";
  for (const std::string assignment :
       {"sources.0.uri=rtsp://u:top/secret@/x", "sources.0.password=topsecret"}) {
    try {
      loadConfig(cams.string(), {assignment});
      ADD_FAILURE() << assignment << " accepted";
    } catch (const ConfigError& e) {
      message = std::string(e.what()) + " | " + e.hint();
      EXPECT_NE(message.find("--set sources.0."), std::string::npos) << message;
      EXPECT_EQ(message.find("secret"), std::string::npos) << message;
    }
  }
}

}  // namespace
}  // namespace deepbug::stream
