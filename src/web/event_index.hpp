// Where each event of one events.jsonl is: per complete line the byte offset, length,
// start time and id, so that the monitoring API sorts and filters without reading the
// file again and reads only the lines of the page it serves. Each refresh reads only
// the bytes appended since the last one.
#pragma once

#include <cstdint>
#include <filesystem>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <vector>

#include "served_files.hpp"

namespace deepbug::web {

struct IndexedEvent {
  std::uint64_t offset = 0;     // of the line's first byte
  std::uint64_t length = 0;     // of the line, without its newline
  double start = 0;             // start.wall_time in unix seconds, else start.pts
  std::optional<long long> id;  // nothing when the event has no numeric id
};

class EventIndex {
 public:
  explicit EventIndex(std::filesystem::path file);

  // Indexes the complete lines appended since the last refresh (a line without its
  // newline is being written: it is read next time). A file that is gone, shorter than
  // what was indexed, another file under the same name, or one whose indexed bytes no
  // longer end with a newline was rewritten: it is indexed again from 0.
  void refresh();

  // The JSON objects of the file, in file order (lines that are not objects are left out).
  const std::vector<IndexedEvent>& events() const { return events_; }
  // Bytes of the file indexed so far: up to the end of the last complete line.
  std::uint64_t consumed() const { return consumed_; }
  // How many times the file was indexed again from 0: positions in events() of two
  // different generations are events of two different files.
  std::uint64_t generation() const { return generation_; }

  // The position in events() of the first event with this id.
  std::optional<std::size_t> find(long long id) const;
  // The lines of the events at these positions in events(), read with one open of the
  // file; "" for a line the file no longer holds: another file under the name, or one
  // rewritten so that the line no longer ends where it did (since the last refresh).
  std::vector<std::string> readLines(const std::vector<std::size_t>& positions) const;

 private:
  void restart();

  std::filesystem::path file_;
  std::vector<IndexedEvent> events_;
  std::uint64_t consumed_ = 0;
  std::uint64_t generation_ = 0;
  std::optional<OpenedFile::Identity> identity_;  // of the file indexed
};

// An event's "id" when it is an integer that fits a long long; nothing otherwise (none,
// a string, a fraction, 1e300: no two events may share an id by rounding).
std::optional<long long> eventId(const nlohmann::json& event);

// "2026-12-07T10:50:40.509Z" or a number of unix seconds → unix seconds; nothing when
// it is neither.
std::optional<double> parseTime(const std::string& text);

}  // namespace deepbug::web
