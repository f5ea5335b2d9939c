#include "eval_report.hpp"

#include <fstream>
#include <sstream>

#include "core/error.hpp"
#include "eval_report_html.hpp"
#include "eval_report_sections.hpp"

namespace deepbug::eval {
namespace {

namespace fs = std::filesystem;
using nlohmann::json;
using report::anchorId;
using report::caption;
using report::escapeHtml;
using report::formatNumber;
using report::member;

// System fonts, one readable column, light rules; nothing fetched.
constexpr const char* kStyle = R"css(
h3{font-size:1.05rem;margin:28px 0 8px}
h4{font-size:.95rem;margin:24px 0 8px;color:#3a434d}
th:first-child,td:first-child,th.t,td.t{text-align:left}
thead th{border-bottom:2px solid #c9ced4;font-weight:600;white-space:normal;min-width:4.5em}
tbody tr:hover{background:var(--soft)}
.floor{display:block;color:var(--muted);font-size:.8em}
td.right-region{text-decoration:underline;font-weight:600}
.caption,figcaption{color:var(--muted);font-size:.82rem;margin:4px 0 0;overflow-wrap:anywhere}
.figures{display:flex;flex-wrap:wrap;gap:20px 32px;align-items:flex-start;margin:8px 0}
.figures>figure{flex:1 1 300px;min-width:0;max-width:100%}
.legend span{margin-right:12px;white-space:nowrap}
.legend i{display:inline-block;width:10px;height:10px;margin-right:4px;vertical-align:-1px;border-radius:2px}
.legend i.tick{width:3px;background:#1d232a;border-radius:0}
.gallery{display:grid;grid-template-columns:repeat(auto-fill,minmax(150px,1fr));gap:12px;margin:8px 0}
.gallery.wide{grid-template-columns:repeat(auto-fill,minmax(220px,1fr))}
.shot img{width:100%;image-rendering:auto;border-radius:3px}
.pair{display:flex;gap:6px}.pair img{flex:1 1 0;min-width:0}
.right{color:#1f7a3d}.wrong{color:#b3261e}
.strip{display:grid;grid-template-columns:minmax(120px,220px) repeat(2,minmax(0,300px));gap:10px;align-items:start;padding:10px 0;border-bottom:1px solid var(--rule)}
.strip-head{margin:0;font-size:.85rem;overflow-wrap:anywhere}
.missing{color:var(--muted);font-size:.8rem;padding:24px 0;text-align:center}
.dot{display:inline-block;width:10px;height:10px;border-radius:50%;margin-right:6px;vertical-align:-1px}
tr.flagged td{background:#fdf1e6}
.strategy{display:grid;grid-template-columns:minmax(110px,160px) minmax(0,1fr);gap:12px;align-items:start;padding:8px 0;border-bottom:1px solid var(--rule)}
.strategy .gallery{margin:0}
.shot.average img{image-rendering:pixelated}
@media (max-width:600px){
 main{padding:18px 12px 48px}
 .strip{grid-template-columns:minmax(0,1fr) minmax(0,1fr)}
 .strip-head{grid-column:1/-1}
 .gallery{grid-template-columns:repeat(auto-fill,minmax(130px,1fr))}
 .strategy{grid-template-columns:minmax(0,1fr)}
}
)css";

std::string joined(const json& list) {
  std::string out;
  if (!list.is_array()) return out;
  for (const auto& item : list) {
    if (!item.is_string()) continue;
    if (!out.empty()) out += ", ";
    out += escapeHtml(item.get<std::string>());
  }
  return out;
}

std::string header(const report::Context& context) {
  const json& m = context.metrics;
  std::string html = "<h1>deepbug-eval report</h1><p class=\"lead\">";
  std::vector<std::string> models;
  if (const json* all = member(m, "models"); all != nullptr && all->is_object()) {
    for (const auto& [name, entry] : all->items())
      models.push_back(name);
  }
  html += std::to_string(models.size()) + (models.size() == 1 ? " model" : " models") + " over " +
          formatNumber(m.value("images", json()), 0) + " images of " +
          escapeHtml(report::stringAt(m, "data", "?")) + "</p><dl class=\"facts\">";
  std::string classes;
  for (const auto& cls : context.classes) {
    if (!classes.empty()) classes += ", ";
    classes += escapeHtml(cls);
    const std::string region = report::stringAt(m.value("right_region", json()), cls);
    if (!region.empty()) classes += " (region " + escapeHtml(region) + ")";
  }
  html += "<dt>Classes</dt><dd>" + (classes.empty() ? "–" : classes) + "</dd>";
  if (const std::string variations = joined(m.value("variations", json())); !variations.empty())
    html += "<dt>Variations</dt><dd>" + variations + "</dd>";
  if (const std::string missing = joined(m.value("classes_without_region", json()));
      !missing.empty())
    html += "<dt>No region</dt><dd>" + missing + "</dd>";
  for (const auto& name : models) {
    html += "<dt>Model " + escapeHtml(name) + "</dt><dd>" +
            escapeHtml(report::stringAt(m["models"][name], "path")) + "</dd>";
  }
  if (const json* options = member(m, "options"); options != nullptr && options->is_object()) {
    std::string text;
    for (const auto& [key, value] : options->items()) {
      if (!text.empty()) text += " · ";
      text += escapeHtml(key) + " " +
              escapeHtml(value.is_string() ? value.get<std::string>() : value.dump());
    }
    html += "<dt>Options</dt><dd>" + text + "</dd>";
  }
  if (const json* seconds = member(m, "seconds"); seconds != nullptr && seconds->is_number())
    html += "<dt>Time</dt><dd>" + formatNumber(*seconds, 1) + " s</dd>";
  return html + "</dl>";
}

// A named group of figures (all, a variation, an attribute's value): its figures.
std::string groupDetails(const report::Context& context, const json& group,
                         const std::string& what) {
  std::string html = "<div class=\"figures\">" + report::confusionFigure(context, group, what) +
                     report::localizationFigure(group) + "</div>";
  html += report::perClassTable(context, group);
  if (const std::string parts = report::partsTable(context, group); !parts.empty())
    html += "<h4>Parts</h4>" + parts;
  return html;
}

std::string modelSection(const report::Context& context, const std::string& model,
                         const std::string& composite, const json& figures) {
  std::string html = "<section id=\"" + anchorId(model + "--" + composite) + "\"><h2>" +
                     escapeHtml(model) + " · " + escapeHtml(composite) + "</h2>";
  const json& all = figures.value("all", json());
  html += groupDetails(context, all, "all images");

  std::vector<std::pair<std::string, const json*>> variations;
  if (const json* v = member(figures, "variations"); v != nullptr && v->is_object()) {
    for (const auto& [name, group] : v->items())
      variations.emplace_back(name, &group);
  }
  if (!variations.empty()) {
    html += "<h3>Per variation</h3>" + report::groupBars(variations);
    std::string matrices;
    for (const auto& [name, group] : variations)
      matrices += report::confusionFigure(context, *group, "variation " + name);
    html += "<div class=\"figures\">" + matrices + "</div>";
  }
  if (const json* attributes = member(figures, "attributes");
      attributes != nullptr && attributes->is_object()) {
    for (const auto& [attribute, values] : attributes->items()) {
      std::vector<std::pair<std::string, const json*>> groups;
      if (values.is_object()) {
        for (const auto& [value, group] : values.items())
          groups.emplace_back(value, &group);
      }
      if (groups.empty()) continue;
      html += "<h3>Per " + escapeHtml(attribute) + "</h3>" + report::groupBars(groups);
    }
  }
  html += report::galleries(context, model, composite, figures);
  html += report::classAverages(context, figures);
  html += report::faithfulnessSection(figures);
  html += report::sanitySection(figures);
  html += report::strategiesSection(context, figures);
  return html + "</section>";
}

}  // namespace

std::string renderReport(const json& metrics, const ReportOptions& options) {
  report::Context context{metrics, {}, options.file_exists};
  if (const json* classes = member(metrics, "classes"); classes != nullptr && classes->is_array()) {
    for (const auto& cls : *classes)
      if (cls.is_string()) context.classes.push_back(cls.get<std::string>());
  }
  std::string body = header(context);

  std::string toc, sections;
  if (const json* models = member(metrics, "models"); models != nullptr && models->is_object()) {
    for (const auto& [model, entry] : models->items()) {
      const json* composites = member(entry, "composites");
      if (composites == nullptr || !composites->is_object()) continue;
      for (const auto& [composite, figures] : composites->items()) {
        toc += "<a href=\"#" + anchorId(model + "--" + composite) + "\">" + escapeHtml(model) +
               " · " + escapeHtml(composite) + "</a>";
        sections += modelSection(context, model, composite, figures);
      }
    }
  }
  const std::string comparison = report::comparisonSection(context);
  if (!comparison.empty()) toc += "<a href=\"#comparison\">models compared</a>";
  if (!toc.empty()) body += "<nav class=\"toc\">" + toc + "</nav>";
  body += "<section id=\"summary\"><h2>Summary</h2>" + report::summaryTable(context) +
          "</section>" + sections + comparison;

  if (const json* skipped = member(metrics, "skipped_images");
      skipped != nullptr && skipped->is_array() && !skipped->empty()) {
    std::string items;
    for (const auto& item : *skipped)
      items +=
          "<li>" + escapeHtml(item.is_string() ? item.get<std::string>() : item.dump()) + "</li>";
    body += "<section id=\"skipped\"><h2>Skipped images</h2><ul class=\"notes\">" + items +
            "</ul>" + caption("Images that could not be read; no figure counts them.") +
            "</section>";
  }
  body +=
      "<h2>Definitions</h2><dl class=\"facts notes\">"
      "<dt>pointing game</dt><dd>share of images whose most relevant pixel lies in the "
      "right region</dd>"
      "<dt>mass accuracy</dt><dd>share of the positive relevance inside the region</dd>"
      "<dt>rank accuracy</dt><dd>share of the region's size in top-ranked pixels that lie "
      "inside it</dd>"
      "<dt>top-k</dt><dd>share of the k most relevant pixels inside the region</dd>"
      "<dt>ROC-AUC</dt><dd>how well relevance ranks region pixels above the rest</dd>"
      "<dt>macro pass</dt><dd>share of images whose mass accuracy reaches the threshold</dd>"
      "<dt>floors</dt><dd>the same figures for a uniform map and a seeded random map: what "
      "a heatmap without information scores</dd></dl>";

  return "<!doctype html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">"
         "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">"
         "<title>deepbug-eval report: " +
         escapeHtml(report::stringAt(metrics, "data", "evaluation")) + "</title><style>" +
         report::baseStyle() + kStyle + "</style></head><body><main>" + body +
         "</main></body></html>\n";
}

void writeReport(const fs::path& dir) {
  const fs::path source = dir / "metrics.json";
  std::ifstream in(source);
  if (!in) throw ConfigError("cannot read '" + source.string() + "'", "run deepbug-eval first");
  json metrics;
  try {
    metrics = json::parse(in);
  } catch (const json::parse_error& error) {
    throw ConfigError("'" + source.string() + "' is not JSON: " + error.what());
  }
  ReportOptions options;
  options.file_exists = [&dir](const std::string& path) {
    std::error_code error;
    return fs::is_regular_file(dir / path, error);
  };
  const std::string page = renderReport(metrics, options);
  const fs::path target = dir / "report.html";
  std::ofstream out(target, std::ios::binary);
  out << page;
  out.close();
  if (!out) throw std::runtime_error("cannot write '" + target.string() + "'");
}

}  // namespace deepbug::eval
