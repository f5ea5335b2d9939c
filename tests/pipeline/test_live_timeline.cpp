#include "live_timeline.hpp"

#include <gtest/gtest.h>

#include "reconnect_policy.hpp"

namespace deepbug::stream {
namespace {

constexpr std::int64_t kMs = 1'000'000;

TEST(LiveTimeline, FollowsTheSourceClockFromItsFirstFrame) {
  LiveTimeline t;
  EXPECT_EQ(t.restamp(0, 500 * kMs), 500 * kMs);
  EXPECT_EQ(t.restamp(66 * kMs, 570 * kMs), 566 * kMs);  // arrival jitter is ignored
  EXPECT_EQ(t.restamp(133 * kMs, 640 * kMs), 633 * kMs);
}

TEST(LiveTimeline, AReconnectionRestartingAtZeroContinuesAfterTheGap) {
  LiveTimeline t;
  t.restamp(10'000 * kMs, 1'000 * kMs);
  t.restamp(10'066 * kMs, 1'066 * kMs);
  t.reconnect();
  // The camera restarts its clock at 0; it comes back 4 s later by the pipeline clock.
  EXPECT_EQ(t.restamp(0, 5'100 * kMs), 5'100 * kMs);
  EXPECT_EQ(t.restamp(66 * kMs, 5'170 * kMs), 5'166 * kMs);
}

TEST(LiveTimeline, NeverGoesBackwards) {
  LiveTimeline t;
  const auto a = t.restamp(100 * kMs, 100 * kMs);
  const auto b = t.restamp(50 * kMs, 150 * kMs);  // a source stamping backwards
  EXPECT_GT(b, a);
  t.reconnect();
  const auto c = t.restamp(0, 0);  // arrival before the last output
  EXPECT_GT(c, b);
  const auto d = t.restamp(std::nullopt, 10 * kMs);
  EXPECT_GT(d, c);
}

TEST(ReconnectPolicy, DoublesUpToTheMaximumWithBoundedJitter) {
  ReconnectConfig config;
  config.initial_delay = 1;
  config.max_delay = 8;
  config.jitter = 0.5;
  ReconnectPolicy policy(config, 7);
  const double expected[] = {1, 2, 4, 8, 8, 8};
  for (int attempt = 0; attempt < 6; ++attempt) {
    const double d = policy.delay(attempt);
    EXPECT_GE(d, expected[attempt] * 0.75) << attempt;
    EXPECT_LE(d, expected[attempt] * 1.25) << attempt;
  }
  config.jitter = 0;
  ReconnectPolicy exact(config, 7);
  EXPECT_DOUBLE_EQ(exact.delay(2), 4);
}

TEST(ReconnectPolicy, JitterSpreadsRetriesOfDifferentCameras) {
  ReconnectConfig config;
  ReconnectPolicy a(config, 1), b(config, 2);
  EXPECT_NE(a.delay(3), b.delay(3));
}

TEST(ReconnectPolicy, GivesUpOnlyWhenConfigured) {
  ReconnectConfig config;
  EXPECT_FALSE(ReconnectPolicy(config, 1).givesUp(1e9));
  config.give_up_after = 60;
  ReconnectPolicy policy(config, 1);
  EXPECT_FALSE(policy.givesUp(59));
  EXPECT_TRUE(policy.givesUp(60));
}

}  // namespace
}  // namespace deepbug::stream
