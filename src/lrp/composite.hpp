// Composites: which rule each layer gets, by its type and position, plus per-layer
// overrides ("--rule LAYER=RULE[:param]").
#pragma once

#include <string>
#include <vector>

#include "lrp/layer_graph.hpp"
#include "lrp/rule.hpp"

namespace deepbug::lrp {

struct RuleOverride {
  std::string layer;  // an index in the layer list or a layer name
  Rule rule;
};

struct CompositeSpec {
  std::string name = "epsilon-plus-flat";
  std::vector<RuleOverride> overrides;
};

// The composites' names, for help texts and errors.
const std::vector<std::string>& compositeNames();

// "features.0=flat", "3=epsilon:0.25rms". Throws ConfigError naming the text.
RuleOverride parseRuleOverride(const std::string& text);

// One rule per layer of the graph (pass-through for activations and reshapes).
// Throws ConfigError for an unknown composite, an override naming no layer, or a rule
// that does not fit its layer.
std::vector<Rule> assignRules(const LayerGraph& graph, const CompositeSpec& spec);

}  // namespace deepbug::lrp
