#include "render/blend.hpp"

#include <torch/script.h>

#include <string>

#include "core/error.hpp"
#include "render/heatmap.hpp"

namespace deepbug::render {

namespace {

std::string sizeText(int64_t width, int64_t height) {
  return std::to_string(width) + "x" + std::to_string(height);
}

void checkInputs(const at::Tensor& frame, const at::Tensor& relevance,
                 const model::PreprocessGeometry& g, const BlendOptions& options) {
  if (!frame.defined() || frame.scalar_type() != at::kByte || frame.dim() != 3 ||
      frame.size(2) != 3) {
    throw Error("blendOntoFrame: the frame must be uint8 RGB [H, W, 3], got " +
                (frame.defined() ? c10::str(frame.sizes(), " ", frame.scalar_type())
                                 : std::string("an undefined tensor")));
  }
  if (frame.size(0) != g.frame_height || frame.size(1) != g.frame_width) {
    throw Error("blendOntoFrame: the frame is " + sizeText(frame.size(1), frame.size(0)) +
                    " but the geometry is for " + sizeText(g.frame_width, g.frame_height),
                "compute the geometry for this frame (Preprocessor::geometryFor)");
  }
  if (!relevance.defined() || !relevance.is_floating_point() || relevance.dim() != 2 ||
      relevance.size(0) != g.input_height || relevance.size(1) != g.input_width) {
    throw Error("blendOntoFrame: the relevance must be a floating-point map [" +
                    std::to_string(g.input_height) + ", " + std::to_string(g.input_width) +
                    "] (the model input), got " +
                    (relevance.defined() ? c10::str(relevance.sizes(), " ", relevance.scalar_type())
                                         : std::string("an undefined tensor")),
                "sum the input relevance over channels first with render::toPixelMap");
  }
  const bool crop_inside = g.crop_width > 0 && g.crop_height > 0 && g.crop_x >= 0 &&
                           g.crop_y >= 0 && g.crop_x + g.crop_width <= g.frame_width &&
                           g.crop_y + g.crop_height <= g.frame_height;
  const bool content_inside = g.content_width > 0 && g.content_height > 0 && g.content_x >= 0 &&
                              g.content_y >= 0 && g.content_x + g.content_width <= g.input_width &&
                              g.content_y + g.content_height <= g.input_height;
  if (!crop_inside || !content_inside) {
    throw Error(
        "blendOntoFrame: the geometry's crop or content region lies outside the "
        "frame or the input",
        "use model::computeGeometry");
  }
  if (!(options.alpha >= 0.0 && options.alpha <= 1.0)) {
    throw ConfigError("heatmap alpha " + std::to_string(options.alpha) + " is outside [0, 1]",
                      "0 hides the heatmap, 1 shows full colour at full relevance");
  }
}

}  // namespace

at::Tensor blendOntoFrame(const at::Tensor& frame_rgb_u8, const at::Tensor& relevance_hw,
                          const model::PreprocessGeometry& geometry, double scale,
                          const BlendOptions& options) {
  const model::PreprocessGeometry& g = geometry;
  checkInputs(frame_rgb_u8, relevance_hw, g, options);

  // The content region holds the frame's crop region; letterbox padding explains
  // nothing in the frame and is dropped before resampling, so it cannot bleed in at
  // the edges. NaN would spread through the filter, so it becomes 0 first.
  at::Tensor values = relevance_hw.narrow(0, g.content_y, g.content_height)
                          .narrow(1, g.content_x, g.content_width)
                          .to(frame_rgb_u8.device(), at::kFloat);
  values = at::nan_to_num(values, 0.0);
  if (g.content_width != g.crop_width || g.content_height != g.crop_height) {
    // Half-pixel centres as in preprocessing; the antialiased filter equals plain
    // bilinear when enlarging (the usual case) and does not alias when shrinking.
    values = at::_upsample_bilinear2d_aa(values.unsqueeze(0).unsqueeze(0),
                                         {g.crop_height, g.crop_width}, /*align_corners=*/false)
                 .squeeze(0)
                 .squeeze(0);
  }

  const at::Tensor colours = colorize(values, scale, options.positive_only).to(at::kFloat);
  at::Tensor opacity;
  if (options.weight_by_magnitude) {
    const at::Tensor magnitude = options.positive_only ? values.clamp_min(0.0) : values.abs();
    opacity = magnitude.div(scale).clamp_max(1.0).mul(options.alpha).unsqueeze(-1);
  } else {
    opacity = at::full({g.crop_height, g.crop_width, 1}, options.alpha, colours.options());
  }

  at::Tensor out = frame_rgb_u8.clone(at::MemoryFormat::Contiguous);
  at::Tensor crop = out.narrow(0, g.crop_y, g.crop_height).narrow(1, g.crop_x, g.crop_width);
  const at::Tensor base = crop.to(at::kFloat);
  crop.copy_(base.add(colours.sub(base).mul(opacity)).round().clamp(0.0, 255.0));
  return out;
}

}  // namespace deepbug::render
