#include "bench_lrp.hpp"

#include <malloc.h>
#include <torch/script.h>

#include <fstream>
#include <iostream>

#include "bench_stats.hpp"
#include "core/runtime.hpp"
#include "lrp/explainer.hpp"

namespace deepbug::bench {
namespace {

// Peak resident memory of one call above what was resident before it. Writing 5 to
// clear_refs resets the kernel's peak (VmHWM) to the current RSS.
template <typename Body>
double peakMiBDuring(Body&& body) {
  malloc_trim(0);
  std::ofstream("/proc/self/clear_refs") << "5";
  const double before = statusMiB("VmRSS");
  body();
  return statusMiB("VmHWM") - before;
}

double activationMiB(const lrp::Activations& activations) {
  double bytes = 0;
  for (const auto& [value, tensor] : activations.tensors)
    bytes += tensor.nbytes();
  return bytes / (1024.0 * 1024.0);
}

}  // namespace

nlohmann::json benchLrp(const LrpBenchOptions& options) {
  // Debian's LibTorch starts with one intra-op thread: use every core unless told.
  setIntraOpThreads(options.threads > 0 ? options.threads : runtimeInfo().cores);
  c10::InferenceMode guard;
  nlohmann::json results = nlohmann::json::array();
  for (const auto& [name, path] : options.models) {
    torch::jit::Module module = torch::jit::load(path);
    module.eval();
    for (const std::string& composite : options.composites) {
      lrp::ExplainerOptions explainer_options;
      explainer_options.composite.name = composite;
      const lrp::Explainer explainer(module, path, explainer_options);
      for (int batch : options.batches) {
        torch::manual_seed(1);
        const at::Tensor x = at::randn({batch, 3, options.input_size, options.input_size});
        const auto explain = [&] {
          explainer.explain(x, std::nullopt, lrp::InitialRelevance::kContrastive);
        };
        const auto forward = [&] { explainer.forward(x); };
        forward();  // warm-up: allocator, oneDNN primitives
        explain();
        Samples forward_ms, lrp_ms, module_ms, ratio;
        for (int r = 0; r < options.repeats; ++r) {
          const double f = timeMs(forward);
          const double l = timeMs(explain);
          module_ms.values.push_back(timeMs([&] { module.forward({x}); }) / batch);
          forward_ms.values.push_back(f / batch);
          lrp_ms.values.push_back(l / batch);
          ratio.values.push_back(l / f);
        }
        nlohmann::json entry = {{"model", name},
                                {"composite", composite},
                                {"batch", batch},
                                {"forward_ms_per_image", forward_ms.toJson()},
                                {"module_forward_ms_per_image", module_ms.toJson()},
                                {"lrp_ms_per_image", lrp_ms.toJson()},
                                {"lrp_over_forward", ratio.toJson()}};
        if (batch == options.batches.back()) {
          entry["activations_mib"] = activationMiB(explainer.forward(x));
          entry["lrp_peak_mib"] = peakMiBDuring(explain);
        }
        std::cerr << name << " " << composite << " batch " << batch << ": " << ratio.median()
                  << "x forward\n";
        results.push_back(entry);
      }
    }
  }
  const RuntimeInfo runtime = runtimeInfo();
  return {{"benchmark", "lrp"},
          {"input_size", options.input_size},
          {"initial_relevance", "contrastive"},
          {"runtime", nlohmann::json::parse(toJson(runtime))},
          {"results", results}};
}

}  // namespace deepbug::bench
