// ExplainStage, deepbugexplain's work without its GObject glue, driven directly with
// LRP that waits at a gate the test opens: whether an explanation is still running when
// a flush or the next frame comes is then up to the test, not to the machine's speed.
#include <gtest/gtest.h>

#include <chrono>

#include <atomic>
#include <condition_variable>
#include <deque>
#include <memory>
#include <mutex>
#include <thread>
#include <vector>

#include "explain/explain_stage.hpp"
#include "meta/relevance_meta.hpp"
#include "plugins/element_helpers.hpp"

namespace deepbug::test {
namespace {

using gst::OwnedBuffer;

// Where the test's LRP waits while the gate is closed; counts the batches that entered
// and that left.
class Gate {
 public:
  void pass() {
    std::unique_lock lock(mutex_);
    ++entered_;
    changed_.notify_all();
    changed_.wait(lock, [this] { return open_; });
    ++left_;
  }
  void waitEntered(int count) {
    std::unique_lock lock(mutex_);
    changed_.wait(lock, [&] { return entered_ >= count; });
  }
  int left() const {
    std::lock_guard lock(mutex_);
    return left_;
  }
  void setOpen(bool open) {
    std::lock_guard lock(mutex_);
    open_ = open;
    changed_.notify_all();
  }

 private:
  mutable std::mutex mutex_;
  std::condition_variable changed_;
  bool open_ = false;
  int entered_ = 0;
  int left_ = 0;
};

// Makes scored frames and counts those that still exist (a weak reference on each), so
// a test can tell that every frame it gave the stage was released.
class Frames {
 public:
  OwnedBuffer make(int index, double score) {
    GstBuffer* buffer = scoredFrame(index, score, fixtureModel("tiny"));
    gst_mini_object_weak_ref(GST_MINI_OBJECT(buffer), &Frames::gone, this);
    ++alive_;
    return OwnedBuffer(buffer);
  }
  int alive() const { return alive_; }

 private:
  static void gone(gpointer self, GstMiniObject* /*buffer*/) {
    --static_cast<Frames*>(self)->alive_;
  }
  std::atomic<int> alive_{0};
};

using Out = std::vector<OwnedBuffer>;

Out owned(gst::ReadyQueue& out) {
  Out frames(std::make_move_iterator(out.begin()), std::make_move_iterator(out.end()));
  out.clear();
  return frames;
}

const gst::RelevanceResult* relevanceOf(const OwnedBuffer& buffer) {
  const DeepbugRelevanceMeta* meta = deepbug_buffer_get_relevance_meta(buffer.get());
  return meta == nullptr ? nullptr : meta->result;
}

GstClockTime ptsOf(int index) {
  return index * GST_SECOND / 10;  // as scoredFrame() stamps it
}

gst::ExplainSettings settings() {
  gst::ExplainSettings settings;
  settings.model_path = fixtureModel("tiny");
  settings.target = "aggressive";
  settings.device = "cpu";
  settings.min_frames = 1;  // a frame above threshold-on opens an event
  settings.max_in_flight = 1;
  return settings;
}

class ExplainStageTest : public ::testing::Test {
 protected:
  ExplainStageTest() {
    gst_video_info_set_format(&info_, GST_VIDEO_FORMAT_RGB, kScoredWidth, kScoredHeight);
  }
  // A stage waits for the LRP it started when it goes: the gate opens first.
  ~ExplainStageTest() override { gate_.setOpen(true); }

  // A stage whose LRP (the model's own) waits at gate_ while it is closed.
  gst::ExplainStage& start(const gst::ExplainSettings& settings, bool live) {
    lrp_ = std::make_unique<explain::FrameExplainer>(
        gst::toExplainerOptions(settings, settings.model_path));
    stage_ = std::make_unique<gst::ExplainStage>(owner_.get(), settings, live);
    stage_->setExplainFunction([this](const explain::ExplainBatch& batch) {
      gate_.pass();
      return lrp_->explain(batch);
    });
    return *stage_;
  }

  // The frames the stage lets out when given frame `index` with P(aggressive) = score.
  Out push(int index, double score) {
    gst::ReadyQueue out;
    stage_->push(frames_.make(index, score), info_, out);
    return owned(out);
  }

  Out finish() {
    gst::ReadyQueue out;
    stage_->finish(out);
    return owned(out);
  }

