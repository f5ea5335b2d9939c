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
}

std::optional<Event> EventSegmenter::push(const ScoredFrame& frame) {
  if (!open_) {
    if (frame.score < policy_.threshold_on) return std::nullopt;
    open_ = Event{};
    open_->start = frame;
    classified_sum_ = 0.0;
  } else if (frame.score < policy_.threshold_off) {
    return close(false);
  }
  Event& event = *open_;
  event.end = frame;
  ++event.frames;
  if (frame.classified) {
    ++event.classified_frames;
    classified_sum_ += frame.score;
    if (!event.peak || frame.score > event.peak->score) event.peak = frame;
  }
  return std::nullopt;
}

std::optional<Event> EventSegmenter::finish() {
  return open_ ? close(true) : std::nullopt;
}

std::optional<Event> EventSegmenter::close(bool by_stream_end) {
  Event event = *open_;
  open_.reset();
  if (event.frames < policy_.min_frames) return std::nullopt;
  event.id = next_id_++;
  event.ended_by_stream_end = by_stream_end;
  event.mean_score = event.classified_frames ? classified_sum_ / event.classified_frames : 0.0;
  return event;
}

}  // namespace deepbug::explain
