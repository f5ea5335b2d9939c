// LRP rules: which one a layer gets and its parameters. The formulas are in
// affine_rules.cpp and pooling_rules.cpp.
#pragma once

#include <string>

namespace deepbug::lrp {

enum class RuleKind {
  kZero,          // LRP-0
  kEpsilon,       // LRP-ε, ε a number or k·rms of the sample's layer output
  kZPlus,         // z⁺
  kAlphaBeta,     // αβ, α − β = 1
  kGamma,         // generalised γ
  kBox,           // z^B, bounds from the input normalisation (first layer only)
  kFlat,          // flat: the in-bounds fan-in, not multiplied by x
  kWSquare,       // w²
  kPassThrough,   // activations, reshapes: relevance passes unchanged
  kWinner,        // max-pool: relevance to the element the gradient goes to
  kProportional,  // max-pool treated as average pooling (the report's code)
  kPoolZero,      // avg-pool, adaptive avg-pool, mean: LRP-0 on the pooling map
  kSplit,         // residual add (LRP-0 between the summands), cat (by ranges)
};

struct Rule {
  RuleKind kind = RuleKind::kZero;
  double epsilon = 1e-6;     // kEpsilon: the number, or k when epsilon_rms
  bool epsilon_rms = false;  // ε = epsilon · rms(z) per sample
  double alpha = 2.0, beta = 1.0;
  double gamma = 0.25;

  bool operator==(const Rule& other) const;
};

// "epsilon:1e-6" "epsilon:0.25rms" "gamma:0.25" "alpha-beta:2,1" "zplus" "box" "flat"
// "w-square" "zero" "winner" "proportional". Throws ConfigError naming the text.
Rule parseRule(const std::string& text);

// The inverse of parseRule: "epsilon:0.25rms", "gamma:0.25", ...
std::string toString(const Rule& rule);

// Whether the rule applies to affine layers (convolution, linear).
bool isAffineRule(RuleKind kind);

}  // namespace deepbug::lrp
