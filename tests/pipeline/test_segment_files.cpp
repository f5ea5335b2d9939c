#include "segment_files.hpp"

#include <gtest/gtest.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>

namespace deepbug::stream {
namespace {
namespace fs = std::filesystem;
using Clock = std::chrono::system_clock;

Clock::time_point at(int hour, int minute, int second) {
  std::tm utc{};
  utc.tm_year = 2026 - 1900;
  utc.tm_mon = 10;
  utc.tm_mday = 29;
  utc.tm_hour = hour;
  utc.tm_min = minute;
  utc.tm_sec = second;
  return Clock::from_time_t(timegm(&utc));
}

class SegmentFiles : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = fs::temp_directory_path() /
           ("deepbug-segments-" + std::to_string(getpid()) + "-" +
            ::testing::UnitTest::GetInstance()->current_test_info()->name());
    fs::remove_all(dir_);
    fs::create_directories(dir_);
  }
  void TearDown() override { fs::remove_all(dir_); }

  std::string write(Clock::time_point start, std::size_t bytes) {
    const std::string path = uniqueSegmentPath(dir_.string(), "labelled", start, "mp4");
    std::ofstream(path) << std::string(bytes, 'x');
    return path;
  }

  bool exists(const std::string& path) const { return fs::exists(path); }

  fs::path dir_;
};

TEST_F(SegmentFiles, NamesCarryTheUtcStartAndParseBack) {
  const auto start = at(2, 37, 47);
  EXPECT_EQ(segmentFileName("labelled", start, "mp4"), "labelled-20261129T023747Z.mp4");
  EXPECT_EQ(segmentStartOf("labelled-20261129T023747Z.mp4", "labelled", "mp4"), start);
  EXPECT_EQ(segmentStartOf("labelled-20261129T023747Z-3.mp4", "labelled", "mp4"), start);
  EXPECT_FALSE(segmentStartOf("labelled.mp4", "labelled", "mp4"));
  EXPECT_FALSE(segmentStartOf("labelled-20261129T023747Z.mkv", "labelled", "mp4"));
  EXPECT_FALSE(segmentStartOf("other-20261129T023747Z.mp4", "labelled", "mp4"));
  EXPECT_FALSE(segmentStartOf("labelled-2026112T023747Z.mp4", "labelled", "mp4"));
  // Dates that do not exist, signs, spaces, zero-padded or oversized suffixes.
  for (const char* name :
       {"labelled-20261329T023747Z.mp4", "labelled-20261129T253747Z.mp4",
        "labelled-20260230T000000Z.mp4", "labelled-+0261129T023747Z.mp4",
        "labelled- 0261129T023747Z.mp4", "labelled-20261129T023747Z-02.mp4",
        "labelled-20261129T023747Z-1.mp4", "labelled-20261129T023747Z-99999999999.mp4"}) {
    EXPECT_FALSE(segmentStartOf(name, "labelled", "mp4")) << name;
  }
}

TEST_F(SegmentFiles, SuffixesSortAsNumbers) {
  const auto start = at(4, 0, 0);
  std::vector<std::string> paths;
  for (int i = 0; i < 11; ++i)
    paths.push_back(write(start, 10));
  EXPECT_EQ(fs::path(paths[10]).filename(), "labelled-20261129T040000Z-11.mp4");
  RetentionPolicy policy;
  policy.max_total_bytes = 25;  // room for two: the newest ("-11") and "-10"
  const RetentionResult r = applyRetention(dir_.string(), "labelled", "mp4", policy, start, "");
  EXPECT_EQ(r.deleted, std::vector<std::string>(paths.begin(), paths.begin() + 9));
  EXPECT_TRUE(exists(paths[9]));
  EXPECT_TRUE(exists(paths[10]));
}

