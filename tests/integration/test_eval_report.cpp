// deepbug-eval's report.html opened in headless Chromium (tests/browser/check_page.mjs) as a
// person would open it from disk: at desktop and phone width it loads without errors, every
// image shows and nothing overflows sideways; a missing heatmap is caught and named.
#include <gtest/gtest.h>

#include <filesystem>
#include <nlohmann/json.hpp>
#include <regex>

#include "integration/process.hpp"

namespace deepbug::test {
namespace {

namespace fs = std::filesystem;
using nlohmann::json;

class EvalReportBrowser : public ::testing::Test {
 protected:
  void SetUp() override {
    ASSERT_TRUE(fs::exists(DEEPBUG_NODE)) << "no node at " << DEEPBUG_NODE << " (make deps)";
    ASSERT_TRUE(fs::exists(fs::path(DEEPBUG_BROWSER_CHECK).parent_path() / "node_modules"))
        << "tests/browser/node_modules missing (make deps)";
    dir_ = freshTestDir("eval_report");
    const auto made =
        runCommand(program("deepbug-synth") + " images --count 6 --seed 77 --out " + path("data"));
    ASSERT_EQ(made.exit_code, 0) << made.output;
    const auto run = runCommand(
        program("deepbug-eval") + " --model a=" + fixture("tiny") + " --model b=" +
        fixture("tiny") + " --data " + path("data") + " --boxes " + path("data/boxes.csv") +
        " --region aggressive=fight --region non_aggressive=pair --composite epsilon-plus-flat "
        "--composite epsilon-alpha2-beta1 --quiet --out " +
        path("out"));
    ASSERT_EQ(run.exit_code, 0) << run.output;
  }

  std::string path(const std::string& name) const { return (dir_ / name).string(); }

  // The helper's verdict on `page` at `width` px; the screenshot goes to the test's folder.
  json check(const std::string& page, int width, int* exit_code) const {
    const std::string shot = path("report-" + std::to_string(width) + ".png");
    const auto result =
        runCommand(std::string(DEEPBUG_NODE) + " " + DEEPBUG_BROWSER_CHECK + " --page '" + page +
                       "' --screenshot '" + shot + "' --width " + std::to_string(width),
                   /*keep_stderr=*/false);
    *exit_code = result.exit_code;
    EXPECT_TRUE(fs::exists(shot)) << shot;
    try {
      return json::parse(result.output);
    } catch (const json::parse_error&) {
      ADD_FAILURE() << "not one JSON object: " << result.output;
      return json::object();
    }
  }

  fs::path dir_;
};

TEST_F(EvalReportBrowser, OpensWholeFromDiskAtDesktopAndPhoneWidth) {
  ASSERT_TRUE(fs::exists(path("out/report.html"))) << "written in OUT.partial, renamed with it";
  for (const int width : {1280, 390}) {
    SCOPED_TRACE(width);
    int exit_code = -1;
    const json page = check(path("out/report.html"), width, &exit_code);
    EXPECT_EQ(exit_code, 0) << page.dump(1);
    EXPECT_EQ(page.value("ok", false), true);
    EXPECT_EQ(page.value("console_errors", json::array()), json::array());
    EXPECT_EQ(page.value("page_errors", json::array()), json::array());
    EXPECT_EQ(page.value("failed_requests", json::array()), json::array()) << "nothing fetched";
    EXPECT_EQ(page.value("broken_images", json::array()), json::array());
    EXPECT_GT(page.value("images", 0), 0) << "the galleries show heatmaps";
    if (width == 390) {
      EXPECT_FALSE(page.value("horizontal_overflow", true)) << page["overflowing"].dump();
    }
    EXPECT_NE(page.value("title", std::string()).find("deepbug-eval report"), std::string::npos);
  }
}

TEST_F(EvalReportBrowser, AMissingHeatmapIsNamed) {
  fs::copy(path("out"), path("broken"), fs::copy_options::recursive);
  const std::string html = readFile(path("broken/report.html"));
  std::smatch match;
  ASSERT_TRUE(std::regex_search(html, match, std::regex("<img src=\"([^\"]+)\"")));
  const std::string src = match[1].str();
  ASSERT_EQ(src.find('%'), std::string::npos) << "the synthetic images' names need no encoding";
  ASSERT_TRUE(fs::remove(path("broken/" + src))) << src;

  int exit_code = -1;
  const json page = check(path("broken/report.html"), 1280, &exit_code);
  EXPECT_EQ(exit_code, 1) << page.dump(1);
  EXPECT_FALSE(page.value("ok", true));
  const json broken = page.value("broken_images", json::array());
  ASSERT_FALSE(broken.empty()) << page.dump(1);
  for (const json& image : broken) {  // the same heatmap may show in several galleries
    EXPECT_EQ(image.value("src", std::string()), src) << "only the deleted one, by its path";
  }
  EXPECT_NE(page["failed_requests"].dump().find(src), std::string::npos) << "and the request";
}

}  // namespace
}  // namespace deepbug::test
