// Classification batching without GStreamer: which frames are classified, which carry,
// when a batch runs and which frames leave at once. Time is a number here.
#include <gtest/gtest.h>

#include <memory>
#include <string>
#include <vector>

#include "model/batch_planner.hpp"

namespace deepbug::model {
namespace {

using std::chrono::milliseconds;
using Planner = BatchPlanner<std::unique_ptr<int>>;  // move-only, as a buffer reference

BatchPolicy policy(unsigned batch_size, unsigned interval, milliseconds max_lag = {},
                   milliseconds batch_timeout = milliseconds(200)) {
  BatchPolicy p;
  p.batch_size = batch_size;
  p.interval = interval;
  p.max_lag = max_lag;
  p.batch_timeout = batch_timeout;
  return p;
}

// What happened to each frame, in the order frames left: "c3" classified frame 3,
// "k4" frame 4 carried a result; frames leave when they leave at once or a batch runs.
struct Frames {
  Planner planner;
  std::vector<std::string> left;
  std::vector<std::size_t> batch_sizes;  // frames classified per batch

  void admit(int frame, milliseconds lateness = {}, milliseconds now = {}) {
    Planner::Admission a = planner.admit(std::make_unique<int>(frame), lateness, now);
    EXPECT_EQ(a.index, static_cast<std::uint64_t>(frame));
    if (a.leave_now) {
      EXPECT_FALSE(a.batch_full);
      EXPECT_EQ(**a.leave_now, frame) << "the frame itself leaves";
      left.push_back("k" + std::to_string(frame));
    }
    if (a.batch_full) runBatch();
  }
  void runBatch(bool succeeds = true) {
    const std::vector<Planner::Held> batch = planner.takeBatch();
    if (batch.empty()) return;
    if (!succeeds) return;  // the frames are dropped with the error
    planner.classified();
    EXPECT_TRUE(batch.front().classify) << "a carried frame is held only behind a classified one";
    std::size_t classified = 0;
    for (const Planner::Held& held : batch) {
      EXPECT_EQ(*held.frame, static_cast<int>(held.index));
      left.push_back((held.classify ? "c" : "k") + std::to_string(held.index));
      classified += held.classify ? 1 : 0;
    }
    batch_sizes.push_back(classified);
  }
};

using Names = std::vector<std::string>;

TEST(BatchPlanner, OneByOneEveryFrameIsClassifiedAndLeavesAtOnce) {
  Frames run;
  run.planner.setPolicy(policy(1, 1));
  for (int i = 0; i < 3; ++i)
    run.admit(i);
  EXPECT_EQ(run.left, (Names{"c0", "c1", "c2"}));
  EXPECT_EQ(run.batch_sizes, (std::vector<std::size_t>{1, 1, 1}));
  EXPECT_FALSE(run.planner.holding());
}

TEST(BatchPlanner, IntervalCarriesTheLastResultAndCarriedFramesLeaveAtOnce) {
  Frames run;
  run.planner.setPolicy(policy(1, 3));
  for (int i = 0; i < 7; ++i)
    run.admit(i);
  EXPECT_EQ(run.left, (Names{"c0", "k1", "k2", "c3", "k4", "k5", "c6"}));
}

TEST(BatchPlanner, FramesWaitForAFullBatchAndLeaveInOrder) {
  Frames run;
  run.planner.setPolicy(policy(2, 2));
  for (int i = 0; i < 6; ++i)
    run.admit(i);
  // Frame 1 carries frame 0's result, so it waits behind it; 2 and 0 fill the batch.
  EXPECT_EQ(run.left, (Names{"c0", "k1", "c2", "k3"}));
  EXPECT_EQ(run.batch_sizes, (std::vector<std::size_t>{2}));
  EXPECT_EQ(run.planner.held(), 2u) << "frames 4 and 5 wait for the next batch";
  run.runBatch();  // a drain (EOS): the partial batch
  EXPECT_EQ(run.left, (Names{"c0", "k1", "c2", "k3", "c4", "k5"}));
}

TEST(BatchPlanner, ALateFrameCarriesInsteadOfBeingClassifiedAndIsNeverDropped) {
  Frames run;
  run.planner.setPolicy(policy(1, 1, milliseconds(100)));
  run.admit(0, milliseconds(500));  // the first frame: there is no result to carry yet
  run.admit(1, milliseconds(50));
  run.admit(2, milliseconds(250));
  run.admit(3, milliseconds(100));  // exactly max-lag: still classified
  EXPECT_EQ(run.left, (Names{"c0", "c1", "k2", "c3"}));
}

TEST(BatchPlanner, MaxLagZeroNeverSkips) {
  Planner planner;
  planner.setPolicy(policy(1, 1));
  planner.admit(std::make_unique<int>(0), {}, {});
  planner.takeBatch();
  planner.classified();
  const Planner::Admission late = planner.admit(std::make_unique<int>(1), milliseconds(60000), {});
  EXPECT_FALSE(late.skipped);
  EXPECT_TRUE(late.batch_full);
}

TEST(BatchPlanner, SkipsAreReported) {
  Planner planner;
  planner.setPolicy(policy(1, 1, milliseconds(10)));
  planner.admit(std::make_unique<int>(0), {}, {});
  planner.takeBatch();
  planner.classified();
  const Planner::Admission late = planner.admit(std::make_unique<int>(1), milliseconds(11), {});
  EXPECT_TRUE(late.skipped);
  EXPECT_TRUE(late.leave_now.has_value());
}

TEST(BatchPlanner, TheOldestHeldFrameSetsTheBatchDeadline) {
  Planner planner;
  planner.setPolicy(policy(8, 1, {}, milliseconds(50)));
  EXPECT_FALSE(planner.deadline().has_value()) << "nothing held: nothing to time out";
  planner.admit(std::make_unique<int>(0), {}, milliseconds(1000));
  planner.admit(std::make_unique<int>(1), {}, milliseconds(1030));
  ASSERT_TRUE(planner.deadline().has_value());
  EXPECT_EQ(*planner.deadline(), milliseconds(1050));
  EXPECT_FALSE(planner.timedOut(milliseconds(1049)));
  EXPECT_TRUE(planner.timedOut(milliseconds(1050)));
  EXPECT_EQ(planner.takeBatch().size(), 2u);
  EXPECT_FALSE(planner.deadline().has_value());
  planner.admit(std::make_unique<int>(2), {}, milliseconds(1100));
  EXPECT_EQ(*planner.deadline(), milliseconds(1150)) << "the next batch waits from its own first";
}

TEST(BatchPlanner, AfterAFlushTheLastResultStillCarries) {
  Frames run;
  run.planner.setPolicy(policy(2, 2));
  run.admit(0);
  run.admit(1);
  run.admit(2);  // batch: c0 k1 c2
  run.admit(3);  // nothing held: leaves at once with frame 2's result
  run.admit(4);  // held, to classify; the flush drops it
  run.planner.clear();
  EXPECT_FALSE(run.planner.holding());
  run.admit(5);  // carried, nothing held: leaves at once
  EXPECT_EQ(run.left, (Names{"c0", "k1", "c2", "k3", "k5"}));
}

TEST(BatchPlanner, AFlushBeforeTheFirstResultClassifiesTheNextFrame) {
  Frames run;
  run.planner.setPolicy(policy(4, 5));
  run.admit(0);  // held, to classify
  run.planner.clear();
  run.admit(1);  // not an interval frame, but there is nothing to carry
  run.runBatch();
  EXPECT_EQ(run.left, (Names{"c1"}));
}

TEST(BatchPlanner, AfterAFailedFirstBatchTheNextFrameIsClassifiedNotCarried) {
  Frames run;
  run.planner.setPolicy(policy(1, 3, milliseconds(10)));
  Planner::Admission first = run.planner.admit(std::make_unique<int>(0), {}, {});
  ASSERT_TRUE(first.batch_full);
  run.runBatch(/*succeeds=*/false);
  // Frame 1 is no interval frame and arrives late, but there is nothing to carry.
  Planner::Admission next = run.planner.admit(std::make_unique<int>(1), milliseconds(50), {});
  EXPECT_FALSE(next.leave_now.has_value());
  EXPECT_FALSE(next.skipped);
  EXPECT_TRUE(next.batch_full);
}

TEST(BatchPlanner, MaxBatchWaitIsTheTimeoutOrTheRestOfTheBatchWhicheverComesFirst) {
  EXPECT_EQ(maxBatchWait(policy(8, 1, {}, milliseconds(200)), milliseconds(0)), milliseconds(200));
  EXPECT_EQ(maxBatchWait(policy(4, 1, {}, milliseconds(200)), milliseconds(40)), milliseconds(120));
  EXPECT_EQ(maxBatchWait(policy(8, 1, {}, milliseconds(200)), milliseconds(40)), milliseconds(200));
  EXPECT_EQ(maxBatchWait(policy(1, 1, {}, milliseconds(200)), milliseconds(40)), milliseconds(0))
      << "one frame per batch never waits";
}

}  // namespace
}  // namespace deepbug::model
