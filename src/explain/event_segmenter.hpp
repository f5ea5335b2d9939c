// Turns a stream of per-frame scores of the watched class into events: hysteresis
// (an event opens at threshold_on and closes below threshold_off), a minimum length
// against flicker, and the peak among frames actually classified (a carried result is
// never a peak: it is an older frame's score).
#pragma once

#include <cstdint>
#include <optional>

namespace deepbug::explain {

struct EventPolicy {
  double threshold_on = 0.6;
  double threshold_off = 0.4;  // ≤ threshold_on
  int64_t min_frames = 3;      // shorter events are flicker and are dropped
};

struct ScoredFrame {
  int64_t index = 0;       // frame number in the stream
  int64_t pts_ns = 0;      // presentation time
  double score = 0.0;      // the watched class's score
  bool classified = true;  // false: carried from an earlier frame (interval > 1)
};

struct Event {
  int64_t id = 0;                   // 1, 2, … in stream order
  ScoredFrame start, end;           // first and last frame at or above threshold_off
  std::optional<ScoredFrame> peak;  // highest classified score (none if all carried)
  int64_t frames = 0;
  int64_t classified_frames = 0;
  double mean_score = 0.0;  // over the classified frames
  bool ended_by_stream_end = false;
};

class EventSegmenter {
 public:
  // Throws ConfigError when threshold_off > threshold_on or min_frames < 1.
  explicit EventSegmenter(EventPolicy policy);

  // Feeds the next frame (indices increasing); returns the event it closes, if any.
  std::optional<Event> push(const ScoredFrame& frame);
  // At the end of the stream: closes the open event, if it is long enough.
  std::optional<Event> finish();

  bool inEvent() const { return open_.has_value(); }

 private:
  std::optional<Event> close(bool by_stream_end);

  EventPolicy policy_;
  std::optional<Event> open_;
  double classified_sum_ = 0.0;
  int64_t next_id_ = 1;
};

}  // namespace deepbug::explain
