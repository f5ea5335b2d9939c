#include <gtest/gtest.h>

#include "core/error.hpp"
#include "core/thread_budget.hpp"

namespace deepbug {
namespace {

TEST(ThreadBudget, AvailableCoresIsPositive) {
  EXPECT_GE(availableCores(), 1);
}

TEST(ThreadBudget, DefaultSplitsCoresAmongWorkers) {
  const ThreadBudget budget(8);
  EXPECT_EQ(budget.defaultIntraOpThreads(), 8);
  EXPECT_EQ(budget.defaultIntraOpThreads(2), 4);
  EXPECT_EQ(budget.defaultIntraOpThreads(16), 1);
}

TEST(ThreadBudget, AcceptsStagesThatFit) {
  const ThreadBudget budget(2);
  EXPECT_NO_THROW(budget.check({{"classify", 1, 1}, {"explain", 1, 1}}));
}

TEST(ThreadBudget, RejectsOversubscriptionNamingTheStages) {
  const ThreadBudget budget(2);
  try {
    budget.check({{"classify", 1, 2}, {"explain", 2, 1}});
    FAIL() << "oversubscription accepted";
  } catch (const ConfigError& e) {
    EXPECT_NE(std::string(e.what()).find("classify 1×2 + explain 2×1 = 4 threads on 2 cores"),
              std::string::npos)
        << e.what();
    EXPECT_FALSE(e.hint().empty());
  }
}

TEST(ThreadBudget, RejectsNonPositiveCounts) {
  EXPECT_THROW(ThreadBudget(4).check({{"explain", 0, 1}}), ConfigError);
}

}  // namespace
}  // namespace deepbug
