// What deepbug-explain --images and deepbug-eval share: image files found in folders,
// read and preprocessed in batches (unreadable ones skipped and reported), and a
// heatmap and overlay PNG written for an explained image.
#pragma once

#include <torch/script.h>

#include <filesystem>
#include <functional>
#include <string>
#include <vector>

#include "model/geometry.hpp"
#include "model/preprocess.hpp"
#include "render/heatmap.hpp"

namespace deepbug::explain_tool {

struct ImageFile {
  std::string path;
  std::string name;  // relative to the folder given, or the file name: names the outputs
};

// Image files and folders (recursively, sorted by name within each folder). Throws
// deepbug::Error for a missing path, a file that is not an image, or no image at all.
std::vector<ImageFile> collectImages(const std::vector<std::string>& inputs);

struct ImageBatch {
  std::vector<const ImageFile*> files;
  at::Tensor input;  // N×C×H×W, preprocessed
  std::vector<model::PreprocessGeometry> geometries;
};

struct BatchCallbacks {
  std::function<void(const ImageBatch&)> batch;
  std::function<void(const ImageFile&)> skipped;                      // not a readable image
  std::function<void(std::size_t done, std::size_t total)> progress;  // optional
};

// Reads `images` in order and hands them on in batches of at most `batch_size`.
void forEachBatch(const std::vector<ImageFile>& images, int batch_size,
                  const model::Preprocessor& preprocessor, const BatchCallbacks& callbacks);

// An RGB uint8 tensor [H, W, 3] (any device) as a PNG, its folder created. Throws
// deepbug::Error when it cannot be written.
void writeRgbPng(const std::filesystem::path& path, const at::Tensor& rgb);

struct OverlayStyle {
  render::HeatmapStyle heatmap;
  double alpha = 0.6;
};

// STEM.heatmap.png (the map at model resolution) and STEM.overlay.png (blended onto the
// image at `frame_path`, with a colour key). Throws deepbug::Error when one cannot be
// written.
void writeHeatmapAndOverlay(const std::string& stem, const at::Tensor& pixel_map,
                            const model::PreprocessGeometry& geometry,
                            const std::string& frame_path, double scale, const OverlayStyle& style);

}  // namespace deepbug::explain_tool
