#include "explain_images.hpp"

#include "image_batches.hpp"

#include <chrono>
#include <filesystem>
#include <fstream>
#include <iomanip>
#include <iostream>
#include <nlohmann/json.hpp>

#include "core/error.hpp"
#include "metrics/localization.hpp"
#include "region_boxes.hpp"

namespace deepbug::explain_tool {
namespace {

namespace fs = std::filesystem;

struct Explained {
  ImageFile file;
  at::Tensor pixel_map;  // [H, W] at model resolution, CPU
  model::PreprocessGeometry geometry;
  int64_t predicted = 0, target = 0;
  double score = 0.0, explained = 0.0;
};

class ImageRun {
 public:
  ImageRun(const lrp::Explainer& explainer, const model::Preprocessor& preprocessor,
           const std::vector<std::string>& labels, const ImageRunSettings& settings)
      : explainer_(explainer), preprocessor_(preprocessor), labels_(labels), s_(settings) {
    if (!s_.boxes_path.empty()) boxes_.emplace(s_.boxes_path, s_.region);
    fs::create_directories(s_.out_dir);
    index_.open(fs::path(s_.out_dir) / "index.csv");
    index_ << "file,predicted,score,target,explained,relevance_sum,positive_mass,negative_mass";
    if (boxes_) index_ << ",has_region,pointing_hit,mass_inside,area_fraction";
    index_ << "\n";
  }

  int run() {
    const auto images = collectImages(s_.inputs);
    const auto start = std::chrono::steady_clock::now();
    BatchCallbacks callbacks;
    callbacks.batch = [&](const ImageBatch& batch) { explainBatch(batch); };
    callbacks.skipped = [&](const ImageFile& file) {
      std::cerr << "warning: skipped '" << file.path << "': not a readable image\n";
      skipped_.push_back(file.path);
    };
    callbacks.progress = [&](std::size_t done, std::size_t total) { progress(done, total, start); };
    forEachBatch(images, s_.batch, preprocessor_, callbacks);
    if (s_.style.scale == render::HeatmapStyle::Scale::kShared) renderShared();
    const double seconds = secondsSince(start);
    if (!s_.quiet) std::cerr << "\n";
    writeSummary(images.size(), seconds);
    return explained_count_ > 0 ? kExitOk : kExitFailure;
  }

 private:
  static double secondsSince(std::chrono::steady_clock::time_point start) {
    return std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  }

  void progress(size_t done, size_t total, std::chrono::steady_clock::time_point start) {
    if (s_.quiet) return;
    const double seconds = secondsSince(start);
    std::cerr << "\rexplained " << done << "/" << total << " images (" << std::fixed
              << std::setprecision(1) << done / std::max(seconds, 1e-9) << " img/s)" << std::flush;
  }

  void explainBatch(const ImageBatch& batch) {
    const auto result = explainer_.explain(batch.input, s_.target, s_.init);
    const at::Tensor maps = render::toPixelMap(result.relevance).to(at::kCPU);
    const at::Tensor scores = result.logits.softmax(1).to(at::kCPU);
    const at::Tensor predicted = result.logits.argmax(1).to(at::kCPU);
    for (size_t n = 0; n < batch.files.size(); ++n) {
      Explained item{*batch.files[n],
                     maps[n].clone(),
                     batch.geometries[n],
                     predicted[n].item<int64_t>(),
                     result.targets[n],
                     0.0,
                     result.explained[n].item<double>()};
      item.score = scores[n][item.predicted].item<double>();
      writeIndexRow(item);
      if (s_.style.scale == render::HeatmapStyle::Scale::kShared) {
        kept_.push_back(std::move(item));
      } else {
        render(item, render::scaleFor(item.pixel_map, s_.style));
      }
      ++explained_count_;
    }
  }

  void renderShared() {
    std::vector<at::Tensor> maps;
    for (const Explained& item : kept_)
      maps.push_back(item.pixel_map);
    const double scale = render::sharedScale(maps, s_.style);
    for (const Explained& item : kept_)
      render(item, scale);
  }

  void render(const Explained& item, double scale) {
    const fs::path stem = fs::path(s_.out_dir) / fs::path(item.file.name).replace_extension();
    fs::create_directories(stem.parent_path());
    writeHeatmapAndOverlay(stem.string(), item.pixel_map, item.geometry, item.file.path, scale,
                           {s_.style, s_.alpha});
  }

  void writeIndexRow(const Explained& item) {
    const at::Tensor& r = item.pixel_map;
    index_ << item.file.name << "," << labels_.at(item.predicted) << "," << item.score << ","
           << labels_.at(item.target) << "," << item.explained << "," << r.sum().item<double>()
           << "," << r.clamp_min(0).sum().item<double>() << ","
           << r.clamp_max(0).sum().item<double>();
    if (boxes_) {
      const auto regions = boxes_->find(item.file.path);
      if (regions.empty()) {
        index_ << ",0,,,";
      } else {
        const auto score = metrics::scoreLocalization(r, item.geometry, regions);
        index_ << ",1," << score.pointing << "," << score.mass_inside << "," << score.area_fraction;
        ++scored_;
        hits_ += score.pointing;
        mass_sum_ += score.mass_inside;
        area_sum_ += score.area_fraction;
      }
    }
    index_ << "\n";
  }

  void writeSummary(size_t images, double seconds) {
    nlohmann::json summary = {
        {"images", images},
        {"explained", explained_count_},
        {"skipped", skipped_},
        {"composite", explainer_.options().composite.name},
        {"initial_relevance", lrp::toString(s_.init)},
        {"seconds", seconds},
        {"ms_per_image", explained_count_ ? 1000.0 * seconds / explained_count_ : 0.0}};
    if (boxes_) {
      summary["localization"] = {{"region", s_.region},
                                 {"images_with_region", scored_},
                                 {"pointing_game_hit_rate", scored_ ? hits_ / scored_ : 0.0},
                                 {"mean_mass_inside", scored_ ? mass_sum_ / scored_ : 0.0},
                                 {"mean_area_fraction", scored_ ? area_sum_ / scored_ : 0.0}};
    }
    std::ofstream(fs::path(s_.out_dir) / "summary.json") << summary.dump(2) << "\n";
    std::cout << summary.dump(2) << "\n";
  }

  const lrp::Explainer& explainer_;
  const model::Preprocessor& preprocessor_;
  const std::vector<std::string>& labels_;
  const ImageRunSettings& s_;
  std::optional<RegionBoxes> boxes_;
  std::ofstream index_;
  std::vector<Explained> kept_;
  std::vector<std::string> skipped_;
  size_t explained_count_ = 0;
  size_t scored_ = 0;
  double hits_ = 0;  // pointing-game hits (a tie for the hottest pixel counts its share)
  double mass_sum_ = 0.0, area_sum_ = 0.0;
};

}  // namespace

int explainImages(const lrp::Explainer& explainer, const model::Preprocessor& preprocessor,
                  const std::vector<std::string>& labels, const ImageRunSettings& settings) {
  return ImageRun(explainer, preprocessor, labels, settings).run();
}

}  // namespace deepbug::explain_tool
