// The flow graph: results in submission order whatever order they finish in, never
// more than max_in_flight batches in flight nor more than `concurrency` running, live
// submissions refused (not queued) when full, under 1, 2 and 4 TBB threads; flushing
// wakes a submission waiting for room.
#include <gtest/gtest.h>

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <mutex>
#include <thread>
#include <vector>

#include "explain/explain_scheduler.hpp"

namespace deepbug::explain {
namespace {

ExplainBatch batchOf(int64_t frame_index) {
  ExplainBatch batch;
  ExplainRequest request;
  request.frame_index = frame_index;
  batch.frames.push_back(request);
  return batch;
}

BatchResult echo(const ExplainBatch& batch) {
  BatchResult result;
  for (const ExplainRequest& request : batch.frames) {
    FrameRelevance frame;
    frame.frame_index = request.frame_index;
    result.frames.push_back(frame);
  }
  return result;
}

class SchedulerThreads : public ::testing::TestWithParam<int> {};

TEST_P(SchedulerThreads, ResultsComeBackInOrderWithinTheBounds) {
  const int threads = GetParam();
  SchedulerOptions options;
  options.concurrency = threads;
  options.max_in_flight = threads + 1;
  std::mutex mutex;
  std::vector<int64_t> delivered;
  {
    ExplainScheduler scheduler(
        options,
        [](const ExplainBatch& batch) {
          // Earlier batches take longer, so they finish out of order.
          const int64_t index = batch.frames.front().frame_index;
          std::this_thread::sleep_for(std::chrono::milliseconds(index % 4 == 0 ? 6 : 1));
          return echo(batch);
        },
        [&](BatchResult&& result) {
          std::lock_guard lock(mutex);
          delivered.push_back(result.frames.front().frame_index);
        });
    for (int64_t i = 0; i < 40; ++i)
      scheduler.submit(batchOf(i));
    scheduler.waitIdle();
    EXPECT_EQ(scheduler.inFlight(), 0u);
    EXPECT_LE(scheduler.peakInFlight(), static_cast<std::size_t>(options.max_in_flight));
    EXPECT_LE(scheduler.peakRunning(), static_cast<std::size_t>(threads));
    EXPECT_GE(scheduler.peakRunning(), 1u);
  }
  std::vector<int64_t> expected(40);
  for (int64_t i = 0; i < 40; ++i)
    expected[static_cast<std::size_t>(i)] = i;
  EXPECT_EQ(delivered, expected);
}

INSTANTIATE_TEST_SUITE_P(TbbThreads, SchedulerThreads, ::testing::Values(1, 2, 4));

// Work that waits until the test opens the gate.
struct Gate {
  std::mutex mutex;
  std::condition_variable changed;
  bool open = false;
  int entered = 0;

