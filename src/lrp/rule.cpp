#include "lrp/rule.hpp"

#include <cmath>
#include <sstream>

#include "core/error.hpp"

namespace deepbug::lrp {
namespace {

constexpr const char* kRuleHint =
    "rules: zero, epsilon[:E|:Krms], zplus, alpha-beta[:A,B] (A - B = 1), gamma[:G], box, "
    "flat, w-square, winner, proportional";

double parseNumber(const std::string& text, const std::string& rule_text) {
  try {
    size_t used = 0;
    const double value = std::stod(text, &used);
    if (used == text.size() && std::isfinite(value)) return value;
  } catch (const std::exception&) {
  }
  throw ConfigError("rule '" + rule_text + "': '" + text + "' is not a number", kRuleHint);
}

std::string formatNumber(double value) {
  std::ostringstream text;
  text << value;
  return text.str();
}

}  // namespace

bool Rule::operator==(const Rule& o) const {
  return kind == o.kind && epsilon == o.epsilon && epsilon_rms == o.epsilon_rms &&
         alpha == o.alpha && beta == o.beta && gamma == o.gamma;
}

bool isAffineRule(RuleKind kind) {
  switch (kind) {
    case RuleKind::kZero:
    case RuleKind::kEpsilon:
    case RuleKind::kZPlus:
    case RuleKind::kAlphaBeta:
    case RuleKind::kGamma:
    case RuleKind::kBox:
    case RuleKind::kFlat:
    case RuleKind::kWSquare:
      return true;
    default:
      return false;
  }
}

Rule parseRule(const std::string& text) {
  const auto colon = text.find(':');
  const std::string name = text.substr(0, colon);
  const std::string param = colon == std::string::npos ? "" : text.substr(colon + 1);
  const bool has_param = colon != std::string::npos;
  Rule rule;
  auto no_param = [&] {
    if (has_param) throw ConfigError("rule '" + text + "' takes no parameter", kRuleHint);
  };
  if (name == "zero" || name == "lrp0" || name == "0") {
    no_param();
    rule.kind = RuleKind::kZero;
  } else if (name == "epsilon" || name == "eps") {
    rule.kind = RuleKind::kEpsilon;
    if (has_param) {
      std::string number = param;
      for (const std::string suffix : {"*rms", "rms"}) {
        if (number.size() > suffix.size() &&
            number.compare(number.size() - suffix.size(), suffix.size(), suffix) == 0) {
          number.resize(number.size() - suffix.size());
          rule.epsilon_rms = true;
          break;
        }
      }
      rule.epsilon = parseNumber(number, text);
      if (rule.epsilon < 0) throw ConfigError("rule '" + text + "': ε must be ≥ 0", kRuleHint);
    }
  } else if (name == "zplus" || name == "plus") {
    no_param();
    rule.kind = RuleKind::kZPlus;
  } else if (name == "alpha-beta" || name == "alphabeta") {
    rule.kind = RuleKind::kAlphaBeta;
    if (has_param) {
      const auto comma = param.find(',');
      if (comma == std::string::npos)
        throw ConfigError("rule '" + text + "': write alpha-beta:ALPHA,BETA", kRuleHint);
      rule.alpha = parseNumber(param.substr(0, comma), text);
      rule.beta = parseNumber(param.substr(comma + 1), text);
    }
    if (rule.alpha < 0 || rule.beta < 0 || std::abs(rule.alpha - rule.beta - 1.0) > 1e-12)
      throw ConfigError("rule '" + text + "': needs α, β ≥ 0 and α − β = 1", kRuleHint);
  } else if (name == "gamma") {
    rule.kind = RuleKind::kGamma;
    if (has_param) rule.gamma = parseNumber(param, text);
    if (rule.gamma < 0) throw ConfigError("rule '" + text + "': γ must be ≥ 0", kRuleHint);
  } else if (name == "box" || name == "zb") {
    no_param();
    rule.kind = RuleKind::kBox;
  } else if (name == "flat") {
    no_param();
    rule.kind = RuleKind::kFlat;
  } else if (name == "w-square" || name == "wsquare" || name == "w2") {
    no_param();
    rule.kind = RuleKind::kWSquare;
  } else if (name == "winner") {
    no_param();
    rule.kind = RuleKind::kWinner;
  } else if (name == "proportional") {
    no_param();
    rule.kind = RuleKind::kProportional;
  } else {
    throw ConfigError("unknown LRP rule '" + text + "'", kRuleHint);
  }
  return rule;
}

std::string toString(const Rule& rule) {
  switch (rule.kind) {
    case RuleKind::kZero:
      return "zero";
    case RuleKind::kEpsilon:
      return "epsilon:" + formatNumber(rule.epsilon) + (rule.epsilon_rms ? "rms" : "");
    case RuleKind::kZPlus:
      return "zplus";
    case RuleKind::kAlphaBeta:
      return "alpha-beta:" + formatNumber(rule.alpha) + "," + formatNumber(rule.beta);
    case RuleKind::kGamma:
      return "gamma:" + formatNumber(rule.gamma);
    case RuleKind::kBox:
      return "box";
    case RuleKind::kFlat:
      return "flat";
    case RuleKind::kWSquare:
      return "w-square";
    case RuleKind::kPassThrough:
      return "pass";
    case RuleKind::kWinner:
      return "winner";
    case RuleKind::kProportional:
      return "proportional";
    case RuleKind::kPoolZero:
      return "zero (pooling)";
    case RuleKind::kSplit:
      return "split";
  }
  return "?";
}

}  // namespace deepbug::lrp
