#include "bench_events.hpp"

#include <unistd.h>

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <ctime>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <memory>
#include <sstream>

#include "bench_stats.hpp"
#include "core/error.hpp"
#include "web/event_log.hpp"
#include "web/served_files.hpp"

namespace deepbug::bench {
namespace fs = std::filesystem;
using nlohmann::json;

namespace {

constexpr double kFps = 15;
constexpr double kRunStart = 1796601600;       // 2026-12-07T00:00:00Z
constexpr double kPreRoll = 2, kPostRoll = 2;  // the server's clip_pre_roll, clip_post_roll
constexpr std::size_t kPageSize = 50;          // /api/events' default limit
constexpr int kColdRuns = 3;
const std::string kSource = "cam";

std::string isoTime(double unix_seconds) {
  const auto whole = static_cast<std::time_t>(unix_seconds);
  const int millis = std::min(999, static_cast<int>(std::lround((unix_seconds - whole) * 1000)));
  std::tm tm{};
  gmtime_r(&whole, &tm);
  char text[64];
  std::snprintf(text, sizeof(text), "%04d-%02d-%02dT%02d:%02d:%02d.%03dZ", tm.tm_year + 1900,
                tm.tm_mon + 1, tm.tm_mday, tm.tm_hour, tm.tm_min, tm.tm_sec, millis);
  return text;
}

// An event as deepbugexplain writes it (about 2 KB): three explained frames with their
// snapshots, a clip. The files are not written: linking them costs a stat either way.
json syntheticEvent(long long id, double start_pts, const fs::path& folder) {
  const auto moment = [&](double pts) {
    return json{
        {"frame", std::llround(pts * kFps)}, {"pts", pts}, {"wall_time", isoTime(kRunStart + pts)}};
  };
  json explained = json::array();
  for (int i = 0; i < 3; ++i) {
    const double pts = start_pts + i;
    const std::string stem =
        (folder / "snapshots" / ("frame-" + std::to_string(std::llround(pts * kFps)))).string();
    explained.push_back(
        {{"frame", std::llround(pts * kFps)},
         {"pts", pts},
         {"shown_on_frame_pts", pts},
         {"relevance",
          {{"explained", 0.56},
           {"sum", 0.49},
           {"positive_sum", 0.023},
           {"scale", 5.98e-06},
           {"hottest_region", {{"x", 187}, {"y", 37}, {"width", 41}, {"height", 31}}}}},
         {"snapshot",
          {{"frame", stem + "-frame.png"},
           {"heatmap", stem + "-heatmap.png"},
           {"overlay", stem + "-overlay.png"}}}});
  }
  return {{"id", id},
          {"source", kSource},
          {"target", "aggressive"},
          {"start", moment(start_pts)},
          {"end", moment(start_pts + 2)},
          {"frames", 31},
          {"classified_frames", 31},
          {"mean_score", 0.83},
          {"ended_by_stream_end", false},
          {"model", "/models/vgg6-bn-synthetic.pt"},
          {"composite", "epsilon-plus-flat"},
          {"init", "contrastive"},
          {"mode", "live"},
          {"peak", moment(start_pts + 1)},
          {"explained", std::move(explained)},
          {"failed_frames", json::array()},
          {"clip", (folder / "clips" / ("event-" + std::to_string(id) + ".mp4")).string()}};
}

double eventStart(int index, const EventsBenchOptions& o) {
  return o.rows / kFps * (index + 0.25) / o.events;
}

void writeRun(const fs::path& folder, const EventsBenchOptions& o) {
  fs::create_directories(folder);
  std::ofstream events(folder / "events.jsonl", std::ios::binary);
  for (int i = 0; i < o.events; ++i)
    events << syntheticEvent(i + 1, eventStart(i, o), folder).dump() << '\n';

  // As ScoresCsv writes it, a frame in 25 not classified (skipped by inference).
  std::unique_ptr<std::FILE, int (*)(std::FILE*)> csv(
      std::fopen((folder / "scores.csv").c_str(), "wb"), &std::fclose);
  if (!csv) throw std::runtime_error("cannot write " + (folder / "scores.csv").string());
  std::fputs("pts_seconds,frame,classified,top_label,aggressive,non_aggressive\n", csv.get());
  for (int i = 0; i < o.rows; ++i) {
    const double score = 0.5 + 0.5 * std::sin(i * 0.01);
    std::fprintf(csv.get(), "%.6f,%d,%d,%s,%.6f,%.6f\n", i / kFps, i, i % 25 == 0 ? 0 : 1,
                 score > 0.5 ? "aggressive" : "non_aggressive", score, 1 - score);
  }
}

// EventLog as it was before its index: every request parses every line of events.jsonl
// and links the files of every match; an event's curve scans scores.csv from the top.
namespace baseline {

double startTime(const json& event) {
  const json& start = event.value("start", json::object());
  if (const auto t = web::parseTime(start.value("wall_time", std::string()))) return *t;
  return start.value("pts", 0.0);
}

void linkFiles(json& value, const fs::path& root) {
  if (value.is_object() || value.is_array()) {
    for (auto& item : value)
      linkFiles(item, root);
  } else if (value.is_string()) {
    const std::string text = value.get<std::string>();
    if (text.empty() || text.front() != '/') return;
    std::error_code ec;
    value = fs::exists(text, ec) ? web::filesUrl(root, text) : "";
  }
}

json served(json event, const std::string& source, const fs::path& root) {
  event["source"] = source;
  const std::string clip =
      event.value("clip", json()).is_string() ? event["clip"].get<std::string>() : "";
  std::error_code ec;
  const bool clip_pending =
      !clip.empty() && !web::filesUrl(root, clip).empty() && !fs::exists(clip, ec);
  linkFiles(event, root);
  if (clip_pending) event["clip_pending"] = true;
  return event;
}

std::vector<json> eventsOf(const fs::path& folder) {
  std::vector<json> events;
  std::ifstream in(folder / "events.jsonl");
  for (std::string line; std::getline(in, line);) {
    if (in.eof()) break;
    const json event = json::parse(line, nullptr, false);
    if (event.is_object()) events.push_back(event);
  }
  return events;
}

std::vector<std::string> splitCsvLine(const std::string& line) {
  std::vector<std::string> cells;
  std::stringstream in(line);
  for (std::string cell; std::getline(in, cell, ',');)
    cells.push_back(cell);
  return cells;
}

web::EventPage firstPage(const fs::path& root, const fs::path& folder) {
  std::vector<json> matching;
  for (json& event : eventsOf(folder))
    matching.push_back(served(std::move(event), kSource, root));
  std::stable_sort(matching.begin(), matching.end(), [](const json& a, const json& b) {
    const double ta = startTime(a), tb = startTime(b);
    if (ta != tb) return ta > tb;
    return a.value("id", 0LL) > b.value("id", 0LL);
  });
  web::EventPage page;
  page.total = matching.size();
  for (std::size_t i = 0; i < matching.size() && page.events.size() < kPageSize; ++i)
    page.events.push_back(std::move(matching[i]));
  return page;
}

std::optional<json> event(const fs::path& root, const fs::path& folder, long long id) {
  for (json& candidate : eventsOf(folder)) {
    if (candidate.value("id", -1LL) != id) continue;
    const double from = candidate.value("start", json::object()).value("pts", 0.0) - kPreRoll;
    const double to = candidate.value("end", json::object()).value("pts", 0.0) + kPostRoll;
    const std::string target = candidate.value("target", std::string());
    json scores = json::array();
    std::ifstream csv(folder / "scores.csv");
    std::string line;
    std::getline(csv, line);
    const std::vector<std::string> header = splitCsvLine(line);
    const auto pts_column = std::find(header.begin(), header.end(), "pts_seconds") - header.begin();
    const auto score_column = std::find(header.begin(), header.end(), target) - header.begin();
    const auto classified_column =
        std::find(header.begin(), header.end(), "classified") - header.begin();
    const auto columns = static_cast<long>(header.size());
    if (pts_column < columns && score_column < columns) {
      while (std::getline(csv, line)) {
        const std::vector<std::string> cells = splitCsvLine(line);
        if (static_cast<long>(cells.size()) != columns) continue;
        if (classified_column < columns && cells[classified_column] == "0") continue;
        const double pts = std::strtod(cells[pts_column].c_str(), nullptr);
        if (pts < from) continue;
        if (pts > to) break;
        scores.push_back(
            {{"pts", pts}, {"score", std::strtod(cells[score_column].c_str(), nullptr)}});
      }
    }
    json event = served(std::move(candidate), kSource, root);
    event["scores"] = std::move(scores);
    return event;
  }
  return std::nullopt;
}

}  // namespace baseline

// The folder the synthetic run is written to: made new (one that exists already is not
// the bench's to write over) and removed with everything in it however the bench ends.
class WorkFolder {
 public:
  explicit WorkFolder(fs::path path) : path_(std::move(path)) {
    fs::create_directories(path_.parent_path());
    if (!fs::create_directory(path_))
      throw ConfigError(path_.string() + " exists already",
                        "remove it, or pick another --work-dir");
  }
  ~WorkFolder() {
    std::error_code ec;  // nothing to do about a folder that cannot be removed
    fs::remove_all(path_, ec);
  }
  WorkFolder(const WorkFolder&) = delete;
  WorkFolder& operator=(const WorkFolder&) = delete;

