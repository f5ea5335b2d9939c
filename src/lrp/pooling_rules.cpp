#include "lrp/pooling_rules.hpp"

#include <algorithm>

#include "core/error.hpp"
#include "lrp/affine_rules.hpp"

namespace deepbug::lrp {
namespace {

// Jᵀg for average pooling: its own transpose, right for overlapping windows too.
at::Tensor avgPoolTranspose(const PoolShape& p, const at::Tensor& g, const at::Tensor& x) {
  return at::avg_pool2d_backward(
      g, x, p.kernel, p.stride, p.padding, p.ceil_mode, p.count_include_pad,
      p.divisor_override ? c10::optional<int64_t>(*p.divisor_override) : c10::nullopt);
}

// Spatial dims of a mean, normalised and checked to be H and W.
std::vector<int64_t> spatialDims(const Layer& layer, int64_t rank) {
  std::vector<int64_t> dims;
  for (int64_t d : layer.mean_dims)
    dims.push_back(d < 0 ? d + rank : d);
  std::sort(dims.begin(), dims.end());
  if (rank != 4 || dims != std::vector<int64_t>{2, 3}) {
    throw ModelError("layer " + std::to_string(layer.index) + " (" + layer.name + "): " + layer.op +
                         " is supported over H and W of an NCHW tensor only",
                     "reduce over dim=(2, 3), or use adaptive_avg_pool2d");
  }
  return dims;
}

// LRP-0 through a mean over H and W: R_in = x ⊙ (R / stab(mean)) / (H·W).
at::Tensor meanZero(const Layer& layer, const at::Tensor& x, const at::Tensor& mean,
                    const at::Tensor& R, double stabilizer) {
  const auto dims = spatialDims(layer, x.dim());
  at::Tensor s = R / stabilize(mean, stabilizer);
  if (!layer.keep_dim) s = s.view({s.size(0), s.size(1), 1, 1});
  return x * (s / static_cast<double>(x.size(dims[0]) * x.size(dims[1])));
}

}  // namespace

at::Tensor propagatePooling(const Layer& layer, const Rule& rule, const at::Tensor& x,
                            const at::Tensor& out, const at::Tensor& R, double stabilizer) {
  const PoolShape& p = layer.pool;
  switch (layer.kind) {
    case LayerKind::kMaxPool: {
      if (rule.kind == RuleKind::kWinner) {
        // Relevance goes where the gradient goes: to each window's maximum.
        auto [pooled, indices] =
            at::max_pool2d_with_indices(x, p.kernel, p.stride, p.padding, p.dilation, p.ceil_mode);
        return at::max_pool2d_with_indices_backward(R, x, p.kernel, p.stride, p.padding, p.dilation,
                                                    p.ceil_mode, indices);
      }
      if (rule.kind != RuleKind::kProportional) break;
      // Proportional: the window treated as average pooling, LRP-0 on it.
      for (int64_t d : p.dilation) {
        if (d != 1)
          throw ModelError("layer " + std::to_string(layer.index) +
                           ": proportional max-pool needs dilation 1; use the winner rule");
      }
      PoolShape avg = p;
      avg.count_include_pad = true;
      avg.divisor_override.reset();
      const at::Tensor pooled =
          at::avg_pool2d(x, avg.kernel, avg.stride, avg.padding, avg.ceil_mode, true, c10::nullopt);
      return x * avgPoolTranspose(avg, R / stabilize(pooled, stabilizer), x);
    }
    case LayerKind::kAvgPool:
      // LRP-0 on the pooling map: R_in = x ⊙ Jᵀ(R / stab(pool(x)))
      return x * avgPoolTranspose(p, R / stabilize(out, stabilizer), x);
    case LayerKind::kAdaptiveAvgPool:
      return x * at::_adaptive_avg_pool2d_backward(R / stabilize(out, stabilizer), x);
    case LayerKind::kMean:
      return meanZero(layer, x, out, R, stabilizer);
    case LayerKind::kSpatialMax: {
      spatialDims(layer, x.dim());
      if (rule.kind == RuleKind::kProportional) {
        // Proportional: the plane treated as a mean, LRP-0 on it.
        const at::Tensor mean = x.mean({2, 3}, layer.keep_dim);
        return meanZero(layer, x, mean, R, stabilizer);
      }
      if (rule.kind != RuleKind::kWinner) break;
      // Winner: each channel's relevance goes to the position of its maximum (on ties
      // the first one; amax's gradient would split it among them).
      const int64_t n = x.size(0), c = x.size(1);
      const at::Tensor flat = x.reshape({n, c, -1});
      const at::Tensor where = flat.argmax(2, /*keepdim=*/true);
      return at::zeros_like(flat)
          .scatter_(2, where, R.reshape({n, c, 1}).to(flat.scalar_type()))
          .view(x.sizes());
    }
    default:
      break;
  }
  throw ConfigError("layer " + std::to_string(layer.index) + " (" + layer.name + "): rule '" +
                        toString(rule) + "' does not apply to " + toString(layer.kind),
                    "max-pool takes winner or proportional; other pooling takes no rule");
}

std::vector<at::Tensor> propagateAdd(const at::Tensor& a, const at::Tensor& b,
                                     const at::Tensor& sum, const at::Tensor& R,
                                     double stabilizer) {
  const at::Tensor s = R / stabilize(sum, stabilizer);
  return {a * s, b * s};
}

std::vector<at::Tensor> propagateCat(const std::vector<at::Tensor>& parts, int64_t dim,
                                     const at::Tensor& R) {
  std::vector<int64_t> sizes;
  const int64_t d = dim < 0 ? dim + R.dim() : dim;
  for (const at::Tensor& part : parts)
    sizes.push_back(part.size(d));
  auto split = R.split_with_sizes(sizes, d);
  return {split.begin(), split.end()};
}

}  // namespace deepbug::lrp
