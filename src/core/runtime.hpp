// Process-level set-up shared by every program, and a description of the runtime
// for benchmarks and --version output.
#pragma once

#include <string>

namespace deepbug {

// Call first in main(). Idle OpenMP threads spin by default and burn the cores other
// stages need; libgomp reads OMP_WAIT_POLICY when it is loaded, before main() runs, so
// when the user has not chosen a policy the program re-executes itself once with
// OMP_WAIT_POLICY=PASSIVE. An explicit user choice is kept.
void preferPassiveOpenMpWait(char** argv);

// Call first in main(), too. Activations of a 224×224 batch are tens of MiB each;
// glibc serves blocks that large with mmap and unmaps them on free, so every pass
// would page-fault its buffers in afresh (measured: a third of the LRP time in the
// kernel). Keeping freed memory in the heap for reuse removes that; the process keeps
// its high-water mark instead of returning memory between passes.
void keepFreedMemoryForReuse();

struct RuntimeInfo {
  std::string libtorch_version;
  bool cuda_available = false;
  int cuda_devices = 0;
  int intra_op_threads = 0;
  int cores = 0;
  std::string omp_wait_policy;  // as the process sees it, "" when unset
  std::string blas_library;     // the BLAS shared object mapped into the process
  std::string cpu_model;
};

RuntimeInfo runtimeInfo();
// One JSON object with every field above.
std::string toJson(const RuntimeInfo& info);

// Sets the calling thread's intra-op thread count (OpenMP threads are per calling
// thread); a no-op when it already has that many.
void setIntraOpThreads(int threads);

}  // namespace deepbug
