#include "explain/event_segmenter.hpp"

#include "core/error.hpp"

namespace deepbug::explain {

EventSegmenter::EventSegmenter(EventPolicy policy) : policy_(policy) {
  if (policy_.threshold_off > policy_.threshold_on) {
    throw ConfigError("explain.threshold_off (" + std::to_string(policy_.threshold_off) +
                          ") is above threshold_on (" + std::to_string(policy_.threshold_on) + ")",
                      "hysteresis needs threshold_off ≤ threshold_on");
  }
  if (policy_.min_frames < 1) throw ConfigError("explain.min_frames must be at least 1");
  if (policy_.gap_frames < 0) throw ConfigError("explain.gap_frames must be 0 or more");
}

std::optional<Event> EventSegmenter::push(const ScoredFrame& frame) {
  if (!open_) {
    if (frame.score < policy_.threshold_on) return std::nullopt;
    open_ = Event{};
    open_->start = frame;
    classified_sum_ = 0.0;
    gap_ = {};
  } else if (frame.score < policy_.threshold_off) {
    const bool confirmed = open_->frames >= policy_.min_frames;
    if (!confirmed || gap_.frames == policy_.gap_frames) return close(false);
    ++gap_.frames;
    if (frame.classified) {
      ++gap_.classified_frames;
      gap_.classified_sum += frame.score;
    }
    return std::nullopt;
  }
  Event& event = *open_;
  // The event goes on: the gap before this frame, if any, was a dip inside it.
  event.frames += gap_.frames;
  event.classified_frames += gap_.classified_frames;
  classified_sum_ += gap_.classified_sum;
  gap_ = {};
  event.end = frame;
  ++event.frames;
  if (frame.classified) {
    ++event.classified_frames;
    classified_sum_ += frame.score;
    if (!event.peak || frame.score > event.peak->score) event.peak = frame;
  }
  return std::nullopt;
}

std::optional<int64_t> EventSegmenter::openEnd() const {
  if (!open_) return std::nullopt;
  return open_->end.index;
}

std::optional<Event> EventSegmenter::finish() {
  return open_ ? close(true) : std::nullopt;
}

std::optional<Event> EventSegmenter::close(bool by_stream_end) {
  Event event = *open_;
  open_.reset();
  if (event.frames < policy_.min_frames) return std::nullopt;
  event.id = next_id_++;
  event.ended_by_stream_end = by_stream_end && gap_.frames == 0;
  event.mean_score = event.classified_frames ? classified_sum_ / event.classified_frames : 0.0;
  return event;
}

}  // namespace deepbug::explain
