#include "event_log.hpp"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <ctime>
#include <fstream>
#include <sstream>

#include "served_files.hpp"

namespace deepbug::web {

namespace fs = std::filesystem;
using nlohmann::json;

namespace {

double startTime(const json& event) {
  const json& start = event.value("start", json::object());
  if (const auto t = parseTime(start.value("wall_time", std::string()))) return *t;
  return start.value("pts", 0.0);
}

// Every absolute path inside `root` becomes its /files/ URL; paths outside it are
// dropped rather than shown, and so are files not written yet (an event's clip is cut
// once its post-roll has been recorded).
void linkFiles(json& value, const fs::path& root) {
  if (value.is_object() || value.is_array()) {
    for (auto& item : value)
      linkFiles(item, root);
  } else if (value.is_string()) {
    const std::string text = value.get<std::string>();
    if (text.empty() || text.front() != '/') return;
    std::error_code ec;
    value = fs::exists(text, ec) ? filesUrl(root, text) : "";
  }
}

std::vector<std::string> splitCsvLine(const std::string& line) {
  std::vector<std::string> cells;
  std::stringstream in(line);
  for (std::string cell; std::getline(in, cell, ',');)
    cells.push_back(cell);
  return cells;
}

}  // namespace

std::optional<double> parseTime(const std::string& text) {
  if (text.empty()) return std::nullopt;
  char* end = nullptr;
  const double seconds = std::strtod(text.c_str(), &end);
  if (*end == '\0' && std::isfinite(seconds)) return seconds;
  std::tm tm{};
  double fraction = 0;
  int consumed = 0;
  if (std::sscanf(text.c_str(), "%4d-%2d-%2dT%2d:%2d:%2d%n", &tm.tm_year, &tm.tm_mon, &tm.tm_mday,
                  &tm.tm_hour, &tm.tm_min, &tm.tm_sec, &consumed) != 6) {
    return std::nullopt;
  }
  std::string rest = text.substr(static_cast<std::size_t>(consumed));
  if (!rest.empty() && rest.front() == '.') {
    std::size_t digits = 1;
    while (digits < rest.size() && std::isdigit(static_cast<unsigned char>(rest[digits])))
      ++digits;
    fraction = std::strtod(("0" + rest.substr(0, digits)).c_str(), nullptr);
    rest = rest.substr(digits);
  }
  if (rest != "Z" && rest != "+00:00" && !rest.empty()) return std::nullopt;
  tm.tm_year -= 1900;
  tm.tm_mon -= 1;
  return static_cast<double>(timegm(&tm)) + fraction;
}

EventLog::EventLog(fs::path root) : root_(std::move(root)) {}

void EventLog::addSource(const std::string& name, const fs::path& folder) {
  folders_[name] = folder;
}

std::vector<json> EventLog::eventsOf(const std::string& source) const {
  std::vector<json> events;
  const auto folder = folders_.find(source);
  if (folder == folders_.end()) return events;
  std::ifstream in(folder->second / "events.jsonl");
  for (std::string line; std::getline(in, line);) {
    // A line still being written has no newline yet; it is read next time.
    if (in.eof()) break;
    const json event = json::parse(line, nullptr, false);
    if (event.is_object()) events.push_back(event);
  }
  return events;
}

json EventLog::served(json event, const std::string& source) const {
  event["source"] = source;
  // Named but not on disk yet: cut once the recording has passed the post-roll.
  const std::string clip =
      event.value("clip", json()).is_string() ? event["clip"].get<std::string>() : "";
  std::error_code ec;
  const bool clip_pending =
      !clip.empty() && !filesUrl(root_, clip).empty() && !fs::exists(clip, ec);
  linkFiles(event, root_);
  if (clip_pending) event["clip_pending"] = true;
  return event;
}

EventPage EventLog::query(const EventQuery& query) const {
  std::vector<json> matching;
  for (const auto& [name, _] : folders_) {
    if (!query.source.empty() && name != query.source) continue;
    for (json& event : eventsOf(name)) {
      const double start = startTime(event);
      if (query.since && start < *query.since) continue;
      if (query.until && start >= *query.until) continue;
      matching.push_back(served(std::move(event), name));
    }
  }
  std::stable_sort(matching.begin(), matching.end(), [](const json& a, const json& b) {
    const double ta = startTime(a), tb = startTime(b);
    if (ta != tb) return ta > tb;
    return a.value("id", 0LL) > b.value("id", 0LL);
  });
  EventPage page;
  page.total = matching.size();
  for (std::size_t i = query.offset; i < matching.size() && page.events.size() < query.limit; ++i)
    page.events.push_back(std::move(matching[i]));
  return page;
}

std::optional<json> EventLog::event(const std::string& source, long long id, double pre_roll,
                                    double post_roll) const {
  for (json& candidate : eventsOf(source)) {
    if (candidate.value("id", -1LL) != id) continue;
    const double from = candidate.value("start", json::object()).value("pts", 0.0) - pre_roll;
    const double to = candidate.value("end", json::object()).value("pts", 0.0) + post_roll;
    const std::string target = candidate.value("target", std::string());
    json scores = json::array();
    std::ifstream csv(folders_.at(source) / "scores.csv");
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
        if (static_cast<long>(cells.size()) != columns) continue;  // a line being written
        if (classified_column < columns && cells[classified_column] == "0") continue;
        const double pts = std::strtod(cells[pts_column].c_str(), nullptr);
        if (pts < from) continue;
        if (pts > to) break;
        scores.push_back(
            {{"pts", pts}, {"score", std::strtod(cells[score_column].c_str(), nullptr)}});
      }
    }
    json event = served(std::move(candidate), source);
    event["scores"] = std::move(scores);
    return event;
  }
  return std::nullopt;
}

std::vector<json> EventLog::takeNew() {
  std::vector<json> fresh;
  std::lock_guard lock(seen_mutex_);
  for (const auto& [name, folder] : folders_) {
    std::ifstream in(folder / "events.jsonl");
    std::streamoff& seen = seen_[name];
    in.seekg(seen);
    for (std::string line; std::getline(in, line);) {
      if (in.eof()) break;  // still being written: read next time
      seen += static_cast<std::streamoff>(line.size()) + 1;
      const json event = json::parse(line, nullptr, false);
      if (event.is_object()) fresh.push_back(served(event, name));
    }
  }
  return fresh;
}

}  // namespace deepbug::web
