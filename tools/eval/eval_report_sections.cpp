// The report's tables and figures (eval_report_sections.hpp).
#include "eval_report_sections.hpp"

#include <algorithm>
#include <cstdint>
#include <map>
#include <set>

#include "eval_report_html.hpp"
#include "eval_report_svg.hpp"

namespace deepbug::eval::report {
namespace {

using nlohmann::json;

struct Figure {
  const char* key;
  const char* name;
};
constexpr Figure kLocalization[] = {{"pointing_game", "pointing game"},
                                    {"mass_accuracy", "mass accuracy"},
                                    {"rank_accuracy", "rank accuracy"},
                                    {"top_k", "top-k"},
                                    {"roc_auc", "ROC-AUC"},
                                    {"macro_pass_rate", "macro pass"}};

std::optional<double> number(const json& value) {
  if (!value.is_number()) return std::nullopt;
  return value.get<double>();
}

// "0.750" over "0.239 · 0.000": the heatmaps' figure and the uniform and random maps'.
std::string figureOverFloors(const json& localization, const char* key) {
  return formatNumber(at(at(localization, "lrp"), key)) + "<span class=\"floor\">" +
         formatNumber(at(at(localization, "uniform_map"), key)) + " · " +
         formatNumber(at(at(localization, "random_map"), key)) + "</span>";
}

std::vector<std::vector<std::int64_t>> counts(const json& matrix) {
  std::vector<std::vector<std::int64_t>> rows;
  if (!matrix.is_array()) return rows;
  for (const auto& row : matrix) {
    std::vector<std::int64_t> values;
    if (row.is_array()) {
      for (const auto& value : row)
        values.push_back(value.is_number() ? value.get<std::int64_t>() : 0);
    }
    rows.push_back(std::move(values));
  }
  return rows;
}

}  // namespace

bool Context::showable(const std::string& path) const {
  return isInsideFolder(path) && (!file_exists || file_exists(path));
}

std::string caption(const std::string& html) {
  return "<p class=\"caption\">" + html + "</p>";
}

bool hasLocalization(const json& group) {
  const json& images = at(at(at(group, "localization"), "lrp"), "images");
  return images.is_number() && images.get<double>() > 0;
}

std::string summaryTable(const Context& context) {
  bool localized = false;
  std::string rows;
  for (const auto& [model, entry] : at(context.metrics, "models").items()) {
    for (const auto& [composite, figures] : at(entry, "composites").items()) {
      const json& all = at(figures, "all");
      localized = localized || hasLocalization(all);
      rows += "<tr><td><a href=\"#" + anchorId(model + "--" + composite) + "\">" +
              escapeHtml(model) + "</a></td><td class=\"t\">" + escapeHtml(composite) +
              "</td><td>" + formatNumber(at(all, "images"), 0) + "</td><td>" +
              formatNumber(at(all, "accuracy")) + "</td>";
      if (hasLocalization(all)) {
        for (const auto& figure : kLocalization)
          rows += "<td>" + figureOverFloors(at(all, "localization"), figure.key) + "</td>";
      } else {
        for (std::size_t i = 0; i < std::size(kLocalization); ++i)
          rows += "<td>–</td>";
      }
      const json& rfwr = at(all, "right_for_wrong_reasons");
      rows += "<td>" + (rfwr.is_array() ? std::to_string(rfwr.size()) : std::string("–")) +
              "</td></tr>";
    }
  }
  if (rows.empty()) return "";
  std::string head =
      "<tr><th>Model</th><th class=\"t\">Composite</th><th>Images</th><th>Accuracy</th>";
  for (const auto& figure : kLocalization)
    head += "<th>" + std::string(figure.name) + "</th>";
  head += "<th>Right for wrong reasons</th></tr>";
  return scroll("<table class=\"summary\"><thead>" + head + "</thead><tbody>" + rows +
                "</tbody></table>") +
         caption(localized ? "Each model × composite (an LRP composite or a gradient baseline) "
                             "over all images. "
                             "Localisation: the heatmaps' mean, "
                             "under it in grey the floors — a uniform map · a seeded random map."
                           : "Each model × composite over all images; no regions, so no "
                             "localisation figures.");
}

std::string localizationFigure(const json& group) {
  if (!hasLocalization(group)) return "";
  const json& localization = at(group, "localization");
  BarChart chart;
  chart.series = {{"heatmap", "#2f6fb0"}, {"uniform map", "#9aa3ad"}, {"random map", "#d0d5db"}};
  for (const auto& figure : kLocalization) {
    BarGroup bars{figure.name, {}};
    for (const char* map : {"lrp", "uniform_map", "random_map"})
      bars.values.push_back({number(at(at(localization, map), figure.key)), std::nullopt});
    chart.groups.push_back(std::move(bars));
  }
  return "<figure class=\"chart\">" + barLegendHtml(chart) + barChartSvg(chart) +
         "<figcaption>Localisation of the true class's relevance on its right region over " +
         formatNumber(at(at(localization, "lrp"), "images"), 0) +
         " images: the heatmaps beside the floors a map without information scores (region area " +
         formatNumber(at(at(localization, "uniform_map"), "region_area")) +
         ").</figcaption></figure>";
}

std::string confusionFigure(const Context& context, const json& group, const std::string& what) {
  const json& matrix = at(group, "confusion_matrix");
  if (!matrix.is_array() || context.classes.empty()) return "";
  return "<figure class=\"chart\">" + confusionMatrixSvg(context.classes, counts(matrix)) +
         "<figcaption>Confusion matrix, " + escapeHtml(what) + " (" +
         formatNumber(at(group, "images"), 0) + " images, accuracy " +
         formatNumber(at(group, "accuracy")) +
         "): rows the true class, columns the prediction, shade the row's share.</figcaption>"
         "</figure>";
}

std::string perClassTable(const Context& context, const json& group) {
  const json& per_class = at(group, "per_class");
  if (!per_class.is_object() || per_class.empty()) return "";
  std::string rows;
  for (const auto& cls : context.classes) {
    const json& c = at(per_class, cls);
    if (c.is_null()) continue;
    const json& reasons = at(c, "reasons");
    rows += "<tr><td>" + escapeHtml(cls) + "</td><td>" + formatNumber(at(c, "support"), 0) +
            "</td><td>" + formatNumber(at(c, "precision")) + "</td><td>" +
            formatNumber(at(c, "recall")) + "</td><td>" + formatNumber(at(c, "f1")) + "</td>";
    for (const char* key : {"right_for_right_reasons", "right_for_wrong_reasons",
                            "wrong_but_on_the_region", "wrong_elsewhere"})
      rows += "<td>" + formatNumber(at(reasons, key), 0) + "</td>";
    rows += "</tr>";
  }
  return scroll(
             "<table><thead><tr><th>Class</th><th>Support</th><th>Precision</th><th>Recall</th>"
             "<th>F1</th><th>Right, right reasons</th><th>Right, wrong reasons</th>"
             "<th>Wrong, on the region</th><th>Wrong, elsewhere</th></tr></thead><tbody>" +
             rows + "</tbody></table>") +
         caption(
             "Per class: classification, and the right-for-the-right-reasons 2×2 — right "
             "or wrong prediction × the heatmap passing the macro test on the region.");
}

std::string partsTable(const Context& context, const json& group) {
  const json& per_class = at(group, "per_class");
  std::set<std::string> parts;
  for (const auto& cls : context.classes) {
    for (const char* kind : {"correct", "incorrect"}) {
      for (const auto& [part, share] :
           at(at(at(at(per_class, cls), "parts"), kind), "mean_share").items())
        parts.insert(part);
    }
  }
  if (parts.empty()) return "";
  std::vector<std::string> columns;
  for (const auto& part : parts)
    if (part != "background") columns.push_back(part);
  if (parts.count("background") != 0) columns.push_back("background");
  const json& right_region = at(context.metrics, "right_region");

  std::string head =
      "<tr><th>Class</th><th class=\"t\">Predictions</th><th>Images</th><th "
      "class=\"t\">Most often top</th>";
  for (const auto& part : columns)
    head += "<th>" + escapeHtml(part) + "</th>";
  head += "</tr>";
  std::string rows;
  for (const auto& cls : context.classes) {
    const std::string right = stringAt(right_region, cls);
    for (const char* kind : {"correct", "incorrect"}) {
      const json& tally = at(at(at(per_class, cls), "parts"), kind);
      if (!tally.is_object()) continue;
      std::string top = "–";
      std::int64_t best = -1;
      for (const auto& [part, count] : at(tally, "top_part_counts").items()) {
        if (count.is_number() && count.get<std::int64_t>() > best) {
          best = count.get<std::int64_t>();
          top = escapeHtml(part) + " (" + std::to_string(best) + ")";
        }
      }
      rows += "<tr><td>" + escapeHtml(cls) + "</td><td class=\"t\">" + kind + "</td><td>" +
              formatNumber(at(tally, "images"), 0) + "</td><td class=\"t\">" + top + "</td>";
      for (const auto& part : columns) {
        const bool is_right = part == right;
        rows += std::string(is_right ? "<td class=\"right-region\">" : "<td>") +
                formatNumber(at(at(tally, "mean_share"), part)) + "</td>";
      }
      rows += "</tr>";
    }
  }
  return scroll("<table class=\"parts\"><thead>" + head + "</thead><tbody>" + rows +
                "</tbody></table>") +
         caption(
             "Which labelled part holds the relevance, per class and correct or incorrect "
             "prediction: the part most often holding the most, and each part's mean "
             "share of the positive relevance (parts may overlap; the class's right region "
             "underlined).");
}

std::string groupBars(const std::vector<std::pair<std::string, const json*>>& groups) {
  if (groups.empty()) return "";
  bool localized = false;
  for (const auto& [label, group] : groups)
    localized = localized || hasLocalization(*group);
  BarChart chart;
  chart.series = {{"accuracy", "#3d8b5a"}};
  if (localized) {
    chart.series.push_back({"pointing game", "#2f6fb0"});
    chart.series.push_back({"mass accuracy", "#7a5bb0"});
  }
  for (const auto& [label, group] : groups) {
    BarGroup bars{label + " (" + formatNumber(at(*group, "images"), 0) + ")", {}};
    bars.values.push_back({number(at(*group, "accuracy")), std::nullopt});
    if (localized) {
      const json& localization = at(*group, "localization");
      for (const char* key : {"pointing_game", "mass_accuracy"}) {
        if (!hasLocalization(*group)) {
          bars.values.push_back({});
          continue;
        }
        bars.values.push_back({number(at(at(localization, "lrp"), key)),
                               number(at(at(localization, "uniform_map"), key))});
      }
    }
    chart.groups.push_back(std::move(bars));
  }
  return "<figure class=\"chart\">" + barLegendHtml(chart, localized ? "uniform-map floor" : "") +
         barChartSvg(chart) + "<figcaption>Per group (images in brackets): accuracy" +
         (localized
              ? std::string(", and the heatmaps' pointing game and mass accuracy, each with the "
                            "floor a uniform map scores as a dark tick")
              : std::string()) +
         ".</figcaption></figure>";
}

}  // namespace deepbug::eval::report
