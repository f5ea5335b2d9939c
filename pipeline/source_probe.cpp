#include "source_probe.hpp"

#include <gst/pbutils/pbutils.h>

#include <filesystem>
#include <memory>

#include "core/error.hpp"

namespace deepbug::stream {

SourceInfo probeSource(const std::string& path, const std::string& where) {
  std::error_code ec;
  if (std::filesystem::file_size(path, ec) == 0 && !ec) {
    throw ConfigError(where + ": '" + path + "' is empty (0 bytes)",
                      "point the source at a recorded video file");
  }
  GError* error = nullptr;
  std::unique_ptr<GstDiscoverer, decltype(&g_object_unref)> discoverer(
      gst_discoverer_new(30 * GST_SECOND, &error), g_object_unref);
  if (!discoverer) {
    const std::string message = error ? error->message : "unknown";
    g_clear_error(&error);
    throw std::runtime_error("cannot start GStreamer's discoverer: " + message);
  }
  gchar* uri = gst_filename_to_uri(path.c_str(), nullptr);
  GstDiscovererInfo* raw = gst_discoverer_discover_uri(discoverer.get(), uri, &error);
  g_free(uri);
  std::unique_ptr<GstDiscovererInfo, decltype(&g_object_unref)> info(raw, g_object_unref);
  const std::string reason = error ? error->message : "";
  g_clear_error(&error);
  const GstDiscovererResult result =
      info ? gst_discoverer_info_get_result(info.get()) : GST_DISCOVERER_ERROR;
  if (result == GST_DISCOVERER_MISSING_PLUGINS) {
    throw ConfigError(where + ": no GStreamer decoder for '" + path + "'",
                      "install the GStreamer plugin packages (make deps) or convert the file");
  }
  if (result != GST_DISCOVERER_OK) {
    throw ConfigError(where + ": '" + path + "' is not readable footage" +
                          (reason.empty() ? "" : " (" + reason + ")"),
                      "check that the file is a complete MP4/MKV/AVI recording");
  }
  GList* videos = gst_discoverer_info_get_video_streams(info.get());
  GList* audios = gst_discoverer_info_get_audio_streams(info.get());
  SourceInfo out;
  out.has_audio = audios != nullptr;
  gst_discoverer_stream_info_list_free(audios);
  if (videos == nullptr) {
    throw ConfigError(where + ": '" + path + "' holds no video stream",
                      "deepbug-stream needs footage with a video track");
  }
  auto* video = GST_DISCOVERER_VIDEO_INFO(videos->data);
  out.width = static_cast<int>(gst_discoverer_video_info_get_width(video));
  out.height = static_cast<int>(gst_discoverer_video_info_get_height(video));
  const guint num = gst_discoverer_video_info_get_framerate_num(video);
  const guint den = gst_discoverer_video_info_get_framerate_denom(video);
  out.fps = den > 0 ? static_cast<double>(num) / den : 0;
  gst_discoverer_stream_info_list_free(videos);
  const GstClockTime duration = gst_discoverer_info_get_duration(info.get());
  out.duration_seconds =
      GST_CLOCK_TIME_IS_VALID(duration) ? static_cast<double>(duration) / GST_SECOND : 0;
  return out;
}

}  // namespace deepbug::stream
