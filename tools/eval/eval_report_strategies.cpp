// The report's strategies section: spectral relevance analysis per class
// (eval_report_sections.hpp).
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
            scatterSvg(points, "spectral embedding of " + cls + "'s heatmaps") + "</figure><figure>" +
            clusterTable(groups) + "</figure></div>";
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

}  // namespace deepbug::eval::report
