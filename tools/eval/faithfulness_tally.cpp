#include "faithfulness_tally.hpp"

#include <algorithm>

#include <chrono>
#include "even_sample.hpp"

namespace deepbug::eval {

using nlohmann::json;

namespace {

constexpr metrics::PerturbationOrder kOrders[] = {metrics::PerturbationOrder::kMostRelevantFirst,
                                                  metrics::PerturbationOrder::kLeastRelevantFirst,
                                                  metrics::PerturbationOrder::kRandom};
constexpr const char* kOrderNames[] = {"morf", "lerf", "random"};

}  // namespace

FaithfulnessTally::FaithfulnessTally(const FaithfulnessOptions& options, std::size_t data_set_size)
    : options_(options), images_in_run_(data_set_size) {}

bool FaithfulnessTally::wants(std::size_t image_index) const {
  return inEvenSample(image_index, images_in_run_, options_.images);
}

void FaithfulnessTally::add(const metrics::LogitFunction& model, const at::Tensor& inputs,
                            const at::Tensor& pixel_maps, const std::vector<int64_t>& targets) {
  if (inputs.size(0) == 0) return;
  const auto started = std::chrono::steady_clock::now();
  for (int o = 0; o < 3; ++o) {
    metrics::PerturbationOptions perturbation;
    perturbation.patch_size = options_.patch_size;
    perturbation.steps = options_.steps;
    perturbation.order = kOrders[o];
    // A different random order for each batch, the same for every method and model.
    perturbation.seed = options_.seed + images_;
    const at::Tensor curves =
        metrics::perturbationCurve(model, inputs, pixel_maps, targets, perturbation).logits;
    const at::Tensor sum = curves.sum(0);
    sums_[o] = sums_[o].defined() ? sums_[o] + sum : sum;
  }
  images_ += static_cast<std::size_t>(inputs.size(0));
  seconds_ += std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count();
}

json FaithfulnessTally::toJson() const {
  if (images_ == 0) return nullptr;
  json out{{"images", images_},
           {"patch_size", options_.patch_size},
           {"steps", options_.steps},
           {"replacement", "image mean"},
           {"seconds", seconds_}};
  double aopc[3];
  for (int o = 0; o < 3; ++o) {
    const at::Tensor mean = sums_[o] / static_cast<double>(images_);
    // AOPC of the mean curve equals the mean of the images' AOPCs: both are linear.
    aopc[o] = metrics::aopc(mean.unsqueeze(0)).item<double>();
    const at::Tensor cpu = mean.contiguous();
    out[kOrderNames[o]] = {{"curve", std::vector<double>(cpu.data_ptr<double>(),
                                                         cpu.data_ptr<double>() + cpu.numel())},
                           {"aopc", aopc[o]}};
  }
  out["abpc"] = aopc[0] - aopc[1];
  out["flagged"] = aopc[0] <= aopc[2];
  return out;
}

}  // namespace deepbug::eval
