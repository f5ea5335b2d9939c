// Live selection: running peaks inside events, capacity reported back, rate limits.
#include <gtest/gtest.h>

#include <vector>

#include "explain/live_planner.hpp"

namespace deepbug::explain {
namespace {

ScoredFrame frame(int64_t index, double score, bool classified = true) {
  return {index, index * 100'000'000, score, classified};
}

// Pushes the scores; `capacity[i]` false means frame i's explanation found no room.
std::vector<int64_t> run(LivePlanner& planner, const std::vector<double>& scores,
                         const std::vector<bool>& capacity = {},
                         const std::vector<bool>& carried = {}) {
  std::vector<int64_t> started;
  for (std::size_t i = 0; i < scores.size(); ++i) {
    const bool is_carried = i < carried.size() && carried[i];
    const ScoredFrame f = frame(static_cast<int64_t>(i), scores[i], !is_carried);
    if (!planner.push(f)) continue;
    if (i < capacity.size() && !capacity[i]) continue;
    planner.started(f);
    started.push_back(f.index);
  }
  planner.finish();
  return started;
}

TEST(LivePlanner, EveryNewRunningPeakOfAnEventIsChosen) {
  LivePlanner planner({0.6, 0.4, 3}, {});
  EXPECT_EQ(run(planner, {0.1, 0.7, 0.65, 0.8, 0.75, 0.9, 0.2, 0.1}),
            (std::vector<int64_t>{1, 3, 5}));
  const auto events = planner.takeClosedEvents();
  ASSERT_EQ(events.size(), 1u);
  EXPECT_EQ(events[0].peak->index, 5);  // the last frame chosen is the event's peak
}

TEST(LivePlanner, ASkippedPeakLeavesTheBarSoTheNextBetterFrameIsChosen) {
  LivePlanner planner({0.6, 0.4, 3}, {});
  // Frame 2 (0.8) finds no room; frame 3 (0.75) beats the last explained (0.7).
  EXPECT_EQ(run(planner, {0.7, 0.65, 0.8, 0.75, 0.1}, {true, true, false, true}),
            (std::vector<int64_t>{0, 3}));
}

TEST(LivePlanner, CarriedFramesAndFramesOutsideEventsAreNeverChosen) {
  LivePlanner planner({0.6, 0.4, 3}, {});
  EXPECT_EQ(run(planner, {0.5, 0.7, 0.99, 0.8, 0.3, 0.55}, {}, {false, false, true}),
            (std::vector<int64_t>{1, 3}));
}

TEST(LivePlanner, MaxRateSpacesExplanationsInStreamTime) {
  SelectionPolicy selection;
  selection.max_rate = 4.0;  // 250 ms; frames are 100 ms apart
  LivePlanner planner({0.6, 0.4, 3}, selection);
  EXPECT_EQ(run(planner, {0.7, 0.71, 0.72, 0.73, 0.74, 0.75, 0.1}), (std::vector<int64_t>{0, 3}));
}

}  // namespace
}  // namespace deepbug::explain
