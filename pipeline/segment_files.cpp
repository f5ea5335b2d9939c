#include "segment_files.hpp"

#include <algorithm>
#include <cstdio>
#include <ctime>
#include <filesystem>

namespace deepbug::stream {
namespace fs = std::filesystem;

namespace {

struct Segment {
  fs::path path;
  std::chrono::system_clock::time_point start;
  int suffix = 1;  // "-2" → 2
  std::uint64_t bytes = 0;
};

bool allDigits(const std::string& text) {
  return !text.empty() &&
         std::all_of(text.begin(), text.end(), [](char c) { return c >= '0' && c <= '9'; });
}

// "20261129T023747Z" and the optional "-N" after it; only dates that exist (formatting
// the parsed time back must give the same stamp).
std::optional<std::pair<std::chrono::system_clock::time_point, int>> parseStamp(
    const std::string& text) {
  if (text.size() < 16 || text[8] != 'T' || text[15] != 'Z' || !allDigits(text.substr(0, 8)) ||
      !allDigits(text.substr(9, 6))) {
    return std::nullopt;
  }
  int suffix = 1;
  const std::string rest = text.substr(16);
  if (!rest.empty()) {
    const std::string number = rest.substr(1);
    if (rest[0] != '-' || !allDigits(number) || number.size() > 6 || number[0] == '0') {
      return std::nullopt;
    }
    suffix = std::stoi(number);
    if (suffix < 2) return std::nullopt;
  }
  std::tm utc{};
  utc.tm_year = std::stoi(text.substr(0, 4)) - 1900;
  utc.tm_mon = std::stoi(text.substr(4, 2)) - 1;
  utc.tm_mday = std::stoi(text.substr(6, 2));
  utc.tm_hour = std::stoi(text.substr(9, 2));
  utc.tm_min = std::stoi(text.substr(11, 2));
  utc.tm_sec = std::stoi(text.substr(13, 2));
  const auto start = std::chrono::system_clock::from_time_t(timegm(&utc));
  if (segmentFileName("", start, "").substr(1, 16) != text.substr(0, 16)) return std::nullopt;
  return std::make_pair(start, suffix);
}

std::optional<Segment> segmentOf(const fs::path& path, const std::string& prefix,
                                 const std::string& extension) {
  const std::string name = path.filename().string();
  const std::string head = prefix + "-";
  const std::string tail = "." + extension;
  if (name.size() <= head.size() + tail.size() || name.rfind(head, 0) != 0 ||
      name.compare(name.size() - tail.size(), tail.size(), tail) != 0) {
    return std::nullopt;
  }
  const auto stamp = parseStamp(name.substr(head.size(), name.size() - head.size() - tail.size()));
  if (!stamp) return std::nullopt;
  Segment s;
  s.path = path;
  s.start = stamp->first;
  s.suffix = stamp->second;
  return s;
}

}  // namespace

std::string segmentFileName(const std::string& prefix, std::chrono::system_clock::time_point start,
                            const std::string& extension) {
  const std::time_t seconds = std::chrono::system_clock::to_time_t(start);
  std::tm utc{};
  gmtime_r(&seconds, &utc);
  char stamp[32];
  std::strftime(stamp, sizeof stamp, "%Y%m%dT%H%M%SZ", &utc);
  return prefix + "-" + stamp + "." + extension;
}

std::string uniqueSegmentPath(const std::string& dir, const std::string& prefix,
                              std::chrono::system_clock::time_point start,
                              const std::string& extension) {
  const std::string name = segmentFileName(prefix, start, extension);
  fs::path path = fs::path(dir) / name;
  const std::string stem = name.substr(0, name.size() - extension.size() - 1);
  std::error_code ec;  // an unreadable folder: the name as is, the muxer reports it
  for (int n = 2; fs::exists(path, ec) && n < 1000000; ++n)
    path = fs::path(dir) / (stem + "-" + std::to_string(n) + "." + extension);
  return path.string();
}

std::optional<std::chrono::system_clock::time_point> segmentStartOf(const std::string& file_name,
                                                                    const std::string& prefix,
                                                                    const std::string& extension) {
  const auto segment = segmentOf(file_name, prefix, extension);
  if (!segment) return std::nullopt;
  return segment->start;
}

RetentionResult applyRetention(const std::string& dir, const std::string& prefix,
                               const std::string& extension, const RetentionPolicy& policy,
                               std::chrono::system_clock::time_point now,
                               const std::string& protect) {
  RetentionResult result;
  std::vector<Segment> segments;
  std::error_code ec;
  // Error-code iteration throughout: this runs on a streaming thread and must not throw.
  fs::directory_iterator it(dir, ec);
  for (; !ec && it != fs::directory_iterator(); it.increment(ec)) {
    auto segment = segmentOf(it->path(), prefix, extension);
    std::error_code file_ec;
    if (!segment || !it->is_regular_file(file_ec)) continue;
    segment->bytes = it->file_size(file_ec);
    if (file_ec) continue;  // gone meanwhile
    segments.push_back(*segment);
  }
  if (ec) result.errors.push_back("cannot list '" + dir + "': " + ec.message());
  std::sort(segments.begin(), segments.end(), [](const Segment& a, const Segment& b) {
    return a.start != b.start ? a.start < b.start : a.suffix < b.suffix;
  });
  std::uint64_t total = 0;
  for (const Segment& s : segments)
    total += s.bytes;
  const auto kept = [&](const Segment& s, std::size_t i) {
    if (i + 1 == segments.size()) return true;  // the newest
    std::error_code same_ec;
    return !protect.empty() && fs::equivalent(s.path, protect, same_ec);
  };
  for (std::size_t i = 0; i < segments.size(); ++i) {
    const Segment& s = segments[i];
    const double age = std::chrono::duration<double>(now - s.start).count();
    const bool too_old = policy.max_age_seconds > 0 && age > policy.max_age_seconds;
    const bool too_big = policy.max_total_bytes > 0 && total > policy.max_total_bytes;
    if ((!too_old && !too_big) || kept(s, i)) continue;
    std::error_code remove_ec;
    if (fs::remove(s.path, remove_ec)) {
      result.deleted.push_back(s.path.string());
      result.bytes_deleted += s.bytes;
      total -= s.bytes;
    } else {
      result.errors.push_back("cannot delete '" + s.path.string() + "': " + remove_ec.message());
    }
  }
  result.bytes_kept = total;
  return result;
}

}  // namespace deepbug::stream
