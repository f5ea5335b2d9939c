// timeline.html: the training timeline page, written with deepbug-eval's HTML helpers
// (escaping, numbers, relative image paths) and its conventions: one self-contained file,
// inline CSS and SVG, no script, nothing fetched.
#include <algorithm>
#include <cmath>
#include <optional>
#include <string>
#include <vector>

#include "eval_report_html.hpp"
#include "explain_timeline.hpp"

namespace deepbug::train {

namespace {

using nlohmann::json;
namespace report = eval::report;
using report::escapeHtml;
using report::formatNumber;

constexpr const char* kStyle = R"css(
h3{font-size:1.05rem;margin:20px 0 8px}
th:first-child,td:first-child{text-align:left}
thead th{border-bottom:2px solid #c9ced4;font-weight:600}
figcaption{color:var(--muted);font-size:.82rem;margin:4px 0 0;overflow-wrap:anywhere}
.legend span{margin-right:14px;white-space:nowrap}
.legend svg{display:inline-block;vertical-align:middle;margin-right:4px}
.strip{display:grid;grid-template-columns:repeat(auto-fill,minmax(130px,1fr));gap:10px;margin:8px 0}
.shot img{width:100%;border-radius:3px}
@media (max-width:600px){main{padding:18px 12px 48px}.strip{grid-template-columns:repeat(auto-fill,minmax(100px,1fr))}}
)css";

struct Series {
  const char* name;
  const char* key;
  const char* colour;
  const char* dash;  // "" for a solid line
};

constexpr Series kSeries[] = {
    {"validation accuracy", "validation_accuracy", "#2f6fb0", ""},
    {"pointing game (probe)", "pointing", "#b3261e", "6 4"},
    {"mass accuracy (probe)", "mass_accuracy", "#1f7a3d", "2 3"},
};

std::optional<double> number(const json& entry, const char* key) {
  const json& v = report::at(entry, key);
  if (!v.is_number()) return std::nullopt;
  const double d = v.get<double>();
  return std::isfinite(d) ? std::optional<double>(d) : std::nullopt;
}

std::string fixed(double v) {
  return formatNumber(v, 1);
}

// Validation accuracy, pointing game and mass accuracy against the epoch, on [0, 1].
std::string chartSvg(const json& epochs) {
  const double width = 640, height = 260, left = 44, right = 16, top = 12, bottom = 40;
  const double plot_w = width - left - right, plot_h = height - top - bottom;
  std::vector<int> xs;
  for (const json& e : epochs)
    xs.push_back(e.value("epoch", 0));
  const int lo = xs.empty() ? 0 : xs.front(), hi = xs.empty() ? 1 : xs.back();
  const auto x = [&](int epoch) {
    return hi == lo ? left + plot_w / 2 : left + plot_w * (epoch - lo) / double(hi - lo);
  };
  const auto y = [&](double v) { return top + plot_h * (1.0 - std::clamp(v, 0.0, 1.0)); };
  std::string svg = "<svg viewBox=\"0 0 " + fixed(width) + " " + fixed(height) + "\" width=\"" +
                    fixed(width) +
                    "\" role=\"img\" aria-label=\"Validation accuracy, pointing game and mass "
                    "accuracy per explained epoch\">";
  for (int i = 0; i <= 4; ++i) {
    const double v = i / 4.0;
    svg += "<line x1=\"" + fixed(left) + "\" x2=\"" + fixed(width - right) + "\" y1=\"" +
           fixed(y(v)) + "\" y2=\"" + fixed(y(v)) + "\" stroke=\"#e3e6ea\"/>";
    svg += "<text x=\"" + fixed(left - 6) + "\" y=\"" + fixed(y(v) + 4) +
           "\" font-size=\"11\" text-anchor=\"end\" fill=\"#5b6570\">" + formatNumber(v, 2) +
           "</text>";
  }
  const std::size_t step = std::max<std::size_t>(1, (xs.size() + 11) / 12);
  for (std::size_t i = 0; i < xs.size(); ++i) {
    if (i % step != 0 && i + 1 != xs.size()) continue;
    svg += "<text x=\"" + fixed(x(xs[i])) + "\" y=\"" + fixed(top + plot_h + 16) +
           "\" font-size=\"11\" text-anchor=\"middle\" fill=\"#5b6570\">" + std::to_string(xs[i]) +
           "</text>";
  }
  svg += "<text x=\"" + fixed(left + plot_w / 2) + "\" y=\"" + fixed(height - 4) +
         "\" font-size=\"12\" text-anchor=\"middle\" fill=\"#5b6570\">epoch</text>";
  for (const Series& s : kSeries) {
    const std::string dash =
        *s.dash ? std::string(" stroke-dasharray=\"") + s.dash + "\"" : std::string();
    std::string points;  // a run of consecutive epochs with a value; a gap breaks the line
    const auto flush = [&] {
      if (points.find(' ') != std::string::npos) {
        svg += "<polyline fill=\"none\" stroke=\"" + std::string(s.colour) +
               "\" stroke-width=\"2\"" + dash + " points=\"" + points + "\"/>";
      }
      points.clear();
    };
    for (const json& e : epochs) {
      const std::optional<double> v = number(e, s.key);
      if (!v) {
        flush();
        continue;
      }
      const std::string px = fixed(x(e.value("epoch", 0))), py = fixed(y(*v));
      points += (points.empty() ? "" : " ") + px + "," + py;
      svg += "<circle cx=\"" + px + "\" cy=\"" + py + "\" r=\"3\" fill=\"" + s.colour +
             "\"><title>epoch " + std::to_string(e.value("epoch", 0)) + ": " + escapeHtml(s.name) +
             " " + formatNumber(*v) + "</title></circle>";
    }
    flush();
  }
  return svg + "</svg>";
}

// Older timelines (no probe_target) explained each probe image for its own class.
std::string probeTargetText(const json& timeline) {
  const std::string target = report::stringAt(timeline, "probe_target");
  if (target.empty() || target == "true class") return "its true class";
  return "class " + escapeHtml(target);
}

std::string legend() {
  std::string html = "<p class=\"legend\">";
  for (const Series& s : kSeries) {
    const std::string dash =
        *s.dash ? std::string(" stroke-dasharray=\"") + s.dash + "\"" : std::string();
    html +=
        "<span><svg width=\"24\" height=\"8\" aria-hidden=\"true\"><line x1=\"0\" x2=\"24\" "
        "y1=\"4\" y2=\"4\" stroke=\"" +
        std::string(s.colour) + "\" stroke-width=\"2\"" + dash + "/></svg>" + escapeHtml(s.name) +
        "</span>";
  }
  return html + "</p>";
}

std::string strip(const json& list) {
  if (!list.is_array() || list.empty()) return "<p class=\"notes\">No image.</p>";
  std::string html = "<div class=\"strip\">";
  for (const json& item : list) {
    const std::string image = report::stringAt(item, "image");
    const std::string overlay = report::stringAt(item, "overlay");
    html += "<figure class=\"shot\">";
    if (report::isInsideFolder(overlay)) {
      html += "<a href=\"" + escapeHtml(report::urlPath(overlay)) + "\">" +
              report::imageTag(overlay, "LRP overlay of " + image) + "</a>";
    }
    html += "<figcaption>" + escapeHtml(image) + "<br>" +
            escapeHtml(report::stringAt(item, "true_class")) +
            ", p = " + formatNumber(report::at(item, "probability")) + "</figcaption></figure>";
  }
  return html + "</div>";
}

}  // namespace

std::string timelineHtml(const json& timeline) {
  const json& epochs = report::at(timeline, "epochs");
  const json empty = json::array();
  const json& list = epochs.is_array() ? epochs : empty;
  const std::string model = report::stringAt(timeline, "model", "model");
  std::string html =
      "<!doctype html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">"
      "<meta name=\"viewport\" content=\"width=device-width,initial-scale=1\">"
      "<title>Training timeline: " +
      escapeHtml(model) + "</title><style>" + report::baseStyle() + kStyle +
      "</style></head><body><main>";
  html += "<h1>Training timeline</h1><p class=\"lead\">" + escapeHtml(model) + " (" +
          escapeHtml(report::stringAt(timeline, "architecture")) + "), explained with LRP (" +
          escapeHtml(report::stringAt(timeline, "composite")) +
          ", contrastive; the best and worst images for their true class) " +
          (report::at(timeline, "every") == json(1)
               ? std::string("after every epoch.")
               : "every " + formatNumber(report::at(timeline, "every"), 0) +
                     " epochs and after the last.") +
          "</p>";

  std::string regions;
  if (const json* right = report::member(timeline, "right_region"); right && right->is_object()) {
    for (const auto& [cls, region] : right->items()) {
      regions += (regions.empty() ? "" : ", ") + escapeHtml(cls) + " → " +
                 escapeHtml(region.is_string() ? region.get<std::string>() : "");
    }
  }
  const json& probe = report::at(timeline, "probe_images");
  html += "<dl class=\"facts\"><dt>Explain set</dt><dd>" +
          escapeHtml(report::stringAt(timeline, "explain_set")) + " (" +
          formatNumber(report::at(timeline, "explain_images"), 0) + " images)</dd>";
  html += "<dt>Right regions</dt><dd>" + (regions.empty() ? std::string("none") : regions) +
          "</dd><dt>Probe set</dt><dd>" + std::to_string(probe.is_array() ? probe.size() : 0) +
          " images, the same every epoch, each explained for " + probeTargetText(timeline) +
          "</dd>";
  html += "<dt>Explaining</dt><dd>" + formatNumber(report::at(timeline, "explain_seconds"), 1) +
          " s beside " + formatNumber(report::at(timeline, "training_seconds"), 1) +
          " s of training (" +
          (report::at(timeline, "overhead").is_number()
               ? formatNumber(100 * report::at(timeline, "overhead").get<double>(), 1) + " %"
               : std::string("–")) +
          ")</dd></dl>";

  html += "<nav class=\"toc\">";
  for (const json& e : list) {
    const std::string n = std::to_string(e.value("epoch", 0));
    html += "<a href=\"#epoch-" + n + "\">Epoch " + n + "</a>";
  }
  html += "</nav>";

  html += "<h2>Learning curves</h2><figure>" + legend() + chartSvg(list) +
          "<figcaption>Pointing game: share of probe images whose hottest pixel lies on "
          "the explained class's region. Mass accuracy: share of the positive relevance on "
          "the region, averaged over the probe images.</figcaption></figure>";
  html +=
      "<div class=\"scroll\"><table><thead><tr><th>Epoch</th><th>Validation "
      "accuracy</th><th>Pointing game</th><th>Mass accuracy</th><th>Explain "
      "seconds</th></tr></thead><tbody>";
  for (const json& e : list) {
    html += "<tr><td>" + std::to_string(e.value("epoch", 0)) + "</td><td>" +
            formatNumber(report::at(e, "validation_accuracy")) + "</td><td>" +
            formatNumber(report::at(e, "pointing")) + "</td><td>" +
            formatNumber(report::at(e, "mass_accuracy")) + "</td><td>" +
            formatNumber(report::at(e, "seconds"), 2) + "</td></tr>";
  }
  html += "</tbody></table></div>";

  for (const json& e : list) {
    const std::string n = std::to_string(e.value("epoch", 0));
    html += "<h2 id=\"epoch-" + n + "\">Epoch " + n +
            "</h2><p class=\"notes\">Validation "
            "accuracy " +
            formatNumber(report::at(e, "validation_accuracy")) + ", pointing game " +
            formatNumber(report::at(e, "pointing")) + ", mass accuracy " +
            formatNumber(report::at(e, "mass_accuracy")) + ".</p>";
    html += "<h3>Best: highest true-class probability</h3>" + strip(report::at(e, "best"));
    html += "<h3>Worst: lowest true-class probability</h3>" + strip(report::at(e, "worst"));
  }
  html += "</main></body></html>\n";
  return html;
}

}  // namespace deepbug::train
