// Runs explanations on a oneTBB flow graph, beside the stream:
//
//   submit ─► limiter_node ─► function_node "lrp" ─► sequencer_node ─► function_node "deliver"
//              (≤ max_in_flight)  (concurrency workers)  (sequence order)   (serial)   │
//                   ▲───────────────────── decrement ──────────────────────────────────┘
//
// The limiter bounds the batches in flight (so memory and latency are bounded), the
// LRP node runs `concurrency` batches at once, each worker with intra_op_threads
// LibTorch threads (workers × threads must fit the cores left to classification), and
// the sequencer hands results back in submission order, whatever order they finish in.
// The graph runs in its own task arena, so the caller's threads never run LRP.
#pragma once

#include <cstddef>
#include <functional>
#include <memory>

#include "explain/explain_job.hpp"

namespace deepbug::explain {

struct SchedulerOptions {
  int max_in_flight = 2;     // batches submitted and not yet delivered
  int concurrency = 1;       // batches explained at once
  int intra_op_threads = 1;  // LibTorch threads per worker
  int arena_threads = 0;     // TBB threads for the graph; 0: concurrency
};

// Throws ConfigError naming the key for values below 1.
void validate(const SchedulerOptions& options);

class ExplainScheduler {
 public:
  using Work = std::function<BatchResult(const ExplainBatch&)>;  // on a graph worker
  using Deliver = std::function<void(BatchResult&&)>;            // serially, in sequence order

  // `work` may throw: the batch then comes back with the message as every frame's error.
  ExplainScheduler(SchedulerOptions options, Work work, Deliver deliver);
  // Waits for everything in flight to be delivered.
  ~ExplainScheduler();
  ExplainScheduler(const ExplainScheduler&) = delete;
  ExplainScheduler& operator=(const ExplainScheduler&) = delete;

  // Live: takes the batch only if fewer than max_in_flight are in flight and not flushing.
  bool trySubmit(ExplainBatch batch);
  // Archive: waits for room, then takes the batch (backpressure on the caller). False,
  // the batch not taken, when flushing.
  bool submit(ExplainBatch batch);
  // Flushing (a seek): every batch is refused and a submit() waiting for room returns at
  // once, until setFlushing(false) — the caller must not wait for LRP in progress, which
  // goes on and is delivered (its generation tells the caller it is stale).
  void setFlushing(bool flushing);
  // Waits until every batch submitted so far has been delivered.
  void waitIdle();

  std::size_t inFlight() const;
  // How many submit() calls wait for room now (tests wait for a submit to block).
  std::size_t waitingForRoom() const;
  // The most batches ever in flight at once, and inside the LRP node at once.
  std::size_t peakInFlight() const;
  std::size_t peakRunning() const;
  const SchedulerOptions& options() const;

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace deepbug::explain
