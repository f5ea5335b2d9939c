#include "image_batches.hpp"

#include <torch/torch.h>

#include <filesystem>
#include <opencv2/imgcodecs.hpp>
#include <opencv2/imgproc.hpp>

#include "core/error.hpp"
#include "io/frame_reader.hpp"
#include "io/input_paths.hpp"
#include "render/blend.hpp"
#include "render/legend.hpp"

namespace deepbug::explain_tool {
namespace {

// The smallest frame side an overlay's colour key is drawn on.
constexpr int kMinKeyedSide = 160;

namespace fs = std::filesystem;

at::Tensor rgbTensor(const cv::Mat& bgr) {
  cv::Mat rgb;
  cv::cvtColor(bgr, rgb, cv::COLOR_BGR2RGB);
  return torch::from_blob(rgb.data, {rgb.rows, rgb.cols, 3}, at::kByte).clone();
}

// The colour bar and its range in the bottom-left corner of an overlay.
void drawKey(cv::Mat& bgr, double scale, bool positive_only) {
  const int width = std::max(40, bgr.cols / 5), height = std::max(6, bgr.rows / 40);
  const int x = 8, y = bgr.rows - height - 8;
  // A key would hide most of a small image (a 64×64 digit): such frames go without.
  if (bgr.cols < kMinKeyedSide || bgr.rows < kMinKeyedSide || x + width > bgr.cols) return;
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

}  // namespace

void writeRgbPng(const fs::path& path, const at::Tensor& rgb) {
  const at::Tensor cpu = rgb.to(at::kCPU).contiguous();
  cv::Mat view(static_cast<int>(cpu.size(0)), static_cast<int>(cpu.size(1)), CV_8UC3,
               cpu.data_ptr<uint8_t>());
  cv::Mat bgr;
  cv::cvtColor(view, bgr, cv::COLOR_RGB2BGR);
  fs::create_directories(path.parent_path());
  if (!cv::imwrite(path.string(), bgr)) throw Error("cannot write '" + path.string() + "'");
}

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

void forEachBatch(const std::vector<ImageFile>& images, int batch_size,
                  const model::Preprocessor& preprocessor, const BatchCallbacks& callbacks) {
  ImageBatch pending;
  std::vector<at::Tensor> inputs;
  const auto flush = [&] {
    if (pending.files.empty()) return;
    pending.input = at::stack(inputs);
    callbacks.batch(pending);
    pending = ImageBatch{};
    inputs.clear();
  };
  for (std::size_t i = 0; i < images.size(); ++i) {
    const cv::Mat bgr = cv::imread(images[i].path, cv::IMREAD_COLOR);
    if (bgr.empty()) {
      callbacks.skipped(images[i]);
    } else {
      model::PreprocessGeometry geometry;
      inputs.push_back(preprocessor.run(io::viewOf(bgr), &geometry));
      pending.geometries.push_back(geometry);
      pending.files.push_back(&images[i]);
    }
    if (static_cast<int>(pending.files.size()) == batch_size) flush();
    if (i + 1 == images.size()) flush();
    if (callbacks.progress) callbacks.progress(i + 1, images.size());
  }
}

void writeHeatmapAndOverlay(const std::string& stem, const at::Tensor& pixel_map,
                            const model::PreprocessGeometry& geometry,
                            const std::string& frame_path, double scale,
                            const OverlayStyle& style) {
  writeRgbPng(stem + ".heatmap.png",
              render::colorize(pixel_map, scale, style.heatmap.positive_only));
  const cv::Mat frame = cv::imread(frame_path, cv::IMREAD_COLOR);
  render::BlendOptions blend;
  blend.alpha = style.alpha;
  blend.positive_only = style.heatmap.positive_only;
  const at::Tensor overlay =
      render::blendOntoFrame(rgbTensor(frame), pixel_map, geometry, scale, blend);
  cv::Mat rgb(frame.rows, frame.cols, CV_8UC3, overlay.data_ptr<uint8_t>()), bgr;
  cv::cvtColor(rgb, bgr, cv::COLOR_RGB2BGR);
  drawKey(bgr, scale, style.heatmap.positive_only);
  const std::string path = stem + ".overlay.png";
  if (!cv::imwrite(path, bgr)) throw Error("cannot write '" + path + "'");
}

}  // namespace deepbug::explain_tool
