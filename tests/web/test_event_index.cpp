// EventIndex over events.jsonl files written by hand: what it keeps of each line, that a
// refresh reads only what was appended (a line rewritten in place after it was indexed
// keeps its indexed start and id), lines still being written, files truncated, replaced
// or removed; and scoreCurve's binary search against a plain scan of scores.csv.
#include <fcntl.h>
#include <gtest/gtest.h>
#include <sys/resource.h>
#include <unistd.h>

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <limits>
#include <nlohmann/json.hpp>
#include <optional>
#include <sstream>
#include <string>
#include <vector>

#include "web/event_index.hpp"
#include "web/event_log.hpp"
#include "web/served_files.hpp"
#include "web_test_dir.hpp"

namespace deepbug::web {
namespace {

namespace fs = std::filesystem;
using nlohmann::json;

// 2026-12-07T10:50:40Z in unix seconds (test_event_log.cpp shows the sum).
constexpr double kT0 = 1796640640.0;

// Overwrites bytes of an existing file in place: same file, same size where it fits.
void overwriteAt(const fs::path& path, std::uint64_t offset, const std::string& text) {
  std::fstream out(path, std::ios::binary | std::ios::in | std::ios::out);
  out.seekp(static_cast<std::streamoff>(offset));
  out << text;
}

std::string eventLine(long long id, const std::string& wall_time, double start_pts) {
  return json{{"id", id},
              {"target", "aggressive"},
              {"start", {{"pts", start_pts}, {"wall_time", wall_time}}},
              {"end", {{"pts", start_pts + 1}}}}
             .dump() +
         "\n";
}

std::vector<long long> idsOf(const EventIndex& index) {
  std::vector<long long> ids;
  for (const IndexedEvent& event : index.events())
    ids.push_back(event.id.value_or(-1));
  return ids;
}

class EventIndexTest : public ::testing::Test {
 protected:
  void SetUp() override { file_ = test::freshTestDir("event_index") / "events.jsonl"; }

