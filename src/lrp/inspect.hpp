// The layer table of `deepbug-explain --inspect`: index, name, operator, output
// shape and the rule each layer gets.
#pragma once

#include <string>
#include <vector>

#include "lrp/explainer.hpp"

namespace deepbug::lrp {

// Runs one forward pass on a zero image of `input_shape` (C, H, W) for the shapes.
std::string formatLayerTable(const Explainer& explainer, const std::vector<int64_t>& input_shape);

}  // namespace deepbug::lrp
