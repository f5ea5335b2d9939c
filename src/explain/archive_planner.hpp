// Archive mode's bookkeeping, GStreamer-free: which frames wait, which are explained,
// which may leave. Every frame goes out, in order; a frame inside an event waits until
// the event has ended (only then is its peak known) and until every frame selected in
// it is explained, so that each heatmap lands on the frame it explains and every map of
// an event can share one colour scale. Frames outside events leave at once unless an
// earlier frame still waits.
//
// An event longer than max_event_frames is planned in chunks of that many frames:
// each chunk's frames are selected (its own peak, top_k, every_n) and released when
// their explanations are in, so memory stays bounded. The event's overall peak is the
// best of the chunks' peaks, so it is explained unless max_rate rejects it for being
// too close to an earlier chunk's pick. Each chunk has its own colour scale.
#pragma once

#include <cstdint>
#include <deque>
#include <optional>
#include <unordered_map>
#include <vector>

#include "explain/event_segmenter.hpp"
#include "explain/selection.hpp"

namespace deepbug::explain {

struct ArchivePolicy {
  EventPolicy events;
  SelectionPolicy selection;
  int64_t max_event_frames = 300;  // ≥ events.min_frames
};

// Throws ConfigError naming the key for invalid values.
void validate(const ArchivePolicy& policy);

// A closed event and every frame selected in it (all chunks), in stream order.
struct PlannedEvent {
  Event event;
  std::vector<int64_t> selected;
};

class ArchivePlanner {
 public:
  explicit ArchivePlanner(ArchivePolicy policy);

  // The next frame (indices increasing) is now held. Returns the frames newly selected
  // for explanation, in stream order; each must later be reported to explained().
  std::vector<int64_t> push(const ScoredFrame& frame);
  // End of the stream (or of a segment): closes the open event like push() does.
  std::vector<int64_t> finish();
  // The explanation of a selected frame is done (or failed and will not come).
  void explained(int64_t index);

  // Removes and returns the indices of the frames that may leave now, in order.
  std::vector<int64_t> release();
  // Removes and returns the events closed so far.
  std::vector<PlannedEvent> takeClosedEvents();

  std::size_t held() const { return held_.size(); }
  // Frames selected whose explanation is not in yet.
  std::size_t outstanding() const;

 private:
  struct Held {
    int64_t index;
    int64_t group;  // 0: outside events
  };
  struct Group {
    bool open = true;
    int64_t pending = 0;  // selected, not yet explained
  };

  static std::optional<int64_t> lastFrameOf(const std::optional<Event>& closed);
  std::vector<int64_t> closeGroup(std::optional<int64_t> last);
  void eventClosed(const std::optional<Event>& event);

  ArchivePolicy policy_;
  EventSegmenter segmenter_;
  RateLimiter limiter_;
  std::deque<Held> held_;
  std::unordered_map<int64_t, Group> groups_;
  std::unordered_map<int64_t, int64_t> group_of_selected_;
  int64_t next_group_ = 1;
  int64_t open_group_ = 0;                 // 0: none
  std::vector<ScoredFrame> group_frames_;  // of the open group
  int64_t classified_in_event_ = 0;        // before the open group, for every_n
  std::vector<int64_t> event_selected_;    // the open event's selections so far
  std::vector<PlannedEvent> closed_;
};

}  // namespace deepbug::explain
