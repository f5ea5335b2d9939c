// Which frames of an event are explained: the peak first, top_k, every_n, carried
// frames never, and max_rate in stream time.
#include <gtest/gtest.h>

#include <vector>

#include "core/error.hpp"
#include "explain/selection.hpp"

namespace deepbug::explain {
namespace {

// Frames numbered from `first`, 100 ms apart; `carried` marks frames not classified.
std::vector<ScoredFrame> frames(const std::vector<double>& scores, int64_t first = 0,
                                const std::vector<bool>& carried = {}) {
  std::vector<ScoredFrame> out;
  for (std::size_t i = 0; i < scores.size(); ++i) {
    const int64_t index = first + static_cast<int64_t>(i);
    out.push_back({index, index * 100'000'000, scores[i], !(i < carried.size() && carried[i])});
  }
  return out;
}

TEST(Selection, ThePeakAloneByDefault) {
  RateLimiter limiter(0);
  EXPECT_EQ(selectFrames(frames({0.7, 0.9, 0.8}, 10), 0, {}, limiter), std::vector<int64_t>{11});
}

TEST(Selection, ACarriedFrameIsNeverChosenEvenWithTheHighestScore) {
  RateLimiter limiter(0);
  const auto chosen =
      selectFrames(frames({0.7, 0.99, 0.8}, 0, {false, true, false}), 0, {0, 1, 0}, limiter);
  EXPECT_EQ(chosen, std::vector<int64_t>{2});
}

TEST(Selection, TopKAndEveryNComeBackInStreamOrderWithoutDuplicates) {
  RateLimiter limiter(0);
  SelectionPolicy policy;
  policy.top_k = 2;
  policy.every_n = 3;
  // Classified counts continue from 1 before these frames: frames 0..5 are the 2nd..7th
  // classified, so every 3rd is frames 2 and 5. Top 2: frames 3 (0.95) and 1 (0.9).
  const auto chosen = selectFrames(frames({0.7, 0.9, 0.6, 0.95, 0.65, 0.7}), 1, policy, limiter);
  EXPECT_EQ(chosen, (std::vector<int64_t>{1, 2, 3, 5}));
}

TEST(Selection, MaxRateKeepsThePeakAndDropsItsNeighbours) {
  SelectionPolicy policy;
  policy.every_n = 1;
  policy.max_rate = 2.0;  // 500 ms apart; frames are 100 ms apart
  RateLimiter limiter(policy.max_rate);
  const auto chosen =
      selectFrames(frames({0.7, 0.7, 0.7, 0.9, 0.7, 0.7, 0.7, 0.7, 0.7}), 0, policy, limiter);
  // Peak 3 first; then every frame in order where 500 ms from all chosen: 8 only (0
  // is 300 ms from 3).
  EXPECT_EQ(chosen, (std::vector<int64_t>{3, 8}));
  // The limiter remembers across events: frame 10 is 200 ms after 8.
  EXPECT_FALSE(limiter.allows(10 * 100'000'000));
  EXPECT_TRUE(limiter.allows(13 * 100'000'000));
}

TEST(Selection, InvalidPoliciesNameTheKey) {
  SelectionPolicy policy;
  policy.top_k = 0;
  try {
    validate(policy);
    FAIL() << "top_k = 0 accepted";
  } catch (const ConfigError& e) {
    EXPECT_NE(std::string(e.what()).find("explain.top_k"), std::string::npos);
  }
  policy = {};
  policy.max_rate = -1;
  EXPECT_THROW(validate(policy), ConfigError);
  policy = {};
  policy.every_n = -2;
  EXPECT_THROW(validate(policy), ConfigError);
}

}  // namespace
}  // namespace deepbug::explain
