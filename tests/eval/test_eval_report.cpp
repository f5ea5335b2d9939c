// deepbug-eval's HTML report from a hand-written metrics.json: hostile names made inert,
// every image a relative path inside the folder, each section there exactly when its data
// is, the confusion matrices holding the counts, no script and nothing fetched.
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>
#include <regex>
#include <set>
#include <string>
#include <vector>

#include "core/error.hpp"
#include "eval_report.hpp"
#include "eval_report_html.hpp"
#include "eval_report_svg.hpp"

namespace deepbug::eval {
namespace {

using nlohmann::json;

const std::string kHostileImage = "aggressive/<script>alert(\"x\")</script> & 'q'.png";
const std::string kHostileClass = "cl\"ass<b>";

json group(int images, bool localized) {
  json loc = json::object();
  for (const char* map : {"lrp", "uniform_map", "random_map"}) {
    loc[map] = {{"images", localized ? images : 0},
                {"pointing_game", 0.75},
                {"mass_accuracy", 0.5},
                {"rank_accuracy", 0.4},
                {"top_k", 0.3},
                {"roc_auc", 0.6},
                {"macro_pass_rate", 0.25},
                {"region_area", 0.2}};
  }
  json per_class = {{"aggressive",
                     {{"precision", 1.0},
                      {"recall", 0.5},
                      {"f1", 0.667},
                      {"support", 2},
                      {"reasons",
                       {{"right_for_right_reasons", 1},
                        {"right_for_wrong_reasons", 0},
                        {"wrong_but_on_the_region", 0},
                        {"wrong_elsewhere", 1}}}}},
                    {kHostileClass,
                     {{"precision", 0.5},
                      {"recall", 1.0},
                      {"f1", 0.667},
                      {"support", 1},
                      {"reasons",
                       {{"right_for_right_reasons", 0},
                        {"right_for_wrong_reasons", 1},
                        {"wrong_but_on_the_region", 0},
                        {"wrong_elsewhere", 0}}}}}};
  if (localized) {
    per_class["aggressive"]["parts"] = {
        {"correct",
         {{"images", 1},
          {"mean_share", {{"fight", 0.6}, {"person", 0.7}, {"background", 0.3}}},
          {"top_part_counts", {{"fight", 1}}}}}};
  }
  return {{"accuracy", 0.6667},
          {"images", images},
          {"confusion_matrix", {{17, 4}, {9, 23}}},
          {"localization", loc},
          {"per_class", per_class},
          {"right_for_wrong_reasons", json::array({kHostileImage})}};
}

json entry(const std::string& image, const std::string& stem) {
  return {{"image", image},
          {"class", "aggressive"},
          {"predicted", kHostileClass},
          {"correct", false},
          {"mass_accuracy", 0.42},
          {"heatmap", "heatmaps/a/eps/" + stem + ".heatmap.png"},
          {"overlay", "heatmaps/a/eps/" + stem + ".overlay.png"}};
}

// Every optional field, with hostile names and three paths that leave the folder.
json fullMetrics() {
  json composite = {
      {"all", group(3, true)},
      {"variations", {{"rotated", group(2, true)}, {"thin", group(1, true)}}},
      {"attributes", {{"scene_view", {{"far", group(1, true)}, {"near", group(2, true)}}}}},
      {"gallery",
       {{"sample", {entry("aggressive/1.png", "aggressive/1")}},
        {"best", {entry("aggressive/2.png", "aggressive/2")}},
        {"worst",
         {entry("aggressive/3.png", "aggressive/3"),
          {{"image", "escape-1"}, {"overlay", "../outside.png"}},
          {{"image", "escape-2"}, {"overlay", "/etc/secret.png"}},
          {{"image", "escape-3"}, {"overlay", "https://example.com/x.png"}}}},
        {"right_for_wrong_reasons",
         {entry(kHostileImage, "aggressive/<script>alert(\"x\")</script> & 'q'")}}}},
      {"class_averages",
       {{{"class", "aggressive"},
         {"group", "all"},
         {"images", 2},
         {"heatmap", "class_averages/a/eps/aggressive.png"},
         {"aligned", "class_averages/a/eps/aggressive.aligned.png"}}}},
      {"faithfulness",
       {{"images", 3},
        {"patch_size", 16},
        {"steps", 2},
        {"replacement", "image mean"},
        {"seconds", 0.5},
        {"morf", {{"curve", {1.0, 0.4, 0.1}}, {"aopc", 0.5}}},
        {"lerf", {{"curve", {1.0, 0.9, 0.1}}, {"aopc", 0.333}}},
        {"random", {{"curve", {1.0, 0.7, 0.1}}, {"aopc", 0.4}}},
        {"abpc", 0.167},
        {"flagged", false}}},
      {"sanity",
       {{"images", 4},
        {"seed", 1},
        {"seconds", 0.5},
        {"threshold", 0.5},
        {"layers",
         {{{"k", 0},
           {"layer", ""},
           {"spearman", {{"mean", 1.0}, {"min", 1.0}, {"max", 1.0}}},
           {"spearman_abs", {{"mean", 1.0}, {"min", 1.0}, {"max", 1.0}}},
           {"ssim", {{"mean", 1.0}, {"min", 1.0}, {"max", 1.0}}},
           {"constant_maps", 0}},
          {{"k", 1},
           {"layer", "fc<i>"},
           {"spearman", {{"mean", 0.2}, {"min", -0.1}, {"max", 0.4}}},
           {"spearman_abs", {{"mean", 0.6}, {"min", 0.5}, {"max", 0.7}}},
           {"ssim", {{"mean", 0.3}, {"min", 0.2}, {"max", 0.5}}},
           {"constant_maps", 0}}}},
        {"flagged", true}}},
      {"strategies",
       {{kHostileClass,
         {{"images", 3},
          {"images_in_class", 3},
          {"clusters", 2},
          {"eigenvalues", {0.0, 0.1, 0.9}},
          {"plane", {{0.1, 0.2, 0}, {0.3, 0.1, 0}, {-0.5, 0.4, 1}}},
          {"groups",
           {{{"cluster", 0},
             {"size", 2},
             {"share", 2.0 / 3},
             {"accuracy", 1.0},
             {"mass_accuracy", 0.8},
             {"part_shares", {{"fight", 0.8}, {"background", 0.2}}},
             {"top_part", "fight"},
             {"flagged", false},
             {"heatmap", "strategies/a/eps/c/cluster-0.png"},
             {"closest", {entry("aggressive/1.png", "aggressive/1")}}},
            {{"cluster", 1},
             {"size", 1},
             {"share", 1.0 / 3},
             {"accuracy", 1.0},
             {"mass_accuracy", 0.1},
             {"part_shares", {{"overlay", 0.7}, {"background", 0.3}}},
             {"top_part", "overlay"},
             {"flagged", true},
             {"heatmap", "strategies/a/eps/c/cluster-1.png"},
             {"closest", {entry("aggressive/2.png", "aggressive/2")}},
             {"members", {"aggressive/2.png"}},
             {"attributes", {{"overlay", {{"1", 1}}}}}}}}}}}}};
  return {{"data", "data"},
          {"classes", {"aggressive", kHostileClass}},
          {"variations", {"rotated", "thin"}},
          {"images", 3},
          {"right_region", {{"aggressive", "fight"}, {kHostileClass, "pair"}}},
          {"classes_without_region", json::array()},
          {"skipped_images", {"broken/<img>.png"}},
          {"seconds", 1.5},
          {"models",
           {{"a",
             {{"path", "a.pt"},
              {"labels", {"aggressive", kHostileClass}},
              {"composites", {{"eps", composite}}}}},
            {"m<&>",
             {{"path", "m.pt"},
              {"labels", {"aggressive", kHostileClass}},
              {"composites", {{"eps", {{"all", group(3, true)}}}}}}}}},
          {"comparison",
           {{{"models", {"a", "m<&>"}},
             {"only_first_right", 1},
             {"only_second_right", 0},
             {"test", "exact binomial"},
             {"statistic", 0.0},
             {"p_value", 1.0},
             {"disagreements",
              {{"eps",
                {{{"image", kHostileImage},
                  {"class", "aggressive"},
                  {"predicted", {{"a", "aggressive"}, {"m<&>", kHostileClass}}},
                  {"heatmap_distance", 0.31},
                  {"overlays",
                   {{"a", "heatmaps/a/eps/aggressive/1.overlay.png"},
                    {"m<&>", "heatmaps/m<&>/eps/aggressive/1.overlay.png"}}}}}}}}}}}};
}

// Only the run's essentials: no regions, one model, nothing optional.
json bareMetrics() {
  json all = group(3, false);
  all["right_for_wrong_reasons"] = json::array();
  return {{"data", "data"},
          {"classes", {"aggressive", kHostileClass}},
          {"images", 3},
          {"models", {{"a", {{"path", "a.pt"}, {"composites", {{"eps", {{"all", all}}}}}}}}}};
}

std::vector<std::string> attributeValues(const std::string& html, const std::string& tag,
                                         const std::string& attribute) {
  std::vector<std::string> values;
  const std::regex pattern("<" + tag + "\\b[^>]*\\s" + attribute + "=\"([^\"]*)\"");
  for (auto it = std::sregex_iterator(html.begin(), html.end(), pattern);
       it != std::sregex_iterator(); ++it)
    values.push_back((*it)[1].str());
  return values;
}

std::string percentDecoded(const std::string& text) {
  std::string out;
  for (std::size_t i = 0; i < text.size(); ++i) {
    if (text[i] == '%' && i + 2 < text.size()) {
      out += static_cast<char>(std::stoi(text.substr(i + 1, 2), nullptr, 16));
      i += 2;
    } else {
      out += text[i];
    }
  }
  return out;
}

TEST(EvalReportPage, HostileNamesAreInert) {
  const std::string html = renderReport(fullMetrics());
  EXPECT_EQ(html.find("<script"), std::string::npos);
  EXPECT_EQ(html.find("<b>\""), std::string::npos);
  EXPECT_EQ(html.find(kHostileClass), std::string::npos) << "a class name with \" and <b>";
  EXPECT_EQ(html.find("m<&>"), std::string::npos) << "a model name with < & >";
  EXPECT_EQ(html.find("<img>"), std::string::npos) << "a skipped image's name";
  EXPECT_NE(html.find("&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt; &amp; &#39;q&#39;.png"),
            std::string::npos)
      << "the image's name shown as text";
  EXPECT_NE(html.find("cl&quot;ass&lt;b&gt;"), std::string::npos);
  EXPECT_NE(html.find("m&lt;&amp;&gt;"), std::string::npos);
}

TEST(EvalReportPage, EveryImageIsARelativePathInsideTheFolder) {
  std::set<std::string> asked;
  ReportOptions options;
  options.file_exists = [&asked](const std::string& path) {
    asked.insert(path);
    return true;
  };
  const std::string html = renderReport(fullMetrics(), options);
  const auto sources = attributeValues(html, "img", "src");
  ASSERT_GE(sources.size(), 7u) << "galleries, class averages (two), strips (two)";
  for (const auto& src : sources) {
    SCOPED_TRACE(src);
    EXPECT_NE(src.front(), '/');
    EXPECT_EQ(src.find(':'), std::string::npos) << "no scheme";
    EXPECT_EQ(src.find('"'), std::string::npos);
    EXPECT_EQ(src.find('<'), std::string::npos);
    EXPECT_EQ(src.find('#'), std::string::npos) << "a '#' would cut the path";
    const std::string path = percentDecoded(src);
    EXPECT_EQ(path.find(".."), std::string::npos);
    EXPECT_EQ(asked.count(path), 1u) << "checked to be in the folder";
  }
  for (const auto& escape : {"../outside.png", "/etc/secret.png", "https://example.com/x.png"}) {
    EXPECT_EQ(asked.count(escape), 0u) << escape << " never even looked up";
    EXPECT_EQ(html.find(escape), std::string::npos) << escape;
  }
  const std::string hostile =
      "heatmaps/a/eps/aggressive/<script>alert(\"x\")</script> & 'q'.overlay.png";
  bool found = false;
  for (const auto& src : sources)
    found = found || percentDecoded(src) == hostile;
  EXPECT_TRUE(found) << "the hostile image's overlay shown, its name percent-encoded";
}

TEST(EvalReportPage, ImagesNotInTheFolderAreLeftOut) {
  ReportOptions options;
  options.file_exists = [](const std::string& path) {
    return path.find("class_averages/") == std::string::npos;
  };
  const std::string html = renderReport(fullMetrics(), options);
  EXPECT_EQ(html.find("class_averages/"), std::string::npos);
  EXPECT_EQ(html.find("Class averages"), std::string::npos) << "no image, no section";
  EXPECT_NE(html.find("Best localised"), std::string::npos);
}

TEST(EvalReportPage, EachSectionIsThereExactlyWhenItsDataIs) {
  const std::vector<std::string> optional = {
      "Localisation of the true class",  // the LRP figure beside its floors
      "uniform-map floor",               // the per-variation bars' floor ticks
      "<h4>Parts</h4>",
      "<h3>Per variation</h3>",
      "<h3>Per scene_view</h3>",
      "<h4>Sample</h4>",
      "<h4>Best localised</h4>",
      "<h4>Worst localised</h4>",
      "<h4>Right for the wrong reasons</h4>",
      "<h4>Class averages</h4>",
      "<h3>Strategies</h3>",
      "<h4>Faithfulness</h4>",
      "<h4>Sanity check</h4>",
      "⚑ With every layer re-initialised",
      "class=\"lines\"",
      "class=\"scatter\"",
      "<h2>Models compared</h2>",
      "class=\"strip\"",
      "<h2>Skipped images</h2>"};
  const std::string full = renderReport(fullMetrics());
  const std::string bare = renderReport(bareMetrics());
  for (const auto& marker : optional) {
    EXPECT_NE(full.find(marker), std::string::npos) << "with its data: " << marker;
    EXPECT_EQ(bare.find(marker), std::string::npos) << "without its data: " << marker;
  }
  for (const auto& always : {"<h2>Summary</h2>", "<h2>a · eps</h2>", "Confusion matrix"}) {
    EXPECT_NE(bare.find(always), std::string::npos) << always;
  }
  EXPECT_NE(bare.find("no regions, so no localisation figures"), std::string::npos);

  // Without a gallery, the right-for-wrong-reasons list by the heatmaps' naming scheme.
  json listed = bareMetrics();
  listed["models"]["a"]["composites"]["eps"]["all"]["right_for_wrong_reasons"] = {
      "aggressive/7.jpg"};
  const std::string fallback = renderReport(listed);
  EXPECT_NE(fallback.find("<h4>Right for the wrong reasons</h4>"), std::string::npos);
  EXPECT_NE(fallback.find("src=\"heatmaps/a/eps/aggressive/7.overlay.png\""), std::string::npos);
}

// One dot per image in the embedding plot, coloured by its cluster; the flagged cluster's
// row marked with what it looks at.
TEST(EvalReportPage, StrategiesPlotEveryImageAndFlagTheOffRegionCluster) {
  const std::string html = renderReport(fullMetrics());
  const auto start = html.find("<h3>Strategies</h3>");
  ASSERT_NE(start, std::string::npos);
  const std::string section = html.substr(start);
  EXPECT_EQ(attributeValues(section, "circle", "fill"),
            (std::vector<std::string>{report::kGroupColours[0], report::kGroupColours[0],
                                      report::kGroupColours[1]}));
  const std::regex flagged("<tr class=\"flagged\">.*?</tr>");
  std::smatch row;
  ASSERT_TRUE(std::regex_search(section, row, flagged));
  EXPECT_NE(row.str().find("cluster 1"), std::string::npos) << row.str();
  EXPECT_NE(row.str().find("overlay"), std::string::npos) << row.str();
  EXPECT_NE(row.str().find("overlay 1 ×1"), std::string::npos) << "its images' attributes";
  EXPECT_EQ(section.find("<tr class=\"flagged\">", row.position() + 1), std::string::npos)
      << "only cluster 1 is flagged";
  EXPECT_NE(section.find("src=\"strategies/a/eps/c/cluster-1.png\""), std::string::npos);
}

// The sanity check: a row per k with its layer (escaped), the flag line only when flagged.
TEST(EvalReportPage, SanityCheckRowsAndFlag) {
  json metrics = fullMetrics();
  const std::string html = renderReport(metrics);
  const auto start = html.find("<h4>Sanity check</h4>");
  ASSERT_NE(start, std::string::npos);
  const std::string section = html.substr(start, html.find("</section>", start) - start);
  EXPECT_NE(section.find("<td class=\"t\">fc&lt;i&gt;</td>"), std::string::npos) << section;
  EXPECT_NE(section.find("none (the trained model)"), std::string::npos) << section;
  EXPECT_NE(section.find("0.60 (Spearman of |maps|, flagged from 0.50)"), std::string::npos)
      << section;
  metrics["models"]["a"]["composites"]["eps"]["sanity"]["flagged"] = false;
  EXPECT_EQ(renderReport(metrics).find("⚑ With every layer re-initialised"), std::string::npos);
}

TEST(EvalReportPage, SelfContained) {
  const std::string html = renderReport(fullMetrics());
  EXPECT_EQ(html.rfind("<!doctype html>", 0), 0u);
  for (const auto& banned : {"<script", "<link", "@import", "url(", "https://", "<iframe"}) {
    EXPECT_EQ(html.find(banned), std::string::npos) << banned;
  }
  std::string without_namespace = html;
  for (std::size_t at;
       (at = without_namespace.find("http://www.w3.org/2000/svg")) != std::string::npos;)
    without_namespace.erase(at, 26);
  EXPECT_EQ(without_namespace.find("http://"), std::string::npos) << "only the SVG namespace";
  EXPECT_NE(html.find("<meta name=\"viewport\""), std::string::npos);
}

// The <text> of each cell of a confusion-matrix SVG, row by row.
std::vector<std::string> cellTexts(const std::string& svg) {
  std::vector<std::string> texts;
  const std::regex cell("<g class=\"cell\">.*?<text[^>]*>([^<]*)</text></g>");
  for (auto it = std::sregex_iterator(svg.begin(), svg.end(), cell); it != std::sregex_iterator();
       ++it)
    texts.push_back((*it)[1].str());
  return texts;
}

TEST(EvalReportSvg, ConfusionMatrixHoldsTheCounts) {
  const std::string svg =
      report::confusionMatrixSvg({"x", "y", "z<"}, {{5, 1, 0}, {2, 7, 3}, {0, 0, 11}});
  EXPECT_EQ(cellTexts(svg),
            (std::vector<std::string>{"5", "1", "0", "2", "7", "3", "0", "0", "11"}));
  EXPECT_NE(svg.find("true y, predicted z&lt;: 3"), std::string::npos) << "each cell's title";
  EXPECT_EQ(svg.find("z<"), std::string::npos);

  // In the page: the model's matrix, row by row.
  const std::string html = renderReport(bareMetrics());
  const auto start = html.find("<svg class=\"confusion\"");
  ASSERT_NE(start, std::string::npos);
  const std::string first = html.substr(start, html.find("</svg>", start) - start);
  EXPECT_EQ(cellTexts(first), (std::vector<std::string>{"17", "4", "9", "23"}));
}

TEST(EvalReportSvg, BarsScaleWithTheirValuesAndFloors) {
  report::BarChart chart;
  chart.series = {{"LRP", "#000"}};
  chart.groups = {{"g", {{0.5, 0.25}}}};
  const std::string svg = report::barChartSvg(chart);
  const auto widths = attributeValues(svg, "rect", "width");
  ASSERT_EQ(widths.size(), 1u);
  EXPECT_EQ(widths[0], "150") << "half of the 300 px axis";
  EXPECT_NE(svg.find("floor 0.250"), std::string::npos);
}

TEST(EvalReportHtml, EscapesPathsAndChecksFolders) {
  EXPECT_EQ(report::escapeHtml("<a href=\"x\">'&'</a>"),
            "&lt;a href=&quot;x&quot;&gt;&#39;&amp;&#39;&lt;/a&gt;");
  EXPECT_EQ(report::urlPath("a b/#1?.png"), "a%20b/%231%3F.png");
  EXPECT_EQ(report::urlPath("ü.png"), "%C3%BC.png");
  EXPECT_TRUE(report::isInsideFolder("heatmaps/a/x.png"));
  EXPECT_TRUE(report::isInsideFolder("heatmaps/..x/x..png"));
  for (const auto& outside : {"", "/x.png", "../x.png", "a/../../x.png", "a/..", "http://h/x.png",
                              "C:/x.png", "a\\x.png"})
    EXPECT_FALSE(report::isInsideFolder(outside)) << outside;
  EXPECT_EQ(report::formatNumber(json(nullptr)), "–");
  EXPECT_EQ(report::formatNumber(json(0.12345)), "0.123");
}

TEST(EvalReportFile, WritesTheReportBesideMetrics) {
  const auto dir = std::filesystem::path(::testing::TempDir()) / "eval_report_file";
  std::filesystem::remove_all(dir);
  std::filesystem::create_directories(dir);
  EXPECT_THROW(writeReport(dir), ConfigError) << "no metrics.json";
  std::ofstream(dir / "metrics.json") << "{not json";
  EXPECT_THROW(writeReport(dir), ConfigError);
  std::ofstream(dir / "metrics.json") << bareMetrics().dump();
  writeReport(dir);
  std::ifstream in(dir / "report.html");
  const std::string html((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  EXPECT_NE(html.find("<h2>a · eps</h2>"), std::string::npos);
  std::filesystem::remove_all(dir);
}

}  // namespace
}  // namespace deepbug::eval
