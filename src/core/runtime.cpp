#include "core/runtime.hpp"

#include <malloc.h>
#include <unistd.h>

#include <climits>

#include <ATen/Parallel.h>
#include <torch/cuda.h>
#include <torch/script.h>
#include <torch/version.h>
#include <cstdlib>
#include <fstream>
#include <nlohmann/json.hpp>

#include "core/thread_budget.hpp"

namespace deepbug {

void preferPassiveOpenMpWait(char** argv) {
  if (std::getenv("OMP_WAIT_POLICY") != nullptr) return;
  if (setenv("OMP_WAIT_POLICY", "PASSIVE", 1) != 0) return;
  execv("/proc/self/exe", argv);
  // exec failed (no /proc): carry on with spinning threads rather than not at all.
}

void keepFreedMemoryForReuse() {
  mallopt(M_MMAP_MAX, 0);              // large blocks come from the heap too
  mallopt(M_TRIM_THRESHOLD, INT_MAX);  // and stay there once freed
}

namespace {

std::string firstMatchingLine(const char* path, const std::string& needle) {
  std::ifstream in(path);
  std::string line;
  while (std::getline(in, line)) {
    if (line.find(needle) != std::string::npos) return line;
  }
  return {};
}

std::string cpuModel() {
  const std::string line = firstMatchingLine("/proc/cpuinfo", "model name");
  const auto colon = line.find(':');
  return colon == std::string::npos ? std::string() : line.substr(colon + 2);
}

std::string mappedBlasLibrary() {
  const std::string line = firstMatchingLine("/proc/self/maps", "blas");
  const auto slash = line.find('/');
  return slash == std::string::npos ? std::string("unknown") : line.substr(slash);
}

}  // namespace

RuntimeInfo runtimeInfo() {
  RuntimeInfo info;
  info.libtorch_version = TORCH_VERSION;
  info.cuda_available = torch::cuda::is_available();
  info.cuda_devices = info.cuda_available ? static_cast<int>(torch::cuda::device_count()) : 0;
  info.intra_op_threads = at::get_num_threads();
  info.cores = availableCores();
  const char* policy = std::getenv("OMP_WAIT_POLICY");
  info.omp_wait_policy = policy ? policy : "";
  info.blas_library = mappedBlasLibrary();
  info.cpu_model = cpuModel();
  return info;
}

std::string toJson(const RuntimeInfo& info) {
  return nlohmann::json{{"libtorch", info.libtorch_version},
                        {"cuda_available", info.cuda_available},
                        {"cuda_devices", info.cuda_devices},
                        {"intra_op_threads", info.intra_op_threads},
                        {"cores", info.cores},
                        {"omp_wait_policy", info.omp_wait_policy},
                        {"blas", info.blas_library},
                        {"cpu", info.cpu_model}}
      .dump();
}

void setIntraOpThreads(int threads) {
  if (threads > 0 && at::get_num_threads() != threads) at::set_num_threads(threads);
}

}  // namespace deepbug