  // Messages posted by the owner go nowhere: it has no bus.
  const gst::ObjectRef<GstElement> owner_{GST_ELEMENT(gst_object_ref_sink(gst_bin_new("explain")))};
  GstVideoInfo info_{};
  Gate gate_;
  Frames frames_;
  std::unique_ptr<explain::FrameExplainer> lrp_;
  std::unique_ptr<gst::ExplainStage> stage_;  // last: goes first
};

// A seek in live mode: the flush returns while the explanation it interrupts still runs
// (were it to wait, it would wait forever: only the test opens the gate, and only
// afterwards), and that explanation's map, arriving later, goes on no frame of the new
// position, where explanations go on as before.
TEST_F(ExplainStageTest, AFlushDoesNotWaitForTheRunningExplanationAndDropsItsMap) {
  gst::ExplainStage& stage = start(settings(), /*live=*/true);
  EXPECT_EQ(push(0, 0.9).size(), 1u);  // chosen: its LRP waits at the gate
  gate_.waitEntered(1);
  stage.flushStart();
  stage.flushStop();
  EXPECT_EQ(gate_.left(), 0) << "the flush returned while the explanation ran";

  gate_.setOpen(true);
  stage.waitForExplanations();  // frame 0's map has arrived, after the flush
  Out after = push(1, 0.9);     // the new position's first frame: chosen and explained
  stage.waitForExplanations();
  Out next = push(2, 0.5);
  ASSERT_EQ(after.size(), 1u);
  ASSERT_EQ(next.size(), 1u);
  EXPECT_EQ(relevanceOf(after[0]), nullptr) << "frame 0's map is not on a later frame";
  const gst::RelevanceResult* meta = relevanceOf(next[0]);
  ASSERT_NE(meta, nullptr);
  EXPECT_EQ(meta->pts, ptsOf(1));
  EXPECT_TRUE(finish().empty());

  const gst::ExplainStats stats = stage.stats();
  EXPECT_EQ(stats.selected, 2u);
  EXPECT_EQ(stats.explained, 1u);
  EXPECT_EQ(stats.dropped, 1u);  // frame 0's
  after.clear();
  next.clear();
  EXPECT_EQ(frames_.alive(), 0) << "a frame was not released";
}

// Live mode as designed, by accounting rather than by timing: with the worker free, a
// chosen frame is explained and its map goes on the next frame that comes after it is
// ready (with the explained frame as a thumbnail); while the worker is busy, every new
// running peak finds no room and is skipped — never queued, never waited for.
TEST_F(ExplainStageTest, LiveAttachesEachMapToALaterFrameAndSkipsWhatFindsTheWorkerBusy) {
  gst::ExplainStage& stage = start(settings(), /*live=*/true);  // one explanation at a time
  gate_.setOpen(true);
  const Out first = push(0, 0.7);  // opens an event: chosen, and the worker is free
  ASSERT_EQ(first.size(), 1u);
  EXPECT_EQ(relevanceOf(first[0]), nullptr) << "a map cannot be ready before its frame leaves";
  stage.waitForExplanations();
  const Out second = push(1, 0.65);  // below the peak explained: not chosen
  ASSERT_EQ(second.size(), 1u);
  const gst::RelevanceResult* map0 = relevanceOf(second[0]);
  ASSERT_NE(map0, nullptr) << "frame 0's map goes on the next frame";
  EXPECT_EQ(map0->pts, ptsOf(0));
  EXPECT_FALSE(map0->on_explained_frame);
  EXPECT_EQ(map0->thumbnail_width, kScoredWidth);
  EXPECT_FALSE(map0->thumbnail.empty());

  gate_.setOpen(false);
  Out busy = push(2, 0.8);  // a new peak: chosen, and its LRP waits at the gate
  gate_.waitEntered(2);
  for (int i = 3; i <= 5; ++i) {  // each a new peak, each finding the worker busy
    for (OwnedBuffer& frame : push(i, 0.8 + 0.05 * (i - 2)))
      busy.push_back(std::move(frame));
  }
  ASSERT_EQ(busy.size(), 4u) << "live mode never holds a frame";
  for (const OwnedBuffer& frame : busy)
    EXPECT_EQ(relevanceOf(frame), nullptr) << "nothing was ready while the worker was busy";
  EXPECT_EQ(stage.stats().skipped, 3u);

  gate_.setOpen(true);
  stage.waitForExplanations();
  const Out last = push(6, 0.5);  // still in the event, not a peak
  ASSERT_EQ(last.size(), 1u);
  const gst::RelevanceResult* map2 = relevanceOf(last[0]);
  ASSERT_NE(map2, nullptr) << "frame 2's map goes on the next frame after it is ready";
  EXPECT_EQ(map2->pts, ptsOf(2));
  EXPECT_TRUE(finish().empty());

  const gst::ExplainStats stats = stage.stats();
  EXPECT_EQ(stats.selected, 5u);  // frames 0 and 2 to 5
  EXPECT_EQ(stats.explained, 2u);
  EXPECT_EQ(stats.skipped, 3u);
  EXPECT_EQ(stats.superseded + stats.dropped + stats.failed, 0u);
  EXPECT_EQ(stats.selected, stats.explained + stats.skipped);
}

// Where archive mode's streaming thread waits for explanations, and what it has been
// given when it starts waiting: frames pushed at P = 0.9 first, then one more (or the
// end of the stream) from the streaming thread.
struct Wait {
  const char* name;
  unsigned max_in_flight;
  unsigned max_event_frames;  // each chunk of this many frames has its peak explained
  int frames_before;
  bool ends_stream;
};

std::ostream& operator<<(std::ostream& os, const Wait& wait) {
  return os << wait.name;
}

class ArchiveWait : public ExplainStageTest, public ::testing::WithParamInterface<Wait> {};

// A seek in archive mode while the streaming thread waits for an explanation: the flush
// start wakes it at once, the explanation still running; the flush stop releases every
// frame held; after it, frames are explained as before and nothing of the old position
// arrives on them.
TEST_P(ArchiveWait, AFlushWakesTheStreamingThreadAndReleasesTheHeldFrames) {
  const Wait wait = GetParam();
  gst::ExplainSettings s = settings();
  s.max_in_flight = wait.max_in_flight;
  s.max_event_frames = wait.max_event_frames;
  gst::ExplainStage& stage = start(s, /*live=*/false);
  for (int i = 0; i < wait.frames_before; ++i)
    EXPECT_TRUE(push(i, 0.9).empty()) << "frame " << i << " is held";

  gst::ReadyQueue streamed;
  std::thread streaming([&] {
    if (wait.ends_stream) {
      stage.finish(streamed);
    } else {
      stage.push(frames_.make(wait.frames_before, 0.9), info_, streamed);
    }
  });
  gate_.waitEntered(1);
  // The streaming thread must be in its wait before the flush starts, or the flush
  // would be refused up front and the wake-up untested.
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(30);
  while (!stage.waiting() && std::chrono::steady_clock::now() < deadline)
    std::this_thread::yield();
  EXPECT_TRUE(stage.waiting()) << "the streaming thread never waited";
  stage.flushStart();
  streaming.join();  // were it not woken, it would wait forever: the gate is closed
  EXPECT_EQ(gate_.left(), 0) << "woken while the explanation ran";
  EXPECT_TRUE(owned(streamed).empty());
  stage.flushStop();
  EXPECT_EQ(frames_.alive(), 0) << "the held frames were released";

  gate_.setOpen(true);
  stage.waitForExplanations();  // what ran for the old position has arrived
  const int index = 10;
  Out after = push(index, 0.9);
  for (OwnedBuffer& frame : finish())
    after.push_back(std::move(frame));
  ASSERT_EQ(after.size(), 1u);
  const gst::RelevanceResult* meta = relevanceOf(after[0]);
  ASSERT_NE(meta, nullptr);
  EXPECT_EQ(meta->pts, ptsOf(index));
  EXPECT_TRUE(meta->on_explained_frame);

  const gst::ExplainStats stats = stage.stats();
  EXPECT_EQ(stats.explained, 1u);
  EXPECT_EQ(stats.selected, stats.explained + stats.dropped) << "every selection accounted";
  after.clear();
  EXPECT_EQ(frames_.alive(), 0);
}

INSTANTIATE_TEST_SUITE_P(
    Waits, ArchiveWait,
    ::testing::Values(
        // Frame 0's chunk is explained; frame 1's waits for the only place in flight.
        Wait{"ForRoomInTheScheduler", 1, 1, 1, false},
        // Two chunks in flight; frame 4 is one past twice the cap held: it waits.
        Wait{"ForExplanationsWhenHoldingTooMany", 2, 2, 4, false},
        // The end of the stream closes the event and waits for its peak's explanation.
        Wait{"ForTheLastEventAtTheEnd", 1, 300, 1, true}),
    [](const ::testing::TestParamInfo<Wait>& info) { return std::string(info.param.name); });

}  // namespace
}  // namespace deepbug::test
