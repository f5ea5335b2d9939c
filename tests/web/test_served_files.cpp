// resolveServedFile: only regular files inside the root, named by a clean relative path,
// whose symlinks stay inside; openServedFile, which also refuses a symlink swapped in
// after the path was resolved; filesUrl and contentTypeOf.
#include <gtest/gtest.h>
#include <sys/stat.h>

#include <filesystem>
#include <string>
#include <vector>

#include "web/served_files.hpp"
#include "web_test_dir.hpp"

namespace deepbug::web {
namespace {

namespace fs = std::filesystem;

class ServedFiles : public ::testing::Test {
 protected:
  void SetUp() override {
    const fs::path dir = test::freshTestDir("served_files");
    root_ = fs::canonical(dir) / "root";
    outside_ = fs::canonical(dir) / "sibling";
    test::writeText(root_ / "a.txt", "a");
    test::writeText(root_ / "sub" / "b.png", "png");
    test::writeText(outside_ / "secret.txt", "secret");
    fs::create_symlink(root_ / "a.txt", root_ / "link_inside.txt");
    fs::create_symlink("../a.txt", root_ / "sub" / "relative_link.txt");
    fs::create_symlink(outside_ / "secret.txt", root_ / "link_outside.txt");
    fs::create_symlink(outside_, root_ / "dir_outside");
    fs::create_symlink(root_ / "sub", root_ / "dir_inside");
  }

