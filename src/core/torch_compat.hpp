// The few LibTorch API differences between Debian's LibTorch 1.13 and LibTorch 2.x
// live here and nowhere else. Include only from .cpp files.
#pragma once

#include <ATen/Context.h>
#include <ATen/autocast_mode.h>
#include <torch/version.h>

namespace deepbug::compat {

#if TORCH_VERSION_MAJOR > 2 || (TORCH_VERSION_MAJOR == 2 && TORCH_VERSION_MINOR >= 4)
inline bool autocastEnabled(c10::DeviceType device) {
  return at::autocast::is_autocast_enabled(device);
}
inline void setAutocast(c10::DeviceType device, bool enabled, c10::ScalarType dtype) {
  at::autocast::set_autocast_enabled(device, enabled);
  at::autocast::set_autocast_dtype(device, dtype);
}
inline c10::ScalarType autocastDtype(c10::DeviceType device) {
  return at::autocast::get_autocast_dtype(device);
}
#else
inline bool autocastEnabled(c10::DeviceType device) {
  return device == c10::DeviceType::CUDA ? at::autocast::is_enabled()
                                         : at::autocast::is_cpu_enabled();
}
inline void setAutocast(c10::DeviceType device, bool enabled, c10::ScalarType dtype) {
  if (device == c10::DeviceType::CUDA) {
    at::autocast::set_enabled(enabled);
    at::autocast::set_autocast_gpu_dtype(dtype);
  } else {
    at::autocast::set_cpu_enabled(enabled);
    at::autocast::set_autocast_cpu_dtype(dtype);
  }
}
inline c10::ScalarType autocastDtype(c10::DeviceType device) {
  return device == c10::DeviceType::CUDA ? at::autocast::get_autocast_gpu_dtype()
                                         : at::autocast::get_autocast_cpu_dtype();
}
#endif

// Autocast is thread-local state: this guard enables it for one scope on the calling
// thread and restores what was there before (nesting-safe, exception-safe).
class AutocastGuard {
 public:
  AutocastGuard(c10::DeviceType device, c10::ScalarType dtype)
      : device_(device),
        previous_enabled_(autocastEnabled(device)),
        previous_dtype_(autocastDtype(device)) {
    setAutocast(device_, true, dtype);
  }
  ~AutocastGuard() {
    setAutocast(device_, previous_enabled_, previous_dtype_);
    if (!previous_enabled_) at::autocast::clear_cache();
  }
  AutocastGuard(const AutocastGuard&) = delete;
  AutocastGuard& operator=(const AutocastGuard&) = delete;

 private:
  c10::DeviceType device_;
  bool previous_enabled_;
  c10::ScalarType previous_dtype_;
};

// TF32 matmuls and convolutions silently change results on Ampere and later GPUs;
// they stay off unless a user asks for reduced precision explicitly.
inline void disableTf32() {
  at::globalContext().setAllowTF32CuBLAS(false);
  at::globalContext().setAllowTF32CuDNN(false);
}

}  // namespace deepbug::compat