  fs::path file_;
};

TEST_F(EventIndexTest, KeepsWhereEachObjectLineIsWithItsStartAndId) {
  const std::string a = eventLine(1, "2026-12-07T10:50:40Z", 10.0);
  const std::string b = eventLine(2, "", 31.5);  // no wall time: the pts
  const std::string c = "{\"target\":\"x\"}\n";  // neither start nor id
  const std::string d = eventLine(7, "2026-12-07T10:50:40.5Z", 5.0);
  test::writeText(file_, a + "\n" + "not json\n" + b + "[1,2]\n" + c + d);
  EventIndex index(file_);
  EXPECT_TRUE(index.events().empty());
  index.refresh();

  ASSERT_EQ(index.events().size(), 4u);
  const std::vector<IndexedEvent>& events = index.events();
  EXPECT_EQ(events[0].offset, 0u);
  EXPECT_EQ(events[0].length, a.size() - 1);
  EXPECT_EQ(events[0].start, kT0);
  EXPECT_EQ(events[0].id, 1);
  const std::uint64_t b_offset = a.size() + 1 + 9;  // after the blank line and "not json"
  EXPECT_EQ(events[1].offset, b_offset);
  EXPECT_EQ(events[1].length, b.size() - 1);
  EXPECT_EQ(events[1].start, 31.5);
  EXPECT_EQ(events[1].id, 2);
  EXPECT_EQ(events[2].offset, b_offset + b.size() + 6);
  EXPECT_EQ(events[2].start, 0.0);
  EXPECT_EQ(events[2].id, std::nullopt);
  EXPECT_EQ(events[3].start, kT0 + 0.5);
  EXPECT_EQ(events[3].id, 7);
  EXPECT_EQ(index.consumed(), fs::file_size(file_));
  EXPECT_EQ(index.generation(), 0u);

  const std::vector<std::string> lines = index.readLines({3, 0});
  ASSERT_EQ(lines.size(), 2u);
  EXPECT_EQ(lines[0] + "\n", d);
  EXPECT_EQ(lines[1] + "\n", a);
  EXPECT_EQ(index.find(7), 3u);
  EXPECT_EQ(index.find(2), 1u);
  EXPECT_EQ(index.find(3), std::nullopt);
}

TEST_F(EventIndexTest, ARefreshReadsOnlyTheAppendedBytes) {
  const std::string a = eventLine(1, "2026-12-07T10:50:40Z", 10.0);
  const std::string b = eventLine(2, "2026-12-07T10:51:40Z", 70.0);
  test::writeText(file_, a + b);
  EventIndex index(file_);
  index.refresh();
  ASSERT_EQ(idsOf(index), (std::vector<long long>{1, 2}));

  // b rewritten in place with another event of the same length: were the file read
  // again, the index would say id 9 at 20 s.
  const std::string b_rewritten = eventLine(9, "2026-12-07T10:51:00Z", 20.0);
  ASSERT_EQ(b_rewritten.size(), b.size());
  overwriteAt(file_, a.size(), b_rewritten);
  const std::string c = eventLine(3, "2026-12-07T10:52:40Z", 130.0);
  test::appendText(file_, c);
  index.refresh();

  ASSERT_EQ(idsOf(index), (std::vector<long long>{1, 2, 3}));
  EXPECT_EQ(index.events()[1].start, kT0 + 60);
  EXPECT_EQ(index.events()[2].offset, a.size() + b.size());
  EXPECT_EQ(index.events()[2].start, kT0 + 120);
  EXPECT_EQ(index.consumed(), a.size() + b.size() + c.size());
  EXPECT_EQ(index.generation(), 0u);
  // The lines themselves are read from the file as it is now.
  EXPECT_EQ(index.readLines({1}).at(0) + "\n", b_rewritten);

  // Nothing appended: nothing changes.
  index.refresh();
  EXPECT_EQ(idsOf(index), (std::vector<long long>{1, 2, 3}));
  EXPECT_EQ(index.events()[1].start, kT0 + 60);
}

TEST_F(EventIndexTest, ALineWithoutItsNewlineIsIndexedOnceItHasIt) {
  const std::string a = eventLine(1, "2026-12-07T10:50:40Z", 10.0);
  const std::string b = eventLine(2, "2026-12-07T10:51:40Z", 70.0);
  test::writeText(file_, a + b.substr(0, 20));
  EventIndex index(file_);
  index.refresh();
  EXPECT_EQ(idsOf(index), (std::vector<long long>{1}));
  EXPECT_EQ(index.consumed(), a.size());

  test::appendText(file_, b.substr(20, b.size() - 21));  // all of it but the newline
  index.refresh();
  EXPECT_EQ(idsOf(index), (std::vector<long long>{1}));
  EXPECT_EQ(index.consumed(), a.size());

  test::appendText(file_, "\n");
  index.refresh();
  EXPECT_EQ(idsOf(index), (std::vector<long long>{1, 2}));
  EXPECT_EQ(index.events()[1].offset, a.size());
  EXPECT_EQ(index.events()[1].length, b.size() - 1);
  EXPECT_EQ(index.consumed(), a.size() + b.size());
  EXPECT_EQ(index.generation(), 0u);
}

TEST_F(EventIndexTest, ALineLongerThanOneReadIsOneEvent) {
  json big = json::parse(eventLine(1, "2026-12-07T10:50:40Z", 10.0));
  big["padding"] = std::string(200000, 'x');  // several of the index's 64 KiB reads
  const std::string a = big.dump() + "\n";
  const std::string b = eventLine(2, "2026-12-07T10:51:40Z", 70.0);
  test::writeText(file_, a + b);
  EventIndex index(file_);
  index.refresh();
  ASSERT_EQ(idsOf(index), (std::vector<long long>{1, 2}));
  EXPECT_EQ(index.events()[0].length, a.size() - 1);
  EXPECT_EQ(index.events()[1].offset, a.size());
  EXPECT_EQ(index.readLines({0}).at(0) + "\n", a);
}

TEST_F(EventIndexTest, AShorterFileIsIndexedAgainFromTheStart) {
  test::writeText(file_, eventLine(1, "2026-12-07T10:50:40Z", 10.0) +
                             eventLine(2, "2026-12-07T10:51:40Z", 70.0) +
                             eventLine(3, "2026-12-07T10:52:40Z", 130.0));
  EventIndex index(file_);
  index.refresh();
  ASSERT_EQ(idsOf(index), (std::vector<long long>{1, 2, 3}));

  const std::string fresh = eventLine(5, "2026-12-07T11:00:00Z", 1.0);
  test::writeText(file_, fresh);  // truncated, then one line
  index.refresh();
  EXPECT_EQ(idsOf(index), (std::vector<long long>{5}));
  EXPECT_EQ(index.events()[0].offset, 0u);
  EXPECT_EQ(index.events()[0].start, kT0 + 560);
  EXPECT_EQ(index.consumed(), fresh.size());
  EXPECT_EQ(index.generation(), 1u);

  test::writeText(file_, "");  // truncated to nothing
  index.refresh();
  EXPECT_TRUE(index.events().empty());
  EXPECT_EQ(index.consumed(), 0u);
  EXPECT_EQ(index.generation(), 2u);
}

TEST_F(EventIndexTest, ARewrittenOrReplacedFileIsIndexedAgain) {
  const std::string a = eventLine(1, "2026-12-07T10:50:40Z", 10.0);
  test::writeText(file_, a);
  EventIndex index(file_);
  index.refresh();
  ASSERT_EQ(idsOf(index), (std::vector<long long>{1}));

  // Truncated and written again, longer than before: the indexed bytes no longer end
  // with a newline.
  const std::string longer = eventLine(20, "2026-12-07T10:51:40Z", 70.0) + "\n" +
                             eventLine(21, "2026-12-07T10:52:40Z", 130.0);
  ASSERT_NE(longer[a.size() - 1], '\n');
  test::writeText(file_, longer);
  index.refresh();
  EXPECT_EQ(idsOf(index), (std::vector<long long>{20, 21}));
  EXPECT_EQ(index.generation(), 1u);

  // Another file renamed over it, as long as the old one and ending a line at the same
  // place: only that it is another file tells.
  const fs::path other = file_.parent_path() / "events.jsonl.new";
  std::string replacement = eventLine(30, "2026-12-07T10:53:40Z", 190.0);
  replacement += std::string(longer.size() - replacement.size() - 1, ' ') + "\n";
  ASSERT_EQ(replacement.size(), longer.size());
  test::writeText(other, replacement);
  fs::rename(other, file_);
  index.refresh();
  EXPECT_EQ(idsOf(index), (std::vector<long long>{30}));
  EXPECT_EQ(index.generation(), 2u);
}

TEST_F(EventIndexTest, ReadLinesGivesNothingFromAnotherFileRenamedOverTheIndexedOne) {
  const std::string a = eventLine(1, "2026-12-07T10:50:40Z", 10.0);
  const std::string b = eventLine(2, "2026-12-07T10:51:40Z", 70.0);
  test::writeText(file_, a + b);
  EventIndex index(file_);
  index.refresh();
  ASSERT_EQ(idsOf(index), (std::vector<long long>{1, 2}));

  // Other events, each where one of the indexed ones was and as long: only that it is
  // another file tells.
  const std::string c = eventLine(8, "2026-12-07T11:50:40Z", 20.0);
  const std::string d = eventLine(9, "2026-12-07T11:51:40Z", 80.0);
  ASSERT_EQ(c.size(), a.size());
  ASSERT_EQ(d.size(), b.size());
  const fs::path other = file_.parent_path() / "events.jsonl.new";
  test::writeText(other, c + d);
  fs::rename(other, file_);
  EXPECT_EQ(index.readLines({0, 1}), (std::vector<std::string>{"", ""}));

  index.refresh();
  EXPECT_EQ(idsOf(index), (std::vector<long long>{8, 9}));
  EXPECT_EQ(index.generation(), 1u);
  const std::vector<std::string> lines = index.readLines({0, 1});
  ASSERT_EQ(lines.size(), 2u);
  EXPECT_EQ(lines[0] + "\n", c);
  EXPECT_EQ(lines[1] + "\n", d);
}

TEST_F(EventIndexTest, ReadLinesGivesNothingForALineThatNoLongerEndsWhereItDid) {
  const std::string a = eventLine(1, "2026-12-07T10:50:40Z", 10.0);
  const std::string b = eventLine(2, "2026-12-07T10:51:40Z", 70.0);
  test::writeText(file_, a + b);
  EventIndex index(file_);
  index.refresh();
  ASSERT_EQ(idsOf(index), (std::vector<long long>{1, 2}));

  // The same file truncated and written again: where b was, another event padded longer
  // than b, whose first b.size() - 1 bytes are an event object too.
  const std::string d = eventLine(9, "2026-12-07T11:51:40Z", 80.0);
  ASSERT_EQ(d.size(), b.size());
  const std::string padded = d.substr(0, d.size() - 1) + std::string(8, ' ') + "\n";
  ASSERT_TRUE(json::parse(padded.substr(0, b.size() - 1)).is_object());
  test::writeText(file_, a + padded);
  const std::vector<std::string> lines = index.readLines({0, 1});
  ASSERT_EQ(lines.size(), 2u);
  EXPECT_EQ(lines[0] + "\n", a);  // still where it was, newline and all
  EXPECT_EQ(lines[1], "");
}

TEST_F(EventIndexTest, AMissingFileIsEmptyUntilItIsWritten) {
  EventIndex index(file_);
  index.refresh();
  EXPECT_TRUE(index.events().empty());
  EXPECT_EQ(index.generation(), 0u);
  EXPECT_TRUE(index.readLines({}).empty());

  test::writeText(file_, eventLine(1, "2026-12-07T10:50:40Z", 10.0));
  index.refresh();
  EXPECT_EQ(idsOf(index), (std::vector<long long>{1}));
  EXPECT_EQ(index.generation(), 0u);

  fs::remove(file_);
  index.refresh();
  EXPECT_TRUE(index.events().empty());
  EXPECT_EQ(index.generation(), 1u);
}

// Makes every open of this process fail with EMFILE while it lives, whoever runs the test
// (permissions do not stop root).
class NoFreeFileDescriptor {
 public:
  NoFreeFileDescriptor() {
    ::getrlimit(RLIMIT_NOFILE, &saved_);
    // The lowest free descriptor: a limit at it leaves none for the next open.
    const int lowest_free = ::open("/dev/null", O_RDONLY | O_CLOEXEC);
    ::close(lowest_free);
    rlimit lowered = saved_;
    lowered.rlim_cur = static_cast<rlim_t>(lowest_free);
    ::setrlimit(RLIMIT_NOFILE, &lowered);
  }
  ~NoFreeFileDescriptor() { ::setrlimit(RLIMIT_NOFILE, &saved_); }
  NoFreeFileDescriptor(const NoFreeFileDescriptor&) = delete;
  NoFreeFileDescriptor& operator=(const NoFreeFileDescriptor&) = delete;