  fs::path root_;
  fs::path outside_;
};

TEST_F(ServedFiles, ResolvesFilesInsideToTheirCanonicalPath) {
  EXPECT_EQ(resolveServedFile(root_, "a.txt"), root_ / "a.txt");
  EXPECT_EQ(resolveServedFile(root_, "sub/b.png"), root_ / "sub" / "b.png");
}

TEST_F(ServedFiles, SymlinksThatStayInsideAreFollowed) {
  EXPECT_EQ(resolveServedFile(root_, "link_inside.txt"), root_ / "a.txt");
  EXPECT_EQ(resolveServedFile(root_, "sub/relative_link.txt"), root_ / "a.txt");
  EXPECT_EQ(resolveServedFile(root_, "dir_inside/b.png"), root_ / "sub" / "b.png");
}

TEST_F(ServedFiles, SymlinksLeadingOutAreRefused) {
  ASSERT_TRUE(fs::is_regular_file(root_ / "link_outside.txt"));  // the file is there
  ASSERT_TRUE(fs::is_regular_file(root_ / "dir_outside" / "secret.txt"));
  EXPECT_EQ(resolveServedFile(root_, "link_outside.txt"), std::nullopt);
  EXPECT_EQ(resolveServedFile(root_, "dir_outside/secret.txt"), std::nullopt);
}

TEST_F(ServedFiles, RefusesEveryOtherPath) {
  const std::vector<std::string> refused{
      "",
      "../x",
      "../sibling/secret.txt",
      "sub/../a.txt",
      "./a.txt",
      "sub/./b.png",
      "sub//b.png",
      "sub/",
      "/etc/passwd",
      "/" + (root_ / "a.txt").string(),
      "sub\\b.png",
      std::string("a.txt\0.png", 10),
      std::string("sub/\0b.png", 10),
      "sub",      // a folder
      "missing",  // nothing
      "sub/missing.png",
  };
  for (const std::string& relative : refused) {
    EXPECT_EQ(resolveServedFile(root_, relative), std::nullopt) << relative;
  }
}

TEST_F(ServedFiles, MissingRootServesNothing) {
  EXPECT_EQ(resolveServedFile(root_ / "nothing-here", "a.txt"), std::nullopt);
}

// The file's bytes from an offset, through an opened file.
std::string readFrom(const OpenedFile& file, std::uint64_t offset) {
  std::string text(16, '\0');
  text.resize(file.readAt(offset, text.data(), text.size()));
  return text;
}

TEST_F(ServedFiles, OpensFilesInsideAndReadsThemByOffset) {
  const auto file = openServedFile(root_, "sub/b.png");
  ASSERT_TRUE(file.has_value());
  EXPECT_EQ(file->size(), 3u);
  EXPECT_EQ(file->path(), root_ / "sub" / "b.png");
  EXPECT_EQ(readFrom(*file, 0), "png");
  EXPECT_EQ(readFrom(*file, 1), "ng");
  EXPECT_EQ(readFrom(*file, 3), "");
  const auto through_link = openServedFile(root_, "dir_inside/b.png");
  ASSERT_TRUE(through_link.has_value());
  EXPECT_EQ(readFrom(*through_link, 0), "png");
  EXPECT_FALSE(openServedFile(root_, "link_outside.txt").has_value());
  EXPECT_FALSE(openServedFile(root_, "sub").has_value());
  EXPECT_FALSE(openServedFile(root_, "../sibling/secret.txt").has_value());
}

TEST_F(ServedFiles, AFolderSwappedForASymlinkAfterResolvingIsRefused) {
  const auto resolved = resolveServedFile(root_, "sub/b.png");
  ASSERT_EQ(resolved, root_ / "sub" / "b.png");
  // Between resolving and opening, sub/ becomes a link to a folder outside with the
  // same file name in it.
  test::writeText(outside_ / "b.png", "secret");
  fs::rename(root_ / "sub", root_ / "sub_before");
  fs::create_symlink(outside_, root_ / "sub");
  ASSERT_TRUE(fs::is_regular_file(*resolved));  // the path now leads out
  EXPECT_FALSE(openResolvedFile(root_, *resolved).has_value());
}

TEST_F(ServedFiles, AFileSwappedForASymlinkOrAFifoAfterResolvingIsRefused) {
  const auto resolved = resolveServedFile(root_, "a.txt");
  ASSERT_EQ(resolved, root_ / "a.txt");
  fs::remove(root_ / "a.txt");
  fs::create_symlink(outside_ / "secret.txt", root_ / "a.txt");
  EXPECT_FALSE(openResolvedFile(root_, *resolved).has_value());
  // A FIFO: refused at once, never waited on.
  fs::remove(root_ / "a.txt");
  ASSERT_EQ(mkfifo((root_ / "a.txt").c_str(), 0600), 0);
  EXPECT_FALSE(openResolvedFile(root_, *resolved).has_value());
}

TEST_F(ServedFiles, OnlyPathsBelowTheRootAreOpened) {
  EXPECT_FALSE(openResolvedFile(root_, outside_ / "secret.txt").has_value());
  EXPECT_FALSE(openResolvedFile(root_, root_ / ".." / "sibling" / "secret.txt").has_value());
  EXPECT_FALSE(
      openResolvedFile(root_, root_ / "sub" / ".." / ".." / "sibling" / "secret.txt").has_value());
  EXPECT_FALSE(openResolvedFile(root_, root_ / "." / "a.txt").has_value());
  EXPECT_FALSE(openResolvedFile(root_, root_).has_value());
  EXPECT_FALSE(openResolvedFile(root_ / "nothing-here", root_ / "a.txt").has_value());
  EXPECT_TRUE(openResolvedFile(root_, root_ / "a.txt").has_value());
}

TEST_F(ServedFiles, FilesUrlOfPathsInside) {
  EXPECT_EQ(filesUrl(root_, (root_ / "sub" / "b.png").string()), "/files/sub/b.png");
  EXPECT_EQ(filesUrl(root_, (root_ / "a.txt").string()), "/files/a.txt");
  // Files need not exist yet (an event names its clip before it is cut).
  EXPECT_EQ(filesUrl(root_, (root_ / "clips" / "event-1.mp4").string()),
            "/files/clips/event-1.mp4");
}

TEST_F(ServedFiles, FilesUrlPercentEncodes) {
  EXPECT_EQ(filesUrl(root_, (root_ / "my dir" / "b c.png").string()), "/files/my%20dir/b%20c.png");
  EXPECT_EQ(filesUrl(root_, (root_ / "100%.png").string()), "/files/100%25.png");
  EXPECT_EQ(filesUrl(root_, (root_ / "a#1.png").string()), "/files/a%231.png");
  EXPECT_EQ(filesUrl(root_, (root_ / "q?.png").string()), "/files/q%3F.png");
  EXPECT_EQ(filesUrl(root_, (root_ / "x-y_z~.v1.png").string()), "/files/x-y_z~.v1.png");
}

TEST_F(ServedFiles, FilesUrlOfPathsOutsideIsEmpty) {
  EXPECT_EQ(filesUrl(root_, (outside_ / "secret.txt").string()), "");
  EXPECT_EQ(filesUrl(root_, "/etc/passwd"), "");
  EXPECT_EQ(filesUrl(root_, (root_ / ".." / "sibling" / "secret.txt").string()), "");
  // A folder whose name merely starts with the root's.
  EXPECT_EQ(filesUrl(root_, root_.string() + "2/a.txt"), "");
  // A symlink inside that leads out.
  EXPECT_EQ(filesUrl(root_, (root_ / "link_outside.txt").string()), "");
}

TEST(ContentType, ByExtension) {
  EXPECT_EQ(contentTypeOf("x/b.png"), "image/png");
  EXPECT_EQ(contentTypeOf("index.HTML"), "text/html; charset=utf-8");
  EXPECT_EQ(contentTypeOf("index.html"), "text/html; charset=utf-8");
  EXPECT_EQ(contentTypeOf("clip.mp4"), "video/mp4");
  EXPECT_EQ(contentTypeOf("clip.MKV"), "video/x-matroska");
  EXPECT_EQ(contentTypeOf("photo.JPeG"), "image/jpeg");
  EXPECT_EQ(contentTypeOf("events.jsonl"), "application/x-ndjson");
  EXPECT_EQ(contentTypeOf("data.xyz"), "application/octet-stream");
  EXPECT_EQ(contentTypeOf("README"), "application/octet-stream");
}

}  // namespace
}  // namespace deepbug::web
