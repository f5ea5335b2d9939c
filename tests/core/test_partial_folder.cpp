// keepIfAnythingWritten: a partial output folder is removed when it holds no file and
// kept, whole, when it holds any.
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>

#include "core/partial_folder.hpp"

namespace deepbug {
namespace {

namespace fs = std::filesystem;

class PartialFolder : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = fs::path(::testing::TempDir()) /
           ("partial_folder_" +
            std::string(::testing::UnitTest::GetInstance()->current_test_info()->name())) /
           "out.partial";
    fs::remove_all(dir_.parent_path());
    fs::create_directories(dir_);
  }
  void TearDown() override { fs::remove_all(dir_.parent_path()); }

  fs::path dir_;
};

TEST_F(PartialFolder, NothingWrittenIsRemoved) {
  fs::create_directories(dir_ / "heatmaps" / "a" / "epsilon");
  EXPECT_FALSE(keepIfAnythingWritten(dir_));
  EXPECT_FALSE(fs::exists(dir_));
}

TEST_F(PartialFolder, AnyFileKeepsEverything) {
  fs::create_directories(dir_ / "heatmaps" / "a" / "epsilon");
  fs::create_directories(dir_ / "strategies");
  std::ofstream(dir_ / "heatmaps" / "a" / "epsilon" / "x.heatmap.png") << "png";
  EXPECT_TRUE(keepIfAnythingWritten(dir_));
  EXPECT_TRUE(fs::exists(dir_ / "heatmaps" / "a" / "epsilon" / "x.heatmap.png"));
  EXPECT_TRUE(fs::exists(dir_ / "strategies")) << "kept whole, empty folders too";
}

TEST_F(PartialFolder, AnEmptyFileCountsAsWritten) {
  std::ofstream(dir_ / "per_image.csv");
  EXPECT_TRUE(keepIfAnythingWritten(dir_));
  EXPECT_TRUE(fs::exists(dir_ / "per_image.csv"));
}

TEST_F(PartialFolder, AMissingFolderIsNothingToKeep) {
  fs::remove_all(dir_);
  EXPECT_FALSE(keepIfAnythingWritten(dir_));
  EXPECT_FALSE(keepIfAnythingWritten(dir_ / "deeper"));
}

}  // namespace
}  // namespace deepbug
