// Class-average heatmaps (the report's future work): per class and group of images (all,
// and each variation folder), the mean of each image's relevance map divided by
// its largest |R| — so that every image weighs the same whatever its logit — in the
// model's input frame. With alignment, each map is also cut to the bounding box of the
// image's right region in that frame and resampled to kAlignedSide², so that objects
// at different places stack.
//
// Memory: one input-size and one kAlignedSide² sum per class × group.
#pragma once

#include <torch/script.h>

#include <cstddef>
#include <filesystem>
#include <map>
#include <nlohmann/json.hpp>
#include <string>
#include <utility>
#include <vector>

#include "metrics/localization.hpp"

namespace deepbug::eval {

inline constexpr int64_t kAlignedSide = 64;

class ClassAverages {
 public:
  ClassAverages(std::vector<std::string> classes, bool align);

  // `map`: [H, W] relevance in the model's input frame; `right_region`: the mask of the
  // image's right region, or nullptr (then the image is left out of the aligned mean).
  void add(std::size_t class_index, const std::string& group, const at::Tensor& map,
           const metrics::RegionMask* right_region);

  // Writes DIR/FOLDER/<class>/<group>.png (and <group>.aligned.png) coloured on the
  // heatmaps' scale (each mean its own), and returns one entry per class × group:
  // {class, group, images, heatmap[, aligned, aligned_images]}, paths relative to DIR.
  nlohmann::json write(const std::filesystem::path& dir, const std::string& folder) const;

 private:
  struct Sum {
    at::Tensor frame, aligned;
    std::size_t images = 0, aligned_images = 0;
  };
  std::vector<std::string> classes_;
  bool align_;
  std::map<std::pair<std::size_t, std::string>, Sum> sums_;
};

// The right region's map cut to the region's bounding box in the input frame and
// resampled to side × side (bilinear); an undefined tensor when the region covers no
// input pixel.
at::Tensor alignToRegion(const at::Tensor& map, const metrics::RegionMask& region, int64_t side);

}  // namespace deepbug::eval