 private:
  rlimit saved_{};
};

TEST_F(EventIndexTest, AFileThatCannotBeOpenedForNowKeepsItsIndex) {
  const std::string a = eventLine(1, "2026-12-07T10:50:40Z", 10.0);
  test::writeText(file_, a);
  EventIndex index(file_);
  index.refresh();
  ASSERT_EQ(idsOf(index), (std::vector<long long>{1}));

  test::appendText(file_, eventLine(2, "2026-12-07T10:51:40Z", 70.0));
  bool opened = false;
  {
    const NoFreeFileDescriptor no_free_descriptor;
    opened = openRegularFile(file_).has_value();
    index.refresh();
  }
  ASSERT_FALSE(opened) << "the open was meant to fail";
  // Not taken for a file gone: the index (and its generation, which would have every event
  // announced again) stays as it was.
  EXPECT_EQ(idsOf(index), (std::vector<long long>{1}));
  EXPECT_EQ(index.consumed(), a.size());
  EXPECT_EQ(index.generation(), 0u);

  index.refresh();
  EXPECT_EQ(idsOf(index), (std::vector<long long>{1, 2}));
  EXPECT_EQ(index.generation(), 0u);
}

TEST_F(EventIndexTest, AFileThatIsNoLongerARegularFileIsIndexedAgain) {
  test::writeText(file_, eventLine(1, "2026-12-07T10:50:40Z", 10.0));
  EventIndex index(file_);
  index.refresh();
  ASSERT_EQ(idsOf(index), (std::vector<long long>{1}));

  fs::remove(file_);
  fs::create_directory(file_);
  index.refresh();
  EXPECT_TRUE(index.events().empty());
  EXPECT_EQ(index.generation(), 1u);
}

TEST_F(EventIndexTest, FindGivesTheFirstEventWithTheId) {
  test::writeText(file_, eventLine(4, "", 1.0) + eventLine(5, "", 2.0) + eventLine(4, "", 3.0));
  EventIndex index(file_);
  index.refresh();
  EXPECT_EQ(index.find(4), 0u);
  EXPECT_EQ(index.find(5), 1u);
  EXPECT_EQ(index.find(6), std::nullopt);
}

TEST_F(EventIndexTest, OnlyAnIntegerThatFitsIsAnId) {
  test::writeText(file_,
                  "{\"target\":\"x\"}\n"             // none
                  "{\"id\":1.5}\n"                   // a fraction
                  "{\"id\":1e300}\n"                 // no long long
                  "{\"id\":\"3\"}\n"                 // a string
                  "{\"id\":18446744073709551615}\n"  // above LLONG_MAX
                  "{\"id\":9223372036854775808}\n"   // just above
                  "{\"id\":9223372036854775807}\n"   // LLONG_MAX
                  "{\"id\":-3}\n"                    // negative
                  "{\"id\":-1}\n");
  EventIndex index(file_);
  index.refresh();
  std::vector<std::optional<long long>> ids;
  for (const IndexedEvent& event : index.events())
    ids.push_back(event.id);
  EXPECT_EQ(ids, (std::vector<std::optional<long long>>{
                     std::nullopt, std::nullopt, std::nullopt, std::nullopt, std::nullopt,
                     std::nullopt, std::numeric_limits<long long>::max(), -3, -1}));
  // -1 finds the event with that id, not the first without one.
  EXPECT_EQ(index.find(-1), 8u);
  EXPECT_EQ(index.find(1), std::nullopt);
}

TEST_F(EventIndexTest, NoIdIsFoundAsMinusOne) {
  test::writeText(file_, "{\"target\":\"x\"}\n" + eventLine(2, "", 1.0));
  EventIndex index(file_);
  index.refresh();
  ASSERT_EQ(index.events().size(), 2u);
  EXPECT_EQ(index.find(-1), std::nullopt);
  EXPECT_EQ(index.find(2), 1u);
}

// scores.csv: the binary search against the rule it replaces, a scan from the top.

// The score curve as EventLog read it before it searched: every row from the start. A row
// of a frame without a timestamp (pts -1) is left out as a row before the window, but for
// a window that starts at or below -1.
json linearScoreCurve(const fs::path& csv_path, const std::string& target, double from, double to) {
  const auto split = [](const std::string& line) {
    std::vector<std::string> cells;
    std::stringstream in(line);
    for (std::string cell; std::getline(in, cell, ',');)
      cells.push_back(cell);
    return cells;
  };
  json scores = json::array();
  std::ifstream csv(csv_path);
  std::string line;
  std::getline(csv, line);
  const std::vector<std::string> header = split(line);
  const auto column = [&](const std::string& name) {
    return std::find(header.begin(), header.end(), name) - header.begin();
  };
  const auto pts_column = column("pts_seconds"), score_column = column(target),
             classified_column = column("classified");
  const auto columns = static_cast<long>(header.size());
  if (pts_column >= columns || score_column >= columns) return scores;
  while (std::getline(csv, line)) {
    const std::vector<std::string> cells = split(line);
    if (static_cast<long>(cells.size()) != columns) continue;
    if (classified_column < columns && cells[classified_column] == "0") continue;
    const double pts = std::strtod(cells[pts_column].c_str(), nullptr);
    if (pts < from) continue;
    if (pts > to) break;
    scores.push_back({{"pts", pts}, {"score", std::strtod(cells[score_column].c_str(), nullptr)}});
  }
  return scores;
}

class ScoreCurveTest : public ::testing::Test {
 protected:
  void SetUp() override { csv_ = test::freshTestDir("score_curve") / "scores.csv"; }

