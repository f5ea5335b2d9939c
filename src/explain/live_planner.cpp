#include "explain/live_planner.hpp"

namespace deepbug::explain {

LivePlanner::LivePlanner(EventPolicy events, SelectionPolicy selection)
    : selection_(selection), segmenter_(events), limiter_(selection.max_rate) {
  validate(selection_);
}

bool LivePlanner::push(const ScoredFrame& frame) {
  const bool was_in_event = segmenter_.inEvent();
  if (std::optional<Event> closed = segmenter_.push(frame)) closed_.push_back(*closed);
  if (was_in_event && !segmenter_.inEvent()) {
    best_explained_.reset();
    classified_in_event_ = 0;
  }
  if (!segmenter_.inEvent() || !frame.classified) return false;
  const bool every_n = selection_.every_n > 0 && classified_in_event_ % selection_.every_n == 0;
  ++classified_in_event_;
  const bool running_peak = !best_explained_ || frame.score > *best_explained_;
  return (running_peak || every_n) && limiter_.allows(frame.pts_ns);
}

void LivePlanner::started(const ScoredFrame& frame) {
  limiter_.accept(frame.pts_ns);
  if (!best_explained_ || frame.score > *best_explained_) best_explained_ = frame.score;
}

void LivePlanner::finish() {
  if (std::optional<Event> closed = segmenter_.finish()) closed_.push_back(*closed);
  best_explained_.reset();
  classified_in_event_ = 0;
}

std::vector<Event> LivePlanner::takeClosedEvents() {
  std::vector<Event> out;
  out.swap(closed_);
  return out;
}

}  // namespace deepbug::explain
