// EventLog over hand-written events.jsonl and scores.csv files: the order, filters and
// pages of query(), /files/ links, one event's score curve, lines still being
// written, a log written anew, takeNew(), requests on several threads; parseTime's forms.
#include <gtest/gtest.h>

#include <atomic>
#include <filesystem>
#include <fstream>
#include <memory>
#include <nlohmann/json.hpp>
#include <numeric>
#include <string>
#include <thread>
#include <utility>
#include <vector>

#include "web/event_log.hpp"
#include "web_test_dir.hpp"

namespace deepbug::web {
namespace {

namespace fs = std::filesystem;
using nlohmann::json;

// 2026-12-07T10:50:40Z in unix seconds: 20794 days from 1970-01-01 (56 years, 14 of
// them leap: 56 * 365 + 14 = 20454, plus 340 days to 7 December 2026) * 86400
// + 10 * 3600 + 50 * 60 + 40 = 1796601600 + 39040.
constexpr double kT0 = 1796640640.0;

json explainedFrame(long long frame, double pts, double relevance, const std::string& snapshot) {
  return json{{"frame", frame},
              {"pts", pts},
              {"relevance", {{"explained", relevance}, {"sum", 1.0}}},
              {"snapshot",
               {{"frame", snapshot + "-frame.png"},
                {"heatmap", snapshot + "-heatmap.png"},
                {"overlay", snapshot + "-overlay.png"}}}};
}

json eventJson(long long id, const std::string& target, const std::string& wall_time,
               double start_pts, double end_pts, json explained) {
  return json{{"id", id},
              {"target", target},
              {"start", {{"frame", 0}, {"pts", start_pts}, {"wall_time", wall_time}}},
              {"end", {{"frame", 0}, {"pts", end_pts}, {"wall_time", wall_time}}},
              {"frames", 3},
              {"mean_score", 0.8},
              {"explained", std::move(explained)}};
}

// Creates every file an event names, as the stream writes them before the event.
void touchFiles(const json& value) {
  if (value.is_object() || value.is_array()) {
    for (const auto& item : value)
      touchFiles(item);
  } else if (value.is_string()) {
    const std::string text = value.get<std::string>();
    if (text.empty() || text.front() != '/') return;
    fs::create_directories(fs::path(text).parent_path());
    std::ofstream(text, std::ios::app);
  }
}

// The event as a line of events.jsonl, its files written.
std::string line(const json& event) {
  touchFiles(event);
  return event.dump() + "\n";
}

// (source, id) of each event, in order.
std::vector<std::pair<std::string, long long>> keys(const std::vector<json>& events) {
  std::vector<std::pair<std::string, long long>> out;
  for (const json& event : events)
    out.emplace_back(event.at("source").get<std::string>(), event.at("id").get<long long>());
  return out;
}

using Keys = std::vector<std::pair<std::string, long long>>;

class EventLogTest : public ::testing::Test {
 protected:
  void SetUp() override {
    const fs::path dir = test::freshTestDir("event_log");
    root_ = fs::canonical(dir) / "out";
    outside_ = fs::canonical(dir) / "elsewhere";
    cam_a_ = root_ / "cam_a";
    cam_b_ = root_ / "cam_b";
    fs::create_directories(cam_a_);
    fs::create_directories(cam_b_);
    fs::create_directories(outside_);
  }

