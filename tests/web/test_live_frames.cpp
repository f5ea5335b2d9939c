// LiveFrames: the newest frame of a source, its sequence, viewers, and stop().
#include <gtest/gtest.h>

#include <chrono>
#include <optional>
#include <string>
#include <thread>

#include "web/live_frames.hpp"

namespace deepbug::web {
namespace {

using std::chrono::milliseconds;

TEST(LiveFrames, NothingBeforeTheFirstFrame) {
  LiveFrames frames;
  EXPECT_EQ(frames.next("cam", 0, milliseconds(1)), std::nullopt);
  frames.publish("other", "jpeg");
  EXPECT_EQ(frames.next("cam", 0, milliseconds(1)), std::nullopt);
}

TEST(LiveFrames, NextGivesTheNewestFrame) {
  LiveFrames frames;
  frames.publish("cam", "first");
  const auto first = frames.next("cam", 0, milliseconds(1));
  ASSERT_TRUE(first.has_value());
  EXPECT_EQ(first->sequence, 1u);
  ASSERT_NE(first->jpeg, nullptr);
  EXPECT_EQ(*first->jpeg, "first");

  // Seen already: nothing newer.
  EXPECT_EQ(frames.next("cam", first->sequence, milliseconds(1)), std::nullopt);

  frames.publish("cam", "second");
  const auto second = frames.next("cam", first->sequence, milliseconds(1));
  ASSERT_TRUE(second.has_value());
  EXPECT_EQ(second->sequence, 2u);
  EXPECT_EQ(*second->jpeg, "second");
  // The frame a client holds stays whole while newer ones come.
  EXPECT_EQ(*first->jpeg, "first");
}

TEST(LiveFrames, SlowReaderSkipsToTheNewest) {
  LiveFrames frames;
  frames.publish("cam", "1");
  frames.publish("cam", "2");
  frames.publish("cam", "3");
  const auto frame = frames.next("cam", 0, milliseconds(1));
  ASSERT_TRUE(frame.has_value());
  EXPECT_EQ(frame->sequence, 3u);
  EXPECT_EQ(*frame->jpeg, "3");
  EXPECT_EQ(frames.next("cam", frame->sequence, milliseconds(1)), std::nullopt);
}

TEST(LiveFrames, SourcesAreCountedApart) {
  LiveFrames frames;
  frames.publish("a", "a1");
  frames.publish("a", "a2");
  frames.publish("b", "b1");
  const auto b = frames.next("b", 0, milliseconds(1));
  ASSERT_TRUE(b.has_value());
  EXPECT_EQ(b->sequence, 1u);
  EXPECT_EQ(*b->jpeg, "b1");
  const auto a = frames.next("a", 0, milliseconds(1));
  ASSERT_TRUE(a.has_value());
  EXPECT_EQ(a->sequence, 2u);
  EXPECT_EQ(*a->jpeg, "a2");
}

TEST(LiveFrames, WaitingReaderGetsTheNextPublish) {
  LiveFrames frames;
  std::optional<LiveFrames::Frame> got;
  std::thread reader([&] { got = frames.next("cam", 0, milliseconds(60000)); });
  frames.publish("cam", "frame");
  reader.join();
  ASSERT_TRUE(got.has_value());
  EXPECT_EQ(got->sequence, 1u);
  EXPECT_EQ(*got->jpeg, "frame");
}

TEST(LiveFrames, WatchedWhileAViewerLives) {
  LiveFrames frames;
  EXPECT_FALSE(frames.watched("cam"));
  EXPECT_EQ(frames.viewers("cam"), 0);
  {
    const LiveFrames::Viewer viewer(frames, "cam");
    EXPECT_TRUE(frames.watched("cam"));
    EXPECT_EQ(frames.viewers("cam"), 1);
    EXPECT_FALSE(frames.watched("other"));
    EXPECT_EQ(frames.viewers("other"), 0);
    {
      const LiveFrames::Viewer second(frames, "cam");
      EXPECT_TRUE(frames.watched("cam"));
      EXPECT_EQ(frames.viewers("cam"), 2);
    }
    EXPECT_TRUE(frames.watched("cam"));  // the first one still watches
    EXPECT_EQ(frames.viewers("cam"), 1);
  }
  EXPECT_FALSE(frames.watched("cam"));
  EXPECT_EQ(frames.viewers("cam"), 0);
  frames.publish("cam", "jpeg");  // frames alone are no viewer
  EXPECT_FALSE(frames.watched("cam"));
  EXPECT_EQ(frames.viewers("cam"), 0);
}

TEST(LiveFrames, StopWakesAWaitingReaderForGood) {
  LiveFrames frames;
  EXPECT_FALSE(frames.stopped());
  bool returned_nothing = false;
  // Waits far longer than any test may run: only stop() ends it.
  std::thread reader(
      [&] { returned_nothing = !frames.next("cam", 0, milliseconds(3600000)).has_value(); });
  frames.stop();
  reader.join();
  EXPECT_TRUE(returned_nothing);
  EXPECT_TRUE(frames.stopped());

  // Once stopped, nothing, even with a frame there and a long wait.
  frames.publish("cam", "late");
  EXPECT_EQ(frames.next("cam", 0, milliseconds(3600000)), std::nullopt);
}

}  // namespace
}  // namespace deepbug::web
