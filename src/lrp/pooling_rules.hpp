// LRP through pooling and the layers that merge branches (residual add, cat).
#pragma once

#include <torch/script.h>

#include <vector>

#include "lrp/layer_graph.hpp"
#include "lrp/rule.hpp"

namespace deepbug::lrp {

// Max-pool (winner / proportional), avg-pool, adaptive avg-pool and mean over H, W.
// `out` is the layer's forward output (unused by max-pool winner).
at::Tensor propagatePooling(const Layer& layer, const Rule& rule, const at::Tensor& x,
                            const at::Tensor& out, const at::Tensor& R, double stabilizer);

// Residual a + b: R_a = a ⊙ R/stab(a+b), R_b = b ⊙ R/stab(a+b).
std::vector<at::Tensor> propagateAdd(const at::Tensor& a, const at::Tensor& b,
                                     const at::Tensor& sum, const at::Tensor& R, double stabilizer);

// cat: the relevance of each part is its range of R.
std::vector<at::Tensor> propagateCat(const std::vector<at::Tensor>& parts, int64_t dim,
                                     const at::Tensor& R);

}  // namespace deepbug::lrp
