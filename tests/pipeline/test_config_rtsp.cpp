// outputs.rtsp: the RTSP re-stream's keys, its secure defaults and its mistakes.
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

class ConfigRtsp : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = fs::temp_directory_path() /
           ("deepbug-config-rtsp-" + std::to_string(getpid()) + "-" +
            ::testing::UnitTest::GetInstance()->current_test_info()->name());
    fs::create_directories(dir_);
    std::ofstream(dir_ / "model.pt") << "not read by the config";
  }
  void TearDown() override { fs::remove_all(dir_); }

  // `outputs` lines after the directory.
  StreamConfig load(const std::string& outputs) {
    const fs::path file = dir_ / "c.yaml";
    std::ofstream(file) << "sources:\n  - name: door\n    uri: test:ball\n"
                        << "model:\n  path: model.pt\n"
                        << "outputs:\n  directory: out\n"
                        << outputs;
    return loadConfig(file.string(), {});
  }

  std::string error(const std::string& outputs) {
    try {
      load(outputs);
    } catch (const ConfigError& e) {
      return std::string(e.what()) + " | " + e.hint();
    }
    return "no error";
  }

  fs::path dir_;
};

TEST_F(ConfigRtsp, OffUnlessConfiguredAndLoopbackWithoutPasswordByDefault) {
  EXPECT_FALSE(load("").outputs.rtsp.enabled);
  const RtspConfig r = load("  rtsp: {}\n").outputs.rtsp;
  EXPECT_TRUE(r.enabled);
  EXPECT_EQ(r.port, 8554);
  EXPECT_EQ(r.address, "127.0.0.1");
  EXPECT_EQ(r.user, "deepbug");
  EXPECT_EQ(r.password, "");
  EXPECT_EQ(r.where, (dir_ / "c.yaml").string() + ":8:9");
}

TEST_F(ConfigRtsp, EveryKeyWithThePasswordFromTheEnvironment) {
  setenv("DEEPBUG_TEST_RTSP_PASSWORD", "s3cret-s3cret-s3cret", 1);
  const RtspConfig r = load(
                           "  rtsp:\n    port: 0\n    address: 0.0.0.0\n    user: nvr\n"
                           "    password: ${DEEPBUG_TEST_RTSP_PASSWORD}\n")
                           .outputs.rtsp;
  unsetenv("DEEPBUG_TEST_RTSP_PASSWORD");
  EXPECT_EQ(r.port, 0);
  EXPECT_EQ(r.address, "0.0.0.0");
  EXPECT_EQ(r.user, "nvr");
  EXPECT_EQ(r.password, "s3cret-s3cret-s3cret");
  // Loopback in either family needs no password.
  EXPECT_EQ(load("  rtsp: {address: 127.0.0.2}\n").outputs.rtsp.address, "127.0.0.2");
  EXPECT_EQ(load("  rtsp: {address: '::1'}\n").outputs.rtsp.address, "::1");
}

TEST_F(ConfigRtsp, MistakesNameTheKeyAndTheFix) {
  // Anyone on the network could watch: not without a password.
  std::string e = error("  rtsp:\n    address: 0.0.0.0\n");
  EXPECT_NE(e.find("c.yaml:9:14"), std::string::npos) << e;
  EXPECT_NE(e.find("outputs.rtsp.address"), std::string::npos) << e;
  EXPECT_NE(e.find("password"), std::string::npos) << e;
  e = error("  rtsp: {address: '::'}\n");
  EXPECT_NE(e.find("needs a 'password'"), std::string::npos) << e;
  e = error("  rtsp: {address: camera.local}\n");
  EXPECT_NE(e.find("is not an IP address"), std::string::npos) << e;
  e = error("  rtsp: {port: 70000}\n");
  EXPECT_NE(e.find("'port' = 70000 is out of range"), std::string::npos) << e;
  e = error("  rtsp: {prot: 8554}\n");
  EXPECT_NE(e.find("did you mean 'port'"), std::string::npos) << e;
  e = error("  rtsp: {user: 'a:b', password: x}\n");
  EXPECT_NE(e.find("'user' must be a name without ':'"), std::string::npos) << e;
  // Off loopback a short password can be guessed; on loopback any will do.
  e = error("  rtsp: {address: 0.0.0.0, password: short}\n");
  EXPECT_NE(e.find("'outputs.rtsp.password' is shorter than 16 characters"), std::string::npos)
      << e;
  EXPECT_EQ(load("  rtsp: {password: short}\n").outputs.rtsp.password, "short");
  e = error("  rtsp: 8554\n");
  EXPECT_NE(e.find("'outputs.rtsp' must be a mapping"), std::string::npos) << e;
  // The re-stream sends the recording's H.264.
  e = error("  video: false\n  rtsp: {}\n");
  EXPECT_NE(e.find("c.yaml:9:9"), std::string::npos) << e;
  EXPECT_NE(e.find("needs 'outputs.video: true'"), std::string::npos) << e;
}

TEST_F(ConfigRtsp, APasswordGivenWithSetIsNeverShown) {
  const fs::path file = dir_ / "s.yaml";
  std::ofstream(file) << "sources:\n  - name: door\n    uri: test:ball\nmodel:\n  path: model.pt\n"
                         "outputs:\n  directory: out\n";
  const StreamConfig c = loadConfig(file.string(), {"outputs.rtsp.address=0.0.0.0",
                                                    "outputs.rtsp.password=hidden-hidden-hidden"});
  EXPECT_EQ(c.outputs.rtsp.password, "hidden-hidden-hidden");
  try {
    loadConfig(file.string(), {"outputs.rtsp.password=hidden", "outputs.rtsp.port=x"});
    FAIL() << "a port that is not a number accepted";
  } catch (const ConfigError& e) {
    const std::string message = std::string(e.what()) + " | " + e.hint();
    EXPECT_NE(message.find("--set outputs.rtsp.port=x"), std::string::npos) << message;
    EXPECT_EQ(message.find("hidden"), std::string::npos) << message;
  }
}

}  // namespace
}  // namespace deepbug::stream
