// Timestamps of a live source across reconnections. Each connection starts its own
// clock (an RTSP camera restarts at 0, a rebuilt source bin has a new segment), but
// the recording must never see time go backwards, and an outage should stay visible
// as a gap. So every connection is re-based onto the pipeline's running time at the
// moment its first frame arrives, and kept strictly increasing after that.
#pragma once

#include <cstdint>
#include <optional>

namespace deepbug::stream {

class LiveTimeline {
 public:
  // The next frame starts a new connection.
  void reconnect() { offset_.reset(); }

  // Output time (ns) of a frame with source time `pts` (ns, or nullopt when it has
  // none) arriving at pipeline running time `now` (ns).
  std::int64_t restamp(std::optional<std::int64_t> pts, std::int64_t now) {
    if (!pts) {
      offset_.reset();  // no source clock to follow: arrival time, as for a new connection
      return next(now);
    }
    if (!offset_) offset_ = now - *pts;
    return next(*pts + *offset_);
  }

  std::optional<std::int64_t> last() const { return last_; }

 private:
  std::int64_t next(std::int64_t t) {
    if (last_ && t <= *last_) t = *last_ + kMinStep;
    last_ = t;
    return t;
  }

  static constexpr std::int64_t kMinStep = 1'000'000;  // 1 ms
  std::optional<std::int64_t> offset_;
  std::optional<std::int64_t> last_;
};

}  // namespace deepbug::stream
