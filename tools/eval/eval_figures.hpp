// What deepbug-eval adds up, per model × composite and per group of images (all, and
// each variation): classification, localisation of the target-class relevance on the
// right region beside a uniform and a random map (the floors), right-for-the-right-
// reasons per class, and the labelled parts holding the relevance.
#pragma once

#include <cstddef>
#include <map>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "metrics/confusion_matrix.hpp"
#include "metrics/explanation_checks.hpp"
#include "metrics/localization.hpp"

namespace deepbug::eval {

// Means of the localisation figures over the images scored.
struct LocalizationMeans {
  std::size_t images = 0;
  double pointing = 0, mass = 0, rank = 0, top_k = 0, roc_auc = 0, macro = 0, area = 0;
  void add(const metrics::LocalizationScore& s);
  nlohmann::json toJson() const;
};

// Per class and per correct/incorrect prediction: how often each part (or the
// background) held the most relevance, and each part's mean share.
struct PartsTally {
  std::map<std::string, std::size_t> top_counts;
  std::map<std::string, double> share_sums;
  std::size_t images = 0;
  void add(const metrics::PartShares& shares);
  nlohmann::json toJson() const;
};

struct GroupFigures {
  explicit GroupFigures(std::size_t classes);
  metrics::ConfusionMatrix confusion;
  LocalizationMeans lrp, uniform, random;
  std::vector<metrics::ReasonsTable> reasons;        // by true class
  std::vector<std::map<bool, PartsTally>> parts;     // by true class, by correct
  std::vector<std::string> right_for_wrong_reasons;  // image names
  nlohmann::json toJson(const std::vector<std::string>& classes) const;
};

}  // namespace deepbug::eval
