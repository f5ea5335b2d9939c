// The report's sections on what a model learned and whether its heatmaps can be
// trusted: strategies (spectral relevance analysis per class) and faithfulness (region
// perturbation) (eval_report_sections.hpp).
#include "eval_report_html.hpp"
#include "eval_report_sections.hpp"
#include "eval_report_svg.hpp"

namespace deepbug::eval::report {
namespace {

using nlohmann::json;

std::string clusterName(const json& group) {
  return "cluster " + formatNumber(at(group, "cluster"), 0);
}

std::string clusterTable(const json& groups) {
  std::string rows;
  constexpr std::size_t kColours = sizeof(kGroupColours) / sizeof(kGroupColours[0]);
  for (const auto& group : groups) {
    const auto cluster = static_cast<std::size_t>(group.value("cluster", 0));
    const bool flagged = group.value("flagged", false);
    rows += std::string("<tr") + (flagged ? " class=\"flagged\"" : "") +
            "><td class=\"t\"><span class=\"dot\" style=\"background:" +
            kGroupColours[cluster % kColours] + "\"></span>" + escapeHtml(clusterName(group)) +
            "</td><td>" + formatNumber(at(group, "size"), 0) + "</td><td>" +
            formatNumber(at(group, "share"), 2) + "</td><td>" +
            formatNumber(at(group, "accuracy")) + "</td><td>" +
            formatNumber(at(group, "mass_accuracy")) + "</td><td class=\"t\">" +
            escapeHtml(stringAt(group, "top_part", "–")) + "</td><td class=\"t\">" +
            (flagged ? "⚑ evidence off the right region" : "") + "</td></tr>";
  }
  return scroll(
      "<table><thead><tr><th class=\"t\">Cluster</th><th>Images</th><th>Share</th>"
      "<th>Accuracy</th><th>Mass accuracy</th><th class=\"t\">Top part</th>"
      "<th class=\"t\"></th></tr></thead><tbody>" +
      rows + "</tbody></table>");
}

}  // namespace

std::string strategiesSection(const Context& context, const json& figures) {
  const json* strategies = member(figures, "strategies");
  if (strategies == nullptr || !strategies->is_object() || strategies->empty()) return "";
  std::string html = "<h3>Strategies</h3>";
  for (const auto& [cls, found] : strategies->items()) {
    const json& groups = at(found, "groups");
    if (!groups.is_array() || groups.empty()) continue;
    std::vector<ScatterPoint> points;
    if (const json* plane = member(found, "plane"); plane != nullptr && plane->is_array()) {
      for (const auto& p : *plane) {
        if (p.is_array() && p.size() == 3 && p[0].is_number() && p[1].is_number()) {
          points.push_back({p[0].get<double>(), p[1].get<double>(), p[2].get<int>()});
        }
      }
    }
    html += "<h4>" + escapeHtml(cls) + ": " + formatNumber(at(found, "clusters"), 0) +
            " strategies over " + formatNumber(at(found, "images"), 0) + " images</h4>";
    html += "<div class=\"figures\"><figure>" +
            scatterSvg(points, "spectral embedding of " + cls + "'s heatmaps") +
            "</figure><figure>" + clusterTable(groups) + "</figure></div>";
    for (const auto& group : groups) {
      std::string head;
      const std::string heatmap = stringAt(group, "heatmap");
      if (context.showable(heatmap)) {
        head = "<figure class=\"shot average\">" +
               imageTag(heatmap, "mean heatmap of " + cls + ", " + clusterName(group)) +
               "<figcaption><b>" + escapeHtml(clusterName(group)) +
               "</b> · mean</figcaption></figure>";
      }
      const std::string grid = galleryGrid(context, at(group, "closest"));
      if (head.empty() && grid.empty()) continue;
      html += "<div class=\"strategy\">" + head + grid + "</div>";
    }
  }
  return html + caption(
                    "Spectral relevance analysis (Lapuschkin et al. 2019): each class's heatmaps, "
                    "pooled and scaled, grouped by a k-nearest-neighbour graph's spectrum "
                    "(cluster count by the eigengap), plotted on the embedding's second and third "
                    "eigenvectors. Each cluster shows its mean heatmap and the images nearest its "
                    "centre; one whose evidence lies mostly off the right region is flagged — "
                    "where a shortcut such as a watermark or a timestamp shows up.");
}

std::string faithfulnessSection(const json& figures) {
  const json* f = member(figures, "faithfulness");
  if (f == nullptr || !f->is_object()) return "";
  struct Order {
    const char* key;
    const char* name;
    const char* colour;
  };
  const Order orders[] = {{"morf", "most relevant first (MoRF)", "#2f6fb0"},
                          {"lerf", "least relevant first (LeRF)", "#3d8b5a"},
                          {"random", "random order", "#9aa3ad"}};
  std::vector<LineSeries> lines;
  std::string rows;
  BarChart key;
  for (const Order& order : orders) {
    const json& o = at(*f, order.key);
    LineSeries line{order.name, order.colour, {}};
    if (const json* curve = member(o, "curve"); curve != nullptr && curve->is_array()) {
      for (const auto& v : *curve) {
        if (v.is_number()) line.values.push_back(v.get<double>());
      }
    }
    lines.push_back(line);
    key.series.push_back({order.name, order.colour});
    rows += std::string("<tr><td>") + order.name + "</td><td>" + formatNumber(at(o, "aopc")) +
            "</td></tr>";
  }
  const bool flagged = f->value("flagged", false);
  rows += "<tr><td>ABPC = AOPC(MoRF) − AOPC(LeRF)</td><td>" + formatNumber(at(*f, "abpc")) +
          "</td></tr>";
  return "<h4>Faithfulness</h4>" + barLegendHtml(key) + "<div class=\"figures\"><figure>" +
         lineChartSvg(lines, "patches removed (" + formatNumber(at(*f, "steps"), 0) + " steps)",
                      "target logit under region perturbation") +
         "</figure><figure>" +
         scroll("<table><thead><tr><th>Order</th><th>AOPC</th></tr></thead><tbody>" + rows +
                "</tbody></table>") +
         (flagged ? "<p class=\"wrong\">⚑ MoRF does no better than a random order: this "
                    "method's ranking does not find what the model uses.</p>"
                  : "") +
         "</figure></div>" +
         caption("Region perturbation on " + formatNumber(at(*f, "images"), 0) +
                 " images: " + formatNumber(at(*f, "patch_size"), 0) +
                 "-px patches replaced by the image's mean colour, the mean target logit after "
                 "each step. AOPC (Samek et al. 2017): the mean drop; a faithful map drops the "
                 "logit fast under MoRF, slowly under LeRF (ABPC, Schulz et al. 2020).");
}

}  // namespace deepbug::eval::report
