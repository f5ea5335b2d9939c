// A source's own writers: scores.csv rows, repaired timestamps, segment names.
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>
#include <vector>

#include "recording.hpp"
#include "recording_segments.hpp"
#include "scores_csv.hpp"
#include "timestamp_repair.hpp"

namespace deepbug::stream {
namespace {
namespace fs = std::filesystem;

fs::path freshDir(const std::string& name) {
  const fs::path dir = fs::temp_directory_path() / ("deepbug-source-outputs-" + name);
  fs::remove_all(dir);
  fs::create_directories(dir);
  return dir;
}

std::string readAll(const fs::path& path) {
  std::ifstream in(path);
  std::stringstream text;
  text << in.rdbuf();
  return text.str();
}

TEST(ScoresCsv, AHeaderWithTheLabelsThenOneRowPerFrame) {
  const fs::path path = freshDir("scores") / "scores.csv";
  ScoresCsv csv(path.string());
  gst::ClassificationResult r;
  r.labels = {"calm", "fight"};
  r.scores = {0.25f, 0.75f};
  r.top_index = 1;
  r.classified = true;
  csv.record(r, 0.0);
  r.classified = false;
  csv.record(r, -1.0);
  EXPECT_EQ(csv.rows(), 2u);
  csv.close();
  csv.record(r, 1.0);  // after close: dropped, not a crash
  EXPECT_EQ(readAll(path),
            "pts_seconds,frame,classified,top_label,calm,fight\n"
            "0.000000,0,1,fight,0.250000,0.750000\n"
            "-1.000000,1,0,fight,0.250000,0.750000\n");
}

TEST(ScoresCsv, AnUnwritablePathIsAnErrorNamingIt) {
  try {
    ScoresCsv csv("/nonexistent-dir/scores.csv");
    FAIL() << "expected an error";
  } catch (const std::exception& e) {
    EXPECT_NE(std::string(e.what()).find("/nonexistent-dir/scores.csv"), std::string::npos);
  }
}

TEST(TimestampRepair, ForwardTimestampsStayMissingOrBackwardOnesGetThePreviousPlusAFrame) {
  TimestampRepair repair(10.0);  // 100 ms frames
  EXPECT_EQ(repair.next(GST_CLOCK_TIME_NONE), 0u) << "a first frame without one starts at 0";
  EXPECT_EQ(repair.next(GST_SECOND), GST_SECOND);
  EXPECT_EQ(repair.next(GST_SECOND / 2), GST_SECOND + GST_SECOND / 10) << "backwards";
  EXPECT_EQ(repair.next(GST_CLOCK_TIME_NONE), GST_SECOND + GST_SECOND / 5) << "missing";
  EXPECT_EQ(repair.next(GST_SECOND + GST_SECOND / 5), GST_SECOND + 3 * GST_SECOND / 10)
      << "equal is not forward";
  EXPECT_EQ(repair.next(2 * GST_SECOND), 2 * GST_SECOND);
  EXPECT_EQ(repair.repaired(), 4u);
}

TEST(RecordingSegments, NamesEachSegmentAfterItsStartAndCountsThem) {
  const fs::path dir = freshDir("segments");
  RecordingSegments segments(dir.string(), "mp4", {});
  std::vector<std::string> problems;
  const auto start = std::chrono::system_clock::from_time_t(1764383867);  // 2025-11-29 02:37:47
  const std::string first = segments.open(start, problems);
  EXPECT_EQ(fs::path(first).filename(), "labelled-20251129T023747Z.mp4");
  std::ofstream(first) << "x";
  const std::string second = segments.open(start, problems);
  EXPECT_EQ(fs::path(second).filename(), "labelled-20251129T023747Z-2.mp4");
  EXPECT_TRUE(problems.empty());
  const nlohmann::json summary = segments.summary();
  EXPECT_EQ(summary["opened"], 2);
  EXPECT_EQ(summary["deleted"], 0);
  EXPECT_EQ(summary["current"], second);
}

TEST(RecordingSegments, RetentionDeletesOldSegmentsButNotTheOneJustFinished) {
  const fs::path dir = freshDir("retention");
  RetentionConfig retention;
  retention.max_age_hours = 1;
  RecordingSegments segments(dir.string(), "mp4", retention);
  std::vector<std::string> problems;
  const auto t0 = std::chrono::system_clock::from_time_t(1764383867);
  const std::string old = segments.open(t0, problems);
  std::ofstream(old) << "x";
  const std::string finished = segments.open(t0 + std::chrono::hours(3), problems);
  std::ofstream(finished) << "x";
  EXPECT_TRUE(fs::exists(old)) << "the segment just closed when the next opened is kept";
  segments.open(t0 + std::chrono::hours(6), problems);
  EXPECT_FALSE(fs::exists(old));
  EXPECT_TRUE(fs::exists(finished));
  EXPECT_EQ(segments.summary()["deleted"], 1);
}

TEST(Recording, LaterFilesAreNumberedBeforeTheExtension) {
  EXPECT_EQ(numberedPath("/out/cam/labelled.mp4", 2), "/out/cam/labelled-2.mp4");
  EXPECT_EQ(numberedPath("/out/cam/labelled.mkv", 11), "/out/cam/labelled-11.mkv");
}

TEST(Recording, ANewFileStartsWhenThePictureSizeOrAKnownRateChanges) {
  gst_init(nullptr, nullptr);
  const auto caps = [](const char* text) {
    return std::unique_ptr<GstCaps, decltype(&gst_caps_unref)>(gst_caps_from_string(text),
                                                               gst_caps_unref);
  };
  const auto base = caps("video/x-raw,format=RGB,width=320,height=180,framerate=15/1");
  EXPECT_TRUE(sameRecordingFormat(
      base.get(),
      caps("video/x-raw,format=RGB,width=320,height=180,framerate=15/1,colorimetry=bt601").get()));
  EXPECT_FALSE(sameRecordingFormat(
      base.get(), caps("video/x-raw,format=RGB,width=352,height=288,framerate=15/1").get()));
  EXPECT_FALSE(sameRecordingFormat(
      base.get(), caps("video/x-raw,format=RGB,width=320,height=180,framerate=30/1").get()));
  EXPECT_TRUE(
      sameRecordingFormat(base.get(), caps("video/x-raw,format=RGB,width=320,height=180").get()))
      << "no frame rate said";
  EXPECT_TRUE(sameRecordingFormat(
      base.get(), caps("video/x-raw,format=RGB,width=320,height=180,framerate=0/1").get()))
      << "a variable frame rate";
  EXPECT_TRUE(sameRecordingFormat(
      base.get(), caps("video/x-raw,format=RGB,width=320,height=180,framerate=30/2").get()));
}

}  // namespace
}  // namespace deepbug::stream
