// deepbug-bench events: what the monitoring API's event requests cost on a long run.
// Writes a synthetic output folder (a day of one camera: events.jsonl and a scores.csv
// row per frame), then times the median of N requests for the first page of
// /api/events (EventLog::query) and for one event with its score curve
// (EventLog::event), through the byte-offset index beside a baseline that reads the
// whole files as the log did before it (every line parsed, scores.csv scanned from the
// top); also the first page of a log that has indexed nothing yet, and a page after one
// event was appended.
#pragma once

#include <nlohmann/json.hpp>
#include <string>

namespace deepbug::bench {

struct EventsBenchOptions {
  int events = 20000;    // lines of events.jsonl
  int rows = 1300000;    // rows of scores.csv: 15 fps for a day
  int requests = 15;     // per request type; the median is reported
  std::string work_dir;  // where its own folder is made and removed (default: the temp folder)
};

nlohmann::json benchEvents(const EventsBenchOptions& options);

}  // namespace deepbug::bench
