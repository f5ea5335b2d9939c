#include "status_lines.hpp"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <sstream>

namespace deepbug::stream {

namespace {

std::string formatDuration(double seconds) {
  if (!(seconds >= 0) || !std::isfinite(seconds)) return "--:--";
  const long s = std::lround(seconds);
  char text[32];
  std::snprintf(text, sizeof text, "%ld:%02ld", s / 60, s % 60);
  return text;
}

}  // namespace

Rates ratesBetween(const nlohmann::json& before, const nlohmann::json& now) {
  Rates r;
  const double dt = now.value("wall_seconds", 0.0) - before.value("wall_seconds", 0.0);
  if (dt <= 0) return r;
  auto delta = [&](const char* key) {
    return static_cast<double>(now.value(key, std::uint64_t{0})) -
           static_cast<double>(before.value(key, std::uint64_t{0}));
  };
  r.fps_in = delta("frames_in") / dt;
  r.fps_out = delta("frames_out") / dt;
  const double batches = delta("batches");
  if (batches > 0) {
    r.classify_ms = 1000 *
                    (now.value("classify_seconds", 0.0) - before.value("classify_seconds", 0.0)) /
                    batches;
  }
  return r;
}

std::string liveProgressText(const SourcePipeline& source, const nlohmann::json& status,
                             const Rates& rates) {
  char text[256];
  std::snprintf(text, sizeof text,
                "%s: %.1f/%.1f fps in/out, classify %.0f ms, skipped %llu, reconnects %llu",
                source.name().c_str(), rates.fps_in, rates.fps_out, rates.classify_ms,
                static_cast<unsigned long long>(status.value("frames_skipped", std::uint64_t{0})),
                static_cast<unsigned long long>(status.value("reconnects", std::uint64_t{0})));
  std::string line = text;
  const std::string input = status.value("input", "");
  if (source.finished()) {
    line += source.failed() ? " (failed)" : " (done)";
  } else if (!input.empty() && input != "streaming") {
    line += " (" + input + ")";
  }
  return line;
}

std::string progressText(const SourcePipeline& source) {
  std::ostringstream out;
  const double duration = source.durationSeconds();
  const double elapsed = source.elapsedSeconds();
  const double fps = elapsed > 0 ? source.framesOut() / elapsed : 0;
  out << source.name() << ": ";
  if (duration > 0) {
    const double fraction = std::clamp(source.positionSeconds() / duration, 0.0, 1.0);
    char percent[16];
    std::snprintf(percent, sizeof percent, "%5.1f%%", 100 * fraction);
    out << percent << " ";
  }
  out << source.framesOut() << " frames, ";
  char rate[32];
  std::snprintf(rate, sizeof rate, "%.1f fps", fps);
  out << rate;
  if (duration > 0 && source.positionSeconds() > 0) {
    const double speed = source.positionSeconds() / std::max(1e-9, elapsed);
    out << ", ETA " << formatDuration((duration - source.positionSeconds()) / speed);
  }
  if (source.finished()) out << (source.failed() ? " (failed)" : " (done)");
  return out.str();
}

}  // namespace deepbug::stream
