#include "live_frames.hpp"

namespace deepbug::web {

LiveFrames::Viewer::Viewer(LiveFrames& frames, std::string source)
    : frames_(frames), source_(std::move(source)) {
  std::lock_guard lock(frames_.mutex_);
  ++frames_.slots_[source_].viewers;
}

LiveFrames::Viewer::~Viewer() {
  std::lock_guard lock(frames_.mutex_);
  Slot& slot = frames_.slots_[source_];
  // The last viewer gone, the frame grows old: the next one waits for a new frame
  // rather than being shown one from minutes ago.
  if (--slot.viewers == 0) slot.latest.jpeg.reset();
}

void LiveFrames::publish(const std::string& source, std::string jpeg) {
  auto frame = std::make_shared<const std::string>(std::move(jpeg));
  {
    std::lock_guard lock(mutex_);
    Slot& slot = slots_[source];
    slot.latest.jpeg = std::move(frame);
    ++slot.latest.sequence;
  }
  changed_.notify_all();
}

int LiveFrames::viewers(const std::string& source) const {
  std::lock_guard lock(mutex_);
  const auto found = slots_.find(source);
  return found == slots_.end() ? 0 : found->second.viewers;
}

std::optional<LiveFrames::Frame> LiveFrames::next(const std::string& source, std::uint64_t after,
                                                  std::chrono::milliseconds timeout) {
  std::unique_lock lock(mutex_);
  const bool fresh = changed_.wait_for(lock, timeout, [&] {
    const auto found = slots_.find(source);
    return stopped_ || (found != slots_.end() && found->second.latest.jpeg &&
                        found->second.latest.sequence > after);
  });
  if (!fresh || stopped_) return std::nullopt;
  return slots_.at(source).latest;
}

void LiveFrames::stop() {
  {
    std::lock_guard lock(mutex_);
    stopped_ = true;
  }
  changed_.notify_all();
}

bool LiveFrames::stopped() const {
  std::lock_guard lock(mutex_);
  return stopped_;
}

}  // namespace deepbug::web