TEST_F(SegmentFiles, SegmentsOfTheSameSecondGetSuffixes) {
  const auto start = at(3, 0, 0);
  const std::string a = write(start, 1);
  const std::string b = write(start, 1);
  const std::string c = write(start, 1);
  EXPECT_EQ(fs::path(a).filename(), "labelled-20261129T030000Z.mp4");
  EXPECT_EQ(fs::path(b).filename(), "labelled-20261129T030000Z-2.mp4");
  EXPECT_EQ(fs::path(c).filename(), "labelled-20261129T030000Z-3.mp4");
  // Over the limit: the first two go, in their order; the newest ("-3") stays.
  RetentionPolicy policy;
  policy.max_total_bytes = 1;
  const RetentionResult r = applyRetention(dir_.string(), "labelled", "mp4", policy, start, "");
  EXPECT_EQ(r.deleted, (std::vector<std::string>{a, b}));
  EXPECT_TRUE(exists(c));
}

TEST_F(SegmentFiles, AgeLimitDeletesOldSegmentsButNeverTheNewest) {
  const std::string old1 = write(at(1, 0, 0), 10);
  const std::string old2 = write(at(1, 30, 0), 10);
  const std::string recent = write(at(2, 50, 0), 10);
  RetentionPolicy policy;
  policy.max_age_seconds = 3600;
  RetentionResult r = applyRetention(dir_.string(), "labelled", "mp4", policy, at(3, 0, 0), "");
  EXPECT_EQ(r.deleted, (std::vector<std::string>{old1, old2}));
  EXPECT_EQ(r.bytes_deleted, 20u);
  EXPECT_EQ(r.bytes_kept, 10u);
  EXPECT_TRUE(exists(recent));
  // Even when the newest is too old itself, it stays (it may still be written).
  r = applyRetention(dir_.string(), "labelled", "mp4", policy, at(9, 0, 0), "");
  EXPECT_TRUE(r.deleted.empty());
  EXPECT_TRUE(exists(recent));
}

TEST_F(SegmentFiles, SizeLimitDeletesOldestFirstUntilUnderIt) {
  const std::string a = write(at(1, 0, 0), 100);
  const std::string b = write(at(1, 1, 0), 100);
  const std::string c = write(at(1, 2, 0), 100);
  const std::string d = write(at(1, 3, 0), 100);
  RetentionPolicy policy;
  policy.max_total_bytes = 250;
  const RetentionResult r =
      applyRetention(dir_.string(), "labelled", "mp4", policy, at(1, 4, 0), "");
  EXPECT_EQ(r.deleted, (std::vector<std::string>{a, b}));
  EXPECT_EQ(r.bytes_kept, 200u);
  EXPECT_TRUE(exists(c));
  EXPECT_TRUE(exists(d));
  // A newest segment over the limit on its own stays: it may still be written.
  policy.max_total_bytes = 50;
  applyRetention(dir_.string(), "labelled", "mp4", policy, at(1, 4, 0), "");
  EXPECT_FALSE(exists(c));
  EXPECT_TRUE(exists(d));
}

TEST_F(SegmentFiles, ProtectedAndUnrelatedFilesAreNeverTouched) {
  const std::string a = write(at(1, 0, 0), 100);
  const std::string b = write(at(1, 1, 0), 100);
  write(at(1, 2, 0), 100);
  std::ofstream(dir_ / "summary.json") << std::string(1000, 'x');
  std::ofstream(dir_ / "labelled-notes.mp4") << std::string(1000, 'x');
  RetentionPolicy policy;
  policy.max_total_bytes = 1;
  const RetentionResult r =
      applyRetention(dir_.string(), "labelled", "mp4", policy, at(1, 3, 0), a);
  EXPECT_EQ(r.deleted, (std::vector<std::string>{b}));
  EXPECT_TRUE(exists(a));
  EXPECT_TRUE(fs::exists(dir_ / "summary.json"));
  EXPECT_TRUE(fs::exists(dir_ / "labelled-notes.mp4"));
}

TEST_F(SegmentFiles, NoLimitsDeleteNothing) {
  write(at(1, 0, 0), 100);
  write(at(1, 1, 0), 100);
  const RetentionResult r =
      applyRetention(dir_.string(), "labelled", "mp4", RetentionPolicy{}, at(23, 0, 0), "");
  EXPECT_TRUE(r.deleted.empty());
  EXPECT_EQ(r.bytes_kept, 200u);
}

}  // namespace
}  // namespace deepbug::stream
