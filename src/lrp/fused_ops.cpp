#include "lrp/fused_ops.hpp"

#include <ATen/Parallel.h>

namespace deepbug::lrp {
namespace {

constexpr int64_t kGrain = 32768;

bool fusable(std::initializer_list<const at::Tensor*> tensors) {
  const at::Tensor* first = *tensors.begin();
  if (!first->device().is_cpu()) return false;
  const auto type = first->scalar_type();
  if (type != at::kFloat && type != at::kDouble) return false;
  for (const at::Tensor* t : tensors) {
    if (t->scalar_type() != type || !t->device().is_cpu() || t->sizes() != first->sizes())
      return false;
  }
  return true;
}

template <typename T>
T stab(T d, T e) {
  return d >= T(0) ? d + e : d - e;
}

}  // namespace

namespace detail {

at::Tensor stabilizedRatioOps(const at::Tensor& R, const at::Tensor& d, double e) {
  return R / at::where(d >= 0, d + e, d - e);
}

std::pair<at::Tensor, at::Tensor> gammaSignalsOps(const at::Tensor& R, const at::Tensor& z,
                                                  const at::Tensor& qb, double gamma, double e) {
  const at::Tensor positive = z > 0;
  const at::Tensor d = at::where(positive, qb, z - qb) * gamma + z;
  const at::Tensor s = stabilizedRatioOps(R, d, e).masked_fill_(z == 0, 0.0);
  return {at::where(positive, s, s * (1.0 + gamma)), at::where(positive, s, -s)};
}

}  // namespace detail

at::Tensor stabilizedRatio(const at::Tensor& R, const at::Tensor& d, double e) {
  if (!fusable({&R, &d})) return detail::stabilizedRatioOps(R, d, e);
  const at::Tensor r = R.contiguous(), dc = d.contiguous();
  at::Tensor out = at::empty_like(r);
  AT_DISPATCH_FLOATING_TYPES(r.scalar_type(), "stabilizedRatio", [&] {
    const scalar_t* rp = r.data_ptr<scalar_t>();
    const scalar_t* dp = dc.data_ptr<scalar_t>();
    scalar_t* op = out.data_ptr<scalar_t>();
    const auto eps = static_cast<scalar_t>(e);
    at::parallel_for(0, r.numel(), kGrain, [&](int64_t begin, int64_t end) {
      for (int64_t i = begin; i < end; ++i)
        op[i] = rp[i] / stab(dp[i], eps);
    });
  });
  return out;
}

std::pair<at::Tensor, at::Tensor> gammaSignals(const at::Tensor& R, const at::Tensor& z,
                                               const at::Tensor& qb, double gamma, double e) {
  if (!fusable({&R, &z, &qb})) return detail::gammaSignalsOps(R, z, qb, gamma, e);
  const at::Tensor r = R.contiguous(), zc = z.contiguous(), qc = qb.contiguous();
  at::Tensor to_w = at::empty_like(r), to_w_pos = at::empty_like(r);
  AT_DISPATCH_FLOATING_TYPES(r.scalar_type(), "gammaSignals", [&] {
    const scalar_t* rp = r.data_ptr<scalar_t>();
    const scalar_t* zp = zc.data_ptr<scalar_t>();
    const scalar_t* qp = qc.data_ptr<scalar_t>();
    scalar_t* a = to_w.data_ptr<scalar_t>();
    scalar_t* b = to_w_pos.data_ptr<scalar_t>();
    const auto g = static_cast<scalar_t>(gamma), eps = static_cast<scalar_t>(e);
    at::parallel_for(0, r.numel(), kGrain, [&](int64_t begin, int64_t end) {
      for (int64_t i = begin; i < end; ++i) {
        const scalar_t zi = zp[i];
        if (zi > scalar_t(0)) {
          const scalar_t s = rp[i] / stab(zi + qp[i] * g, eps);
          a[i] = s;
          b[i] = s;
        } else if (zi < scalar_t(0)) {
          const scalar_t s = rp[i] / stab((zi - qp[i]) * g + zi, eps);
          a[i] = s * (scalar_t(1) + g);
          b[i] = -s;
        } else {
          a[i] = b[i] = scalar_t(0);
        }
      }
    });
  });
  return {to_w, to_w_pos};
}

}  // namespace deepbug::lrp
