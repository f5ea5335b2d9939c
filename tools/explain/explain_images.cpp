#include "explain_images.hpp"

#include <chrono>
#include <filesystem>
#include <fstream>
#include <iomanip>
#include <iostream>
#include <nlohmann/json.hpp>
#include <opencv2/imgcodecs.hpp>
#include <opencv2/imgproc.hpp>

#include "core/error.hpp"
#include "io/frame_reader.hpp"
#include "io/input_paths.hpp"
#include "metrics/localization.hpp"
#include "region_boxes.hpp"
#include "render/legend.hpp"

namespace deepbug::explain_tool {
namespace {

namespace fs = std::filesystem;

struct ImageFile {
  std::string path;
  std::string name;  // relative to the folder given, or the file name: names the outputs
};

std::vector<ImageFile> collectImages(const std::vector<std::string>& inputs) {
  std::vector<ImageFile> images;
  for (const std::string& input : inputs) {
    if (fs::is_directory(input)) {
      std::vector<ImageFile> found;
      for (const auto& entry : fs::recursive_directory_iterator(input)) {
        if (entry.is_regular_file() && io::isImagePath(entry.path().string()))
          found.push_back({entry.path().string(), fs::relative(entry.path(), input).string()});
      }
      std::sort(found.begin(), found.end(),
                [](const ImageFile& a, const ImageFile& b) { return a.name < b.name; });
      images.insert(images.end(), found.begin(), found.end());
    } else if (!fs::exists(input)) {
      throw Error("no file or folder '" + input + "'", "check the paths given to --images");
    } else if (!io::isImagePath(input)) {
      throw Error("'" + input + "' is not an image file", "--images takes images and folders");
    } else {
      images.push_back({input, fs::path(input).filename().string()});
    }
  }
  if (images.empty()) throw Error("no images found in the --images paths");
  return images;
}

at::Tensor rgbTensor(const cv::Mat& bgr) {
  cv::Mat rgb;
  cv::cvtColor(bgr, rgb, cv::COLOR_BGR2RGB);
  return torch::from_blob(rgb.data, {rgb.rows, rgb.cols, 3}, at::kByte).clone();
}

void writeRgb(const fs::path& path, const at::Tensor& rgb) {
  const at::Tensor cpu = rgb.to(at::kCPU).contiguous();
  cv::Mat view(static_cast<int>(cpu.size(0)), static_cast<int>(cpu.size(1)), CV_8UC3,
               cpu.data_ptr<uint8_t>());
  cv::Mat bgr;
  cv::cvtColor(view, bgr, cv::COLOR_RGB2BGR);
  fs::create_directories(path.parent_path());
  if (!cv::imwrite(path.string(), bgr)) throw Error("cannot write '" + path.string() + "'");
}

// The colour bar and its range in the bottom-left corner of an overlay.
void drawKey(cv::Mat& bgr, double scale, bool positive_only) {
  const int width = std::max(40, bgr.cols / 5), height = std::max(6, bgr.rows / 40);
  const int x = 8, y = bgr.rows - height - 8;
  if (y < 20 || x + width > bgr.cols) return;  // too small a frame for a key
  const at::Tensor bar = render::drawLegend(width, height, positive_only).contiguous();
  cv::Mat bar_rgb(height, width, CV_8UC3, bar.data_ptr<uint8_t>()), bar_bgr;
  cv::cvtColor(bar_rgb, bar_bgr, cv::COLOR_RGB2BGR);
  bar_bgr.copyTo(bgr(cv::Rect(x, y, width, height)));
  const std::string caption = render::legendCaption(scale, positive_only);
  const double font = std::max(0.35, bgr.rows / 900.0);
  cv::putText(bgr, caption, {x, y - 4}, cv::FONT_HERSHEY_SIMPLEX, font, {0, 0, 0}, 3, cv::LINE_AA);
  cv::putText(bgr, caption, {x, y - 4}, cv::FONT_HERSHEY_SIMPLEX, font, {255, 255, 255}, 1,
              cv::LINE_AA);
}

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
    std::vector<ImageFile> pending;
    std::vector<at::Tensor> inputs;
    std::vector<model::PreprocessGeometry> geometries;
    for (size_t i = 0; i < images.size(); ++i) {
      cv::Mat bgr = cv::imread(images[i].path, cv::IMREAD_COLOR);
      if (bgr.empty()) {
        std::cerr << "warning: skipped '" << images[i].path << "': not a readable image\n";
        skipped_.push_back(images[i].path);
      } else {
        model::PreprocessGeometry geometry;
        inputs.push_back(preprocessor_.run(io::viewOf(bgr), &geometry));
        geometries.push_back(geometry);
        pending.push_back(images[i]);
      }
      if (static_cast<int>(pending.size()) == s_.batch ||
          (i + 1 == images.size() && !pending.empty())) {
        explainBatch(pending, inputs, geometries);
        pending.clear();
        inputs.clear();
        geometries.clear();
      }
      progress(i + 1, images.size(), start);
    }
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

  void explainBatch(const std::vector<ImageFile>& files, const std::vector<at::Tensor>& inputs,
                    const std::vector<model::PreprocessGeometry>& geometries) {
    const auto result = explainer_.explain(at::stack(inputs), s_.target, s_.init);
    const at::Tensor maps = render::toPixelMap(result.relevance).to(at::kCPU);
    const at::Tensor scores = result.logits.softmax(1).to(at::kCPU);
    const at::Tensor predicted = result.logits.argmax(1).to(at::kCPU);
    for (size_t n = 0; n < files.size(); ++n) {
      Explained item{files[n],
                     maps[n].clone(),
                     geometries[n],
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
    writeRgb(stem.string() + ".heatmap.png",
             render::colorize(item.pixel_map, scale, s_.style.positive_only));
    const cv::Mat frame = cv::imread(item.file.path, cv::IMREAD_COLOR);
    render::BlendOptions blend;
    blend.alpha = s_.alpha;
    blend.positive_only = s_.style.positive_only;
    const at::Tensor overlay =
        render::blendOntoFrame(rgbTensor(frame), item.pixel_map, item.geometry, scale, blend);
    cv::Mat rgb(frame.rows, frame.cols, CV_8UC3, overlay.data_ptr<uint8_t>()), bgr;
    cv::cvtColor(rgb, bgr, cv::COLOR_RGB2BGR);
    drawKey(bgr, scale, s_.style.positive_only);
    const std::string path = stem.string() + ".overlay.png";
    if (!cv::imwrite(path, bgr)) throw Error("cannot write '" + path + "'");
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