  const fs::path& path() const { return path_; }

 private:
  fs::path path_;
};

json comparison(const std::string& request, const Samples& index, const Samples& baseline) {
  return {{"request", request},
          {"index_ms", index.toJson()},
          {"baseline_ms", baseline.toJson()},
          {"baseline_over_index", baseline.median() / std::max(index.median(), 1e-9)}};
}

}  // namespace

json benchEvents(const EventsBenchOptions& o) {
  if (o.events < 1 || o.rows < 1 || o.requests < 1)
    throw ConfigError("--events, --rows and --requests must be at least 1", "e.g. the defaults");
  // A folder of the bench's own, inside --work-dir: what else is there (a real run's
  // output folder, say) is neither overwritten nor removed.
  const WorkFolder work(
      fs::absolute(!o.work_dir.empty() ? fs::path(o.work_dir) : fs::temp_directory_path()) /
      ("deepbug-bench-events-" + std::to_string(getpid())));
  const fs::path root = work.path() / "out";
  const fs::path folder = root / kSource;
  const double generate_ms = timeMs([&] { writeRun(folder, o); });
  std::cerr << "deepbug-bench events: wrote " << folder << " in " << generate_ms / 1000 << " s\n";

  web::EventQuery first_page;
  first_page.limit = kPageSize;
  const long long event_id = o.events / 2 + 1;  // halfway through the day

  // A log that has indexed nothing yet: its first page indexes the whole file.
  Samples cold;
  for (int i = 0; i < kColdRuns; ++i) {
    web::EventLog fresh(root);
    fresh.addSource(kSource, folder);
    cold.values.push_back(timeMs([&] { fresh.query(first_page); }));
  }

  web::EventLog log(root);
  log.addSource(kSource, folder);
  const web::EventPage indexed_page = log.query(first_page);
  const web::EventPage baseline_page = baseline::firstPage(root, folder);
  const auto indexed_event = log.event(kSource, event_id, kPreRoll, kPostRoll);
  const auto baseline_event = baseline::event(root, folder, event_id);
  const bool same_page =
      indexed_page.total == baseline_page.total && indexed_page.events == baseline_page.events;
  const bool same_event = indexed_event.has_value() && indexed_event == baseline_event;

  // Rounds of every request in turn, so a slower moment of the machine spreads over all.
  Samples page_index, page_baseline, event_index, event_baseline;
  for (int round = 0; round < o.requests; ++round) {
    page_baseline.values.push_back(timeMs([&] { baseline::firstPage(root, folder); }));
    page_index.values.push_back(timeMs([&] { log.query(first_page); }));
    event_baseline.values.push_back(timeMs([&] { baseline::event(root, folder, event_id); }));
    event_index.values.push_back(
        timeMs([&] { log.event(kSource, event_id, kPreRoll, kPostRoll); }));
    std::cerr << "deepbug-bench events: round " << round + 1 << " of " << o.requests << "\n";
  }

  // The stream goes on: one event appended before each page.
  Samples after_append;
  for (int i = 0; i < o.requests; ++i) {
    {
      std::ofstream events(folder / "events.jsonl", std::ios::binary | std::ios::app);
      events << syntheticEvent(o.events + i + 1, eventStart(o.events + i, o), folder).dump()
             << '\n';
    }
    after_append.values.push_back(timeMs([&] { log.query(first_page); }));
  }

  const json result{
      {"benchmark", "events"},
      {"events", o.events},
      {"scores_rows", o.rows},
      {"events_jsonl_bytes", fs::file_size(folder / "events.jsonl")},
      {"scores_csv_bytes", fs::file_size(folder / "scores.csv")},
      {"generate_seconds", generate_ms / 1000},
      {"requests", o.requests},
      {"page_size", kPageSize},
      {"event_id", event_id},
      {"event_scores", indexed_event ? (*indexed_event)["scores"].size() : 0},
      {"same_page_as_baseline", same_page},
      {"same_event_as_baseline", same_event},
      {"cases",
       {comparison("first page of /api/events", page_index, page_baseline),
        comparison("one event with its score curve", event_index, event_baseline)}},
      {"first_page_of_a_fresh_log_ms", cold.toJson()},
      {"first_page_after_one_appended_event_ms", after_append.toJson()},
      {"note", "files in the page cache; index_ms: the log's index kept between requests"}};
  return result;
}

}  // namespace deepbug::bench
