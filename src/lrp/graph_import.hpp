// Imports a TorchScript image classifier into a LayerGraph: freeze and inline the
// module, then walk its graph from the image input to the logits.
#pragma once

#include "lrp/layer_graph.hpp"

namespace deepbug::lrp {

// Throws deepbug::ModelError naming the operator, the node and the supported list
// when the path from the image to the logits holds anything the engine cannot explain.
// `source` names the model in messages.
LayerGraph importGraph(const torch::jit::Module& module, const std::string& source);

}  // namespace deepbug::lrp
