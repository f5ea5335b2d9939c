// --sanity: the model randomisation sanity check (Adebayo et al. 2018, "Sanity checks
// for saliency maps", §3.1) of a model × method. The trained model's convolution and
// linear layers are re-initialised from the output down, k = 1 … L of them
// (attribution/model_randomisation.hpp: randomiseTopLayers, the same draws as
// cascadingRandomisation); each copy explains an evenly spaced sample of the images
// for the same targets as the trained model, and each image's pixel map is compared with
// the trained model's map from the main pass: Spearman's rank correlation, signed and of
// the absolute values (the paper reports both), and SSIM. Mean, min and max over the
// images per k. k = 0 (the unchanged copy) is the first row: it must give 1 on every
// figure, the check that the two sides are explained alike.
//
// Flagged when the fully randomised model's maps still have a mean absolute-value
// Spearman correlation of at least 0.5 (kSanityFlagThreshold) to the trained model's:
// once every weight is destroyed the model computes nothing it learned, so a map that
// keeps half its ranking of the pixels explains the input (edges, contrast), not the
// model. 0.5 is a strong correlation by the usual reading of ρ; in the paper the methods
// that fail the check (guided backpropagation, guided Grad-CAM) stay close to 1 through
// the whole cascade, while those that pass fall well below it.
#pragma once

#include <torch/script.h>

#include <cstddef>
#include <cstdint>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "model/model_loader.hpp"

namespace deepbug::eval {

inline constexpr double kSanityFlagThreshold = 0.5;

struct SanityOptions {
  std::size_t images = 16;  // evenly spaced over the data set; 0: every image
  std::uint64_t seed = 1;   // the re-initialised weights (the run's --seed)
};

class SanityCheck {
 public:
  // `data_set_size`: how many images the run has, which spaces the sample.
  SanityCheck(const SanityOptions& options, std::size_t data_set_size);

  bool wants(std::size_t image_index) const;

  // A batch of the main pass: each row's image index, its input (N×C×H×W), the trained
  // model's pixel map (N×H×W) and the target explained. Keeps the rows wants() chooses.
  void add(const std::vector<std::size_t>& image_indices, const at::Tensor& inputs,
           const at::Tensor& pixel_maps, const std::vector<int64_t>& targets);

  // Explains the kept images with the model re-initialised k = 0 … L layers from the top
  // with `method` (an AttributionMethod name), `batch` images at a time.
  // {images, seed, seconds, threshold, layers: [{k, layer, spearman, spearman_abs, ssim
  //  (each {mean, min, max}, null without a comparable image), constant_maps}], flagged};
  // null when no image was kept. `layer`: the k-th re-initialised layer from the top
  // ("" for k = 0); constant_maps: images whose map (either side) is constant, which
  // have no ranking and are left out of the Spearman figures.
  nlohmann::json run(const model::LoadedModel& model, const std::string& model_path,
                     const std::string& method, const std::string& device, const std::string& init,
                     std::int64_t batch = 8);

 private:
  SanityOptions options_;
  std::size_t images_in_run_;
  std::vector<at::Tensor> inputs_, maps_;  // per batch: the rows kept
  std::vector<int64_t> targets_;
  double seconds_ = 0;
};

}  // namespace deepbug::eval
