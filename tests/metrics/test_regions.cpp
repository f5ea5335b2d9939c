// Regions read from a boxes CSV and from COCO JSON, bad input named by file and row,
// and polygons scored as the region they outline.
#include <gtest/gtest.h>
#include <torch/script.h>

#include <filesystem>
#include <fstream>

#include "core/error.hpp"
#include "metrics/regions.hpp"

namespace deepbug::metrics {
namespace {

namespace fs = std::filesystem;

std::string write(const std::string& name, const std::string& text) {
  const fs::path path = fs::temp_directory_path() / ("deepbug-regions-" + name);
  std::ofstream(path) << text;
  return path.string();
}

// The message of the deepbug::Error `read` throws ("" when it throws none).
template <typename Read>
std::string errorOf(Read read) {
  try {
    read();
  } catch (const Error& e) {
    return e.what();
  }
  return "";
}

TEST(RegionsCsv, EveryRegionOfEveryImageAndOneRegionByImage) {
  const std::string csv = write("ok.csv",
                                "image,region,x,y,w,h\n"
                                "a/1.png,fight,10,20,30,40\n"
                                "a/1.png,person,0,0,5,5\n"
                                "a/1.png,person,50,50,5,5\n"
                                "b/2.png,fight,1.5,2.5,3,4\r\n");
  const RegionTable table = readRegionsCsv(csv);
  EXPECT_EQ(table.names(), (std::set<std::string>{"fight", "person"}));
  ASSERT_NE(table.find("a/1.png", "person"), nullptr);
  EXPECT_EQ(table.find("a/1.png", "person")->boxes.size(), 2u);
  EXPECT_EQ(table.find("b/2.png", "person"), nullptr);
  const Box& box = table.find("b/2.png", "fight")->boxes.at(0);
  EXPECT_DOUBLE_EQ(box.x, 1.5);
  EXPECT_DOUBLE_EQ(box.height, 4);
  EXPECT_EQ(readRegionBoxes(csv, "fight").size(), 2u);
}

TEST(RegionsCsv, BadRowsAreErrorsNamingFileAndLine) {
  const std::string negative = write("neg.csv", "image,region,x,y,w,h\na.png,fight,0,0,-3,4\n");
  EXPECT_NE(errorOf([&] { readRegionsCsv(negative); }).find(negative + ":2: negative box size"),
            std::string::npos);
  const std::string short_row = write("short.csv", "a.png,fight,0,0,3\n");
  EXPECT_NE(errorOf([&] { readRegionsCsv(short_row); }).find(short_row + ":1: not"),
            std::string::npos);
  const std::string text = write("text.csv", "a.png,fight,0,0,3x,4\n");
  EXPECT_NE(errorOf([&] { readRegionsCsv(text); }).find(text + ":1:"), std::string::npos);
  EXPECT_NE(errorOf([] { readRegionsCsv("/nonexistent/boxes.csv"); }).find("/nonexistent"),
            std::string::npos);
}

const char* kCoco = R"({
  "images": [{"id": 1, "file_name": "a/1.png", "width": 64, "height": 64},
             {"id": 2, "file_name": "b/2.png", "width": 64, "height": 64}],
  "categories": [{"id": 7, "name": "person"}, {"id": 9, "name": "tire"}],
  "annotations": [
    {"id": 100, "image_id": 1, "category_id": 7, "bbox": [1, 2, 3, 4]},
    {"id": 101, "image_id": 1, "category_id": 9, "bbox": [0, 0, 8, 8],
     "segmentation": [[0, 0, 8, 0, 0, 8]]},
    {"id": 102, "image_id": 2, "category_id": 7, "bbox": [5, 5, 1, 1],
     "segmentation": {"counts": "abc", "size": [64, 64]}}
  ]})";

TEST(RegionsCoco, CategoriesAreRegionsPolygonsStayPolygons) {
  const RegionTable table = readRegions(write("ok.json", kCoco));
  EXPECT_EQ(table.names(), (std::set<std::string>{"person", "tire"}));
  const Region* person = table.find("a/1.png", "person");
  ASSERT_NE(person, nullptr);
  ASSERT_EQ(person->boxes.size(), 1u);
  EXPECT_DOUBLE_EQ(person->boxes[0].width, 3);
  const Region* tire = table.find("a/1.png", "tire");
  ASSERT_NE(tire, nullptr);
  EXPECT_TRUE(tire->boxes.empty());
  ASSERT_EQ(tire->polygons.size(), 1u);
  EXPECT_EQ(tire->polygons[0].points.size(), 3u);
  EXPECT_EQ(table.find("b/2.png", "person")->boxes.size(), 1u) << "run-length masks: the bbox";
}

TEST(RegionsCoco, BadAnnotationsAreErrorsNamingFileAndRow) {
  const auto errorFor = [](const std::string& name, std::string text, const std::string& from,
                           const std::string& to) {
    text.replace(text.find(from), from.size(), to);
    const std::string path = write(name, text);
    return errorOf([&] { readRegionsCoco(path); });
  };
  EXPECT_NE(errorFor("img.json", kCoco, "\"image_id\": 2", "\"image_id\": 3")
                .find("annotations[2]: image_id 3 is not in 'images'"),
            std::string::npos);
  EXPECT_NE(errorFor("cat.json", kCoco, "\"category_id\": 7, \"bbox\": [1",
                     "\"category_id\": 8, \"bbox\": [1")
                .find("annotations[0]: category_id 8"),
            std::string::npos);
  EXPECT_NE(errorFor("neg.json", kCoco, "[1, 2, 3, 4]", "[1, 2, -3, 4]")
                .find("annotations[0]: negative box size"),
            std::string::npos);
  EXPECT_NE(errorFor("dup.json", kCoco, "\"id\": 2,", "\"id\": 1,")
                .find("images[1]: image id 1 listed twice"),
            std::string::npos);
  EXPECT_NE(errorFor("dupann.json", kCoco, "\"id\": 101", "\"id\": 100")
                .find("annotations[1]: annotation id 100 listed twice"),
            std::string::npos);
  EXPECT_NE(errorFor("nojson.json", kCoco, "{", "[").find("not JSON"), std::string::npos);
}

TEST(RegionsCoco, APolygonIsScoredAsTheAreaItOutlines) {
  // The triangle (0,0) (8,0) (0,8) on an 8×8 frame: the pixel centres with x + y < 8,
  // 28 of 64 (those on its long edge, x + y = 8, are not inside).
  const auto geometry = model::computeGeometry(8, 8, 8, 8, model::AspectPolicy::kStretch);
  const Region triangle{{}, {Polygon{{{0, 0}, {8, 0}, {0, 8}}}}};
  at::Tensor r = at::zeros({8, 8});
  r[7][7] = 1;  // centre (7.5, 7.5): off the triangle, 7/√2 ≈ 4.95 px from its long edge
  const LocalizationScore s = scoreLocalization(r, geometry, triangle);
  EXPECT_DOUBLE_EQ(s.area_fraction, 28.0 / 64);
  EXPECT_DOUBLE_EQ(s.pointing, 0.0);
  LocalizationOptions near;
  near.pointing_tolerance = 4.9;
  EXPECT_DOUBLE_EQ(scoreLocalization(r, geometry, triangle, near).pointing, 0.0);
  near.pointing_tolerance = 5.0;
  EXPECT_DOUBLE_EQ(scoreLocalization(r, geometry, triangle, near).pointing, 1.0);
}

}  // namespace
}  // namespace deepbug::metrics
