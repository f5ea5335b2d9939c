#include "explain/explain_scheduler.hpp"

#include <oneapi/tbb/flow_graph.h>
#include <oneapi/tbb/global_control.h>
#include <oneapi/tbb/task_arena.h>

#include <algorithm>
#include <condition_variable>
#include <mutex>
#include <optional>
#include <string>
#include <thread>

#include "core/error.hpp"
#include "core/runtime.hpp"
#include "core/thread_budget.hpp"

namespace deepbug::explain {

namespace flow = tbb::flow;

void validate(const SchedulerOptions& options) {
  if (options.max_in_flight < 1) throw ConfigError("explain.max_in_flight must be at least 1");
  if (options.concurrency < 1) throw ConfigError("explain.concurrency must be at least 1");
  if (options.intra_op_threads < 1) throw ConfigError("explain.threads must be at least 1");
  if (options.arena_threads < 0) throw ConfigError("the explain arena's threads must be ≥ 0");
}

struct ExplainScheduler::Impl {
  SchedulerOptions options;
  Work work;
  Deliver deliver;
  // TBB allows cores − 1 workers by default; the arena's threads are sized explicitly by
  // the thread budget, so the limit is raised to fit them.
  std::optional<tbb::global_control> parallelism;
  tbb::task_arena arena;
  std::unique_ptr<flow::graph> graph;
  std::unique_ptr<flow::limiter_node<ExplainBatch>> limiter;
  std::unique_ptr<flow::function_node<ExplainBatch, BatchResult>> lrp;
  std::unique_ptr<flow::sequencer_node<BatchResult>> order;
  std::unique_ptr<flow::function_node<BatchResult>> sink;

  mutable std::mutex mutex;
  std::condition_variable room;
  std::size_t in_flight = 0;
  std::size_t running = 0;
  std::size_t peak_in_flight = 0;
  std::size_t peak_running = 0;
  uint64_t next_sequence = 0;
  bool flushing = false;
  std::size_t waiting_for_room = 0;  // submit() calls blocked on a full graph

  // Every slot is for the arena's own threads: the submitting (streaming) thread never
  // joins the arena, so it never runs LRP itself.
  explicit Impl(const SchedulerOptions& o) : options(o) {
    const int threads = o.arena_threads > 0 ? o.arena_threads : o.concurrency;
    const auto allowed =
        tbb::global_control::active_value(tbb::global_control::max_allowed_parallelism);
    if (static_cast<std::size_t>(threads) + 1 > allowed) {
      parallelism.emplace(tbb::global_control::max_allowed_parallelism,
                          static_cast<std::size_t>(threads) + 1);
    }
    arena.initialize(threads, 0);
  }

  BatchResult run(const ExplainBatch& batch) {
    {
      std::lock_guard lock(mutex);
      peak_running = std::max(peak_running, ++running);
    }
    setIntraOpThreads(options.intra_op_threads);
    // While this pass runs, its cores are on loan: automatic stages use the others.
    const CoreLoan loan(options.intra_op_threads);
    BatchResult result;
    try {
      result = work(batch);
    } catch (const std::exception& e) {
      result = failed(batch, e.what());
    }
    result.sequence = batch.sequence;
    result.generation = batch.generation;
    {
      std::lock_guard lock(mutex);
      --running;
    }
    return result;
  }

  static BatchResult failed(const ExplainBatch& batch, const std::string& message) {
    BatchResult result;
    for (const ExplainRequest& request : batch.frames) {
      FrameRelevance frame;
      frame.frame_index = request.frame_index;
      frame.pts_ns = request.pts_ns;
      frame.target = request.target;
      frame.error = message;
      result.frames.push_back(std::move(frame));
    }
    return result;
  }

  void delivered(BatchResult&& result) {
    try {
      deliver(std::move(result));
    } catch (...) {
      // The receiver's problem must not stop the graph; it reports its own errors.
    }
    {
      // The limiter's slot and the count go together, so the count (for waiting and
      // statistics) always equals what the limiter holds.
      std::lock_guard lock(mutex);
      limiter->decrementer().try_put(flow::continue_msg());
      --in_flight;
    }
    room.notify_all();
  }

