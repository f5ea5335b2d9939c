// When to try a silent camera again: exponential backoff with jitter, so that many
// cameras behind one failed switch do not all retry in the same instant.
#pragma once

#include <algorithm>
#include <cmath>
#include <random>

#include "config.hpp"

namespace deepbug::stream {

class ReconnectPolicy {
 public:
  ReconnectPolicy(const ReconnectConfig& config, unsigned seed) : config_(config), random_(seed) {}

  // Seconds to wait before attempt `attempt` (0 for the first retry of an outage).
  double delay(int attempt) {
    const double base =
        std::min(config_.max_delay, config_.initial_delay * std::pow(2.0, std::min(attempt, 30)));
    std::uniform_real_distribution<double> spread(1 - config_.jitter / 2, 1 + config_.jitter / 2);
    return base * spread(random_);
  }

  // Whether an outage this long ends the source.
  bool givesUp(double outage_seconds) const {
    return config_.give_up_after > 0 && outage_seconds >= config_.give_up_after;
  }

 private:
  ReconnectConfig config_;
  std::mt19937 random_;
};

}  // namespace deepbug::stream
