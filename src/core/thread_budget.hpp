// Cores are shared by every stage (classification, explanation, GStreamer threads).
// LibTorch on Debian parallelises with OpenMP: a stage running W concurrent workers
// with T intra-op threads each occupies W×T cores, and the sum must not exceed the
// machine's cores, or spinning OpenMP threads starve the other stages.
#pragma once

#include <string>
#include <vector>

namespace deepbug {

struct StageThreads {
  std::string stage;         // e.g. "classify", "explain"
  int workers = 1;           // concurrent calls into LibTorch
  int intra_op_threads = 1;  // OpenMP threads per call
};

// Cores this process may run on (CPU affinity, so containers and taskset count).
int availableCores();

// Cores lent to a stage while it works (an LRP pass, say): a stage whose thread count is
// automatic takes the cores nobody has borrowed, so the cores are neither
// oversubscribed while the lender works nor idle while it does not.
class CoreLoan {
 public:
  explicit CoreLoan(int cores);
  ~CoreLoan();
  CoreLoan(const CoreLoan&) = delete;
  CoreLoan& operator=(const CoreLoan&) = delete;

 private:
  int cores_;
};

// Cores lent right now, process-wide.
int coresOnLoan();

// Intra-op threads for a stage with automatic threads: the cores not on loan (≥ 1).
int unlentCores();

class ThreadBudget {
 public:
  explicit ThreadBudget(int cores = availableCores());

  int cores() const { return cores_; }

  // Intra-op threads for a stage that runs `workers` concurrent calls alone.
  int defaultIntraOpThreads(int workers = 1) const;

  // Throws ConfigError naming the stages when Σ workers × intra_op_threads > cores,
  // or when a count is not positive.
  void check(const std::vector<StageThreads>& stages) const;

 private:
  int cores_;
};

}  // namespace deepbug