  // cam_a: events 1 (T0), 2 (T0+20), 3 (T0+80), a malformed line, a line being written.
  // cam_b: events 1 (T0+10.5), 2 (T0+50). Newest first: a3 b2 a2 b1 a1.
  void writeRun() {
    const std::string snaps_a = (cam_a_ / "snapshots").string();
    std::string a;
    json a1 = eventJson(1, "aggressive", "2026-12-07T10:50:40Z", 10.0, 12.0,
                        {explainedFrame(250, 10.0, 0.2, snaps_a + "/000250"),
                         explainedFrame(275, 11.0, 0.9, snaps_a + "/000275"),
                         explainedFrame(300, 12.0, 0.5, snaps_a + "/000300")});
    a1["clip"] = (cam_a_ / "clips" / "event-1.mp4").string();
    a += line(a1);
    a += "{\"id\": 99, \"target\": \"aggr\n";  // malformed: skipped
    a += line(eventJson(2, "aggressive", "2026-12-07T10:51:00.000Z", 30.0, 31.0,
                        {explainedFrame(750, 30.0, 0.4, snaps_a + "/000750")}));
    a += line(eventJson(3, "aggressive", "2026-12-07T10:52:00Z", 90.0, 95.0,
                        {explainedFrame(2250, 90.0, 0.1, (outside_ / "000001").string()),
                         explainedFrame(2300, 92.0, 0.6, snaps_a + "/002300"),
                         explainedFrame(2350, 94.0, 0.6, snaps_a + "/002350")}));
    // Being written: no newline yet (and the newest of all, were it read).
    a += line(eventJson(4, "aggressive", "2026-12-07T11:00:00Z", 500.0, 501.0, json::array()));
    a.pop_back();
    test::writeText(cam_a_ / "events.jsonl", a);

    std::string b;
    b += line(eventJson(1, "non_aggressive", "2026-12-07T10:50:50.5Z", 20.0, 21.0, json::array()));
    b += line(eventJson(2, "aggressive", "2026-12-07T10:51:30+00:00", 60.0, 62.0,
                        {explainedFrame(1500, 60.0, -0.5, (cam_b_ / "s1").string()),
                         explainedFrame(1525, 61.0, -0.2, (cam_b_ / "s2").string())}));
    test::writeText(cam_b_ / "events.jsonl", b);

    test::writeText(cam_a_ / "scores.csv",
                    "pts_seconds,frame,classified,top_label,aggressive,non_aggressive\n"
                    "7.500000,0,1,non_aggressive,0.100000,0.900000\n"
                    "8.000000,1,1,aggressive,0.600000,0.400000\n"
                    "9.000000,2,0,,0.990000,0.010000\n"
                    "10.000000,3,1,aggressive,0.800000,0.200000\n"
                    "12.000000,4,1,aggressive,0.700000,0.300000\n"
                    "13.000000,5,1,non_aggressive,0.450000,0.550000\n"
                    "13.500000,6,1,non_aggressive,0.300000,0.700000\n"
                    "30.000000,7,1,aggressive,0.900000,0.100000\n");
    test::writeText(cam_b_ / "scores.csv",
                    "pts_seconds,frame,classified,top_label,aggressive,non_aggressive\n"
                    "19.000000,0,1,non_aggressive,0.300000,0.700000\n"
                    "20.000000,1,1,non_aggressive,0.250000,0.750000\n"
                    "20.500000,2,0,,0.000000,0.000000\n"
                    "21.000000,3,1,aggressive,0.600000,0.400000\n"
                    "21.200000,4,1");  // being written
  }

  std::unique_ptr<EventLog> makeLog() const {
    auto log = std::make_unique<EventLog>(root_);
    log->addSource("cam_a", cam_a_);
    log->addSource("cam_b", cam_b_);
    return log;
  }

