// What a model developer looks at after localisation: whether each prediction was right
// for the right reasons (the report's two confusion matrices: prediction correct or not ×
// explanation on the right region or not), and which labelled part of an image carries
// the relevance (the report's "tires 38/100, headlight 18/100" table).
#pragma once

#include <cstddef>
#include <map>
#include <string>
#include <vector>

#include "metrics/localization.hpp"

namespace deepbug::metrics {

// Per class: prediction correct/incorrect × explanation right/wrong (right = the macro
// pass, LocalizationScore::macro_pass).
struct ReasonsTable {
  std::size_t right_for_right = 0;   // correct, evidence on the region
  std::size_t right_for_wrong = 0;   // correct, evidence elsewhere: the cases to look at
  std::size_t wrong_but_looked = 0;  // incorrect, evidence on the region
  std::size_t wrong_for_wrong = 0;   // incorrect, evidence elsewhere
  std::size_t total() const {
    return right_for_right + right_for_wrong + wrong_but_looked + wrong_for_wrong;
  }
  void add(bool correct, bool explanation_right);
};

// How one image's positive relevance divides among its labelled parts. A pixel in
// several parts (a person inside a pair) counts for each, so the shares of overlapping
// parts may sum past 1; `background` is the share on no part at all.
struct PartShares {
  std::map<std::string, double> share;  // part name → Σ R⁺ on it / Σ R⁺
  double background = 0;
  // The part holding the most R⁺ ("background" when no part holds more than it);
  // empty when there is no positive relevance.
  std::string top;
};

PartShares partShares(const at::Tensor& relevance_hw, const model::PreprocessGeometry& geometry,
                      const std::map<std::string, Region>& parts);

}  // namespace deepbug::metrics
