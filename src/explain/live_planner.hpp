// Live mode's selection, GStreamer-free: frames are never held, so an event's peak is
// not known in advance. A classified frame inside an event is chosen when it is the
// event's best so far (a new running peak, so the event's final peak is among the
// chosen ones when there was capacity) or an every_n frame, and max_rate allows it.
// The caller tries to run the explanation and reports it with started(); a frame that
// found no capacity leaves the bar where it was, so the next frame that beats the last
// explained one is chosen again.
//
// Live mode cannot know yet whether an event will be long enough: frames of a run that
// turns out to be flicker (< min_frames) may be explained too; they belong to no event.
#pragma once

#include <cstdint>
#include <optional>
#include <vector>

#include "explain/event_segmenter.hpp"
#include "explain/selection.hpp"

namespace deepbug::explain {

class LivePlanner {
 public:
  LivePlanner(EventPolicy events, SelectionPolicy selection);

  // The next frame; returns whether it should be explained now.
  bool push(const ScoredFrame& frame);
  // A frame push() chose is being explained (it found capacity).
  void started(const ScoredFrame& frame);
  // End of the stream: closes the open event.
  void finish();

  // Removes and returns the events closed so far.
  std::vector<Event> takeClosedEvents();

 private:
  SelectionPolicy selection_;
  EventSegmenter segmenter_;
  RateLimiter limiter_;
  std::optional<double> best_explained_;  // in the open event
  int64_t classified_in_event_ = 0;
  std::vector<Event> closed_;
};

}  // namespace deepbug::explain
