#include "lrp/composite.hpp"

#include <algorithm>

#include "core/error.hpp"

namespace deepbug::lrp {
namespace {

Rule make(RuleKind kind) {
  Rule rule;
  rule.kind = kind;
  return rule;
}

Rule epsilon(double value, bool rms = false) {
  Rule rule = make(RuleKind::kEpsilon);
  rule.epsilon = value;
  rule.epsilon_rms = rms;
  return rule;
}

Rule gamma(double value) {
  Rule rule = make(RuleKind::kGamma);
  rule.gamma = value;
  return rule;
}

std::string namesList() {
  std::string text;
  for (const auto& name : compositeNames())
    text += (text.empty() ? "" : ", ") + name;
  return text;
}

// The rule of an affine layer under a composite. `first` is the first affine layer
// in execution order; `conv_rank` counts convolutions after the first (0-based) and
// `later_convs` is how many there are (for the layered preset's bands).
Rule affineRule(const std::string& composite, const Layer& layer, bool first, int conv_rank,
                int later_convs) {
  const bool conv = layer.kind == LayerKind::kConvolution;
  if (composite == "epsilon-plus-flat") {
    if (first) return make(RuleKind::kFlat);
    return conv ? make(RuleKind::kZPlus) : epsilon(1e-6);
  }
  if (composite == "epsilon-gamma-box") {
    if (first) return make(RuleKind::kBox);
    return conv ? gamma(0.25) : epsilon(1e-6);
  }
  if (composite == "epsilon-plus") return conv ? make(RuleKind::kZPlus) : epsilon(1e-6);
  if (composite == "epsilon-alpha2-beta1" || composite == "epsilon-alpha2-beta1-flat") {
    if (first && composite == "epsilon-alpha2-beta1-flat") return make(RuleKind::kFlat);
    return conv ? make(RuleKind::kAlphaBeta) : epsilon(1e-6);
  }
  // layered (the report's preset, after Montavon et al. 2019): z^B on the image,
  // γ on the lower half of the remaining convolutions, ε = 0.25·rms on the upper
  // half, LRP-0 on the linear (top) layers.
  if (first) return make(RuleKind::kBox);
  if (!conv) return make(RuleKind::kZero);
  const int lower = (later_convs + 1) / 2;
  return conv_rank < lower ? gamma(0.25) : epsilon(0.25, true);
}

Rule structuralRule(const std::string& composite, const Layer& layer) {
  switch (layer.kind) {
    case LayerKind::kMaxPool:
    case LayerKind::kSpatialMax:
      return make(composite == "layered" ? RuleKind::kProportional : RuleKind::kWinner);
    case LayerKind::kAvgPool:
    case LayerKind::kAdaptiveAvgPool:
    case LayerKind::kMean:
      return make(RuleKind::kPoolZero);
    case LayerKind::kAdd:
    case LayerKind::kCat:
      return make(RuleKind::kSplit);
    default:
      return make(RuleKind::kPassThrough);
  }
}

void checkFits(const Layer& layer, const Rule& rule, const std::string& source) {
  const bool fits =
      isAffine(layer.kind)
          ? isAffineRule(rule.kind)
          : (layer.kind == LayerKind::kMaxPool || layer.kind == LayerKind::kSpatialMax) &&
                (rule.kind == RuleKind::kWinner || rule.kind == RuleKind::kProportional);
  if (!fits) {
    throw ConfigError("rule override '" + source + "': layer " + std::to_string(layer.index) +
                          " (" + layer.name + ", " + toString(layer.kind) + ") cannot take rule '" +
                          toString(rule) + "'",
                      isAffine(layer.kind) ? "convolutions and linear layers take zero, epsilon, "
                                             "zplus, alpha-beta, gamma, box, flat, w-square"
                                           : "only max-pool layers (winner, proportional) and "
                                             "affine layers take rules");
  }
}

}  // namespace

const std::vector<std::string>& compositeNames() {
  static const std::vector<std::string> names = {
      "epsilon-plus-flat",    "epsilon-gamma-box",         "epsilon-plus",
      "epsilon-alpha2-beta1", "epsilon-alpha2-beta1-flat", "layered"};
  return names;
}

RuleOverride parseRuleOverride(const std::string& text) {
  const auto equals = text.find('=');
  if (equals == std::string::npos || equals == 0 || equals + 1 == text.size()) {
    throw ConfigError("rule override '" + text + "' is not LAYER=RULE",
                      "e.g. --rule features.0=flat or --rule 3=epsilon:0.25rms (see --inspect)");
  }
  return {text.substr(0, equals), parseRule(text.substr(equals + 1))};
}

std::vector<Rule> assignRules(const LayerGraph& graph, const CompositeSpec& spec) {
  const auto& names = compositeNames();
  if (std::find(names.begin(), names.end(), spec.name) == names.end()) {
    throw ConfigError("unknown composite '" + spec.name + "'", "composites: " + namesList());
  }
  const int first = graph.firstAffine();
  int later_convs = 0;
  for (const Layer& layer : graph.layers) {
    later_convs += layer.kind == LayerKind::kConvolution && layer.index != first;
  }
  std::vector<Rule> rules;
  int conv_rank = 0;
  for (const Layer& layer : graph.layers) {
    if (!isAffine(layer.kind)) {
      rules.push_back(structuralRule(spec.name, layer));
      continue;
    }
    const bool is_first = layer.index == first;
    rules.push_back(affineRule(spec.name, layer, is_first, conv_rank, later_convs));
    conv_rank += layer.kind == LayerKind::kConvolution && !is_first;
  }
  for (const RuleOverride& override_rule : spec.overrides) {
    const int index = graph.find(override_rule.layer);
    if (index < 0) {
      throw ConfigError(
          "rule override names layer '" + override_rule.layer + "', which the model does not have",
          "layers are named by index or name in `deepbug-explain --inspect`");
    }
    checkFits(graph.layers[index], override_rule.rule,
              override_rule.layer + "=" + toString(override_rule.rule));
    rules[index] = override_rule.rule;
  }
  return rules;
}

}  // namespace deepbug::lrp
