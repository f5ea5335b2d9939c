#include "eval_figures.hpp"

namespace deepbug::eval {

using nlohmann::json;

void LocalizationMeans::add(const metrics::LocalizationScore& s) {
  ++images;
  pointing += s.pointing;
  mass += s.mass_inside;
  rank += s.rank_accuracy;
  top_k += s.top_k;
  roc_auc += s.roc_auc;
  macro += s.macro_pass ? 1 : 0;
  area += s.area_fraction;
}

json LocalizationMeans::toJson() const {
  const double n = images > 0 ? static_cast<double>(images) : 1.0;
  return {{"images", images},
          {"pointing_game", pointing / n},
          {"mass_accuracy", mass / n},
          {"rank_accuracy", rank / n},
          {"top_k", top_k / n},
          {"roc_auc", roc_auc / n},
          {"macro_pass_rate", macro / n},
          {"region_area", area / n}};
}

void PartsTally::add(const metrics::PartShares& shares) {
  if (shares.top.empty()) return;  // no positive relevance: no part holds it
  ++images;
  ++top_counts[shares.top];
  for (const auto& [part, share] : shares.share)
    share_sums[part] += share;
  share_sums["background"] += shares.background;
}

json PartsTally::toJson() const {
  json mean = json::object();
  for (const auto& [part, sum] : share_sums)
    mean[part] = images > 0 ? sum / static_cast<double>(images) : 0.0;
  return {{"images", images}, {"top_part_counts", top_counts}, {"mean_share", mean}};
}

GroupFigures::GroupFigures(std::size_t classes)
    : confusion(classes), reasons(classes), parts(classes) {}

json GroupFigures::toJson(const std::vector<std::string>& classes) const {
  json per_class = json::object();
  for (std::size_t c = 0; c < classes.size(); ++c) {
    const metrics::ReasonsTable& r = reasons[c];
    json entry{{"support", confusion.support(c)},
               {"precision", confusion.precision(c)},
               {"recall", confusion.recall(c)},
               {"f1", confusion.f1(c)},
               {"reasons",
                {{"right_for_right_reasons", r.right_for_right},
                 {"right_for_wrong_reasons", r.right_for_wrong},
                 {"wrong_but_on_the_region", r.wrong_but_looked},
                 {"wrong_elsewhere", r.wrong_for_wrong}}}};
    for (const auto& [correct, tally] : parts[c]) {
      entry["parts"][correct ? "correct" : "incorrect"] = tally.toJson();
    }
    per_class[classes[c]] = entry;
  }
  return {
      {"images", confusion.total()},
      {"accuracy", confusion.accuracy()},
      {"confusion_matrix", confusion.rows()},
      {"per_class", per_class},
      {"localization",
       {{"lrp", lrp.toJson()}, {"uniform_map", uniform.toJson()}, {"random_map", random.toJson()}}},
      {"right_for_wrong_reasons", right_for_wrong_reasons}};
}

}  // namespace deepbug::eval
