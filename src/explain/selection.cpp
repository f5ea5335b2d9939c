#include "explain/selection.hpp"

#include <algorithm>
#include <cmath>
#include <string>

#include "core/error.hpp"

namespace deepbug::explain {

void validate(const SelectionPolicy& policy) {
  if (policy.every_n < 0) throw ConfigError("explain.every_n must be 0 (off) or positive");
  if (policy.top_k < 1) throw ConfigError("explain.top_k must be at least 1 (the peak)");
  if (!(policy.max_rate >= 0.0) || !std::isfinite(policy.max_rate)) {
    throw ConfigError("explain.max_rate must be 0 (unlimited) or a positive number");
  }
}

bool RateLimiter::allows(int64_t pts_ns) const {
  if (max_rate_ <= 0.0) return true;
  const auto spacing = static_cast<int64_t>(std::llround(1e9 / max_rate_));
  const auto next = std::lower_bound(accepted_.begin(), accepted_.end(), pts_ns);
  if (next != accepted_.end() && *next - pts_ns < spacing) return false;
  if (next != accepted_.begin() && pts_ns - *std::prev(next) < spacing) return false;
  return true;
}

void RateLimiter::accept(int64_t pts_ns) {
  accepted_.insert(std::upper_bound(accepted_.begin(), accepted_.end(), pts_ns), pts_ns);
  // Only the latest few matter once the stream has moved on.
  if (accepted_.size() > 256) accepted_.erase(accepted_.begin(), accepted_.begin() + 128);
}

std::vector<int64_t> selectFrames(const std::vector<ScoredFrame>& frames, int64_t first_classified,
                                  const SelectionPolicy& policy, RateLimiter& limiter) {
  std::vector<const ScoredFrame*> candidates;  // by priority
  std::vector<const ScoredFrame*> by_score;
  for (const ScoredFrame& frame : frames) {
    if (frame.classified) by_score.push_back(&frame);
  }
  // Highest score first; the earlier frame wins a tie, as the segmenter's peak does.
  std::stable_sort(by_score.begin(), by_score.end(),
                   [](const ScoredFrame* a, const ScoredFrame* b) { return a->score > b->score; });
  const auto k = std::min<std::size_t>(by_score.size(), static_cast<std::size_t>(policy.top_k));
  candidates.assign(by_score.begin(), by_score.begin() + static_cast<std::ptrdiff_t>(k));
  if (policy.every_n > 0) {
    int64_t classified = first_classified;
    for (const ScoredFrame& frame : frames) {
      if (!frame.classified) continue;
      if (classified % policy.every_n == 0) candidates.push_back(&frame);
      ++classified;
    }
  }
  std::vector<int64_t> chosen;
  for (const ScoredFrame* frame : candidates) {
    if (std::find(chosen.begin(), chosen.end(), frame->index) != chosen.end()) continue;
    if (!limiter.allows(frame->pts_ns)) continue;
    limiter.accept(frame->pts_ns);
    chosen.push_back(frame->index);
  }
  std::sort(chosen.begin(), chosen.end());
  return chosen;
}

}  // namespace deepbug::explain
