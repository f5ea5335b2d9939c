// The events of a run as the monitoring API serves them: read from each source's
// events.jsonl (the file is the one record; nothing is kept twice), newest first,
// filtered and paginated, file paths turned into /files/ URLs, with the score curve
// around one event from the source's scores.csv.
#pragma once

#include <filesystem>
#include <map>
#include <mutex>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <vector>

namespace deepbug::web {

struct EventQuery {
  std::string source;           // "" for every source
  std::optional<double> since;  // unix seconds: events that start at or after
  std::optional<double> until;  // unix seconds: events that start before
  std::size_t offset = 0;
  std::size_t limit = 50;
};

struct EventPage {
  std::size_t total = 0;  // events that match, over all pages
  std::vector<nlohmann::json> events;
};

class EventLog {
 public:
  // `root`: the output directory, the only folder whose files are linked.
  explicit EventLog(std::filesystem::path root);

  // A source and the folder its events.jsonl and scores.csv are written to. Every
  // source is added before the log is read from other threads.
  void addSource(const std::string& name, const std::filesystem::path& folder);

  EventPage query(const EventQuery& query) const;
  // The event `id` of `source` with "scores": [{pts, score}] of its target class from
  // `pre_roll` seconds before its start to `post_roll` after its end.
  std::optional<nlohmann::json> event(const std::string& source, long long id, double pre_roll,
                                      double post_roll) const;
  // Events written since the last call (all of them at the first); reads only what was
  // appended since.
  std::vector<nlohmann::json> takeNew();

 private:
  std::vector<nlohmann::json> eventsOf(const std::string& source) const;
  nlohmann::json served(nlohmann::json event, const std::string& source) const;

  std::filesystem::path root_;
  std::map<std::string, std::filesystem::path> folders_;
  std::mutex seen_mutex_;
  std::map<std::string, std::streamoff> seen_;  // per source: bytes of events.jsonl announced
};

// "2026-12-07T10:50:40.509Z" or a number of unix seconds → unix seconds; nothing when
// it is neither.
std::optional<double> parseTime(const std::string& text);

}  // namespace deepbug::web
