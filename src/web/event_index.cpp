#include "event_index.hpp"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <cstring>
#include <ctime>
#include <limits>
#include <nlohmann/json.hpp>
#include <system_error>

namespace deepbug::web {

namespace fs = std::filesystem;
using nlohmann::json;

namespace {

// Appended bytes are read in pieces of this size.
constexpr std::size_t kChunkBytes = 1 << 16;

// start.wall_time parsed, else start.pts, else 0. Fields of the wrong type count as
// missing rather than failing the whole index.
double startTime(const json& event) {
  const auto start = event.find("start");
  if (start == event.end() || !start->is_object()) return 0.0;
  const auto wall_time = start->find("wall_time");
  if (wall_time != start->end() && wall_time->is_string()) {
    if (const auto t = parseTime(wall_time->get<std::string>())) return *t;
  }
  const auto pts = start->find("pts");
  return pts != start->end() && pts->is_number() ? pts->get<double>() : 0.0;
}

}  // namespace

std::optional<long long> eventId(const json& event) {
  const auto id = event.find("id");
  if (id == event.end() || !id->is_number_integer()) return std::nullopt;
  if (id->is_number_unsigned()) {
    const auto value = id->get<std::uint64_t>();
    if (value > static_cast<std::uint64_t>(std::numeric_limits<long long>::max()))
      return std::nullopt;
    return static_cast<long long>(value);
  }
  return id->get<long long>();
}

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

EventIndex::EventIndex(fs::path file) : file_(std::move(file)) {}

void EventIndex::restart() {
  const bool had_something = consumed_ > 0 || identity_.has_value();
  events_.clear();
  consumed_ = 0;
  identity_.reset();
  if (had_something) ++generation_;
}

void EventIndex::refresh() {
  const std::optional<OpenedFile> opened = openRegularFile(file_);
  if (!opened) {
    // Gone, or no longer a regular file: nothing to index until one comes back. Any other
    // failure to open (too many open files, permissions) says nothing about what the
    // file holds: the index stays as it is, and the next refresh tries again.
    std::error_code error;
    const fs::file_status status = fs::status(file_, error);
    if (status.type() == fs::file_type::not_found ||
        (!error && status.type() != fs::file_type::regular)) {
      restart();
    }
    return;
  }
  const OpenedFile* const file = &*opened;
  const OpenedFile::Identity identity = file->identity();
  const auto endsLine = [&](std::uint64_t at) {
    char last = 0;
    return file->readAt(at - 1, &last, 1) == 1 && last == '\n';
  };
  if ((identity_ && *identity_ != identity) || file->size() < consumed_ ||
      (consumed_ > 0 && !endsLine(consumed_))) {
    restart();
  }
  identity_ = identity;
  if (file->size() == consumed_) return;  // nothing appended

  // Only the bytes after consumed_, up to the size seen at open: what is appended while
  // reading comes next time. `pending` holds a line begun in an earlier chunk.
  std::string pending;
  std::uint64_t line_start = consumed_;
  std::vector<char> chunk(kChunkBytes);
  for (std::uint64_t at = consumed_; at < file->size();) {
    const std::size_t wanted =
        static_cast<std::size_t>(std::min<std::uint64_t>(chunk.size(), file->size() - at));
    const std::size_t got = file->readAt(at, chunk.data(), wanted);
    if (got == 0) break;  // shrunk while reading: the next refresh sees it
    const char* begin = chunk.data();
    const char* const end = chunk.data() + got;
    for (const char* newline; (newline = static_cast<const char*>(std::memchr(
                                   begin, '\n', static_cast<std::size_t>(end - begin))));
         begin = newline + 1) {
      const char* text = begin;
      std::size_t length = static_cast<std::size_t>(newline - begin);
      if (!pending.empty()) {
        pending.append(begin, length);
        text = pending.data();
        length = pending.size();
      }
      const json event = json::parse(text, text + length, nullptr, false);
      if (event.is_object())
        events_.push_back({line_start, length, startTime(event), eventId(event)});
      line_start += length + 1;
      pending.clear();
    }
    pending.append(begin, end);  // no newline yet
    at += got;
  }
  consumed_ = line_start;
}

std::optional<std::size_t> EventIndex::find(long long id) const {
  for (std::size_t i = 0; i < events_.size(); ++i) {
    if (events_[i].id == id) return i;
  }
  return std::nullopt;
}

std::vector<std::string> EventIndex::readLines(const std::vector<std::size_t>& positions) const {
  std::vector<std::string> lines(positions.size());
  if (positions.empty()) return lines;
  const std::optional<OpenedFile> opened = openRegularFile(file_);
  // Another file renamed over the indexed one since the refresh: its bytes at the indexed
  // offsets are not the indexed events.
  if (!opened || opened->identity() != identity_) return lines;
  for (std::size_t i = 0; i < positions.size(); ++i) {
    const IndexedEvent& event = events_.at(positions[i]);
    // With its newline: a line that no longer ends where it did was rewritten (the file
    // truncated and written again), and its first bytes may still read as an event.
    std::string line(static_cast<std::size_t>(event.length + 1), '\0');
    if (opened->readAt(event.offset, line.data(), line.size()) == line.size() &&
        line.back() == '\n') {
      line.pop_back();
      lines[i] = std::move(line);
    }
  }
  return lines;
}

}  // namespace deepbug::web
