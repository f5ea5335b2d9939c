// Wall-clock times as they appear in outputs: ISO 8601, UTC, milliseconds.
#pragma once

#include <cstdint>
#include <cstdio>
#include <ctime>
#include <string>

namespace deepbug::stream {

// "2026-11-29T02:37:47.123Z" for `unix_ns` nanoseconds since the epoch.
inline std::string isoUtc(std::int64_t unix_ns) {
  const auto seconds = static_cast<std::time_t>(unix_ns / 1'000'000'000);
  std::tm utc{};
  gmtime_r(&seconds, &utc);
  char text[32];
  std::strftime(text, sizeof text, "%Y-%m-%dT%H:%M:%S", &utc);
  char millis[8];
  std::snprintf(millis, sizeof millis, ".%03dZ", static_cast<int>((unix_ns / 1'000'000) % 1000));
  return std::string(text) + millis;
}

}  // namespace deepbug::stream
