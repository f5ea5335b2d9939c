#include "source_probe.hpp"

#include <gst/pbutils/pbutils.h>

#include <filesystem>
#include <memory>

#include "common/gst_ptr.hpp"
#include "core/error.hpp"

namespace deepbug::stream {
namespace {

// A GObject that is not a GstObject (the discoverer and what it reports).
struct GObjectUnref {
  void operator()(gpointer object) const { g_object_unref(object); }
};
template <class T>
using GObjectRef = std::unique_ptr<T, GObjectUnref>;

// A list of stream infos from gst_discoverer_info_get_*_streams.
struct StreamListFree {
  void operator()(GList* list) const { gst_discoverer_stream_info_list_free(list); }
};
using OwnedStreamList = std::unique_ptr<GList, StreamListFree>;

}  // namespace

SourceInfo probeSource(const std::string& path, const std::string& where) {
  std::error_code ec;
  if (std::filesystem::file_size(path, ec) == 0 && !ec) {
    throw ConfigError(where + ": '" + path + "' is empty (0 bytes)",
                      "point the source at a recorded video file");
  }
  GError* start_error = nullptr;
  const GObjectRef<GstDiscoverer> discoverer(gst_discoverer_new(30 * GST_SECOND, &start_error));
  const gst::OwnedError start_failure(start_error);
  if (!discoverer) {
    throw std::runtime_error(std::string("cannot start GStreamer's discoverer: ") +
                             (start_failure ? start_failure->message : "unknown"));
  }
  const gst::OwnedText uri(gst_filename_to_uri(path.c_str(), nullptr));
  GError* discover_error = nullptr;
  const GObjectRef<GstDiscovererInfo> info(
      gst_discoverer_discover_uri(discoverer.get(), uri.get(), &discover_error));
  const gst::OwnedError discover_failure(discover_error);
  const std::string reason = discover_failure ? discover_failure->message : "";
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
  const OwnedStreamList videos(gst_discoverer_info_get_video_streams(info.get()));
  const OwnedStreamList audios(gst_discoverer_info_get_audio_streams(info.get()));
  SourceInfo out;
  out.has_audio = audios != nullptr;
  if (!videos) {
    throw ConfigError(where + ": '" + path + "' holds no video stream",
                      "deepbug-stream needs footage with a video track");
  }
  auto* video = GST_DISCOVERER_VIDEO_INFO(videos->data);
  out.width = static_cast<int>(gst_discoverer_video_info_get_width(video));
  out.height = static_cast<int>(gst_discoverer_video_info_get_height(video));
  const guint num = gst_discoverer_video_info_get_framerate_num(video);
  const guint den = gst_discoverer_video_info_get_framerate_denom(video);
  out.fps = den > 0 ? static_cast<double>(num) / den : 0;
  const GstClockTime duration = gst_discoverer_info_get_duration(info.get());
  out.duration_seconds =
      GST_CLOCK_TIME_IS_VALID(duration) ? static_cast<double>(duration) / GST_SECOND : 0;
  return out;
}

}  // namespace deepbug::stream
