// Classification batching, GStreamer-free: which frames are classified, when a batch
// runs, and which frames may leave at once. deepbugclassify holds its buffers here and
// keeps only the GStreamer glue.
//
// Every `interval`-th frame is classified (and the first one, so there is always a result
// to carry); the others carry the last result. Behind a live source, a frame due for
// classification that arrives more than `max_lag` after its running time carries too
// (counted as skipped): the stream keeps every frame while inference catches up. Held
// frames leave in order, each with its result, when a batch runs: `batch_size` frames to
// classify are held, the oldest held frame has waited `batch_timeout` (live sources, by
// the caller's timer), or the caller drains (a serialized event, EOS). A carried frame
// with nothing held before it leaves at once with the last result.
//
// Time is an argument (the element passes its pipeline clock's running time, tests pass
// numbers), so no rule here depends on how fast the machine is.
#pragma once

#include <algorithm>
#include <chrono>
#include <cstdint>
#include <deque>
#include <optional>
#include <utility>
#include <vector>

namespace deepbug::model {

using Nanoseconds = std::chrono::nanoseconds;

struct BatchPolicy {
  unsigned batch_size = 1;
  unsigned interval = 1;
  Nanoseconds max_lag{0};  // 0: never skip a late frame
  Nanoseconds batch_timeout{std::chrono::milliseconds(200)};
};

// How long a frame may wait for the rest of its batch behind a live source: the batch
// timeout, or less when batch_size − 1 more frames come sooner. `frame_duration` 0: unknown.
inline Nanoseconds maxBatchWait(const BatchPolicy& policy, Nanoseconds frame_duration) {
  if (frame_duration <= Nanoseconds::zero()) return policy.batch_timeout;
  return std::min(policy.batch_timeout, frame_duration * (policy.batch_size - 1));
}

template <class Frame>
class BatchPlanner {
 public:
  struct Held {
    Frame frame;
    std::uint64_t index = 0;
    bool classify = false;  // false: carries the result of the classified frame before it
  };

  struct Admission {
    std::uint64_t index = 0;
    bool skipped = false;            // due for classification but late: carries instead
    std::optional<Frame> leave_now;  // carries the last result; nothing held before it
    bool batch_full = false;         // run takeBatch() now
  };

  void setPolicy(const BatchPolicy& policy) { policy_ = policy; }
  const BatchPolicy& policy() const { return policy_; }

  // The next frame, `lateness` after its running time (0 when unknown), at `now`.
  Admission admit(Frame frame, Nanoseconds lateness, Nanoseconds now) {
    Admission admission;
    admission.index = next_index_++;
    // A carried frame takes the result of the classified frame before it, which may
    // still be held. Only when there is none at all (the first frame, or a flush took it)
    // is this one classified regardless of the interval.
    bool classify =
        admission.index % std::max(1u, policy_.interval) == 0 || (!have_result_ && held_.empty());
    if (classify && have_result_ && policy_.max_lag > Nanoseconds::zero() &&
        lateness > policy_.max_lag) {
      classify = false;
      admission.skipped = true;
    }
    if (!classify && held_.empty()) {
      admission.leave_now.emplace(std::move(frame));
      return admission;
    }
    if (held_.empty()) oldest_held_at_ = now;
    held_.push_back({std::move(frame), admission.index, classify});
    if (classify) ++to_classify_;
    admission.batch_full = to_classify_ >= policy_.batch_size;
    return admission;
  }

  // When the oldest held frame will have waited batch_timeout; none when nothing is held.
  std::optional<Nanoseconds> deadline() const {
    if (held_.empty()) return std::nullopt;
    return oldest_held_at_ + policy_.batch_timeout;
  }
  bool timedOut(Nanoseconds now) const {
    const std::optional<Nanoseconds> due = deadline();
    return due && now >= *due;
  }

  // Every held frame, in order. The first is always one to classify (a carried frame is
  // held only behind one), so each carried frame has its result in the batch. The caller
  // classifies the marked ones and reports success with classified().
  std::vector<Held> takeBatch() {
    std::vector<Held> batch(std::make_move_iterator(held_.begin()),
                            std::make_move_iterator(held_.end()));
    held_.clear();
    to_classify_ = 0;
    return batch;
  }

  // A batch was classified: from now on there is a result to carry. (After a failed
  // batch there may be none: the next frame is classified whatever the interval.)
  void classified() { have_result_ = true; }

  // Drops every held frame (a flush); the last result stays for the frames after it.
  void clear() {
    held_.clear();
    to_classify_ = 0;
  }

  bool holding() const { return !held_.empty(); }
  std::size_t held() const { return held_.size(); }

 private:
  BatchPolicy policy_;
  std::deque<Held> held_;
  std::size_t to_classify_ = 0;
  std::uint64_t next_index_ = 0;
  bool have_result_ = false;
  Nanoseconds oldest_held_at_{0};
};

}  // namespace deepbug::model
