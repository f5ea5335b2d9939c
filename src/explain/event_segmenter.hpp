// Turns a stream of per-frame scores of the watched class into events: hysteresis
// (an event opens at threshold_on and closes below threshold_off), a bridge over short
// dips (a fight that pauses for a second is one fight), a minimum length against
// flicker, and the peak among frames actually classified (a carried result is never a
// peak: it is an older frame's score).
#pragma once

#include <cstdint>
#include <optional>

namespace deepbug::explain {

struct EventPolicy {
  double threshold_on = 0.6;
  double threshold_off = 0.4;  // ≤ threshold_on
  int64_t min_frames = 3;      // shorter events are flicker and are dropped
  // An event of at least min_frames rides out up to this many consecutive frames below
  // threshold_off: a frame at or above it before the gap is longer continues the event,
  // the gap's frames included. The event closes at the gap's (gap_frames + 1)-th frame
  // and ends at its last frame at or above threshold_off. A shorter run is not bridged
  // (flicker before a fight must not move the fight's start). 0: an event closes at the
  // first frame below.
  int64_t gap_frames = 0;
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
  double mean_score = 0.0;           // over the classified frames
  bool ended_by_stream_end = false;  // at or above threshold_off at the stream's end
};

class EventSegmenter {
 public:
  // Throws ConfigError when threshold_off > threshold_on, min_frames < 1 or
  // gap_frames < 0.
  explicit EventSegmenter(EventPolicy policy);

  // Feeds the next frame (indices increasing); returns the event it closes, if any.
  // A frame inside a gap leaves inEvent() true: whether it belongs to the event is
  // known only when the gap ends.
  std::optional<Event> push(const ScoredFrame& frame);
  // At the end of the stream: closes the open event, if it is long enough.
  std::optional<Event> finish();

  bool inEvent() const { return open_.has_value(); }
  // The open event's last frame at or above threshold_off so far (a gap may follow).
  std::optional<int64_t> openEnd() const;

 private:
  // Frames below threshold_off since the open event's last frame at or above it.
  struct Gap {
    int64_t frames = 0;
    int64_t classified_frames = 0;
    double classified_sum = 0.0;
  };

  std::optional<Event> close(bool by_stream_end);

  EventPolicy policy_;
  std::optional<Event> open_;
  double classified_sum_ = 0.0;
  Gap gap_;
  int64_t next_id_ = 1;
};

}  // namespace deepbug::explain