  // `rows` rows from pts 5 at 15 fps, as the stream writes them; every 7th not
  // classified, every 50th a second row at the same pts, one row cut short and one of a
  // frame without a timestamp (pts -1) in the middle; the last row still being written.
  // Returns the pts of the rows written in pts order.
  std::vector<double> writeScores(int rows) {
    std::string text = "pts_seconds,frame,classified,top_label,aggressive,non_aggressive\n";
    std::vector<double> pts;
    char row[128];
    for (int i = 0; i < rows; ++i) {
      const double t = 5.0 + i / 15.0;
      const double score = 0.5 + 0.5 * std::sin(i * 0.1);
      for (int copy = 0; copy < (i % 50 == 0 ? 2 : 1); ++copy) {
        std::snprintf(row, sizeof(row), "%.6f,%d,%d,%s,%.6f,%.6f\n", t, i, i % 7 == 0 ? 0 : 1,
                      score > 0.5 ? "aggressive" : "non_aggressive", score + copy * 0.01,
                      1 - score);
        text += row;
        pts.push_back(std::strtod(row, nullptr));
      }
      if (i == rows / 3) text += "17.000000,9999,1\n";  // wrong number of cells
      if (i == rows / 2) text += "-1.000000,9998,1,aggressive,0.900000,0.100000\n";
    }
    text += "999.000000,99999,1,aggr";  // being written
    test::writeText(csv_, text);
    return pts;
  }

