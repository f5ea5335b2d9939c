#include "explain/explain_stage.hpp"

#include <ATen/ATen.h>

#include <algorithm>
#include <chrono>
#include <mutex>
#include <opencv2/imgproc.hpp>
#include <sstream>

#include "core/error.hpp"
#include "meta/classification_meta.hpp"
#include "meta/explain_messages.hpp"
#include "meta/frame_rgb.hpp"
#include "meta/frame_view.hpp"
#include "render/heatmap.hpp"

GST_DEBUG_CATEGORY_STATIC(deepbug_explain_debug);
#define GST_CAT_DEFAULT deepbug_explain_debug

namespace deepbug::gst {

namespace {

double monotonicSeconds() {
  return std::chrono::duration<double>(std::chrono::steady_clock::now().time_since_epoch()).count();
}

// The colour scale of a set of maps: the robust maximum of their positive relevance
// together (render/heatmap.hpp), as the overlay draws evidence for the class.
double sharedPositiveScale(const std::vector<at::Tensor>& maps) {
  render::HeatmapStyle style;
  style.scale = render::HeatmapStyle::Scale::kShared;
  style.positive_only = true;
  return render::sharedScale(maps, style);
}

}  // namespace

ExplainStage::ExplainStage(GstElement* owner, ExplainSettings settings, bool live)
    : owner_(owner), settings_(std::move(settings)), live_(live) {
  // The element's category, found by name (a stage may also run without the element).
  static std::once_flag category;
  std::call_once(category, [] {
    GST_DEBUG_CATEGORY_INIT(deepbug_explain_debug, "deepbugexplain", 0, "DeepBug LRP explanations");
  });
  toSchedulerOptions(settings_);  // validates
  startOver();
}

ExplainStage::~ExplainStage() {
  scheduler_.reset();  // waits for work in flight, which reports into this object
}

void ExplainStage::setExplainFunction(explain::ExplainScheduler::Work explain) {
  if (scheduler_) throw Error("the explain function is set before the first frame");
  explain_ = std::move(explain);
}

void ExplainStage::ensureExplainer(GstBuffer* buffer) {
  if (explainer_) return;
  model_path_ = settings_.model_path;
  if (model_path_.empty()) {
    const DeepbugClassificationMeta* meta = deepbug_buffer_get_classification_meta(buffer);
    if (meta == nullptr || meta->result == nullptr) return;  // not yet known
    model_path_ = meta->result->model_id;
  }
  explainer_ =
      std::make_unique<explain::FrameExplainer>(toExplainerOptions(settings_, model_path_));
  const auto& labels = explainer_->metadata().labels;
  target_ = settings_.target.empty() ? labels.at(0) : settings_.target;
  target_index_ = explainer_->labelIndex(target_);
  if (target_index_ < 0) {
    std::string known;
    for (const auto& label : labels)
      known += (known.empty() ? "" : ", ") + label;
    throw ConfigError("target '" + target_ + "' is not one of the model's labels",
                      "set target to one of: " + known);
  }
  explain::ExplainScheduler::Work work = explain_;
  if (!work)
    work = [this](const explain::ExplainBatch& batch) { return explainer_->explain(batch); };
  auto scheduler = std::make_unique<explain::ExplainScheduler>(
      toSchedulerOptions(settings_), std::move(work),
      [this](explain::BatchResult&& result) { deliver(std::move(result)); });
  std::lock_guard lock(mutex_);
  scheduler->setFlushing(flushing_);  // a flush that began while the model loaded
  scheduler_ = std::move(scheduler);
}

// On the graph's thread.
void ExplainStage::deliver(explain::BatchResult&& result) {
  std::lock_guard lock(mutex_);
  // Asked before a flush: its frames are gone, and flushStop() counted it as dropped.
  if (result.generation != generation_) return;
  for (explain::FrameRelevance& frame : result.frames)
    arrived_.push_back(std::move(frame));
  arrived_cv_.notify_all();
}

explain::ScoredFrame ExplainStage::scoreOf(GstBuffer* buffer, std::int64_t index) {
  explain::ScoredFrame frame;
  frame.index = index;
  frame.pts_ns =
      GST_BUFFER_PTS_IS_VALID(buffer) ? static_cast<std::int64_t>(GST_BUFFER_PTS(buffer)) : 0;
  const DeepbugClassificationMeta* meta = deepbug_buffer_get_classification_meta(buffer);
  if (meta == nullptr || meta->result == nullptr || target_index_ < 0) {
    frame.classified = false;  // nothing to go by: never starts or peaks an event
    frame.score = 0.0;
    return frame;
  }
  frame.score = meta->result->scoreOf(target_);
  frame.classified = meta->result->classified;
  return frame;
}

explain::ExplainRequest ExplainStage::prepare(GstBuffer* buffer, const GstVideoInfo& info,
                                              std::int64_t index,
                                              std::vector<std::uint8_t>* thumbnail, int* thumb_w,
                                              int* thumb_h) {
  const MappedFrame mapped(info, buffer);
  if (!mapped) throw Error("cannot map frame " + std::to_string(index) + " for reading");
  const model::FrameView view = mapped.view();
  const std::int64_t pts =
      GST_BUFFER_PTS_IS_VALID(buffer) ? static_cast<std::int64_t>(GST_BUFFER_PTS(buffer)) : 0;
  explain::ExplainRequest request = explainer_->prepare(view, index, pts, target_index_);
  if (thumbnail != nullptr && settings_.thumbnail_width > 0 && view.width > 0) {
    const int width = static_cast<int>(std::min<unsigned>(settings_.thumbnail_width, view.width));
    const int height = std::max(1, view.height * width / view.width);
    cv::Mat small;
    cv::resize(matOver(view), small, {width, height}, 0, 0, cv::INTER_AREA);
    const cv::Mat rgb = toRgb(small, view.format);  // small first: less to convert
    thumbnail->assign(rgb.data, rgb.data + rgb.total() * 3);
    *thumb_w = width;
    *thumb_h = height;
  }
  return request;
}

void ExplainStage::push(OwnedBuffer buffer, const GstVideoInfo& info, ReadyQueue& out) {
  ensureExplainer(buffer.get());
  const std::int64_t index = next_index_++;
  const explain::ScoredFrame frame = scoreOf(buffer.get(), index);
  {
    std::lock_guard lock(mutex_);
    stats_.counts.frames += 1;
  }
  if (live_) {
    pushLive(std::move(buffer), info, index, frame, out);
  } else {
    pushArchive(std::move(buffer), info, index, frame, out);
  }
}

void ExplainStage::pushLive(OwnedBuffer buffer, const GstVideoInfo& info, std::int64_t index,
                            const explain::ScoredFrame& frame, ReadyQueue& out) {
  if (live_planner_->push(frame)) {
    Thumbnail thumb;
    explain::ExplainBatch batch;
    batch.frames.push_back(
        prepare(buffer.get(), info, index, &thumb.rgb, &thumb.width, &thumb.height));
    // Noted before submitting: a fast result may arrive before the submission returns.
    {
      std::lock_guard lock(mutex_);
      stats_.counts.selected += 1;
      selected_at_[index] = monotonicSeconds();
    }
    thumbnails_[index] = std::move(thumb);
    if (submit(std::move(batch), false)) {
      live_planner_->started(frame);
    } else {
      thumbnails_.erase(index);
      std::lock_guard lock(mutex_);
      stats_.counts.skipped += 1;
      selected_at_.erase(index);
    }
  }
  postClosedEvents();
  collect(false);
  attachLive(buffer);
  out.push_back(std::move(buffer));
}

void ExplainStage::pushArchive(OwnedBuffer buffer, const GstVideoInfo& info, std::int64_t index,
                               const explain::ScoredFrame& frame, ReadyQueue& out) {
  info_ = info;
  held_.push_back({index, std::move(buffer)});
  const std::vector<std::int64_t> selected = archive_->push(frame);
  if (!selected.empty()) submitSelection(selected);
  postClosedEvents();
  collect(false);
  // Bounded holding: past twice an event's cap, wait for explanations (the upstream
  // queue fills and the decoder waits) instead of holding more — unless a flush starts:
  // what is held then goes at flushStop().
  const auto limit = static_cast<std::size_t>(settings_.max_event_frames) * 2;
  while (archive_->held() > limit && archive_->outstanding() > 0) {
    if (!collect(true)) return;
    releaseArchive(out);
  }
  releaseArchive(out);
}

// Tagged with the generation, so that a flush can tell its results stale. Without
// `wait_for_room`, a full scheduler refuses; either way a flushing one does.
bool ExplainStage::submit(explain::ExplainBatch batch, bool wait_for_room) {
  {
    std::lock_guard lock(mutex_);
    batch.generation = generation_;
  }
  return wait_for_room ? scheduler_->submit(std::move(batch))
                       : scheduler_->trySubmit(std::move(batch));
}

void ExplainStage::submitSelection(const std::vector<std::int64_t>& selected) {
  const std::int64_t group = next_group_++;
  groups_[group].indices = selected;
  const std::size_t batch_size = std::max(1u, settings_.batch_size);
  explain::ExplainBatch batch;
  for (std::size_t i = 0; i < selected.size(); ++i) {
    const std::int64_t index = selected[i];
    group_of_[index] = group;
    const Held& held = held_.at(static_cast<std::size_t>(index - held_.front().index));
    try {
      batch.frames.push_back(prepare(held.buffer.get(), info_, index, nullptr, nullptr, nullptr));
    } catch (const std::exception& e) {
      // This frame and those not yet submitted come back as failed, so that nothing
      // waits for them: their frames still go out, without a map.
      std::lock_guard lock(mutex_);
      for (std::size_t j = i - batch.frames.size(); j < selected.size(); ++j) {
        group_of_[selected[j]] = group;
        explain::FrameRelevance failed;
        failed.frame_index = selected[j];
        failed.target = target_index_;
        failed.error = e.what();
        arrived_.push_back(std::move(failed));
      }
      arrived_cv_.notify_all();
      throw;
    }
    {
      std::lock_guard lock(mutex_);
      stats_.counts.selected += 1;
      selected_at_[index] = monotonicSeconds();
    }
    // Batches flush by count, and at the end of a selection: never by time, so the
    // result is the same whatever the machine's speed. A refused one means a flush
    // started, which drops the whole selection.
    if (batch.frames.size() == batch_size) {
      if (!submit(std::move(batch), true)) return;
      batch = {};
    }
  }
  if (!batch.frames.empty()) submit(std::move(batch), true);
}

// Takes the results that have arrived, with `wait` first waiting for one. False, nothing
// taken, once a flush has started: the caller returns, and flushStop() drops the rest.
bool ExplainStage::collect(bool wait) {
  std::deque<explain::FrameRelevance> arrived;
  {
    std::unique_lock lock(mutex_);
    if (wait) {
      ++collect_waiters_;
      arrived_cv_.wait(lock, [this] { return flushing_ || !arrived_.empty(); });
      --collect_waiters_;
    }
    if (flushing_) return false;
    arrived.swap(arrived_);
    const double now = monotonicSeconds();
    for (const explain::FrameRelevance& frame : arrived) {
      const auto selected = selected_at_.find(frame.frame_index);
      if (selected != selected_at_.end()) {
        stats_.latencies.push_back(now - selected->second);
        selected_at_.erase(selected);
      }
      stats_.counts.explain_seconds += frame.seconds;
      if (!frame.error.empty()) stats_.counts.failed += 1;
    }
  }
  for (explain::FrameRelevance& frame : arrived) {
    if (!frame.error.empty()) {
      GST_ELEMENT_WARNING(owner_, STREAM, FAILED,
                          ("explaining frame %" G_GINT64_FORMAT " failed: %s", frame.frame_index,
                           frame.error.c_str()),
                          ("the frame goes out without a heatmap"));
      postFailure(frame);
    }
    if (live_) {
      done_[frame.frame_index] = std::move(frame);
      continue;
    }
    const std::int64_t index = frame.frame_index;
    archive_->explained(index);
    const std::int64_t group_id = group_of_.at(index);
    Group& group = groups_.at(group_id);
    done_[index] = std::move(frame);
    if (++group.arrived == group.indices.size()) {
      std::vector<at::Tensor> maps;
      for (std::int64_t member : group.indices) {
        const explain::FrameRelevance& result = done_.at(member);
        if (result.error.empty()) maps.push_back(result.relevance);
      }
      group.scale = maps.empty() ? 1.0 : sharedPositiveScale(maps);
    }
  }
  return true;
}

RelevanceResult ExplainStage::toMeta(const explain::FrameRelevance& frame, double scale) const {
  RelevanceResult meta;
  meta.height = static_cast<int>(frame.relevance.size(0));
  meta.width = static_cast<int>(frame.relevance.size(1));
  const float* data = frame.relevance.data_ptr<float>();
  meta.heatmap.assign(data, data + frame.relevance.numel());
  meta.target = target_;
  meta.target_index = static_cast<int>(frame.target);
  meta.composite = explainer_->composite();
  meta.init = settings_.init;
  meta.explained = frame.explained;
  meta.relevance_sum = frame.relevance_sum;
  meta.positive_sum = frame.positive_sum;
  meta.hottest_x = frame.hottest.x;
  meta.hottest_y = frame.hottest.y;
  meta.hottest_width = frame.hottest.width;
  meta.hottest_height = frame.hottest.height;
  meta.scale = scale;
  meta.frame_index = static_cast<std::uint64_t>(frame.frame_index);
  meta.pts = static_cast<std::uint64_t>(frame.pts_ns);
  return meta;
}

void ExplainStage::releaseArchive(ReadyQueue& out) {
  for (std::int64_t index : archive_->release()) {
    Held held = std::move(held_.front());
    held_.pop_front();
    g_assert(held.index == index);
    const auto result = done_.find(index);
    if (result != done_.end()) {
      if (result->second.error.empty()) {
        const std::int64_t group_id = group_of_.at(index);
        RelevanceResult meta = toMeta(result->second, groups_.at(group_id).scale);
        const DeepbugClassificationMeta* classification =
            deepbug_buffer_get_classification_meta(held.buffer.get());
        if (classification != nullptr && classification->result != nullptr) {
          meta.geometry = classification->result->geometry;
        }
        held.buffer.reset(gst_buffer_make_writable(held.buffer.release()));
        deepbug_buffer_add_relevance_meta(held.buffer.get(), meta);
        std::lock_guard lock(mutex_);
        stats_.counts.explained += 1;
      }
      const std::int64_t group_id = group_of_.at(index);
      group_of_.erase(index);
      done_.erase(result);
      Group& group = groups_.at(group_id);
      if (--group.arrived == 0) groups_.erase(group_id);
    }
    out.push_back(std::move(held.buffer));
  }
  std::lock_guard lock(mutex_);
  stats_.counts.peak_held = std::max<std::uint64_t>(stats_.counts.peak_held, archive_->held());
}

void ExplainStage::attachLive(OwnedBuffer& buffer) {
  if (done_.empty()) return;
  // The newest ready map goes on this frame; older ones it supersedes are counted.
  auto newest = std::prev(done_.end());
  explain::FrameRelevance frame = std::move(newest->second);
  {
    std::lock_guard lock(mutex_);
    stats_.counts.superseded += done_.size() - 1;
  }
  for (auto it = done_.begin(); it != newest; ++it)
    thumbnails_.erase(it->first);
  done_.clear();
  const auto thumb = thumbnails_.find(frame.frame_index);
  if (!frame.error.empty()) {
    if (thumb != thumbnails_.end()) thumbnails_.erase(thumb);
    return;
  }
  live_scale_ = std::max(live_scale_, sharedPositiveScale({frame.relevance}));
  RelevanceResult meta = toMeta(frame, live_scale_);
  meta.on_explained_frame = false;
  const DeepbugClassificationMeta* classification =
      deepbug_buffer_get_classification_meta(buffer.get());
  if (classification != nullptr && classification->result != nullptr) {
    meta.geometry = classification->result->geometry;
  }
  if (thumb != thumbnails_.end()) {
    meta.thumbnail = std::move(thumb->second.rgb);
    meta.thumbnail_width = thumb->second.width;
    meta.thumbnail_height = thumb->second.height;
    thumbnails_.erase(thumb);
  }
  buffer.reset(gst_buffer_make_writable(buffer.release()));
  deepbug_buffer_add_relevance_meta(buffer.get(), meta);
  std::lock_guard lock(mutex_);
  stats_.counts.explained += 1;
}

void ExplainStage::postEvent(const explain::Event& event,
                             const std::vector<std::int64_t>& selected) {
  std::ostringstream frames;
  for (std::size_t i = 0; i < selected.size(); ++i)
    frames << (i ? "," : "") << selected[i];
  GstStructure* s = gst_structure_new(
      kExplainEventMessage, "id", G_TYPE_INT64, event.id, "target", G_TYPE_STRING, target_.c_str(),
      "composite", G_TYPE_STRING,
      explainer_ ? explainer_->composite().c_str() : settings_.composite.c_str(), "mode",
      G_TYPE_STRING, live_ ? "live" : "archive", "start-index", G_TYPE_INT64, event.start.index,
      "end-index", G_TYPE_INT64, event.end.index, "start-pts", G_TYPE_INT64, event.start.pts_ns,
      "end-pts", G_TYPE_INT64, event.end.pts_ns, "frames", G_TYPE_INT64, event.frames,
      "classified-frames", G_TYPE_INT64, event.classified_frames, "mean-score", G_TYPE_DOUBLE,
      event.mean_score, "ended-by-stream-end", G_TYPE_BOOLEAN, event.ended_by_stream_end,
      "selected", G_TYPE_STRING, frames.str().c_str(), nullptr);
  if (event.peak) {
    gst_structure_set(s, "peak-index", G_TYPE_INT64, event.peak->index, "peak-pts", G_TYPE_INT64,
                      event.peak->pts_ns, "peak-score", G_TYPE_DOUBLE, event.peak->score, nullptr);
  }
  gst_element_post_message(owner_, gst_message_new_element(GST_OBJECT(owner_), s));
  std::lock_guard lock(mutex_);
  stats_.counts.events += 1;
}

void ExplainStage::postFailure(const explain::FrameRelevance& frame) {
  GstStructure* s = gst_structure_new(kExplainFailureMessage, "frame-index", G_TYPE_INT64,
                                      frame.frame_index, "pts", G_TYPE_INT64, frame.pts_ns, "error",
                                      G_TYPE_STRING, frame.error.c_str(), nullptr);
  gst_element_post_message(owner_, gst_message_new_element(GST_OBJECT(owner_), s));
}

void ExplainStage::postClosedEvents() {
  if (live_) {
    for (const explain::Event& event : live_planner_->takeClosedEvents()) {
      postEvent(event, {});
      live_scale_ = 0.0;
    }
    return;
  }
  for (const explain::PlannedEvent& planned : archive_->takeClosedEvents())
    postEvent(planned.event, planned.selected);
}

void ExplainStage::finish(ReadyQueue& out) {
  if (live_) {
    live_planner_->finish();
    postClosedEvents();
    collect(false);
    dropUnattached();  // maps with no frame left to go on, and work still running
    return;
  }
  const std::vector<std::int64_t> selected = archive_->finish();
  if (!selected.empty()) submitSelection(selected);
  postClosedEvents();
  while (archive_->outstanding() > 0) {
    if (!collect(true)) return;  // a flush started: what is held goes at flushStop()
    releaseArchive(out);
  }
  collect(false);
  releaseArchive(out);
}

void ExplainStage::flushStart() {
  std::lock_guard lock(mutex_);
  flushing_ = true;
  if (scheduler_) scheduler_->setFlushing(true);  // wakes a submit() waiting for room
  arrived_cv_.notify_all();                       // and a collect() waiting for results
}

void ExplainStage::flushStop() {
  {
    std::lock_guard lock(mutex_);
    ++generation_;  // what is running now is dropped when it arrives
    flushing_ = false;
    if (scheduler_) scheduler_->setFlushing(false);
    arrived_.clear();
  }
  dropUnattached();
  startOver();
}

// Counts as dropped every selection whose map will not be attached now: not collected
// (running, arrived, or refused by a flush) or collected and on no frame yet.
void ExplainStage::dropUnattached() {
  const auto ready = std::count_if(done_.begin(), done_.end(),
                                   [](const auto& done) { return done.second.error.empty(); });
  done_.clear();
  thumbnails_.clear();
  std::lock_guard lock(mutex_);
  stats_.counts.dropped += selected_at_.size() + static_cast<std::uint64_t>(ready);
  selected_at_.clear();
}

// The planners and what they hold, as at the start of a stream.
void ExplainStage::startOver() {
  held_.clear();
  done_.clear();
  groups_.clear();
  group_of_.clear();
  thumbnails_.clear();
  live_scale_ = 0.0;
  const explain::ArchivePolicy policy = toArchivePolicy(settings_);
  if (live_) {
    live_planner_.emplace(policy.events, policy.selection);
  } else {
    archive_.emplace(policy);
  }
}

void ExplainStage::waitForExplanations() {
  if (scheduler_) scheduler_->waitIdle();
}

bool ExplainStage::waiting() const {
  std::lock_guard lock(mutex_);  // then the scheduler's: the order used everywhere
  return collect_waiters_ > 0 || (scheduler_ && scheduler_->waitingForRoom() > 0);
}

void ExplainStage::stopWorkers() {
  std::unique_ptr<explain::ExplainScheduler> scheduler;
  {
    std::lock_guard lock(mutex_);
    scheduler = std::move(scheduler_);
  }
  scheduler.reset();  // waits for the work in flight, which delivers under mutex_
  {
    // Stopping wakes the streaming thread as a flush does (the element's change_state);
    // the results that came in meanwhile still count.
    std::lock_guard lock(mutex_);
    flushing_ = false;
  }
  collect(false);  // results that came in meanwhile are counted (and dropped)
}

ExplainStats ExplainStage::stats() const {
  std::vector<double> latencies;
  ExplainStats stats;
  {
    std::lock_guard lock(mutex_);
    stats = stats_.counts;
    latencies = stats_.latencies;
  }
  stats.mode = live_ ? "live" : "archive";
  std::sort(latencies.begin(), latencies.end());
  auto percentile = [&](double p) {
    if (latencies.empty()) return 0.0;
    const auto i = static_cast<std::size_t>(p * static_cast<double>(latencies.size() - 1) + 0.5);
    return latencies[i];
  };
  stats.latency_p50 = percentile(0.5);
  stats.latency_p95 = percentile(0.95);
  return stats;
}

}  // namespace deepbug::gst
