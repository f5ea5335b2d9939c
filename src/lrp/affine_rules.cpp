#include "lrp/affine_rules.hpp"

#include "core/error.hpp"
#include "lrp/fused_ops.hpp"

namespace deepbug::lrp {
namespace {

// +1 where d ≥ 0, −1 elsewhere (sign(0) = +1, so a zero denominator is pushed away).
at::Tensor signOf(const at::Tensor& d) {
  return (d >= 0).to(d.scalar_type()) * 2 - 1;
}

// x⁺ and x⁻; neg stays undefined when x has no negative entry (after a ReLU: known
// statically, else checked), so the rules skip every term it would zero.
struct SignSplit {
  at::Tensor pos, neg;
  SignSplit(const at::Tensor& x, bool known_nonnegative) {
    if (known_nonnegative || x.min().item<double>() >= 0.0) {
      pos = x;
      return;
    }
    pos = x.clamp_min(0);
    neg = x.clamp_max(0);
  }
};

// ε per sample: a number, or k·rms(z) over the sample's layer output.
at::Tensor epsilonFor(const Rule& rule, const at::Tensor& z) {
  if (!rule.epsilon_rms) return at::full({}, rule.epsilon, z.options());
  std::vector<int64_t> shape(z.dim(), 1);
  shape[0] = z.size(0);
  return (z.pow(2).flatten(1).mean(1).sqrt() * rule.epsilon).view(shape);
}

// A per-output vector (a bias) shaped to broadcast over a layer output: outputs are
// dim 1 of a convolution's result and the last dim of a linear layer's.
at::Tensor perOutput(const AffineOp& op, const at::Tensor& v, const at::Tensor& like) {
  if (op.kind == LayerKind::kLinear) return v;
  std::vector<int64_t> shape(like.dim(), 1);
  shape[1] = -1;
  return v.view(shape);
}

// Wx = z − b: the forward's output without its bias.
at::Tensor withoutBias(const AffineOp& op, const at::Tensor& z, const at::Tensor& b) {
  return b.defined() ? z - perOutput(op, b, z) : z;
}

at::Tensor plusBias(const AffineOp& op, const at::Tensor& t, const at::Tensor& b) {
  return b.defined() ? t + perOutput(op, b, t) : t;
}

// One sample's shape of x: for the terms every sample shares (fan-in, bounds).
std::vector<int64_t> oneSample(const at::Tensor& x) {
  std::vector<int64_t> shape(x.sizes().begin(), x.sizes().end());
  shape[0] = 1;
  return shape;
}

}  // namespace

at::Tensor stabilize(const at::Tensor& d, double e) {
  return at::where(d >= 0, d + e, d - e);  // one pass fewer than d + e·sign(d)
}

at::Tensor AffineOp::forward(const at::Tensor& x, const at::Tensor& w, const at::Tensor& b) const {
  if (kind == LayerKind::kLinear)
    return at::linear(x, w, b.defined() ? c10::optional<at::Tensor>(b) : c10::nullopt);
  std::vector<int64_t> output_padding(shape.stride.size(), 0);
  return at::convolution(x, w, b.defined() ? c10::optional<at::Tensor>(b) : c10::nullopt,
                         shape.stride, shape.padding, shape.dilation, false, output_padding,
                         shape.groups);
}

at::Tensor AffineOp::transposed(const at::Tensor& s, const at::Tensor& w,
                                const at::Tensor& input_like) const {
  if (kind == LayerKind::kLinear) return s.matmul(w);
  // The convolution's own backward-data kernel: the same numbers as a transposed
  // convolution with the input's size, at about the forward's cost (oneDNN), where
  // LibTorch 1.13's conv_transpose path on CPU is 1.4–1.9× slower.
  const std::vector<int64_t> no_output_padding(shape.stride.size(), 0);
  return std::get<0>(at::convolution_backward(
      s, input_like, w, c10::nullopt, shape.stride, shape.padding, shape.dilation, false,
      no_output_padding, shape.groups, {true, false, false}));
}

AffineWeights prepareAffineWeights(const Layer& layer, const Rule& rule, c10::ScalarType dtype,
                                   c10::Device device) {
  const auto options = at::TensorOptions().dtype(dtype).device(device);
  AffineWeights out;
  out.w = layer.weight.to(options);
  if (layer.bias.defined()) out.b = layer.bias.to(options);
  if (layer.batch_norm) {
    const FoldedBatchNorm& bn = *layer.batch_norm;
    const at::Tensor mean = bn.running_mean.to(options);
    at::Tensor scale = (bn.running_var.to(options) + bn.eps).rsqrt();
    if (bn.weight.defined()) scale = scale * bn.weight.to(options);
    std::vector<int64_t> per_output(out.w.dim(), 1);
    per_output[0] = -1;
    out.w = out.w * scale.view(per_output);
    out.b = ((out.b.defined() ? out.b : at::zeros_like(mean)) - mean) * scale;
    if (bn.bias.defined()) out.b = out.b + bn.bias.to(options);
  }
  out.w = out.w.contiguous();
  switch (rule.kind) {
    case RuleKind::kZPlus:
    case RuleKind::kAlphaBeta:
    case RuleKind::kGamma:
    case RuleKind::kBox:
      out.w_pos = out.w.clamp_min(0);
      out.w_neg = out.w.clamp_max(0);
      if (out.b.defined()) {
        out.b_pos = out.b.clamp_min(0);
        out.b_neg = out.b.clamp_max(0);
      }
      break;
    default:
      break;
  }
  return out;
}

at::Tensor propagateAffine(const Rule& rule, const AffineContext& c, at::Tensor R) {
  const AffineOp& op = c.op;
  const AffineWeights& wt = c.weights;
  const at::Tensor& x = c.x;
  const auto sizes = x.sizes();
  auto T = [&](const at::Tensor& s, const at::Tensor& w) { return op.transposed(s, w, x); };

  switch (rule.kind) {
    case RuleKind::kZero: {
      // LRP-0: R_in = x ⊙ Wᵀ(R / stab(z))
      return x * T(stabilizedRatio(R, c.z, c.stabilizer), wt.w);
    }
    case RuleKind::kEpsilon: {
      // LRP-ε: R_in = x ⊙ Wᵀ(R / (z + ε·sign(z))), ε a number or k·rms(z) per sample
      return x * T(R / (c.z + signOf(c.z) * epsilonFor(rule, c.z)), wt.w);
    }
    case RuleKind::kZPlus: {
      // z⁺: d = W⁺x⁺ + b⁺ + W⁻x⁻, s = R/stab(d), R_in = x⁺ ⊙ W⁺ᵀs + x⁻ ⊙ W⁻ᵀs
      const SignSplit xs(x, c.input_nonnegative);
      at::Tensor d = op.forward(xs.pos, wt.w_pos, wt.b_pos);
      if (xs.neg.defined()) d = d + op.forward(xs.neg, wt.w_neg);
      at::Tensor s = stabilizedRatio(R, d, c.stabilizer);
      R.reset();
      at::Tensor r = T(s, wt.w_pos).mul_(xs.pos);
      if (xs.neg.defined()) r = r + xs.neg * T(s, wt.w_neg);
      return r;
    }
    case RuleKind::kAlphaBeta: {
      // p = W⁺x⁺ + b⁺ + W⁻x⁻, n = W⁻x⁺ + b⁻ + W⁺x⁻, s_p = R/stab(p), s_n = R/stab(n),
      // R_in = α(x⁺⊙W⁺ᵀs_p + x⁻⊙W⁻ᵀs_p) − β(x⁺⊙W⁻ᵀs_n + x⁻⊙W⁺ᵀs_n)
      const SignSplit xs(x, c.input_nonnegative);
      if (!xs.neg.defined()) {
        // x ≥ 0: p = W⁺x + b⁺, n = W⁻x + b⁻, R_in = x ⊙ (αW⁺ᵀs_p − βW⁻ᵀs_n). Both are
        // computed directly: a neuron with little negative input has n ≈ 0 and a huge
        // s_n, which any rewriting through z or W = W⁺ + W⁻ would cancel badly.
        const at::Tensor sp = R / stabilize(op.forward(x, wt.w_pos, wt.b_pos), c.stabilizer);
        const at::Tensor sn = R / stabilize(op.forward(x, wt.w_neg, wt.b_neg), c.stabilizer);
        return x * (T(sp, wt.w_pos) * rule.alpha - T(sn, wt.w_neg) * rule.beta);
      }
      at::Tensor p = op.forward(xs.pos, wt.w_pos, wt.b_pos) + op.forward(xs.neg, wt.w_neg);
      at::Tensor n = op.forward(xs.pos, wt.w_neg, wt.b_neg) + op.forward(xs.neg, wt.w_pos);
      const at::Tensor sp = R / stabilize(p, c.stabilizer);
      const at::Tensor sn = R / stabilize(n, c.stabilizer);
      const at::Tensor positive = xs.pos * T(sp, wt.w_pos) + xs.neg * T(sp, wt.w_neg);
      const at::Tensor negative = xs.pos * T(sn, wt.w_neg) + xs.neg * T(sn, wt.w_pos);
      return positive * rule.alpha - negative * rule.beta;
    }
    case RuleKind::kGamma: {
      // A = W + γW⁺, B = W + γW⁻, p = Ax⁺ + b + γb⁺ + Bx⁻, n = Bx⁺ + b + γb⁻ + Ax⁻,
      // s_p = [z>0]·R/stab(p), s_n = [z<0]·R/stab(n),
      // R_in = x⁺⊙(Aᵀs_p + Bᵀs_n) + x⁻⊙(Bᵀs_p + Aᵀs_n)
      const double g = rule.gamma;
      const SignSplit xs(x, c.input_nonnegative);
      if (!xs.neg.defined()) {
        // x ≥ 0: with qb = W⁺x + b⁺, p = z + γ·qb and n = z + γ(z − qb) (W⁻x + b⁻ =
        // z − qb). s_p and s_n never overlap ([z>0], [z<0]), so one s = R/stab(d) with d
        // = p where z > 0 and n where z < 0 carries both, and
        // Aᵀs_p + Bᵀs_n = Wᵀ(s_p + (1+γ)s_n) + γW⁺ᵀ(s_p − s_n):
        // one convolution and two transposed ones beyond the forward.
        auto [to_w, to_w_pos] =
            gammaSignals(R, c.z, plusBias(op, op.forward(x, wt.w_pos), wt.b_pos), g, c.stabilizer);
        R.reset();
        at::Tensor r = T(to_w, wt.w);
        to_w.reset();
        return r.add_(T(to_w_pos, wt.w_pos), g).mul_(x);
      }
      const at::Tensor R_pos = R * (c.z > 0).to(R.scalar_type());
      const at::Tensor R_neg = R * (c.z < 0).to(R.scalar_type());
      const at::Tensor A = wt.w + wt.w_pos * g, B = wt.w + wt.w_neg * g;
      const at::Tensor bp = wt.b.defined() ? wt.b + wt.b_pos * g : at::Tensor();
      const at::Tensor bn = wt.b.defined() ? wt.b + wt.b_neg * g : at::Tensor();
      const at::Tensor p = op.forward(xs.pos, A, bp) + op.forward(xs.neg, B);
      const at::Tensor n = op.forward(xs.pos, B, bn) + op.forward(xs.neg, A);
      const at::Tensor sp = R_pos / stabilize(p, c.stabilizer);
      const at::Tensor sn = R_neg / stabilize(n, c.stabilizer);
      return xs.pos * (T(sp, A) + T(sn, B)) + xs.neg * (T(sp, B) + T(sn, A));
    }
    case RuleKind::kBox: {
      // z^B: d = Wx − W⁺l − W⁻h, s = R/stab(d), R_in = x⊙Wᵀs − l⊙W⁺ᵀs − h⊙W⁻ᵀs.
      // Wx = z − b; W⁺l + W⁻h is the same for every sample (one sample's worth is
      // computed); W⁻ᵀs = Wᵀs − W⁺ᵀs: two transposed convolutions. For inputs within
      // [l, h], d ≥ 0 and none of this cancels.
      if (!c.bounds)
        throw ConfigError("the box rule (z^B) applies only to the layer reading the image");
      const at::Tensor l = c.bounds->low, h = c.bounds->high;
      const at::Tensor bounds_term = op.forward(l.expand(oneSample(x)).contiguous(), wt.w_pos) +
                                     op.forward(h.expand(oneSample(x)).contiguous(), wt.w_neg);
      const at::Tensor s = R / stabilize(withoutBias(op, c.z, wt.b) - bounds_term, c.stabilizer);
      const at::Tensor all = T(s, wt.w), positive = T(s, wt.w_pos);
      return x * all - l * positive - h * (all - positive);
    }
    case RuleKind::kFlat: {
      // flat: d = the map on an all-ones input with all-ones weights, no bias (the
      // in-bounds fan-in, the same for every sample); R_in = 1ᵀ(R/stab(d)), not
      // multiplied by x. With all-ones weights every input channel receives the same
      // sum, so the transpose runs on the channel sum with a one-channel kernel.
      const at::Tensor ones_w = at::ones_like(wt.w);
      const at::Tensor d = op.forward(at::ones(oneSample(x), x.options()), ones_w);
      const at::Tensor s = R / stabilize(d, c.stabilizer);
      if (op.kind == LayerKind::kLinear) return s.sum(-1, true).expand(sizes).contiguous();
      if (op.shape.groups != 1) return T(s, ones_w);
      std::vector<int64_t> kernel(wt.w.sizes().begin(), wt.w.sizes().end());
      kernel[0] = kernel[1] = 1;
      return op.transposed(s.sum(1, true), at::ones(kernel, wt.w.options()), x.narrow(1, 0, 1))
          .expand(sizes)
          .contiguous();
    }
    case RuleKind::kWSquare: {
      // w²: d = (W²)·1 + b², R_in = (W²)ᵀ(R/stab(d))
      const at::Tensor w2 = wt.w * wt.w;
      const at::Tensor d = op.forward(at::ones(oneSample(x), x.options()), w2,
                                      wt.b.defined() ? wt.b * wt.b : at::Tensor());
      return T(R / stabilize(d, c.stabilizer), w2);
    }
    default:
      throw ConfigError("rule '" + toString(rule) +
                        "' does not apply to convolutions or linear layers");
  }
}

}  // namespace deepbug::lrp
