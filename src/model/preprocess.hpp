// The one preprocessing implementation every tool shares: an 8-bit frame of any size
// and pixel format becomes a normalised float CHW tensor of the model's input size.
// Tensor ops throughout, so it runs on the model's device (GPU included).
#pragma once

#include <memory>

#include "model/frame.hpp"
#include "model/geometry.hpp"
#include "model/model_metadata.hpp"

namespace at {
class Tensor;
}

namespace deepbug::model {

// Steps, in order: crop (center-crop policy) → convert to float → antialiased
// bilinear resampling to the content size (PIL/torchvision "antialias=True"
// semantics; plain bilinear when enlarging) → reorder channels to the model's order →
// x/255, then (x - mean) / std → place into the input, padding with black (letterbox).
class Preprocessor {
 public:
  // `device` is a LibTorch device string such as "cpu" or "cuda:0".
  Preprocessor(const ModelMetadata& metadata, const std::string& device);
  ~Preprocessor();
  Preprocessor(Preprocessor&&) noexcept;
  Preprocessor& operator=(Preprocessor&&) noexcept;

  PreprocessGeometry geometryFor(int frame_width, int frame_height) const;

  // Writes the frame into `out`, a float [3, H, W] tensor on the preprocessor's device
  // (typically a slice of a batch). Throws deepbug::Error for an invalid frame.
  PreprocessGeometry run(const FrameView& frame, at::Tensor& out) const;

  // Allocates and returns a [3, H, W] float tensor.
  at::Tensor run(const FrameView& frame, PreprocessGeometry* geometry = nullptr) const;

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace deepbug::model