  fs::path root_, outside_, cam_a_, cam_b_;
};

TEST_F(EventLogTest, QueryIsNewestFirstAcrossSources) {
  writeRun();
  const auto log = makeLog();
  const EventLog& events = *log;
  const EventPage page = events.query({});
  EXPECT_EQ(page.total, 5u);
  EXPECT_EQ(keys(page.events),
            (Keys{{"cam_a", 3}, {"cam_b", 2}, {"cam_a", 2}, {"cam_b", 1}, {"cam_a", 1}}));
}

TEST_F(EventLogTest, PagesCountEveryMatch) {
  writeRun();
  const auto log = makeLog();
  const EventLog& events = *log;
  EventQuery query;
  query.limit = 2;
  EventPage page = events.query(query);
  EXPECT_EQ(page.total, 5u);
  EXPECT_EQ(keys(page.events), (Keys{{"cam_a", 3}, {"cam_b", 2}}));

  query.offset = 2;
  page = events.query(query);
  EXPECT_EQ(page.total, 5u);
  EXPECT_EQ(keys(page.events), (Keys{{"cam_a", 2}, {"cam_b", 1}}));

  query.offset = 4;
  page = events.query(query);
  EXPECT_EQ(page.total, 5u);
  EXPECT_EQ(keys(page.events), (Keys{{"cam_a", 1}}));

  query.offset = 5;
  page = events.query(query);
  EXPECT_EQ(page.total, 5u);
  EXPECT_TRUE(page.events.empty());

  query.offset = 1;
  query.limit = 0;
  page = events.query(query);
  EXPECT_EQ(page.total, 5u);
  EXPECT_TRUE(page.events.empty());
}

TEST_F(EventLogTest, SourceFilter) {
  writeRun();
  const auto log = makeLog();
  const EventLog& events = *log;
  EventQuery query;
  query.source = "cam_b";
  EventPage page = events.query(query);
  EXPECT_EQ(page.total, 2u);
  EXPECT_EQ(keys(page.events), (Keys{{"cam_b", 2}, {"cam_b", 1}}));

  query.source = "cam_z";
  page = events.query(query);
  EXPECT_EQ(page.total, 0u);
  EXPECT_TRUE(page.events.empty());
}

TEST_F(EventLogTest, SinceIsInclusiveUntilIsExclusive) {
  writeRun();
  const auto log = makeLog();
  const EventLog& events = *log;
  EventQuery query;
  query.since = parseTime("2026-12-07T10:51:00Z");  // a2's start exactly
  ASSERT_TRUE(query.since.has_value());
  EventPage page = events.query(query);
  EXPECT_EQ(page.total, 3u);
  EXPECT_EQ(keys(page.events), (Keys{{"cam_a", 3}, {"cam_b", 2}, {"cam_a", 2}}));

  query = {};
  query.until = parseTime("1796640690");  // T0 + 50: b2's start exactly, left out
  ASSERT_TRUE(query.until.has_value());
  page = events.query(query);
  EXPECT_EQ(page.total, 3u);
  EXPECT_EQ(keys(page.events), (Keys{{"cam_a", 2}, {"cam_b", 1}, {"cam_a", 1}}));

  query = {};
  query.since = parseTime("1796640650.5");          // b1's start: in
  query.until = parseTime("2026-12-07T10:52:00Z");  // a3's start: out
  page = events.query(query);
  EXPECT_EQ(page.total, 3u);
  EXPECT_EQ(keys(page.events), (Keys{{"cam_b", 2}, {"cam_a", 2}, {"cam_b", 1}}));

  query.source = "cam_a";
  query.limit = 1;
  page = events.query(query);
  EXPECT_EQ(page.total, 1u);
  EXPECT_EQ(keys(page.events), (Keys{{"cam_a", 2}}));

  query = {};
  query.since = kT0 + 1000;
  page = events.query(query);
  EXPECT_EQ(page.total, 0u);
  EXPECT_TRUE(page.events.empty());
}

TEST_F(EventLogTest, PathsInsideTheRootBecomeFilesUrls) {
  writeRun();
  const auto log = makeLog();
  const EventLog& events = *log;
  EventQuery query;
  query.source = "cam_a";
  const EventPage page = events.query(query);
  ASSERT_EQ(page.events.size(), 3u);
  const json& a3 = page.events[0];
  const json& a1 = page.events[2];
  ASSERT_EQ(a1.at("id"), 1);
  ASSERT_EQ(a1.at("explained").size(), 3u);
  EXPECT_EQ(a1["explained"][0]["snapshot"]["frame"], "/files/cam_a/snapshots/000250-frame.png");
  EXPECT_EQ(a1["explained"][1]["snapshot"]["heatmap"], "/files/cam_a/snapshots/000275-heatmap.png");
  EXPECT_EQ(a1["explained"][2]["snapshot"]["overlay"], "/files/cam_a/snapshots/000300-overlay.png");
  EXPECT_EQ(a1["clip"], "/files/cam_a/clips/event-1.mp4");
  EXPECT_EQ(a1["target"], "aggressive");  // other strings stay
  EXPECT_EQ(a1["start"]["wall_time"], "2026-12-07T10:50:40Z");

  ASSERT_EQ(a3.at("id"), 3);
  ASSERT_EQ(a3.at("explained").size(), 3u);
  // Outside the root: dropped, not shown.
  EXPECT_EQ(a3["explained"][0]["snapshot"]["frame"], "");
  EXPECT_EQ(a3["explained"][0]["snapshot"]["heatmap"], "");
  EXPECT_EQ(a3["explained"][1]["snapshot"]["frame"], "/files/cam_a/snapshots/002300-frame.png");

  const std::string all = page.events[0].dump() + page.events[1].dump() + page.events[2].dump();
  EXPECT_EQ(all.find(root_.string()), std::string::npos) << "a raw path is served";
  EXPECT_EQ(all.find(outside_.string()), std::string::npos) << "a raw path is served";
}

TEST_F(EventLogTest, EventCarriesItsScoreCurve) {
  writeRun();
  const auto log = makeLog();
  const EventLog& events = *log;
  // a1: pts 10..12, target aggressive; 2 s before, 1 s after: [8, 13], classified rows.
  const auto a1 = events.event("cam_a", 1, 2.0, 1.0);
  ASSERT_TRUE(a1.has_value());
  EXPECT_EQ((*a1)["id"], 1);
  EXPECT_EQ((*a1)["source"], "cam_a");
  EXPECT_EQ((*a1)["clip"], "/files/cam_a/clips/event-1.mp4");
  const std::vector<std::pair<double, double>> expected_a{
      {8.0, 0.6}, {10.0, 0.8}, {12.0, 0.7}, {13.0, 0.45}};
  const json& scores_a = (*a1)["scores"];
  ASSERT_EQ(scores_a.size(), expected_a.size()) << scores_a.dump();
  for (std::size_t i = 0; i < expected_a.size(); ++i) {
    EXPECT_DOUBLE_EQ(scores_a[i]["pts"].get<double>(), expected_a[i].first) << i;
    EXPECT_DOUBLE_EQ(scores_a[i]["score"].get<double>(), expected_a[i].second) << i;
  }

  // b1: pts 20..21, target non_aggressive; [19.5, 21.25]; the last line is unfinished.
  const auto b1 = events.event("cam_b", 1, 0.5, 0.25);
  ASSERT_TRUE(b1.has_value());
  const std::vector<std::pair<double, double>> expected_b{{20.0, 0.75}, {21.0, 0.4}};
  const json& scores_b = (*b1)["scores"];
  ASSERT_EQ(scores_b.size(), expected_b.size()) << scores_b.dump();
  for (std::size_t i = 0; i < expected_b.size(); ++i) {
    EXPECT_DOUBLE_EQ(scores_b[i]["pts"].get<double>(), expected_b[i].first) << i;
    EXPECT_DOUBLE_EQ(scores_b[i]["score"].get<double>(), expected_b[i].second) << i;
  }

  // No rolls: exactly [10, 12].
  const auto tight = events.event("cam_a", 1, 0.0, 0.0);
  ASSERT_TRUE(tight.has_value());
  ASSERT_EQ((*tight)["scores"].size(), 2u);
  EXPECT_DOUBLE_EQ((*tight)["scores"][0]["pts"].get<double>(), 10.0);
  EXPECT_DOUBLE_EQ((*tight)["scores"][1]["pts"].get<double>(), 12.0);
}

TEST_F(EventLogTest, UnknownEventsAreNothing) {
  writeRun();
  const auto log = makeLog();
  const EventLog& events = *log;
  EXPECT_EQ(events.event("cam_a", 42, 1.0, 1.0), std::nullopt);
  EXPECT_EQ(events.event("cam_a", 99, 1.0, 1.0), std::nullopt);  // the malformed line
  EXPECT_EQ(events.event("cam_a", 4, 1.0, 1.0), std::nullopt);   // being written
  EXPECT_EQ(events.event("cam_z", 1, 1.0, 1.0), std::nullopt);
}

TEST_F(EventLogTest, NoScoresFileGivesAnEmptyCurve) {
  writeRun();
  fs::remove(cam_b_ / "scores.csv");
  const auto log = makeLog();
  const EventLog& events = *log;
  const auto b2 = events.event("cam_b", 2, 1.0, 1.0);
  ASSERT_TRUE(b2.has_value());
  EXPECT_TRUE((*b2)["scores"].is_array());
  EXPECT_TRUE((*b2)["scores"].empty());
}

TEST_F(EventLogTest, LineBeingWrittenIsReadOnceFinished) {
  writeRun();
  const auto log = makeLog();
  const EventLog& events = *log;
  EventQuery query;
  query.source = "cam_a";
  EXPECT_EQ(events.query(query).total, 3u);
  test::appendText(cam_a_ / "events.jsonl", "\n");
  const EventPage page = events.query(query);
  EXPECT_EQ(page.total, 4u);
  EXPECT_EQ(keys(page.events), (Keys{{"cam_a", 4}, {"cam_a", 3}, {"cam_a", 2}, {"cam_a", 1}}));
}

TEST_F(EventLogTest, AFileNotWrittenYetIsNotLinked) {
  json event = eventJson(1, "aggressive", "2026-12-07T10:50:40Z", 10.0, 12.0, json::array());
  event["clip"] = (cam_a_ / "clips" / "event-1.mp4").string();
  test::writeText(cam_a_ / "events.jsonl", event.dump() + "\n");  // the clip is still to come
  const auto log = makeLog();
  const json before = log->query({}).events.at(0);
  EXPECT_EQ(before["clip"], "");
  EXPECT_EQ(before.value("clip_pending", false), true) << before.dump();
  touchFiles(event);
  const json after = log->query({}).events.at(0);
  EXPECT_EQ(after["clip"], "/files/cam_a/clips/event-1.mp4");
  EXPECT_FALSE(after.contains("clip_pending")) << after.dump();
}

TEST_F(EventLogTest, AClipOutsideTheOutputFolderIsNeitherLinkedNorPending) {
  json event = eventJson(1, "aggressive", "2026-12-07T10:50:40Z", 10.0, 12.0, json::array());
  event["clip"] = "/elsewhere/event-1.mp4";
  test::writeText(cam_a_ / "events.jsonl", event.dump() + "\n");
  const json served = makeLog()->query({}).events.at(0);
  EXPECT_EQ(served["clip"], "");
  EXPECT_FALSE(served.contains("clip_pending")) << served.dump();

  // A relative path is not linked (only absolute ones are), so not pending either, also
  // one that leads into the output folder from the working directory.
  const std::string relative =
      (fs::relative(cam_a_, fs::current_path()) / "clips" / "event-1.mp4").string();
  ASSERT_FALSE(relative.empty());
  ASSERT_NE(relative.front(), '/');
  event["clip"] = relative;
  test::writeText(cam_a_ / "events.jsonl", event.dump() + "\n");
  const json served_relative = makeLog()->query({}).events.at(0);
  EXPECT_EQ(served_relative["clip"], relative);
  EXPECT_FALSE(served_relative.contains("clip_pending")) << served_relative.dump();
}

TEST_F(EventLogTest, TakeNewAnnouncesEachEventOnce) {
  const std::string snaps = (cam_a_ / "snapshots").string();
  test::writeText(cam_a_ / "events.jsonl",
                  line(eventJson(1, "aggressive", "2026-12-07T10:50:40Z", 10.0, 12.0,
                                 {explainedFrame(1, 10.0, 0.3, snaps + "/1"),
                                  explainedFrame(2, 11.0, 0.8, snaps + "/2")})));
  test::writeText(cam_b_ / "events.jsonl", line(eventJson(1, "aggressive", "2026-12-07T10:50:45Z",
                                                          5.0, 6.0, json::array())));
  const auto log = makeLog();
  EventLog& events = *log;

  std::vector<json> fresh = events.takeNew();
  EXPECT_EQ(keys(fresh), (Keys{{"cam_a", 1}, {"cam_b", 1}}));
  ASSERT_EQ(fresh.size(), 2u);
  EXPECT_EQ(fresh[0]["explained"][0]["snapshot"]["frame"], "/files/cam_a/snapshots/1-frame.png");

  // Later lines, one of them still being written.
  const std::string a2 =
      line(eventJson(2, "aggressive", "2026-12-07T10:51:00Z", 30.0, 31.0, json::array()));
  test::appendText(cam_a_ / "events.jsonl", a2);
  test::appendText(cam_a_ / "events.jsonl", "not json\n");
  const std::string a3 =
      line(eventJson(3, "aggressive", "2026-12-07T10:52:00Z", 90.0, 91.0, json::array()));
  test::appendText(cam_a_ / "events.jsonl", a3.substr(0, a3.size() / 2));
  fresh = events.takeNew();
  EXPECT_EQ(keys(fresh), (Keys{{"cam_a", 2}}));

  test::appendText(cam_a_ / "events.jsonl", a3.substr(a3.size() / 2));
  test::appendText(cam_b_ / "events.jsonl", line(eventJson(2, "aggressive", "2026-12-07T10:53:00Z",
                                                           100.0, 101.0, json::array())));
  fresh = events.takeNew();
  EXPECT_EQ(keys(fresh), (Keys{{"cam_a", 3}, {"cam_b", 2}}));

  EXPECT_TRUE(events.takeNew().empty());
  EXPECT_TRUE(events.takeNew().empty());
}

TEST_F(EventLogTest, ARewrittenLogIsReadAndAnnouncedAfresh) {
  writeRun();
  const auto log = makeLog();
  EventLog& events = *log;
  EXPECT_EQ(keys(events.takeNew()),
            (Keys{{"cam_a", 1}, {"cam_a", 2}, {"cam_a", 3}, {"cam_b", 1}, {"cam_b", 2}}));

  // A new run writes cam_a's log anew (--overwrite): shorter than what was read.
  test::writeText(cam_a_ / "events.jsonl", line(eventJson(1, "aggressive", "2026-12-07T12:00:00Z",
                                                          2.0, 3.0, json::array())));
  const EventPage page = events.query({});
  EXPECT_EQ(page.total, 3u);
  EXPECT_EQ(keys(page.events), (Keys{{"cam_a", 1}, {"cam_b", 2}, {"cam_b", 1}}));
  EXPECT_EQ(page.events.at(0)["start"]["wall_time"], "2026-12-07T12:00:00Z");
  const auto a1 = events.event("cam_a", 1, 0.0, 0.0);
  ASSERT_TRUE(a1.has_value());
  EXPECT_EQ((*a1)["start"]["pts"], 2.0);
  EXPECT_EQ(events.event("cam_a", 2, 0.0, 0.0), std::nullopt);

  // Its event is a new one: announced, once.
  const std::vector<json> fresh = events.takeNew();
  EXPECT_EQ(keys(fresh), (Keys{{"cam_a", 1}}));
  ASSERT_EQ(fresh.size(), 1u);
  EXPECT_EQ(fresh[0]["start"]["wall_time"], "2026-12-07T12:00:00Z");
  EXPECT_TRUE(events.takeNew().empty());
}

TEST_F(EventLogTest, AnEventRewrittenInPlaceIsNotServedForAnother) {
  const std::string first =
      line(eventJson(1, "aggressive", "2026-12-07T10:50:40Z", 10.0, 12.0, json::array()));
  const std::string second =
      line(eventJson(2, "aggressive", "2026-12-07T10:51:40Z", 70.0, 72.0, json::array()));
  test::writeText(cam_a_ / "events.jsonl", first + second);
  const auto log = makeLog();
  ASSERT_TRUE(log->event("cam_a", 2, 1.0, 1.0));

  // Event 2's line rewritten in place by another event as long: the file still ends
  // where it was indexed, so the index keeps id 2 there.
  const std::string other =
      line(eventJson(9, "aggressive", "2026-12-07T10:51:50Z", 80.0, 82.0, json::array()));
  ASSERT_EQ(other.size(), second.size());
  test::writeText(cam_a_ / "events.jsonl", first + other);
  EXPECT_EQ(log->event("cam_a", 2, 1.0, 1.0), std::nullopt);
  const auto found = log->event("cam_a", 1, 1.0, 1.0);
  ASSERT_TRUE(found);
  EXPECT_EQ((*found)["id"], 1);
}

// As the server uses it: pages and events asked for on several threads and new events
// announced on another while the stream appends, a line at a time in two writes.
TEST_F(EventLogTest, RequestsOnSeveralThreadsWhileEventsAreAppended) {
  constexpr int kEvents = 300;
  constexpr int kReaders = 3;
  const auto log = makeLog();
  std::atomic<bool> writing{true};
  // Readers that have done a request while the writer was held halfway, and requests
  // done while it was writing: without them the test would prove nothing.
  std::atomic<int> readers_done_once{0};
  std::atomic<int> requests_while_writing{0};
  std::thread writer([&] {
    for (int id = 1; id <= kEvents; ++id) {
      if (id == kEvents / 2) {
        while (readers_done_once < kReaders)
          std::this_thread::yield();
      }
      const std::string text =
          line(eventJson(id, "aggressive", "", id * 1.0, id + 0.5, json::array()));
      test::appendText(cam_a_ / "events.jsonl", text.substr(0, text.size() / 2));
      test::appendText(cam_a_ / "events.jsonl", text.substr(text.size() / 2));
    }
    writing = false;
  });
  std::vector<long long> announced;
  std::thread announcer([&] {
    while (writing)
      for (const json& event : log->takeNew())
        announced.push_back(event.at("id").get<long long>());
  });
  std::atomic<int> failures{0};
  std::vector<std::thread> readers;
  for (int r = 0; r < kReaders; ++r) {
    readers.emplace_back([&] {
      std::size_t total_before = 0;
      bool done_once = false;
      while (writing) {
        EventQuery query;
        query.limit = 20;
        const EventPage page = log->query(query);
        const std::size_t total = page.total;
        // Newest first, without gaps: the ids total, total - 1, ...
        bool ok = total >= total_before && page.events.size() == std::min<std::size_t>(20, total);
        for (std::size_t i = 0; ok && i < page.events.size(); ++i)
          ok = page.events[i].at("id") == static_cast<long long>(total - i);
        if (total > 0 && !log->event("cam_a", static_cast<long long>(total), 1.0, 1.0)) ok = false;
        if (!ok) ++failures;
        total_before = total;
        if (writing) ++requests_while_writing;
        if (!done_once) {
          done_once = true;
          ++readers_done_once;
        }
      }
    });
  }
  writer.join();
  announcer.join();
  for (std::thread& reader : readers)
    reader.join();
  for (const json& event : log->takeNew())
    announced.push_back(event.at("id").get<long long>());

  EXPECT_EQ(failures, 0);
  EXPECT_GE(requests_while_writing, kReaders);
  EXPECT_EQ(log->query({}).total, static_cast<std::size_t>(kEvents));
  std::vector<long long> expected(kEvents);
  std::iota(expected.begin(), expected.end(), 1);
  EXPECT_EQ(announced, expected);
}

TEST(ParseTime, IsoUtc) {
  EXPECT_EQ(parseTime("2026-12-07T10:50:40Z"), kT0);
  EXPECT_EQ(parseTime("2026-12-07T10:50:40.5Z"), kT0 + 0.5);
  EXPECT_EQ(parseTime("2026-12-07T10:50:40+00:00"), kT0);
  EXPECT_EQ(parseTime("2026-12-07T10:50:40.25+00:00"), kT0 + 0.25);
  EXPECT_EQ(parseTime("1970-01-01T00:00:00Z"), 0.0);
  // 30 years with 7 leap days, then January and February 2000 (leap): 11016 days.
  EXPECT_EQ(parseTime("2000-03-01T00:00:00Z"), 951868800.0);
  const auto millis = parseTime("2026-12-07T10:50:40.509Z");
  ASSERT_TRUE(millis.has_value());
  EXPECT_NEAR(*millis, kT0 + 0.509, 1e-6);
}

TEST(ParseTime, UnixSeconds) {
  EXPECT_EQ(parseTime("1796640640"), kT0);
  EXPECT_EQ(parseTime("1796640640.5"), kT0 + 0.5);
  EXPECT_EQ(parseTime("0"), 0.0);
}

TEST(ParseTime, GarbageIsNothing) {
  const std::vector<std::string> garbage{
      "",
      "yesterday",
      "12abc",
      "2026-12-07",
      "2026-12-07T10:50",
      "2026-12-07T10:50:40+02:00",  // not UTC
      "2026-12-07T10:50:40Zjunk",
      "nan",
      "inf",
  };
  for (const std::string& text : garbage) {
    EXPECT_EQ(parseTime(text), std::nullopt) << "'" << text << "'";
  }
}

}  // namespace
}  // namespace deepbug::web
