#include "source_uri.hpp"

#include <gtest/gtest.h>

#include "core/error.hpp"

namespace deepbug::stream {
namespace {

TEST(SourceUri, RtspCredentialsLeaveTheLocationAndAreMaskedForDisplay) {
  const SourceUri s = parseSourceUri("rtsp://admin:s3cr%40t@10.0.0.7:554/live/1", "cfg:3:8");
  EXPECT_EQ(s.kind, SourceKind::kRtsp);
  EXPECT_EQ(s.location, "rtsp://10.0.0.7:554/live/1");
  EXPECT_EQ(s.user, "admin");
  EXPECT_EQ(s.password, "s3cr@t");
  EXPECT_EQ(s.display, "rtsp://admin:***@10.0.0.7:554/live/1");
}

TEST(SourceUri, UnencodedAtSignInThePasswordStaysInThePassword) {
  const SourceUri s = parseSourceUri("rtsp://u:p@ss@cam/x", "w");
  EXPECT_EQ(s.location, "rtsp://cam/x");
  EXPECT_EQ(s.password, "p@ss");
  EXPECT_EQ(s.display.find("p@ss"), std::string::npos);
}

TEST(SourceUri, SlashesAndQuestionMarksInThePasswordStayInThePassword) {
  const SourceUri s = parseSourceUri("rtsp://admin:pa/ss?x@10.0.0.7/live/1", "w");
  EXPECT_EQ(s.location, "rtsp://10.0.0.7/live/1");
  EXPECT_EQ(s.password, "pa/ss?x");
  EXPECT_EQ(s.display, "rtsp://admin:***@10.0.0.7/live/1");
}

TEST(SourceUri, SetAssignmentsAreShownMasked) {
  EXPECT_EQ(maskAssignment("sources.0.password=hunter2"), "sources.0.password=***");
  EXPECT_EQ(maskAssignment("sources.0.uri=rtsp://u:pw@cam/s"), "sources.0.uri=rtsp://u:***@cam/s");
  EXPECT_EQ(maskAssignment("model.batch_size=8"), "model.batch_size=8");
  EXPECT_EQ(maskAssignment("no-equals"), "no-equals");
}

TEST(SourceUri, RtspWithoutCredentialsIsShownAsWritten) {
  const SourceUri s = parseSourceUri("rtsp://127.0.0.1:8554/cam", "w");
  EXPECT_EQ(s.location, "rtsp://127.0.0.1:8554/cam");
  EXPECT_TRUE(s.user.empty());
  EXPECT_EQ(s.display, "rtsp://127.0.0.1:8554/cam");
}

TEST(SourceUri, TestPatternsTakeSizeRateAndLength) {
  const SourceUri s = parseSourceUri("test:smpte?width=320&height=240&fps=30&frames=90", "w");
  EXPECT_EQ(s.kind, SourceKind::kTest);
  EXPECT_EQ(s.test.pattern, "smpte");
  EXPECT_EQ(s.test.width, 320);
  EXPECT_EQ(s.test.height, 240);
  EXPECT_EQ(s.test.fps, 30);
  EXPECT_EQ(s.test.frames, 90);
  const SourceUri plain = parseSourceUri("test:", "w");
  EXPECT_EQ(plain.test.pattern, "ball");
  EXPECT_EQ(plain.test.frames, -1);
}

TEST(SourceUri, MistakesNameTheLocationAndTheFix) {
  try {
    parseSourceUri("test:ball?fps=0", "cams.yaml:4:10");
    FAIL() << "fps=0 accepted";
  } catch (const ConfigError& e) {
    EXPECT_NE(std::string(e.what()).find("cams.yaml:4:10"), std::string::npos) << e.what();
    EXPECT_NE(std::string(e.what()).find("fps=0"), std::string::npos) << e.what();
  }
  EXPECT_THROW(parseSourceUri("test:ball?colour=red", "w"), ConfigError);
  EXPECT_THROW(parseSourceUri("v4l2://dev/video0", "w"), ConfigError);
  EXPECT_THROW(parseSourceUri("http://example.com/a.mp4", "w"), ConfigError);
  EXPECT_THROW(parseSourceUri("rtsp:///path", "w"), ConfigError);
}

TEST(SourceUri, DevicesAndFiles) {
  EXPECT_EQ(parseSourceUri("v4l2:///dev/video2", "w").location, "/dev/video2");
  EXPECT_EQ(parseSourceUri("v4l2://", "w").location, "/dev/video0");
  const SourceUri file = parseSourceUri("file:///data/a%20b.mp4", "w");
  EXPECT_EQ(file.kind, SourceKind::kFile);
  EXPECT_EQ(file.location, "/data/a b.mp4");
  EXPECT_EQ(parseSourceUri("clips/x.mkv", "w").location, "clips/x.mkv");
}

TEST(SourceUri, RedactRemovesEverySecretOccurrence) {
  EXPECT_EQ(redact("auth failed for pw1 (pw1)", {"pw1", ""}), "auth failed for *** (***)");
  EXPECT_EQ(redact("nothing here", {}), "nothing here");
}

}  // namespace
}  // namespace deepbug::stream