  void expectSameCurve(const std::string& target, double from, double to) {
    const json searched = scoreCurve(csv_, target, from, to);
    const json scanned = linearScoreCurve(csv_, target, from, to);
    EXPECT_EQ(searched, scanned) << "[" << from << ", " << to << "]: " << searched.size()
                                 << " rows searched, " << scanned.size() << " scanned";
  }

  fs::path csv_;
};

TEST_F(ScoreCurveTest, BinarySearchGivesTheCurveOfAScanFromTheTop) {
  const std::vector<double> pts = writeScores(3000);
  const double first = pts.front(), last = pts.back();
  // Before the first row, across it, after the last, across it, everything, nothing.
  for (const auto& [from, to] : std::vector<std::pair<double, double>>{{-10.0, 1.0},
                                                                       {-10.0, first},
                                                                       {0.0, first + 1.0},
                                                                       {last + 0.01, last + 10},
                                                                       {last - 1.0, last + 10},
                                                                       {last, last},
                                                                       {first, last},
                                                                       {-1e9, 1e9},
                                                                       {50.0, 40.0}}) {
    expectSameCurve("aggressive", from, to);
  }
  // Windows starting and ending exactly on rows and between rows, here and there.
  for (std::size_t i = 0; i < pts.size(); i += 37) {
    const double between = i + 1 < pts.size() ? (pts[i] + pts[i + 1]) / 2 : pts[i] + 0.01;
    expectSameCurve("aggressive", pts[i], pts[i] + 2.0);
    expectSameCurve("non_aggressive", pts[i], pts[std::min(i + 30, pts.size() - 1)]);
    expectSameCurve("aggressive", between, between + 1.5);
    expectSameCurve("aggressive", pts[i] - 1e-7, pts[i]);
    expectSameCurve("aggressive", pts[i] + 1e-7, pts[i] + 0.5);
  }
  // Windows from the rows just before the frame without a timestamp, whose bytes a probe
  // may land in (frames 1499 and 1500, the second twice, then the -1 row).
  const double before_no_timestamp = 5.0 + 1500 / 15.0;
  for (const double from : {before_no_timestamp - 1 / 15.0, before_no_timestamp - 0.01,
                            before_no_timestamp, before_no_timestamp + 0.01}) {
    expectSameCurve("aggressive", from, from + 1.0);
  }
  // A window on one row (frame 3, classified) gives it.
  const json one = scoreCurve(csv_, "aggressive", 5.2, 5.2);
  ASSERT_EQ(one.size(), 1u) << one.dump();
  EXPECT_EQ(one[0]["pts"].get<double>(), 5.2);
  // Two rows at the same pts (frame 50): both, from the first.
  const double twice = 5.0 + 50 / 15.0;
  EXPECT_EQ(scoreCurve(csv_, "aggressive", twice - 1e-3, twice + 1e-3).size(), 2u);
}

TEST_F(ScoreCurveTest, AHeaderAloneOrNoFileGivesNothing) {
  EXPECT_EQ(scoreCurve(csv_, "aggressive", -1e9, 1e9), json::array());

  test::writeText(csv_, "pts_seconds,frame,classified,top_label,aggressive\n");
  EXPECT_EQ(scoreCurve(csv_, "aggressive", -1e9, 1e9), json::array());
  expectSameCurve("aggressive", -1e9, 1e9);

  test::writeText(csv_, "pts_seconds,frame,classified,top_la");  // the header being written
  EXPECT_EQ(scoreCurve(csv_, "aggressive", -1e9, 1e9), json::array());
}

TEST_F(ScoreCurveTest, MissingColumnsGiveNothing) {
  writeScores(100);
  EXPECT_EQ(scoreCurve(csv_, "no_such_class", -1e9, 1e9), json::array());
  test::writeText(csv_, "seconds,aggressive\n1.0,0.5\n2.0,0.6\n");
  EXPECT_EQ(scoreCurve(csv_, "aggressive", -1e9, 1e9), json::array());
}

TEST_F(ScoreCurveTest, WithoutAClassifiedColumnEveryRowCounts) {
  test::writeText(csv_,
                  "pts_seconds,aggressive\n"
                  "1.000000,0.1\n"
                  "2.000000,0.2\n"
                  "3.000000,0.3\n"
                  "4.000000,0.4\n"
                  "5.000000,0.5");  // a last line without its newline is read as std::getline does
  expectSameCurve("aggressive", 2.0, 5.0);
  const json curve = scoreCurve(csv_, "aggressive", 2.0, 5.0);
  ASSERT_EQ(curve.size(), 4u) << curve.dump();
  EXPECT_EQ(curve[0]["score"].get<double>(), 0.2);
  EXPECT_EQ(curve[3]["pts"].get<double>(), 5.0);
  for (double from = 0.5; from < 6; from += 0.5)
    expectSameCurve("aggressive", from, from + 1.0);
}

}  // namespace
}  // namespace deepbug::web
