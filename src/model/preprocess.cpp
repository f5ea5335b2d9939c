#include "model/preprocess.hpp"

#include <torch/script.h>

namespace deepbug::model {

struct Preprocessor::Impl {
  ModelMetadata metadata;
  c10::Device device{c10::kCPU};
  // (x/255 - mean)/std == x * gain + offset, per channel, shaped [3, 1, 1].
  at::Tensor gain;
  at::Tensor offset;
};

Preprocessor::Preprocessor(const ModelMetadata& metadata, const std::string& device)
    : impl_(std::make_unique<Impl>()) {
  impl_->metadata = metadata;
  impl_->device = c10::Device(device);
  std::array<float, 3> gain{};
  std::array<float, 3> offset{};
  for (std::size_t c = 0; c < 3; ++c) {
    gain[c] = 1.0f / (255.0f * metadata.std[c]);
    offset[c] = -metadata.mean[c] / metadata.std[c];
  }
  const auto options = at::TensorOptions().dtype(at::kFloat);
  impl_->gain =
      torch::tensor(at::ArrayRef<float>(gain.data(), 3), options).view({3, 1, 1}).to(impl_->device);
  impl_->offset = torch::tensor(at::ArrayRef<float>(offset.data(), 3), options)
                      .view({3, 1, 1})
                      .to(impl_->device);
}

Preprocessor::~Preprocessor() = default;
Preprocessor::Preprocessor(Preprocessor&&) noexcept = default;
Preprocessor& Preprocessor::operator=(Preprocessor&&) noexcept = default;

PreprocessGeometry Preprocessor::geometryFor(int frame_width, int frame_height) const {
  return computeGeometry(frame_width, frame_height, impl_->metadata.input_width,
                         impl_->metadata.input_height, impl_->metadata.aspect);
}

namespace {

// The frame as a [H, W, C] uint8 tensor over the caller's memory (no copy), C = 3
// (RGB or BGR order as stored) or 1 for grey.
at::Tensor wrapFrame(const FrameView& frame) {
  const int64_t bpp = bytesPerPixel(frame.format);
  auto* data = const_cast<std::uint8_t*>(frame.data);  // only read
  at::Tensor hwc = torch::from_blob(data, {frame.height, frame.width, bpp},
                                    {static_cast<int64_t>(frame.rowStride()), bpp, 1},
                                    at::TensorOptions().dtype(at::kByte));
  return bpp == 4 ? hwc.narrow(2, 0, 3) : hwc;
}

bool frameIsBgr(PixelFormat format) {
  return format == PixelFormat::kBGR || format == PixelFormat::kBGRA;
}

}  // namespace

PreprocessGeometry Preprocessor::run(const FrameView& frame, at::Tensor& out) const {
  validateFrame(frame);
  const ModelMetadata& meta = impl_->metadata;
  const PreprocessGeometry g = geometryFor(frame.width, frame.height);

  at::Tensor pixels = wrapFrame(frame)
                          .narrow(0, g.crop_y, g.crop_height)
                          .narrow(1, g.crop_x, g.crop_width)
                          .to(impl_->device);
  // [1, C, h, w] in channels-last memory (a view), converted to float in one pass.
  at::Tensor image = pixels.permute({2, 0, 1}).unsqueeze(0).to(at::kFloat);
  if (image.size(1) == 1) image = image.expand({1, 3, image.size(2), image.size(3)});
  if (g.content_width != g.crop_width || g.content_height != g.crop_height) {
    image = at::_upsample_bilinear2d_aa(image, {g.content_height, g.content_width},
                                        /*align_corners=*/false);
  }
  image = image.squeeze(0);
  const bool want_bgr = meta.channels == ChannelOrder::kBGR;
  if (frame.format != PixelFormat::kGray && frameIsBgr(frame.format) != want_bgr) {
    image = image.flip({0});
  }
  const bool padded = g.content_width != g.input_width || g.content_height != g.input_height;
  if (padded) out.copy_(impl_->offset.expand_as(out));  // black, normalised
  at::Tensor content =
      padded ? out.narrow(1, g.content_y, g.content_height).narrow(2, g.content_x, g.content_width)
             : out;
  at::addcmul_out(content, impl_->offset, image, impl_->gain);
  return g;
}

at::Tensor Preprocessor::run(const FrameView& frame, PreprocessGeometry* geometry) const {
  at::Tensor out = at::empty({3, impl_->metadata.input_height, impl_->metadata.input_width},
                             at::TensorOptions().dtype(at::kFloat).device(impl_->device));
  const PreprocessGeometry g = run(frame, out);
  if (geometry != nullptr) *geometry = g;
  return out;
}

}  // namespace deepbug::model
