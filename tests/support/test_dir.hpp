// A fresh, empty folder of its own for the running test: TEMP/<prefix>_<suite>_<test>.
#pragma once

#include <gtest/gtest.h>

#include <filesystem>
#include <string>

namespace deepbug::test {

inline std::filesystem::path freshTestDir(const std::string& prefix) {
  const ::testing::TestInfo* test = ::testing::UnitTest::GetInstance()->current_test_info();
  const std::filesystem::path dir = std::filesystem::path(::testing::TempDir()) /
                                    (prefix + "_" + test->test_suite_name() + "_" + test->name());
  std::filesystem::remove_all(dir);
  std::filesystem::create_directories(dir);
  return dir;
}

}  // namespace deepbug::test
