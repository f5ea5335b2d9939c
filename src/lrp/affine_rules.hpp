// LRP rules for affine layers (z = Wx + b: convolutions and linear layers).
#pragma once

#include <torch/script.h>

#include "lrp/layer_graph.hpp"
#include "lrp/rule.hpp"

namespace deepbug::lrp {

// The map of one convolution or linear layer, with the weights passed in so that a
// rule can apply the same map to modified weights (W⁺, W², all-ones).
struct AffineOp {
  LayerKind kind = LayerKind::kLinear;
  ConvolutionShape shape;

  at::Tensor forward(const at::Tensor& x, const at::Tensor& w, const at::Tensor& b = {}) const;
  // Wᵀs, the vector–Jacobian product with respect to the input: the transposed
  // convolution with the same stride, padding, dilation and groups, giving back the
  // size of `input_like` (whose values are not read).
  at::Tensor transposed(const at::Tensor& s, const at::Tensor& w,
                        const at::Tensor& input_like) const;
};

// A layer's weights in the computation's dtype and device, batch norm folded in, and
// the sign-split parts the layer's rule needs (undefined when it needs none).
struct AffineWeights {
  at::Tensor w, b;  // b may be undefined (no bias)
  at::Tensor w_pos, w_neg, b_pos, b_neg;
};

// Folds batch norm into W and b in `dtype`: W' = W·γ/√(var+eps), b' = (b−μ)·γ/√(var+eps)+β.
AffineWeights prepareAffineWeights(const Layer& layer, const Rule& rule, c10::ScalarType dtype,
                                   c10::Device device);

// The lowest and highest values each input element can take (z^B), broadcastable to x.
struct InputBounds {
  at::Tensor low, high;
};

struct AffineContext {
  const AffineOp& op;
  const AffineWeights& weights;
  const at::Tensor& x;  // the layer's input
  const at::Tensor& z;  // its output Wx + b (batch norm folded)
  double stabilizer = 1e-6;
  const InputBounds* bounds = nullptr;  // for z^B
  bool input_nonnegative = false;       // x ≥ 0 by construction (after a ReLU)
};

// Relevance at the layer's input from relevance R at its output.
// R is taken by value so that a caller that moves it in frees it early.
at::Tensor propagateAffine(const Rule& rule, const AffineContext& context, at::Tensor R);

// stab(d) = d + e·sign(d) with sign(0) = +1.
at::Tensor stabilize(const at::Tensor& d, double e);

}  // namespace deepbug::lrp
