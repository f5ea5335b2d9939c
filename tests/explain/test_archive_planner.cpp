// Archive planning on scripted score sequences: frames held exactly while their event
// is open or its explanations are outstanding, released in order, chunks for long
// events, and the same plan whatever order explanations finish in.
#include <gtest/gtest.h>

#include <algorithm>
#include <vector>

#include "core/error.hpp"
#include "explain/archive_planner.hpp"

namespace deepbug::explain {
namespace {

ScoredFrame frame(int64_t index, double score, bool classified = true) {
  return {index, index * 100'000'000, score, classified};
}

ArchivePolicy policy(int64_t max_event_frames = 100) {
  ArchivePolicy p;
  p.events = {0.6, 0.4, 3};
  p.max_event_frames = max_event_frames;
  return p;
}

TEST(ArchivePlanner, FramesOutsideEventsLeaveAtOnce) {
  ArchivePlanner planner(policy());
  for (int64_t i = 0; i < 3; ++i) {
    EXPECT_TRUE(planner.push(frame(i, 0.1)).empty());
    EXPECT_EQ(planner.release(), std::vector<int64_t>{i});
  }
  EXPECT_EQ(planner.held(), 0u);
}

TEST(ArchivePlanner, AnEventIsHeldUntilItsPeakIsExplained) {
  ArchivePlanner planner(policy());
  const std::vector<double> scores{0.1, 0.7, 0.9, 0.8, 0.2, 0.1};
  std::vector<int64_t> selected, released;
  for (std::size_t i = 0; i < scores.size(); ++i) {
    const auto chosen = planner.push(frame(static_cast<int64_t>(i), scores[i]));
    selected.insert(selected.end(), chosen.begin(), chosen.end());
    const auto out = planner.release();
    released.insert(released.end(), out.begin(), out.end());
  }
  EXPECT_EQ(selected, std::vector<int64_t>{2});  // chosen when the event closed (frame 4)
  EXPECT_EQ(released, std::vector<int64_t>{0});  // 1.. wait for frame 2's explanation
  EXPECT_EQ(planner.held(), 5u);
  EXPECT_EQ(planner.outstanding(), 1u);
  planner.explained(2);
  EXPECT_EQ(planner.release(), (std::vector<int64_t>{1, 2, 3, 4, 5}));
  const auto events = planner.takeClosedEvents();
  ASSERT_EQ(events.size(), 1u);
  EXPECT_EQ(events[0].event.start.index, 1);
  EXPECT_EQ(events[0].event.end.index, 3);
  EXPECT_EQ(events[0].selected, std::vector<int64_t>{2});
}

TEST(ArchivePlanner, FlickerIsReleasedWithoutExplanation) {
  ArchivePlanner planner(policy());
  EXPECT_TRUE(planner.push(frame(0, 0.9)).empty());
  EXPECT_TRUE(planner.release().empty());  // could still become an event
  EXPECT_TRUE(planner.push(frame(1, 0.1)).empty());
  EXPECT_EQ(planner.release(), (std::vector<int64_t>{0, 1}));
  EXPECT_TRUE(planner.takeClosedEvents().empty());
}

TEST(ArchivePlanner, AnEventRunningIntoTheEndIsClosedByFinish) {
  ArchivePlanner planner(policy());
  for (int64_t i = 0; i < 4; ++i)
    EXPECT_TRUE(planner.push(frame(i, i == 2 ? 0.95 : 0.8)).empty());
  EXPECT_EQ(planner.finish(), std::vector<int64_t>{2});
  planner.explained(2);
  EXPECT_EQ(planner.release(), (std::vector<int64_t>{0, 1, 2, 3}));
  const auto events = planner.takeClosedEvents();
  ASSERT_EQ(events.size(), 1u);
  EXPECT_TRUE(events[0].event.ended_by_stream_end);
}

TEST(ArchivePlanner, LongEventsAreChunkedSoHeldFramesStayBounded) {
  ArchivePlanner planner(policy(4));
  std::vector<int64_t> selected;
  std::size_t most_held = 0;
  // A 10-frame event, scores rising to frame 6 then falling; every selection is
  // explained at once, so only the open chunk is ever held.
  const std::vector<double> scores{0.7, 0.72, 0.74, 0.8, 0.85, 0.9, 0.99, 0.8, 0.75, 0.7, 0.1};
  for (std::size_t i = 0; i < scores.size(); ++i) {
    for (int64_t index : planner.push(frame(static_cast<int64_t>(i), scores[i]))) {
      selected.push_back(index);
      planner.explained(index);
    }
    most_held = std::max(most_held, planner.held());
    planner.release();
  }
  EXPECT_LE(most_held, 4u);
  // Chunks 0–3, 4–7, 8–9: each chunk's peak; the event's peak (6) among them.
  EXPECT_EQ(selected, (std::vector<int64_t>{3, 6, 8}));
  const auto events = planner.takeClosedEvents();
  ASSERT_EQ(events.size(), 1u);
  EXPECT_EQ(events[0].event.peak->index, 6);
  EXPECT_EQ(events[0].selected, (std::vector<int64_t>{3, 6, 8}));
}

TEST(ArchivePlanner, ReleaseWaitsForEveryExplanationOfTheEventWhateverTheirOrder) {
  ArchivePolicy p = policy();
  p.selection.top_k = 3;
  ArchivePlanner planner(p);
  const std::vector<double> scores{0.8, 0.9, 0.85, 0.7, 0.1};
  std::vector<int64_t> selected;
  for (std::size_t i = 0; i < scores.size(); ++i) {
    const auto chosen = planner.push(frame(static_cast<int64_t>(i), scores[i]));
    selected.insert(selected.end(), chosen.begin(), chosen.end());
  }
  ASSERT_EQ(selected, (std::vector<int64_t>{0, 1, 2}));
  planner.explained(2);
  planner.explained(0);
  EXPECT_TRUE(planner.release().empty());  // frame 1's map decides the event's scale
  planner.explained(1);
  EXPECT_EQ(planner.release(), (std::vector<int64_t>{0, 1, 2, 3, 4}));
}

TEST(ArchivePlanner, ATrailingDipIsHeldWithTheEventButNeverSelected) {
  ArchivePolicy p = policy();
  p.events.gap_frames = 2;
  p.selection.every_n = 1;  // every classified frame of the event
  ArchivePlanner planner(p);
  // Event 0–4 (the dip at 3 bridged); 5–6 a dip it does not survive; 7 closes it.
  const std::vector<double> scores{0.7, 0.8, 0.75, 0.3, 0.9, 0.3, 0.3, 0.1};
  std::vector<int64_t> selected;
  for (std::size_t i = 0; i < scores.size(); ++i) {
    const auto chosen = planner.push(frame(static_cast<int64_t>(i), scores[i]));
    selected.insert(selected.end(), chosen.begin(), chosen.end());
    EXPECT_TRUE(planner.release().empty()) << "frame " << i << " waits for the event";
  }
  EXPECT_EQ(selected, (std::vector<int64_t>{0, 1, 2, 3, 4}));  // not the dip 5–6
  for (int64_t index : selected)
    planner.explained(index);
  EXPECT_EQ(planner.release(), (std::vector<int64_t>{0, 1, 2, 3, 4, 5, 6, 7}));
  const auto events = planner.takeClosedEvents();
  ASSERT_EQ(events.size(), 1u);
  EXPECT_EQ(events[0].event.end.index, 4);
  EXPECT_EQ(events[0].event.frames, 5);
}

TEST(ArchivePlanner, AChunkThatEndsInsideADipSelectsNoFrameOfIt) {
  ArchivePolicy p = policy(4);  // min_frames 3
  p.events.gap_frames = 2;
  p.selection.every_n = 1;
  ArchivePlanner planner(p);
  // The chunk fills at frame 3, inside the dip 3–4 that the event does not survive.
  const std::vector<double> scores{0.9, 0.9, 0.9, 0.1, 0.1, 0.1};
  std::vector<int64_t> selected;
  for (std::size_t i = 0; i < scores.size(); ++i) {
    const auto chosen = planner.push(frame(static_cast<int64_t>(i), scores[i]));
    selected.insert(selected.end(), chosen.begin(), chosen.end());
  }
  EXPECT_EQ(selected, (std::vector<int64_t>{0, 1, 2}));
  const auto events = planner.takeClosedEvents();
  ASSERT_EQ(events.size(), 1u);
  EXPECT_EQ(events[0].event.end.index, 2);
  EXPECT_EQ(events[0].selected, (std::vector<int64_t>{0, 1, 2}));
}

TEST(ArchivePlanner, MaxEventFramesBelowMinFramesIsAConfigError) {
  EXPECT_THROW(ArchivePlanner(policy(2)), ConfigError);
}

}  // namespace
}  // namespace deepbug::explain
