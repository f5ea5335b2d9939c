#include "core/thread_budget.hpp"

#include <sched.h>

#include <algorithm>
#include <atomic>
#include <thread>

#include "core/error.hpp"

namespace deepbug {

int availableCores() {
  cpu_set_t set;
  CPU_ZERO(&set);
  if (sched_getaffinity(0, sizeof(set), &set) == 0) {
    const int count = CPU_COUNT(&set);
    if (count > 0) return count;
  }
  return std::max(1u, std::thread::hardware_concurrency());
}

namespace {
std::atomic<int> g_cores_on_loan{0};
}  // namespace

CoreLoan::CoreLoan(int cores) : cores_(std::max(0, cores)) {
  g_cores_on_loan += cores_;
}

CoreLoan::~CoreLoan() {
  g_cores_on_loan -= cores_;
}

int coresOnLoan() {
  return g_cores_on_loan.load();
}

int unlentCores() {
  static const int cores = availableCores();
  return std::max(1, cores - coresOnLoan());
}

ThreadBudget::ThreadBudget(int cores) : cores_(std::max(1, cores)) {}

int ThreadBudget::defaultIntraOpThreads(int workers) const {
  return std::max(1, cores_ / std::max(1, workers));
}

void ThreadBudget::check(const std::vector<StageThreads>& stages) const {
  int used = 0;
  std::string breakdown;
  for (const StageThreads& stage : stages) {
    if (stage.workers < 1 || stage.intra_op_threads < 1) {
      throw ConfigError("thread budget: stage '" + stage.stage + "' asks for " +
                            std::to_string(stage.workers) + " workers × " +
                            std::to_string(stage.intra_op_threads) + " threads",
                        "both counts must be at least 1");
    }
    used += stage.workers * stage.intra_op_threads;
    if (!breakdown.empty()) breakdown += " + ";
    breakdown += stage.stage + " " + std::to_string(stage.workers) + "×" +
                 std::to_string(stage.intra_op_threads);
  }
  if (used > cores_) {
    throw ConfigError("thread budget exceeded: " + breakdown + " = " + std::to_string(used) +
                          " threads on " + std::to_string(cores_) + " cores",
                      "lower the threads or concurrency settings so that workers × threads "
                      "summed over the stages is at most " +
                          std::to_string(cores_));
  }
}

}  // namespace deepbug
