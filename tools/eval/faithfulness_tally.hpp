// --faithfulness: can a model × method's heatmaps be trusted? Region perturbation
// (metrics/faithfulness.hpp: 16×16 patches, 20 steps, the image's mean colour as the
// replacement) in the heatmap's order (MoRF), its reverse (LeRF) and a random order, on
// an evenly spaced sample of the images, added up as the mean target logit after each
// step, AOPC per order (Samek et al. 2017) and ABPC = AOPC(MoRF) − AOPC(LeRF) (Schulz et
// al. 2020). A method whose MoRF AOPC is no larger than the random order's is flagged:
// its ranking of the patches is no better than chance at finding what the model uses.
#pragma once

#include <torch/script.h>

#include <cstddef>
#include <nlohmann/json.hpp>
#include <vector>

#include "metrics/faithfulness.hpp"

namespace deepbug::eval {

struct FaithfulnessOptions {
  std::size_t images = 100;  // evenly spaced over the data set; 0: every image
  std::int64_t patch_size = 16;
  std::int64_t steps = 20;
  std::uint64_t seed = 1;  // the random order
};

class FaithfulnessTally {
 public:
  // `data_set_size`: how many images the run has, which spaces the sample.
  FaithfulnessTally(const FaithfulnessOptions& options, std::size_t data_set_size);

  bool wants(std::size_t image_index) const;

  // Some images of a batch (those wants() chose): inputs N×C×H×W, pixel maps N×H×W,
  // the targets explained.
  void add(const metrics::LogitFunction& model, const at::Tensor& inputs,
           const at::Tensor& pixel_maps, const std::vector<int64_t>& targets);

  // {images, patch_size, steps, replacement, seconds, morf|lerf|random: {curve, aopc},
  //  abpc, flagged}; null when no image was perturbed.
  nlohmann::json toJson() const;

 private:
  FaithfulnessOptions options_;
  std::size_t images_in_run_;
  std::size_t images_ = 0;
  at::Tensor sums_[3];  // per order: Σₙ curve, [steps + 1]
  double seconds_ = 0;
};

}  // namespace deepbug::eval