  // The limiter decides: it rejects a batch beyond max_in_flight.
  bool put(ExplainBatch& batch) {
    std::unique_lock lock(mutex);
    if (flushing) return false;
    batch.sequence = next_sequence;
    if (!limiter->try_put(batch)) return false;
    ++next_sequence;
    peak_in_flight = std::max(peak_in_flight, ++in_flight);
    return true;
  }
};

namespace {
const SchedulerOptions& checked(const SchedulerOptions& options) {
  validate(options);
  return options;
}
}  // namespace

ExplainScheduler::ExplainScheduler(SchedulerOptions options, Work work, Deliver deliver)
    : impl_(std::make_unique<Impl>(checked(options))) {
  Impl& s = *impl_;
  s.work = std::move(work);
  s.deliver = std::move(deliver);
  // The graph is built inside the arena, so its tasks run there.
  s.arena.execute([&s] {
    s.graph = std::make_unique<flow::graph>();
    s.limiter = std::make_unique<flow::limiter_node<ExplainBatch>>(
        *s.graph, static_cast<std::size_t>(s.options.max_in_flight));
    s.lrp = std::make_unique<flow::function_node<ExplainBatch, BatchResult>>(
        *s.graph, static_cast<std::size_t>(s.options.concurrency),
        [&s](const ExplainBatch& batch) { return s.run(batch); });
    s.order = std::make_unique<flow::sequencer_node<BatchResult>>(
        *s.graph,
        [](const BatchResult& result) { return static_cast<std::size_t>(result.sequence); });
    s.sink = std::make_unique<flow::function_node<BatchResult>>(*s.graph, flow::serial,
                                                                [&s](BatchResult result) {
                                                                  s.delivered(std::move(result));
                                                                  return flow::continue_msg();
                                                                });
    flow::make_edge(*s.limiter, *s.lrp);
    flow::make_edge(*s.lrp, *s.order);
    flow::make_edge(*s.order, *s.sink);
  });
}

ExplainScheduler::~ExplainScheduler() {
  waitIdle();
  Impl& s = *impl_;
  s.arena.execute([&s] { s.graph->wait_for_all(); });
}

bool ExplainScheduler::trySubmit(ExplainBatch batch) {
  return impl_->put(batch);
}

bool ExplainScheduler::submit(ExplainBatch batch) {
  Impl& s = *impl_;
  while (!s.put(batch)) {
    std::unique_lock lock(s.mutex);
    ++s.waiting_for_room;
    s.room.wait(lock, [&s] {
      return s.flushing || s.in_flight < static_cast<std::size_t>(s.options.max_in_flight);
    });
    --s.waiting_for_room;
    if (s.flushing) return false;
  }
  return true;
}

void ExplainScheduler::setFlushing(bool flushing) {
  Impl& s = *impl_;
  {
    std::lock_guard lock(s.mutex);
    s.flushing = flushing;
  }
  s.room.notify_all();
}

void ExplainScheduler::waitIdle() {
  Impl& s = *impl_;
  std::unique_lock lock(s.mutex);
  s.room.wait(lock, [&s] { return s.in_flight == 0; });
}

std::size_t ExplainScheduler::waitingForRoom() const {
  std::lock_guard lock(impl_->mutex);
  return impl_->waiting_for_room;
}

std::size_t ExplainScheduler::inFlight() const {
  std::lock_guard lock(impl_->mutex);
  return impl_->in_flight;
}

std::size_t ExplainScheduler::peakInFlight() const {
  std::lock_guard lock(impl_->mutex);
  return impl_->peak_in_flight;
}

std::size_t ExplainScheduler::peakRunning() const {
  std::lock_guard lock(impl_->mutex);
  return impl_->peak_running;
}

const SchedulerOptions& ExplainScheduler::options() const {
  return impl_->options;
}

}  // namespace deepbug::explain