  void pass() {
    std::unique_lock lock(mutex);
    ++entered;
    changed.notify_all();
    changed.wait(lock, [this] { return open; });
  }
  void waitEntered(int count) {
    std::unique_lock lock(mutex);
    changed.wait(lock, [&] { return entered >= count; });
  }
  void release() {
    std::lock_guard lock(mutex);
    open = true;
    changed.notify_all();
  }
};

TEST(ExplainScheduler, TrySubmitRefusesWhenFullAndNeverBlocks) {
  Gate gate;
  std::atomic<int> delivered{0};
  SchedulerOptions options;
  options.max_in_flight = 2;
  options.concurrency = 1;
  ExplainScheduler scheduler(
      options,
      [&](const ExplainBatch& batch) {
        gate.pass();
        return echo(batch);
      },
      [&](BatchResult&&) { ++delivered; });
  EXPECT_TRUE(scheduler.trySubmit(batchOf(0)));
  EXPECT_TRUE(scheduler.trySubmit(batchOf(1)));
  gate.waitEntered(1);
  int refused = 0;
  for (int i = 2; i < 10; ++i)
    refused += scheduler.trySubmit(batchOf(i)) ? 0 : 1;
  EXPECT_EQ(refused, 8);
  EXPECT_EQ(scheduler.inFlight(), 2u);
  gate.release();
  scheduler.waitIdle();
  EXPECT_EQ(delivered.load(), 2);
  EXPECT_TRUE(scheduler.trySubmit(batchOf(10)));  // room again
}

// Until a submit() waits for room (the producer thread's, in the tests below).
void waitUntilBlocked(const ExplainScheduler& scheduler) {
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(30);
  while (scheduler.waitingForRoom() == 0 && std::chrono::steady_clock::now() < deadline)
    std::this_thread::yield();
  EXPECT_EQ(scheduler.waitingForRoom(), 1u) << "the submit never waited";
}

TEST(ExplainScheduler, SubmitWaitsForRoomInsteadOfDropping) {
  Gate gate;
  std::atomic<int> delivered{0};
  SchedulerOptions options;
  options.max_in_flight = 1;
  ExplainScheduler scheduler(
      options,
      [&](const ExplainBatch& batch) {
        gate.pass();
        return echo(batch);
      },
      [&](BatchResult&&) { ++delivered; });
  scheduler.submit(batchOf(0));
  gate.waitEntered(1);
  std::thread producer([&] { scheduler.submit(batchOf(1)); });
  waitUntilBlocked(scheduler);
  // The second batch is taken once the gate opens, never beside the first: at no time
  // were two in flight, and both were delivered (nothing dropped).
  gate.release();
  producer.join();
  scheduler.waitIdle();
  EXPECT_EQ(delivered.load(), 2);
  EXPECT_EQ(scheduler.peakInFlight(), 1u);
}

// A seek must not wait for LRP in progress: flushing wakes a submit() waiting for room
// (the batch is not taken) and refuses batches until it ends, while the batch running
// goes on and comes back with its generation.
TEST(ExplainScheduler, FlushingWakesASubmitWaitingForRoomAndRefusesBatches) {
  Gate gate;
  std::mutex mutex;
  std::vector<BatchResult> delivered;
  SchedulerOptions options;
  options.max_in_flight = 1;
  ExplainScheduler scheduler(
      options,
      [&](const ExplainBatch& batch) {
        gate.pass();
        return echo(batch);
      },
      [&](BatchResult&& result) {
        std::lock_guard lock(mutex);
        delivered.push_back(std::move(result));
      });
  ExplainBatch running = batchOf(0);
  running.generation = 7;
  ASSERT_TRUE(scheduler.submit(running));
  gate.waitEntered(1);
  bool taken = true;
  std::thread producer([&] { taken = scheduler.submit(batchOf(1)); });  // no room
  waitUntilBlocked(scheduler);  // else the flush would refuse it up front, no wake-up tested
  scheduler.setFlushing(true);
  producer.join();
  EXPECT_FALSE(taken);
  EXPECT_FALSE(scheduler.trySubmit(batchOf(2)));
  EXPECT_EQ(scheduler.inFlight(), 1u) << "the running batch is not waited for";
  gate.release();
  scheduler.waitIdle();
  scheduler.setFlushing(false);
  EXPECT_TRUE(scheduler.submit(batchOf(3)));
  scheduler.waitIdle();
  ASSERT_EQ(delivered.size(), 2u);
  EXPECT_EQ(delivered[0].frames[0].frame_index, 0);
  EXPECT_EQ(delivered[0].generation, 7u);
  EXPECT_EQ(delivered[1].frames[0].frame_index, 3);
  EXPECT_EQ(delivered[1].generation, 0u);
}

TEST(ExplainScheduler, AFailingBatchComesBackWithItsErrorAndTheGraphGoesOn) {
  std::vector<BatchResult> results;
  std::mutex mutex;
  {
    ExplainScheduler scheduler(
        {},
        [](const ExplainBatch& batch) -> BatchResult {
          if (batch.frames.front().frame_index == 1) throw std::runtime_error("no memory");
          return echo(batch);
        },
        [&](BatchResult&& result) {
          std::lock_guard lock(mutex);
          results.push_back(std::move(result));
        });
    for (int64_t i = 0; i < 3; ++i)
      scheduler.submit(batchOf(i));
  }
  ASSERT_EQ(results.size(), 3u);
  EXPECT_TRUE(results[0].frames[0].error.empty());
  EXPECT_EQ(results[1].frames[0].frame_index, 1);
  EXPECT_EQ(results[1].frames[0].error, "no memory");
  EXPECT_TRUE(results[2].frames[0].error.empty());
}

}  // namespace
}  // namespace deepbug::explain
