#include "class_averages.hpp"

#include "image_batches.hpp"
#include "render/heatmap.hpp"

namespace deepbug::eval {

namespace fs = std::filesystem;
using nlohmann::json;

at::Tensor alignToRegion(const at::Tensor& map, const metrics::RegionMask& region, int64_t side) {
  // `on` holds one flag per content pixel; spread it back over the whole input frame.
  const at::Tensor on =
      at::zeros_like(region.content).masked_scatter_(region.content, region.on.to(at::kBool));
  const at::Tensor rows = on.any(1).nonzero(), cols = on.any(0).nonzero();
  if (rows.numel() == 0) return {};
  const int64_t y0 = rows.min().item<int64_t>(), y1 = rows.max().item<int64_t>() + 1;
  const int64_t x0 = cols.min().item<int64_t>(), x1 = cols.max().item<int64_t>() + 1;
  const at::Tensor cut = map.slice(0, y0, y1).slice(1, x0, x1).to(at::kDouble);
  return at::upsample_bilinear2d(cut.unsqueeze(0).unsqueeze(0), {side, side}, false)
      .squeeze(0)
      .squeeze(0);
}

ClassAverages::ClassAverages(std::vector<std::string> classes, bool align)
    : classes_(std::move(classes)), align_(align) {}

void ClassAverages::add(std::size_t class_index, const std::string& group, const at::Tensor& map,
                        const metrics::RegionMask* right_region) {
  const double largest = map.abs().max().item<double>();
  if (!(largest > 0)) return;  // an all-zero map says nothing about where evidence lies
  const at::Tensor normalised = map.to(at::kCPU, at::kDouble) / largest;
  Sum& sum = sums_[{class_index, group}];
  sum.frame = sum.frame.defined() ? sum.frame + normalised : normalised.clone();
  ++sum.images;
  if (!align_ || right_region == nullptr) return;
  const at::Tensor aligned = alignToRegion(normalised, *right_region, kAlignedSide);
  if (!aligned.defined()) return;
  sum.aligned = sum.aligned.defined() ? sum.aligned + aligned : aligned;
  ++sum.aligned_images;
}

json ClassAverages::write(const fs::path& dir, const std::string& folder) const {
  const auto png = [&](const at::Tensor& mean, const std::string& relative) {
    const double scale = render::robustMax(mean, 100.0);
    explain_tool::writeRgbPng(dir / relative, render::colorize(mean, scale, false));
  };
  json entries = json::array();
  for (const auto& [key, sum] : sums_) {
    const std::string& cls = classes_[key.first];
    const std::string stem = folder + "/" + cls + "/" + key.second;
    json entry{{"class", cls}, {"group", key.second}, {"images", sum.images}};
    entry["heatmap"] = stem + ".png";
    png(sum.frame / static_cast<double>(sum.images), entry["heatmap"]);
    if (sum.aligned_images > 0) {
      entry["aligned"] = stem + ".aligned.png";
      entry["aligned_images"] = sum.aligned_images;
      png(sum.aligned / static_cast<double>(sum.aligned_images), entry["aligned"]);
    }
    entries.push_back(entry);
  }
  return entries;
}

}  // namespace deepbug::eval
