#include "explain/archive_planner.hpp"

#include <string>

#include "core/error.hpp"

namespace deepbug::explain {

void validate(const ArchivePolicy& policy) {
  validate(policy.selection);
  if (policy.max_event_frames < policy.events.min_frames) {
    throw ConfigError("explain.max_event_frames (" + std::to_string(policy.max_event_frames) +
                          ") is below explain.min_frames (" +
                          std::to_string(policy.events.min_frames) + ")",
                      "a chunk of a long event must be at least one event long");
  }
}

ArchivePlanner::ArchivePlanner(ArchivePolicy policy)
    : policy_(policy), segmenter_(policy.events), limiter_(policy.selection.max_rate) {
  validate(policy_);
}

std::vector<int64_t> ArchivePlanner::push(const ScoredFrame& frame) {
  const bool was_in_event = segmenter_.inEvent();
  const std::optional<Event> closed = segmenter_.push(frame);
  std::vector<int64_t> selected;
  if (was_in_event && !segmenter_.inEvent()) {
    selected = closeGroup(lastFrameOf(closed));
    eventClosed(closed);
  }
  if (!segmenter_.inEvent()) {
    held_.push_back({frame.index, 0});
    return selected;
  }
  if (open_group_ == 0) {
    open_group_ = next_group_++;
    groups_[open_group_] = Group{};
  }
  held_.push_back({frame.index, open_group_});
  group_frames_.push_back(frame);
  if (static_cast<int64_t>(group_frames_.size()) >= policy_.max_event_frames) {
    // A chunk that ends inside a dip selects up to the event's last frame so far.
    const std::vector<int64_t> chunk = closeGroup(segmenter_.openEnd());
    selected.insert(selected.end(), chunk.begin(), chunk.end());
  }
  return selected;
}

std::vector<int64_t> ArchivePlanner::finish() {
  const bool was_in_event = segmenter_.inEvent();
  const std::optional<Event> closed = segmenter_.finish();
  if (!was_in_event) return {};
  std::vector<int64_t> selected = closeGroup(lastFrameOf(closed));
  eventClosed(closed);
  return selected;
}

std::optional<int64_t> ArchivePlanner::lastFrameOf(const std::optional<Event>& closed) {
  if (!closed) return std::nullopt;
  return closed->end.index;
}

// Selects within the open group's frames up to `last` and closes the group. Frames
// after `last` are a dip (one the event did not survive, or one still open when a
// chunk closes): held with it, never selected. A
// group whose event the segmenter dropped as flicker (no `last`) selects nothing (it
// cannot have been chunked: max_event_frames ≥ min_frames, and only an event of
// min_frames rides out gaps).
std::vector<int64_t> ArchivePlanner::closeGroup(std::optional<int64_t> last) {
  if (open_group_ == 0) return {};
  Group& group = groups_[open_group_];
  group.open = false;
  std::vector<int64_t> selected;
  if (last) {
    while (!group_frames_.empty() && group_frames_.back().index > *last)
      group_frames_.pop_back();
    selected = selectFrames(group_frames_, classified_in_event_, policy_.selection, limiter_);
  }
  for (const ScoredFrame& frame : group_frames_) {
    if (frame.classified) ++classified_in_event_;
  }
  group.pending = static_cast<int64_t>(selected.size());
  for (int64_t index : selected)
    group_of_selected_[index] = open_group_;
  event_selected_.insert(event_selected_.end(), selected.begin(), selected.end());
  group_frames_.clear();
  open_group_ = 0;
  return selected;
}

void ArchivePlanner::eventClosed(const std::optional<Event>& event) {
  if (event) closed_.push_back({*event, event_selected_});
  event_selected_.clear();
  classified_in_event_ = 0;
}

void ArchivePlanner::explained(int64_t index) {
  const auto found = group_of_selected_.find(index);
  if (found == group_of_selected_.end()) return;
  groups_[found->second].pending -= 1;
  group_of_selected_.erase(found);
}

std::vector<int64_t> ArchivePlanner::release() {
  std::vector<int64_t> out;
  while (!held_.empty()) {
    const Held& front = held_.front();
    if (front.group != 0) {
      const auto group = groups_.find(front.group);
      if (group->second.open || group->second.pending > 0) break;
    }
    out.push_back(front.index);
    const int64_t group = front.group;
    held_.pop_front();
    // The group's last frame has left: forget the group.
    if (group != 0 && (held_.empty() || held_.front().group != group)) groups_.erase(group);
  }
  return out;
}

std::vector<PlannedEvent> ArchivePlanner::takeClosedEvents() {
  std::vector<PlannedEvent> out;
  out.swap(closed_);
  return out;
}

std::size_t ArchivePlanner::outstanding() const {
  return group_of_selected_.size();
}

}  // namespace deepbug::explain
