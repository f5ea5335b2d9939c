// A fresh folder of its own for the running test, as tests/integration/process.hpp's
// freshTestDir makes one (that header needs the CLI tests' DEEPBUG_BIN_DIR and
// DEEPBUG_FIXTURE_DIR): TEMP/web_<prefix>_<suite>_<test>.
#pragma once

#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <string>

namespace deepbug::test {

inline std::filesystem::path freshTestDir(const std::string& prefix) {
  const ::testing::TestInfo* test = ::testing::UnitTest::GetInstance()->current_test_info();
  const std::filesystem::path dir =
      std::filesystem::path(::testing::TempDir()) /
      ("web_" + prefix + "_" + test->test_suite_name() + "_" + test->name());
  std::filesystem::remove_all(dir);
  std::filesystem::create_directories(dir);
  return dir;
}

inline void writeText(const std::filesystem::path& path, const std::string& text) {
  std::filesystem::create_directories(path.parent_path());
  std::ofstream out(path, std::ios::binary);
  out << text;
}

}  // namespace deepbug::test
