// Which frames of an event are explained: its peak always (the report explained "the
// frame with maximum aggressive score"), optionally every n-th classified frame and
// the k best, and never more than max_rate explanations per second of stream time.
// Carried frames (not classified themselves) are never chosen.
#pragma once

#include <cstdint>
#include <vector>

#include "explain/event_segmenter.hpp"

namespace deepbug::explain {

struct SelectionPolicy {
  int64_t every_n = 0;    // 0: off; else every n-th classified frame of the event
  int64_t top_k = 1;      // the k highest-scoring classified frames (the peak is the 1st)
  double max_rate = 0.0;  // explanations per second of stream time; 0: unlimited
};

// Throws ConfigError naming the key for a negative every_n / max_rate or top_k < 1.
void validate(const SelectionPolicy& policy);

// Stream-time spacing between explained frames: two explanations at least
// 1 / max_rate seconds apart. Deterministic (stream time, not wall time).
class RateLimiter {
 public:
  explicit RateLimiter(double max_rate) : max_rate_(max_rate) {}
  // Whether a frame at pts_ns may be explained next to those accepted so far.
  bool allows(int64_t pts_ns) const;
  void accept(int64_t pts_ns);

 private:
  double max_rate_;
  std::vector<int64_t> accepted_;  // sorted; only the neighbourhood matters
};

// Chooses among `frames` (one event, or one max_event_frames chunk of it, in stream
// order; `first_classified` is the count of classified frames before them in the
// event, for every_n) the frames to explain, by priority: peak, the next top_k − 1 by
// score, then every n-th; each kept only where `limiter` allows. Returns frame
// indices in stream order.
std::vector<int64_t> selectFrames(const std::vector<ScoredFrame>& frames, int64_t first_classified,
                                  const SelectionPolicy& policy, RateLimiter& limiter);

}  // namespace deepbug::explain
