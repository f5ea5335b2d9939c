#include "strategies.hpp"

#include <algorithm>
#include <map>
#include <numeric>

#include "eval_gallery.hpp"
#include "even_sample.hpp"
#include "image_batches.hpp"
#include "render/heatmap.hpp"

namespace deepbug::eval {

namespace fs = std::filesystem;
using nlohmann::json;

namespace {

// An even sample of `all`, so that a large class is clustered on images from all of it.
std::vector<const ImageSummary*> evenSample(const std::vector<const ImageSummary*>& all,
                                            std::size_t most) {
  std::vector<const ImageSummary*> kept;
  for (std::size_t i = 0; i < all.size(); ++i) {
    if (inEvenSample(i, all.size(), most)) kept.push_back(all[i]);
  }
  return kept;
}

json clusterGroup(const std::vector<const ImageSummary*>& members,
                  const std::vector<double>& distances, std::size_t class_images,
                  const std::string& model, const std::string& composite,
                  const StrategyOptions& options) {
  double correct = 0, mass = 0;
  std::size_t with_region = 0;
  std::map<std::string, double> shares;
  for (const ImageSummary* m : members) {
    correct += m->correct;
    if (m->mass_accuracy) {
      mass += *m->mass_accuracy;
      ++with_region;
    }
    for (const auto& [part, share] : m->part_shares)
      shares[part] += share;
  }
  const double n = static_cast<double>(members.size());
  json part_shares = json::object();
  std::string top_part;
  for (const auto& [part, sum] : shares) {
    part_shares[part] = sum / n;
    if (top_part.empty() || sum > shares[top_part]) top_part = part;
  }
  // Only images with their right region have a mass accuracy.
  const double mean_mass = with_region > 0 ? mass / static_cast<double>(with_region) : 0.0;
  std::vector<std::size_t> order(members.size());
  std::iota(order.begin(), order.end(), 0);
  const std::size_t shown = std::min(options.closest, order.size());
  std::partial_sort(order.begin(), order.begin() + static_cast<std::ptrdiff_t>(shown), order.end(),
                    [&](std::size_t a, std::size_t b) { return distances[a] < distances[b]; });
  json names = json::array();
  std::map<std::string, std::map<std::string, int>> attribute_counts;
  for (const ImageSummary* m : members) {
    names.push_back(m->image);
    if (options.attributes == nullptr) continue;
    const auto found = options.attributes->find(m->image);
    if (found == options.attributes->end()) continue;
    for (const auto& [column, value] : found->second)
      ++attribute_counts[column][value];
  }
  json closest = json::array();
  for (std::size_t i = 0; i < shown; ++i) {
    const ImageSummary& m = *members[order[i]];
    closest.push_back(imageEntry(model, composite, m.image, m.true_class, m.predicted, m.correct,
                                 m.mass_accuracy));
  }
  return {{"size", members.size()},
          {"share", n / static_cast<double>(class_images)},
          {"accuracy", correct / n},
          {"mass_accuracy", with_region > 0 ? json(mean_mass) : json(nullptr)},
          {"part_shares", part_shares},
          {"top_part", top_part},
          {"flagged", with_region > 0 && mean_mass < options.macro_threshold},
          {"closest", closest},
          {"members", names},
          {"attributes", attribute_counts}};
}

}  // namespace

json findStrategies(const SummariesByImage& images, const std::string& model,
                    const std::string& composite, const std::vector<std::string>& classes,
                    const StrategyOptions& options, const fs::path& dir,
                    const std::string& folder) {
  json out = json::object();
  for (const std::string& cls : classes) {
    std::vector<const ImageSummary*> all;
    for (const auto& [index, summary] : images) {
      if (summary.true_class == cls) all.push_back(&summary);
    }
    const std::vector<const ImageSummary*> members = evenSample(all, options.max_images);
    if (members.size() < 3) continue;
    std::vector<at::Tensor> rows;
    for (const ImageSummary* m : members)
      rows.push_back(m->summary);
    const at::Tensor summaries = at::stack(rows);
    const metrics::SpectralClusters found = metrics::spectralClusters(summaries, options.spectral);

    json plane = json::array();
    for (std::size_t i = 0; i < members.size(); ++i) {
      const auto row = static_cast<int64_t>(i);
      plane.push_back({found.plane[row][0].item<double>(), found.plane[row][1].item<double>(),
                       found.labels[i]});
    }
    json groups = json::array();
    for (int64_t c = 0; c < found.clusters; ++c) {
      std::vector<const ImageSummary*> in;
      std::vector<double> distances;
      std::vector<int64_t> rows_in;
      for (std::size_t i = 0; i < members.size(); ++i) {
        if (found.labels[i] != c) continue;
        in.push_back(members[i]);
        distances.push_back(found.distance_to_centre[i]);
        rows_in.push_back(static_cast<int64_t>(i));
      }
      if (in.empty()) continue;  // k-means may leave a cluster empty
      json group = clusterGroup(in, distances, members.size(), model, composite, options);
      group["cluster"] = c;
      const at::Tensor mean = summaries.index_select(0, at::tensor(rows_in, at::kLong))
                                  .mean(0)
                                  .view({kSummarySide, kSummarySide});
      const std::string png = folder + "/" + cls + "/cluster-" + std::to_string(c) + ".png";
      explain_tool::writeRgbPng(dir / png,
                                render::colorize(mean, render::robustMax(mean, 100.0), false));
      group["heatmap"] = png;
      groups.push_back(group);
    }
    std::vector<double> eigenvalues(
        found.eigenvalues.data_ptr<double>(),
        found.eigenvalues.data_ptr<double>() + found.eigenvalues.numel());
    out[cls] = {{"images", members.size()},
                {"images_in_class", all.size()},
                {"clusters", found.clusters},
                {"eigenvalues", eigenvalues},
                {"plane", plane},
                {"groups", groups}};
  }
  return out;
}

}  // namespace deepbug::eval
