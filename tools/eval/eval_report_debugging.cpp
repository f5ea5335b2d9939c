// The report's sections on what a model learned and whether its heatmaps can be
// trusted: strategies (spectral relevance analysis per class), faithfulness (region
// perturbation) and the model randomisation sanity check (eval_report_sections.hpp).
#include "eval_report_html.hpp"
#include "eval_report_sections.hpp"
#include "eval_report_svg.hpp"

namespace deepbug::eval::report {
namespace {

using nlohmann::json;

std::string clusterName(const json& group) {
  return "cluster " + formatNumber(at(group, "cluster"), 0);
}

// "overlay 1 ×84 · 0 ×3": how a cluster's images spread over each --attributes column.
std::string attributeCounts(const json& group) {
  const json* attributes = member(group, "attributes");
  if (attributes == nullptr || !attributes->is_object()) return "";
  std::string text;
  for (const auto& [column, values] : attributes->items()) {
    if (!values.is_object()) continue;
    text += (text.empty() ? "" : "<br>") + escapeHtml(column);
    std::string counts;
    for (const auto& [value, count] : values.items())
      counts += (counts.empty() ? " " : " · ") + escapeHtml(value) + " ×" + formatNumber(count, 0);
    text += counts;
  }
  return text;
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
            (flagged ? "⚑ evidence off the right region" : "") + "</td><td class=\"t\">" +
            attributeCounts(group) + "</td></tr>";
  }
  return scroll(
      "<table><thead><tr><th class=\"t\">Cluster</th><th>Images</th><th>Share</th>"
      "<th>Accuracy</th><th>Mass accuracy</th><th class=\"t\">Top part</th>"
      "<th class=\"t\"></th><th class=\"t\">Attributes</th></tr></thead><tbody>" +
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
        if (p.is_array() && p.size() == 3 && p[0].is_number() && p[1].is_number() &&
            p[2].is_number_integer()) {
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

std::string sanitySection(const json& figures) {
  const json* s = member(figures, "sanity");
  if (s == nullptr || !s->is_object()) return "";
  const json* layers = member(*s, "layers");
  if (layers == nullptr || !layers->is_array() || layers->empty()) return "";
  struct Figure {
    const char* key;
    const char* name;
    const char* colour;
  };
  const Figure kinds[] = {{"spearman_abs", "Spearman ρ of |maps|", "#2f6fb0"},
                          {"spearman", "Spearman ρ", "#d9822b"},
                          {"ssim", "SSIM", "#3d8b5a"}};
  std::vector<LineSeries> lines;
  BarChart key;
  for (const Figure& kind : kinds) {
    LineSeries line{kind.name, kind.colour, {}};
    bool whole = true;
    for (const auto& layer : *layers) {
      const json& mean = at(at(layer, kind.key), "mean");
      if (!mean.is_number()) whole = false;
      if (whole) line.values.push_back(mean.get<double>());
    }
    // A line with a gap would put its points at the wrong k: the table shows it instead.
    if (!whole) continue;
    lines.push_back(line);
    key.series.push_back({kind.name, kind.colour});
  }
  std::string rows;
  for (const auto& layer : *layers) {
    std::string cells;
    for (const Figure& kind : kinds) {
      const json& f = at(layer, kind.key);
      cells += "<td>" + formatNumber(at(f, "mean")) + " (" + formatNumber(at(f, "min"), 2) + "…" +
               formatNumber(at(f, "max"), 2) + ")</td>";
    }
    const std::string name = stringAt(layer, "layer");
    rows += "<tr><td>" + formatNumber(at(layer, "k"), 0) + "</td><td class=\"t\">" +
            (name.empty() ? std::string("none (the trained model)") : escapeHtml(name)) + "</td>" +
            cells + "</tr>";
  }
  const bool flagged = s->value("flagged", false);
  std::string html = "<h4>Sanity check</h4>";
  if (!lines.empty()) {
    html += barLegendHtml(key) + "<div class=\"figures\"><figure>" +
            lineChartSvg(lines, "layers re-initialised from the top (k)",
                         "similarity to the trained model's maps") +
            "</figure></div>";
  }
  html += scroll(
      "<table><thead><tr><th>k</th><th class=\"t\">Layer re-initialised</th>"
      "<th>Spearman ρ of |maps| (min…max)</th><th>Spearman ρ</th><th>SSIM</th></tr></thead>"
      "<tbody>" +
      rows + "</tbody></table>");
  if (flagged) {
    html += "<p class=\"wrong\">⚑ With every layer re-initialised the maps still correlate " +
            formatNumber(at(at(layers->back(), "spearman_abs"), "mean"), 2) +
            " (Spearman of |maps|, flagged from " + formatNumber(at(*s, "threshold"), 2) +
            ") with the trained model's: this method explains the input, not the model.</p>";
  }
  return html + caption(
                    "Model randomisation (Adebayo et al. 2018, \"Sanity checks for saliency "
                    "maps\"): the model's convolution and linear layers re-initialised from the "
                    "output down, k at a time, the same " +
                    formatNumber(at(*s, "images"), 0) +
                    " images explained for the same classes, each map compared with the trained "
                    "model's (mean over the images); a map that does not change as the model is "
                    "destroyed does not explain the model. k = 0 must give 1.");
}

}  // namespace deepbug::eval::report
