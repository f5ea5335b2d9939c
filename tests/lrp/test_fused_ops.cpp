// The fused CPU passes give what their tensor-op forms give.
#include <gtest/gtest.h>
#include <torch/script.h>

#include "lrp/fused_ops.hpp"

namespace deepbug::lrp {
namespace {

class FusedOps : public ::testing::TestWithParam<c10::ScalarType> {};

TEST_P(FusedOps, MatchTheirTensorOpForms) {
  torch::manual_seed(12);
  const auto options = at::TensorOptions().dtype(GetParam());
  const at::Tensor R = at::randn({3, 5, 17, 19}, options);
  at::Tensor z = at::randn({3, 5, 17, 19}, options);
  z.index_put_({0, 0}, 0.0);  // z = 0 passes nothing; d = 0 takes the + sign
  const at::Tensor qb = at::randn({3, 5, 17, 19}, options);
  at::Tensor d = z.clone();
  const double tolerance = GetParam() == at::kDouble ? 1e-14 : 1e-5;

  const at::Tensor ratio = stabilizedRatio(R, d, 1e-6);
  const at::Tensor reference = detail::stabilizedRatioOps(R, d, 1e-6);
  EXPECT_TRUE(at::allclose(ratio, reference, tolerance, 0.0));
  EXPECT_FLOAT_EQ(ratio[0][0][0][0].item<float>(), (R[0][0][0][0] / 1e-6).item<float>());

  const auto [a, b] = gammaSignals(R, z, qb, 0.25, 1e-6);
  const auto [a_ref, b_ref] = detail::gammaSignalsOps(R, z, qb, 0.25, 1e-6);
  EXPECT_TRUE(at::allclose(a, a_ref, tolerance, 1e-12));
  EXPECT_TRUE(at::allclose(b, b_ref, tolerance, 1e-12));
  EXPECT_EQ(a[0][0].abs().sum().item<double>(), 0.0);
  // Non-contiguous inputs take the same path after a copy.
  const at::Tensor transposed = stabilizedRatio(R.transpose(2, 3), d.transpose(2, 3), 1e-6);
  EXPECT_TRUE(at::allclose(transposed, reference.transpose(2, 3), tolerance, 0.0));
}

INSTANTIATE_TEST_SUITE_P(Dtypes, FusedOps, ::testing::Values(at::kFloat, at::kDouble));

}  // namespace
}  // namespace deepbug::lrp
