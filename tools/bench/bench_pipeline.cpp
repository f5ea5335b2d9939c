#include "bench_pipeline.hpp"

#include <gst/app/gstappsink.h>
#include <gst/gst.h>
#include <gst/video/video.h>

#include <unistd.h>
#include <chrono>
#include <filesystem>
#include <fstream>
#include <memory>
#include <sstream>

#include "common/gst_ptr.hpp"
#include "config.hpp"
#include "core/error.hpp"
#include "core/runtime.hpp"
#include "model/classifier.hpp"
#include "plugin_registry.hpp"
#include "stream_runner.hpp"

namespace deepbug::bench {
namespace fs = std::filesystem;
using nlohmann::json;

namespace {

struct SampleUnref {
  void operator()(GstSample* sample) const { gst_sample_unref(sample); }
};
using OwnedSample = std::unique_ptr<GstSample, SampleUnref>;

struct DecodedFrames {
  std::vector<std::vector<std::uint8_t>> pixels;  // packed RGB
  int width = 0;
  int height = 0;
};

// The footage decoded by GStreamer to RGB, as deepbugclassify receives it.
DecodedFrames decode(const std::string& path, int max_frames) {
  const gst::OwnedText uri(gst_filename_to_uri(path.c_str(), nullptr));
  const std::string description = std::string("uridecodebin uri=\"") + uri.get() +
                                  "\" ! videoconvert ! video/x-raw,format=RGB ! "
                                  "appsink name=out sync=false max-buffers=4";
  GError* parse_error = nullptr;
  GstElement* launched = gst_parse_launch(description.c_str(), &parse_error);
  const gst::OwnedError error(parse_error);
  if (launched == nullptr) {
    throw std::runtime_error("cannot decode '" + path +
                             "': " + (error ? error->message : "unknown"));
  }
  const gst::ObjectRef<GstElement> pipeline(GST_ELEMENT(gst_object_ref_sink(launched)));
  const gst::ObjectRef<GstElement> sink(gst_bin_get_by_name(GST_BIN(pipeline.get()), "out"));
  gst_element_set_state(pipeline.get(), GST_STATE_PLAYING);
  DecodedFrames frames;
  while (static_cast<int>(frames.pixels.size()) < max_frames) {
    const OwnedSample sample(gst_app_sink_pull_sample(GST_APP_SINK(sink.get())));
    if (!sample) break;
    GstVideoInfo info;
    gst_video_info_from_caps(&info, gst_sample_get_caps(sample.get()));
    frames.width = GST_VIDEO_INFO_WIDTH(&info);
    frames.height = GST_VIDEO_INFO_HEIGHT(&info);
    GstMapInfo map;
    gst_buffer_map(gst_sample_get_buffer(sample.get()), &map, GST_MAP_READ);
    // Rows may be padded: keep the stride-free copy.
    std::vector<std::uint8_t> packed(static_cast<std::size_t>(frames.width) * frames.height * 3);
    const int stride = GST_VIDEO_INFO_PLANE_STRIDE(&info, 0);
    for (int y = 0; y < frames.height; ++y) {
      std::copy_n(map.data + y * stride, frames.width * 3, packed.data() + y * frames.width * 3);
    }
    gst_buffer_unmap(gst_sample_get_buffer(sample.get()), &map);
    frames.pixels.push_back(std::move(packed));
  }
  gst_element_set_state(pipeline.get(), GST_STATE_NULL);
  if (frames.pixels.empty()) throw ConfigError("no frames decoded from '" + path + "'");
  return frames;
}

// Frames per second of batched classification over all frames (after one warm-up batch).
double classifyOnlyFps(const model::Classifier& classifier, const DecodedFrames& frames,
                       int batch) {
  auto viewsFrom = [&](std::size_t begin, std::size_t end) {
    std::vector<model::FrameView> views;
    for (std::size_t i = begin; i < end; ++i) {
      views.push_back(
          {frames.pixels[i].data(), frames.width, frames.height, 0, model::PixelFormat::kRGB});
    }
    return views;
  };
  classifier.classify(viewsFrom(0, std::min<std::size_t>(batch, frames.pixels.size())));
  const auto start = std::chrono::steady_clock::now();
  for (std::size_t i = 0; i < frames.pixels.size(); i += batch) {
    classifier.classify(viewsFrom(i, std::min(frames.pixels.size(), i + batch)));
  }
  const double seconds =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  return frames.pixels.size() / seconds;
}

}  // namespace

json benchPipeline(const PipelineBenchOptions& o) {
  gst_init(nullptr, nullptr);
  stream::registerDeepbugPlugin();
  if (!fs::is_regular_file(o.footage)) {
    throw ConfigError("no footage file '" + o.footage + "'", "check --footage");
  }
  model::ClassifierOptions classifier_options;
  classifier_options.model_path = o.model;
  classifier_options.device = o.device;
  classifier_options.threads = o.threads;
  const model::Classifier classifier(classifier_options);
  const DecodedFrames frames = decode(o.footage, o.max_frames);

  const fs::path work =
      o.work_dir.empty() ? fs::temp_directory_path() / ("deepbug-bench-" + std::to_string(getpid()))
                         : fs::path(o.work_dir);
  // Read as deepbug-stream reads its config: the footage, the model, the overlay.
  std::ostringstream yaml;
  yaml << "sources:\n  - name: bench\n    uri: " << json(fs::absolute(o.footage).string()).dump()
       << "\nmodel:\n  path: " << json(o.model).dump() << "\n  device: " << json(o.device).dump()
       << "\n  batch_size: " << o.batch << "\n  threads: " << o.threads
       << "\noverlay:\n  watch: " << json(classifier.labels().front()).dump()
       << "\noutputs:\n  directory: " << json(work.string()).dump() << "\n";
  const stream::StreamConfig config =
      stream::loadConfigText(yaml.str(), "(deepbug-bench pipeline options)", {});
  stream::RunOptions run;
  run.quiet = true;
  run.overwrite = true;

  const double before = classifyOnlyFps(classifier, frames, o.batch);
  const int code = stream::runStream(config, run);
  const double after = classifyOnlyFps(classifier, frames, o.batch);
  if (code != kExitOk)
    throw std::runtime_error("the pipeline run failed (exit code " + std::to_string(code) + ")");
  std::ifstream in(work / "bench" / "summary.json");
  const json summary = json::parse(in);
  if (o.work_dir.empty()) fs::remove_all(work);

  const double classify_fps = (before + after) / 2;
  const double end_to_end_fps = summary["fps"].get<double>();
  return {
      {"benchmark", "pipeline"},
      {"footage", o.footage},
      {"frame_size", std::to_string(frames.width) + "x" + std::to_string(frames.height)},
      {"model", o.model},
      {"device", classifier.device()},
      {"threads", classifier.threads()},
      {"batch", o.batch},
      {"end_to_end",
       {{"frames", summary["frames_out"]}, {"fps", end_to_end_fps}, {"stages", summary["stages"]}}},
      {"classify_only",
       {{"frames", frames.pixels.size()},
        {"fps_before", before},
        {"fps_after", after},
        {"fps", classify_fps}}},
      {"ratio", end_to_end_fps / classify_fps},
      {"target_ratio", 0.85},
      {"runtime", json::parse(toJson(runtimeInfo()))}};
}

}  // namespace deepbug::bench
