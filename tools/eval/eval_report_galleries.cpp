// The report's galleries: images with captions, class averages, the strips of images two
// models disagree on (eval_report_sections.hpp).
#include <cstdint>
#include <filesystem>

#include "eval_report_html.hpp"
#include "eval_report_sections.hpp"

namespace deepbug::eval::report {
namespace {

using nlohmann::json;

constexpr std::size_t kMaxGallery = 60;  // images per gallery or strip list; metrics.json lists all

std::string stem(const std::string& image) {
  return std::filesystem::path(image).replace_extension().string();
}

// One image of a gallery: its overlay (or heatmap), the image's name, class → prediction.
std::string galleryItem(const Context& context, const json& entry) {
  const std::string image = stringAt(entry, "image");
  std::string shown = stringAt(entry, "overlay");
  if (!context.showable(shown)) shown = stringAt(entry, "heatmap");
  if (!context.showable(shown)) return "";
  const std::string cls = stringAt(entry, "class");
  const std::string predicted = stringAt(entry, "predicted");
  const json* correct_value = member(entry, "correct");
  const bool correct = correct_value != nullptr && correct_value->is_boolean()
                           ? correct_value->get<bool>()
                           : (!cls.empty() && cls == predicted);
  std::string html = "<figure class=\"shot\">" + imageTag(shown, image) + "<figcaption><b>" +
                     escapeHtml(image) + "</b><br>";
  if (!cls.empty()) {
    html += escapeHtml(cls);
    if (!predicted.empty()) {
      html += " → <span class=\"" + std::string(correct ? "right" : "wrong") + "\">" +
              escapeHtml(predicted) + (correct ? " ✓" : " ✗") + "</span>";
    }
  }
  if (const json* mass = member(entry, "mass_accuracy"); mass != nullptr && mass->is_number()) {
    html += "<br>mass accuracy " + formatNumber(*mass);
  }
  const std::string heatmap = stringAt(entry, "heatmap");
  if (heatmap != shown && context.showable(heatmap)) {
    html += " · <a href=\"" + escapeHtml(urlPath(heatmap)) + "\">heatmap</a>";
  }
  return html + "</figcaption></figure>";
}

}  // namespace

std::string galleryGrid(const Context& context, const json& entries) {
  std::string items;
  std::size_t shown = 0;
  for (const auto& entry : entries) {
    if (shown == kMaxGallery) break;
    const std::string item = galleryItem(context, entry);
    if (item.empty()) continue;
    items += item;
    ++shown;
  }
  if (items.empty()) return "";
  std::string html = "<div class=\"gallery\">" + items + "</div>";
  if (entries.size() > shown) {
    html += caption("The first " + std::to_string(shown) + " of " + std::to_string(entries.size()) +
                    " images; metrics.json lists all.");
  }
  return html;
}

std::string galleries(const Context& context, const std::string& model,
                      const std::string& composite, const json& figures) {
  const json& gallery = at(figures, "gallery");
  struct Kind {
    const char* key;
    const char* title;
    const char* definition;
  };
  static constexpr Kind kinds[] = {
      {"right_for_wrong_reasons", "Right for the wrong reasons",
       "Predicted right, but the heatmap fails the macro test on the right region: the model "
       "may use something else."},
      {"best", "Best localised", "The images whose relevance lies most on the right region."},
      {"worst", "Worst localised", "The images whose relevance lies least on the right region."},
      {"sample", "Sample", "A sample of the images, as the model explains them."}};
  std::string html;
  for (const auto& kind : kinds) {
    const json& entries = at(gallery, kind.key);
    if (!entries.is_array() || entries.empty()) continue;
    const std::string grid = galleryGrid(context, entries);
    if (grid.empty()) continue;
    html += "<h4>" + std::string(kind.title) + "</h4>" + grid + caption(kind.definition);
  }
  if (member(gallery, "right_for_wrong_reasons") == nullptr) {
    // Without a gallery: the list of `all`, shown by the heatmaps' naming scheme.
    json entries = json::array();
    const json& names = at(at(figures, "all"), "right_for_wrong_reasons");
    if (names.is_array()) {
      for (const auto& name : names) {
        if (!name.is_string()) continue;
        const std::string base =
            "heatmaps/" + model + "/" + composite + "/" + stem(name.get<std::string>());
        const std::string cls = std::filesystem::path(name.get<std::string>()).begin()->string();
        entries.push_back({{"image", name},
                           {"class", cls},
                           {"predicted", cls},
                           {"correct", true},
                           {"overlay", base + ".overlay.png"},
                           {"heatmap", base + ".heatmap.png"}});
      }
    }
    const std::string grid = galleryGrid(context, entries);
    if (!grid.empty()) {
      html = "<h4>Right for the wrong reasons</h4>" + grid +
             caption(
                 "Predicted right, but the heatmap fails the macro test on the right "
                 "region: the model may use something else.") +
             html;
    }
  }
  return html;
}

std::string classAverages(const Context& context, const json& figures) {
  const json& averages = at(figures, "class_averages");
  if (!averages.is_array()) return "";
  std::string items;
  bool aligned_any = false;
  for (const auto& entry : averages) {
    const std::string heatmap = stringAt(entry, "heatmap");
    if (!context.showable(heatmap)) continue;
    const std::string cls = stringAt(entry, "class");
    const std::string group = stringAt(entry, "group", "all");
    const std::string aligned = stringAt(entry, "aligned");
    const bool with_aligned = context.showable(aligned);
    aligned_any = aligned_any || with_aligned;
    items += "<figure class=\"shot average\"><div class=\"pair\">" +
             imageTag(heatmap, "mean heatmap of " + cls + ", " + group);
    if (with_aligned) items += imageTag(aligned, "aligned mean heatmap of " + cls + ", " + group);
    items += "</div><figcaption><b>" + escapeHtml(cls) + "</b> · " + escapeHtml(group) + " · " +
             formatNumber(at(entry, "images"), 0) + " images</figcaption></figure>";
  }
  if (items.empty()) return "";
  return "<h4>Class averages</h4><div class=\"gallery wide\">" + items + "</div>" +
         caption(std::string("The mean heatmap over a class's images") +
                 (aligned_any ? "; beside it, the mean after aligning each image's right "
                                "region (--align)."
                              : ".") +
                 " Where a class's relevance lies on average.");
}

std::string comparisonSection(const Context& context) {
  const json& comparison = at(context.metrics, "comparison");
  if (!comparison.is_array() || comparison.empty()) return "";
  std::string rows, strips;
  for (const auto& entry : comparison) {
    const json& models = at(entry, "models");
    if (!models.is_array() || models.size() != 2 || !models[0].is_string() ||
        !models[1].is_string())
      continue;
    const std::string a = models[0].get<std::string>(), b = models[1].get<std::string>();
    rows += "<tr><td>" + escapeHtml(a) + " vs " + escapeHtml(b) + "</td><td>" +
            formatNumber(at(entry, "only_first_right"), 0) + "</td><td>" +
            formatNumber(at(entry, "only_second_right"), 0) + "</td><td class=\"t\">" +
            escapeHtml(stringAt(entry, "test")) + "</td><td>" +
            formatNumber(at(entry, "statistic")) + "</td><td>" +
            formatNumber(at(entry, "p_value"), 4) + "</td></tr>";
    for (const auto& [composite, list] : at(entry, "disagreements").items()) {
      if (!list.is_array() || list.empty()) continue;
      std::string items;
      std::size_t shown = 0;
      for (const auto& item : list) {
        if (shown == kMaxGallery) break;
        const std::string image = stringAt(item, "image");
        const std::string cls = stringAt(item, "class");
        std::string figures;
        for (const auto& model : {a, b}) {
          const std::string overlay = stringAt(at(item, "overlays"), model);
          const std::string predicted = stringAt(at(item, "predicted"), model);
          const bool right = !predicted.empty() && predicted == cls;
          figures += "<figure class=\"shot\">" +
                     (context.showable(overlay) ? imageTag(overlay, model + ": " + image)
                                                : std::string("<div class=\"missing\">no "
                                                              "heatmap</div>")) +
                     "<figcaption><b>" + escapeHtml(model) + "</b> → <span class=\"" +
                     (right ? "right" : "wrong") + "\">" + escapeHtml(predicted) +
                     (right ? " ✓" : " ✗") + "</span></figcaption></figure>";
        }
        items += "<div class=\"strip\"><p class=\"strip-head\"><b>" + escapeHtml(image) +
                 "</b><br>" + escapeHtml(cls) + " · heatmap distance " +
                 formatNumber(at(item, "heatmap_distance")) + "</p>" + figures + "</div>";
        ++shown;
      }
      strips += "<h4>" + escapeHtml(a) + " vs " + escapeHtml(b) + " · " + escapeHtml(composite) +
                "</h4>" + items +
                caption(
                    "Where the two models disagree most — first in their prediction, then in "
                    "their heatmaps — side by side; the distance says how far apart the two "
                    "heatmaps are." +
                    (list.size() > shown ? " The first " + std::to_string(shown) + " of " +
                                               std::to_string(list.size()) + "."
                                         : std::string()));
    }
  }
  if (rows.empty()) return "";
  return "<section id=\"comparison\"><h2>Models compared</h2>" +
         scroll(
             "<table><thead><tr><th>Models</th><th>Only the first right</th><th>Only the "
             "second right</th><th "
             "class=\"t\">Test</th><th>Statistic</th><th>p</th></tr></thead><tbody>" +
             rows + "</tbody></table>") +
         caption(
             "McNemar's test on the images exactly one of the two models classifies right; "
             "a small p: the difference is unlikely to be chance.") +
         strips + "</section>";
}

}  // namespace deepbug::eval::report
