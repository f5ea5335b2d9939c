// Element-wise steps of the LRP rules fused into single passes on the CPU: at 224×224
// a layer output is tens of MiB, and a chain of tensor ops reads and writes it once per
// op. Other devices and dtypes run the same formulas as tensor ops.
#pragma once

#include <torch/script.h>

#include <utility>

namespace deepbug::lrp {

// R / stab(d), stab(d) = d + e·sign(d), sign(0) = +1.
at::Tensor stabilizedRatio(const at::Tensor& R, const at::Tensor& d, double e);

// The γ rule for x ≥ 0 (see affine_rules.cpp): with qb = W⁺x + b⁺,
// s = R / stab(z + γ·qb) where z > 0, R / stab(z + γ(z − qb)) where z < 0, 0 where
// z = 0; returns (s_p + (1+γ)s_n, s_p − s_n) = (where(z>0, s, (1+γ)s), where(z>0, s, −s)).
std::pair<at::Tensor, at::Tensor> gammaSignals(const at::Tensor& R, const at::Tensor& z,
                                               const at::Tensor& qb, double gamma, double e);

namespace detail {
// The tensor-op forms, used off the CPU fast path (and by the tests as the reference).
at::Tensor stabilizedRatioOps(const at::Tensor& R, const at::Tensor& d, double e);
std::pair<at::Tensor, at::Tensor> gammaSignalsOps(const at::Tensor& R, const at::Tensor& z,
                                                  const at::Tensor& qb, double gamma, double e);
}  // namespace detail

}  // namespace deepbug::lrp
