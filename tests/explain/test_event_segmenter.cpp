// Events from scripted score sequences: hysteresis, flicker, an event at the very
// start, one running into the end of the stream, carried frames never peaks, short
// dips bridged.
#include <gtest/gtest.h>

#include <optional>
#include <vector>

#include "core/error.hpp"
#include "explain/event_segmenter.hpp"

namespace deepbug::explain {
namespace {

// Runs the segmenter over scores (frame i at i·100 ms); `carried` marks frames whose
// result was carried from an earlier one.
std::vector<Event> segment(const std::vector<double>& scores, EventPolicy policy = {},
                           const std::vector<bool>& carried = {}) {
  EventSegmenter segmenter(policy);
  std::vector<Event> events;
  for (size_t i = 0; i < scores.size(); ++i) {
    const bool is_carried = i < carried.size() && carried[i];
    ScoredFrame frame{static_cast<int64_t>(i), static_cast<int64_t>(i) * 100'000'000, scores[i],
                      !is_carried};
    if (auto event = segmenter.push(frame)) events.push_back(*event);
  }
  if (auto event = segmenter.finish()) events.push_back(*event);
  return events;
}

TEST(EventSegmenter, HysteresisKeepsAnEventOpenBetweenTheThresholds) {
  // on at 0.6, off below 0.4: 0.5 inside an event keeps it open.
  const auto events = segment({0.1, 0.7, 0.5, 0.45, 0.9, 0.3, 0.5, 0.1});
  ASSERT_EQ(events.size(), 1u);
  EXPECT_EQ(events[0].id, 1);
  EXPECT_EQ(events[0].start.index, 1);
  EXPECT_EQ(events[0].end.index, 4);
  EXPECT_EQ(events[0].frames, 4);
  ASSERT_TRUE(events[0].peak);
  EXPECT_EQ(events[0].peak->index, 4);
  EXPECT_DOUBLE_EQ(events[0].mean_score, (0.7 + 0.5 + 0.45 + 0.9) / 4);
  EXPECT_FALSE(events[0].ended_by_stream_end);
}

TEST(EventSegmenter, FlickerShorterThanMinFramesIsDropped) {
  const auto events = segment({0.1, 0.7, 0.2, 0.8, 0.65, 0.1, 0.9, 0.9, 0.9, 0.1});
  ASSERT_EQ(events.size(), 1u);  // 1 frame and 2 frames dropped, 3 frames kept
  EXPECT_EQ(events[0].start.index, 6);
  EXPECT_EQ(events[0].id, 1);  // ids count kept events only
}

TEST(EventSegmenter, EventAtTheVeryStartAndOneRunningIntoTheEnd) {
  const auto events = segment({0.9, 0.8, 0.7, 0.1, 0.1, 0.6, 0.7, 0.95});
  ASSERT_EQ(events.size(), 2u);
  EXPECT_EQ(events[0].start.index, 0);
  EXPECT_EQ(events[0].end.index, 2);
  EXPECT_EQ(events[1].start.index, 5);
  EXPECT_EQ(events[1].end.index, 7);
  EXPECT_TRUE(events[1].ended_by_stream_end);
  EXPECT_EQ(events[1].id, 2);
}

TEST(EventSegmenter, CarriedFramesAreNeverPeaks) {
  // A carried frame repeats an older frame's result: even a scripted higher score on
  // one (frame 3) must not make it the peak.
  const auto events =
      segment({0.1, 0.7, 0.8, 0.99, 0.75, 0.1}, {}, {false, false, false, true, false, false});
  ASSERT_EQ(events.size(), 1u);
  ASSERT_TRUE(events[0].peak);
  EXPECT_EQ(events[0].peak->index, 2);
  EXPECT_EQ(events[0].classified_frames, 3);
  EXPECT_EQ(events[0].frames, 4);
}

TEST(EventSegmenter, TwoSourcesKeepSeparateState) {
  EventSegmenter a({}), b({});
  std::vector<Event> from_a, from_b;
  const std::vector<double> scores_a = {0.9, 0.9, 0.9, 0.1}, scores_b = {0.1, 0.9, 0.9, 0.9};
  for (int i = 0; i < 4; ++i) {  // interleaved, as two sources' frames arrive
    if (auto e = a.push({i, i, scores_a[i], true})) from_a.push_back(*e);
    if (auto e = b.push({i, i, scores_b[i], true})) from_b.push_back(*e);
  }
  if (auto e = b.finish()) from_b.push_back(*e);
  ASSERT_EQ(from_a.size(), 1u);
  ASSERT_EQ(from_b.size(), 1u);
  EXPECT_EQ(from_a[0].end.index, 2);
  EXPECT_EQ(from_b[0].start.index, 1);
  EXPECT_TRUE(from_b[0].ended_by_stream_end);
}

EventPolicy bridging(int64_t gap_frames) {
  EventPolicy policy;
  policy.gap_frames = gap_frames;
  return policy;
}

TEST(EventSegmenter, ADipNoLongerThanGapFramesIsPartOfTheEvent) {
  // Frames 3–4 dip below 0.4; frame 5 comes back before a third frame below.
  const std::vector<double> scores{0.7, 0.8, 0.75, 0.1, 0.2, 0.9, 0.1, 0.1, 0.1, 0.1};
  const auto events = segment(scores, bridging(2));
  ASSERT_EQ(events.size(), 1u);
  EXPECT_EQ(events[0].start.index, 0);
  EXPECT_EQ(events[0].end.index, 5);  // the trailing dip (6–8) is not part of it
  EXPECT_EQ(events[0].frames, 6);
  EXPECT_EQ(events[0].classified_frames, 6);
  EXPECT_DOUBLE_EQ(events[0].mean_score, (0.7 + 0.8 + 0.75 + 0.1 + 0.2 + 0.9) / 6);
  EXPECT_EQ(events[0].peak->index, 5);
  EXPECT_FALSE(events[0].ended_by_stream_end);
  // Without a bridge the dip ends it at frame 2; frame 5 alone is flicker.
  const auto unbridged = segment(scores);
  ASSERT_EQ(unbridged.size(), 1u);
  EXPECT_EQ(unbridged[0].end.index, 2);
}

TEST(EventSegmenter, TheEventClosesAtTheFirstFrameBeyondTheGap) {
  EventSegmenter segmenter(bridging(2));
  const std::vector<double> scores{0.7, 0.8, 0.9, 0.1, 0.1, 0.1};
  for (int64_t i = 0; i < 5; ++i) {
    EXPECT_FALSE(segmenter.push({i, i, scores[i], true})) << "frame " << i;
    EXPECT_TRUE(segmenter.inEvent()) << "frame " << i;
  }
  const std::optional<Event> closed = segmenter.push({5, 5, scores[5], true});
  ASSERT_TRUE(closed);
  EXPECT_FALSE(segmenter.inEvent());
  EXPECT_EQ(closed->end.index, 2);
  EXPECT_EQ(closed->frames, 3);
}

TEST(EventSegmenter, ALongerDipSplitsTheEvent) {
  const auto events = segment({0.7, 0.8, 0.9, 0.1, 0.1, 0.1, 0.7, 0.8, 0.9, 0.1}, bridging(2));
  ASSERT_EQ(events.size(), 2u);
  EXPECT_EQ(events[0].end.index, 2);
  EXPECT_EQ(events[0].frames, 3);
  EXPECT_EQ(events[1].start.index, 6);
  EXPECT_EQ(events[1].end.index, 8);
  EXPECT_EQ(events[1].id, 2);
}

TEST(EventSegmenter, AScoreBetweenTheThresholdsEndsADip) {
  const auto events = segment({0.9, 0.9, 0.9, 0.1, 0.5, 0.1, 0.1}, bridging(1));
  ASSERT_EQ(events.size(), 1u);
  EXPECT_EQ(events[0].end.index, 4);
  EXPECT_EQ(events[0].frames, 5);
}

TEST(EventSegmenter, ARunShorterThanMinFramesIsNotBridged) {
  // Flicker at frame 1 must not pull the event that starts at frame 4 forward.
  const auto events = segment({0.1, 0.9, 0.1, 0.1, 0.9, 0.9, 0.9, 0.1}, bridging(5));
  ASSERT_EQ(events.size(), 1u);
  EXPECT_EQ(events[0].start.index, 4);
  EXPECT_EQ(events[0].frames, 3);
}

TEST(EventSegmenter, AStreamEndingInADipEndsTheEventBeforeIt) {
  const auto events = segment({0.1, 0.7, 0.8, 0.9, 0.1, 0.1}, bridging(5));
  ASSERT_EQ(events.size(), 1u);
  EXPECT_EQ(events[0].end.index, 3);
  EXPECT_EQ(events[0].frames, 3);
  EXPECT_FALSE(events[0].ended_by_stream_end);  // it had fallen below threshold_off
}

TEST(EventSegmenter, BadPoliciesAreConfigErrors) {
  EXPECT_THROW(EventSegmenter({0.4, 0.6, 3}), ConfigError);
  EXPECT_THROW(EventSegmenter({0.6, 0.4, 0}), ConfigError);
  EXPECT_THROW(EventSegmenter({0.6, 0.4, 3, -1}), ConfigError);
}

}  // namespace
}  // namespace deepbug::explain
