// The events of a run as the monitoring API serves them: read from each source's
// events.jsonl (the file is the one record; only where each event is, its start and id
// are kept, in an EventIndex), newest first, filtered and paginated, file paths turned
// into /files/ URLs, with the score curve around one event from the source's scores.csv.
// A request reads what was appended since the last one and the lines it returns.
#pragma once

#include <cstdint>
#include <filesystem>
#include <map>
#include <mutex>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <vector>

#include "event_index.hpp"  // also parseTime

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
  struct Source {
    std::filesystem::path folder;
    EventIndex index;
    // takeNew(): events().size() announced, of the index's generation (the file they
    // were read from).
    std::size_t announced = 0;
    std::uint64_t announced_generation = 0;
  };

  nlohmann::json served(nlohmann::json event, const std::string& source) const;

  std::filesystem::path root_;
  // query() and event() only read the log; refreshing the indexes they read through is
  // caching, hence mutable, under index_mutex_ (requests come from several threads).
  mutable std::mutex index_mutex_;
  mutable std::map<std::string, Source> sources_;
};

// The rows of `scores_csv` from pts `from` to `to` (both included) as [{pts, score}] with
// the score of column `target`; rows with classified=0 and rows with the wrong number of
// cells (being written) are left out; empty without the file, its pts_seconds or target
// column. Rows are in pts order, but for frames without a timestamp (pts -1): the first
// at or after `from` is found by binary search over the others.
nlohmann::json scoreCurve(const std::filesystem::path& scores_csv, const std::string& target,
                          double from, double to);

}  // namespace deepbug::web
