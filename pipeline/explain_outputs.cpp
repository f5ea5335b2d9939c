#include "explain_outputs.hpp"

#include <ATen/ATen.h>

#include <chrono>
#include <filesystem>
#include <opencv2/imgcodecs.hpp>
#include <opencv2/imgproc.hpp>
#include <sstream>

#include "io/npy.hpp"
#include "meta/classification_meta.hpp"
#include "meta/frame_rgb.hpp"
#include "meta/frame_view.hpp"
#include "meta/relevance_meta.hpp"
#include "render/blend.hpp"
#include "render/heatmap.hpp"
#include "utc_time.hpp"

namespace deepbug::stream {
namespace fs = std::filesystem;
using nlohmann::json;

namespace {

std::int64_t unixNanoseconds() {
  return std::chrono::duration_cast<std::chrono::nanoseconds>(
             std::chrono::system_clock::now().time_since_epoch())
      .count();
}

std::string frameName(std::uint64_t index) {
  char name[32];
  std::snprintf(name, sizeof name, "frame-%06llu", static_cast<unsigned long long>(index));
  return name;
}

void writeRgbPng(const std::string& path, const cv::Mat& rgb) {
  cv::Mat bgr;
  cv::cvtColor(rgb, bgr, cv::COLOR_RGB2BGR);
  if (!cv::imwrite(path, bgr)) throw std::runtime_error("cannot write '" + path + "'");
}

cv::Mat matOf(const at::Tensor& rgb_u8) {
  const at::Tensor t = rgb_u8.contiguous();
  return cv::Mat(static_cast<int>(t.size(0)), static_cast<int>(t.size(1)), CV_8UC3,
                 t.data_ptr<std::uint8_t>())
      .clone();
}

}  // namespace

ExplainOutputs::ExplainOutputs(std::string output_dir, std::string source,
                               const StreamConfig& config)
    : dir_(std::move(output_dir)),
      source_(std::move(source)),
      config_(config),
      run_start_unix_ns_(unixNanoseconds()) {
  const std::string path = (fs::path(dir_) / "events.jsonl").string();
  events_ = std::fopen(path.c_str(), "w");
  if (events_ == nullptr) throw std::runtime_error("cannot write '" + path + "'");
  if (config_.explain.snapshots) fs::create_directories(fs::path(dir_) / "snapshots");
}

ExplainOutputs::~ExplainOutputs() {
  if (events_ != nullptr) std::fclose(events_);
}

std::string ExplainOutputs::wallTime(std::int64_t pts_ns) const {
  // Files: when the run started plus the stream time; live: when the frame was seen.
  return isoUtc(run_start_unix_ns_ + pts_ns);
}

void ExplainOutputs::onBuffer(GstBuffer* buffer, const GstVideoInfo& info) {
  const DeepbugRelevanceMeta* meta = deepbug_buffer_get_relevance_meta(buffer);
  if (meta == nullptr || meta->result == nullptr) return;
  const gst::RelevanceResult& r = *meta->result;
  const auto start = std::chrono::steady_clock::now();
  json record{
      {"frame", r.frame_index},
      {"pts", static_cast<double>(r.pts) / 1e9},
      {"shown_on_frame_pts",
       GST_BUFFER_PTS_IS_VALID(buffer) ? static_cast<double>(GST_BUFFER_PTS(buffer)) / 1e9 : 0.0},
      {"relevance",
       {{"explained", r.explained},
        {"sum", r.relevance_sum},
        {"positive_sum", r.positive_sum},
        {"scale", r.scale},
        {"hottest_region",
         {{"x", r.hottest_x},
          {"y", r.hottest_y},
          {"width", r.hottest_width},
          {"height", r.hottest_height}}}}}};
  if (config_.explain.snapshots) {
    try {
      writeSnapshots(buffer, info, r, record);
    } catch (const std::exception& e) {
      record["snapshot_error"] = e.what();  // the record still completes its event
    }
  }
  const double seconds =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  std::lock_guard lock(mutex_);
  explained_[static_cast<std::int64_t>(r.frame_index)] = std::move(record);
  snapshots_ += config_.explain.snapshots ? 1 : 0;
  snapshot_seconds_ += seconds;
  writeReady();
}

void ExplainOutputs::writeSnapshots(GstBuffer* buffer, const GstVideoInfo& info,
                                    const gst::RelevanceResult& r, nlohmann::json& record) const {
  {
    const fs::path folder = fs::path(dir_) / "snapshots";
    const std::string stem = (folder / frameName(r.frame_index)).string();
    const at::Tensor map =
        at::from_blob(const_cast<float*>(r.heatmap.data()), {r.height, r.width}, at::kFloat);
    const bool positive_only = config_.overlay.positive_only;
    writeRgbPng(stem + "-heatmap.png", matOf(render::colorize(map, r.scale, positive_only)));
    json files{{"heatmap", stem + "-heatmap.png"}};
    cv::Mat rgb;
    if (r.on_explained_frame) {
      const gst::MappedFrame frame(info, buffer);
      if (frame) rgb = gst::rgbOf(frame.view());
    } else if (!r.thumbnail.empty()) {
      rgb = cv::Mat(r.thumbnail_height, r.thumbnail_width, CV_8UC3,
                    const_cast<std::uint8_t*>(r.thumbnail.data()))
                .clone();
    }
    if (!rgb.empty()) {
      writeRgbPng(stem + "-frame.png", rgb);
      files["frame"] = stem + "-frame.png";
      model::PreprocessGeometry geometry = r.geometry;
      gst::scaleGeometry(geometry, rgb.cols, rgb.rows);
      render::BlendOptions blend;
      blend.alpha = config_.overlay.alpha;
      blend.positive_only = positive_only;
      const at::Tensor pixels = at::from_blob(rgb.data, {rgb.rows, rgb.cols, 3}, at::kByte);
      writeRgbPng(stem + "-overlay.png",
                  matOf(render::blendOntoFrame(pixels, map, geometry, r.scale, blend)));
      files["overlay"] = stem + "-overlay.png";
    }
    if (config_.explain.relevance_npy) {
      io::writeNpy(stem + "-relevance.npy", map);
      files["relevance"] = stem + "-relevance.npy";
    }
    record["snapshot"] = files;
  }
}

void ExplainOutputs::onEvent(const GstStructure* s) {
  auto int64Of = [s](const char* field) {
    gint64 value = 0;
    gst_structure_get_int64(s, field, &value);
    return static_cast<std::int64_t>(value);
  };
  auto doubleOf = [s](const char* field) {
    gdouble value = 0;
    gst_structure_get_double(s, field, &value);
    return static_cast<double>(value);
  };
  auto textOf = [s](const char* field) {
    const gchar* value = gst_structure_get_string(s, field);
    return std::string(value ? value : "");
  };
  gboolean by_end = FALSE;
  gst_structure_get_boolean(s, "ended-by-stream-end", &by_end);
  auto moment = [&](const char* index, const char* pts) {
    return json{{"frame", int64Of(index)},
                {"pts", static_cast<double>(int64Of(pts)) / 1e9},
                {"wall_time", wallTime(int64Of(pts))}};
  };
  Pending pending;
  pending.event = json{{"id", int64Of("id")},
                       {"source", source_},
                       {"target", textOf("target")},
                       {"start", moment("start-index", "start-pts")},
                       {"end", moment("end-index", "end-pts")},
                       {"frames", int64Of("frames")},
                       {"classified_frames", int64Of("classified-frames")},
                       {"mean_score", doubleOf("mean-score")},
                       {"ended_by_stream_end", static_cast<bool>(by_end)},
                       {"model", config_.model.model_path},
                       {"composite", textOf("composite")},
                       {"init", config_.explain.init},
                       {"mode", textOf("mode")}};
  if (gst_structure_has_field(s, "peak-index")) {
    json peak = moment("peak-index", "peak-pts");
    peak["score"] = doubleOf("peak-score");
    pending.event["peak"] = peak;
  } else {
    pending.event["peak"] = nullptr;
  }
  std::istringstream selected(textOf("selected"));
  for (std::string index; std::getline(selected, index, ',');) {
    if (!index.empty()) pending.selected.push_back(std::stoll(index));
  }
  std::lock_guard lock(mutex_);
  pending_.push_back(std::move(pending));
  writeReady();
}

void ExplainOutputs::onFailure(const GstStructure* s) {
  gint64 index = 0, pts = 0;
  gst_structure_get_int64(s, "frame-index", &index);
  gst_structure_get_int64(s, "pts", &pts);
  const gchar* error = gst_structure_get_string(s, "error");
  std::lock_guard lock(mutex_);
  failed_[index] = json{{"frame", index},
                        {"pts", static_cast<double>(pts) / 1e9},
                        {"error", error != nullptr ? error : ""}};
  writeReady();
}

void ExplainOutputs::writeReady() {
  // Events go out in order: the first waiting one blocks the ones after it.
  while (!pending_.empty()) {
    Pending& first = pending_.front();
    const bool live = first.event.value("mode", "") == "live";
    if (!live) {
      bool complete = true;
      for (std::int64_t index : first.selected)
        complete = complete && (explained_.count(index) > 0 || failed_.count(index) > 0);
      if (!complete) return;
    }
    writeEvent(first);
    pending_.erase(pending_.begin());
  }
}

void ExplainOutputs::writeEvent(Pending& pending) {
  const std::int64_t start = pending.event["start"]["frame"];
  const std::int64_t end = pending.event["end"]["frame"];
  // Maps of frames before the event belong to no event (live mode explains runs that
  // turn out to be flicker): they are forgotten here, so nothing piles up.
  auto take = [start, end](std::map<std::int64_t, json>& frames) {
    json within = json::array();
    for (auto it = frames.begin(); it != frames.end() && it->first <= end;) {
      if (it->first >= start) within.push_back(it->second);
      it = frames.erase(it);
    }
    return within;
  };
  pending.event["explained"] = take(explained_);
  pending.event["failed_frames"] = take(failed_);
  const long long id = pending.event["id"].get<long long>();
  spans_.push_back(
      {id, pending.event["start"]["pts"].get<double>(), pending.event["end"]["pts"].get<double>()});
  if (config_.cutsEventClips()) {
    // Cut when the recording is final, at the end of the run (pipeline/event_clips.hpp).
    const std::string extension = config_.outputs.container == "mkv" ? ".mkv" : ".mp4";
    pending.event["clip"] =
        (fs::path(dir_) / "clips" / ("event-" + std::to_string(id) + extension)).string();
  }
  const std::string line = pending.event.dump() + "\n";
  std::fwrite(line.data(), 1, line.size(), events_);
  std::fflush(events_);
  events_written_ += 1;
}

void ExplainOutputs::finish() {
  std::lock_guard lock(mutex_);
  for (Pending& pending : pending_)
    writeEvent(pending);
  pending_.clear();
}

std::vector<ExplainOutputs::EventSpan> ExplainOutputs::eventSpans() const {
  std::lock_guard lock(mutex_);
  return spans_;
}

std::uint64_t ExplainOutputs::eventsWritten() const {
  std::lock_guard lock(mutex_);
  return events_written_;
}

std::uint64_t ExplainOutputs::snapshotsWritten() const {
  std::lock_guard lock(mutex_);
  return snapshots_;
}

double ExplainOutputs::snapshotSeconds() const {
  std::lock_guard lock(mutex_);
  return snapshot_seconds_;
}

}  // namespace deepbug::stream
