#include "rtsp_restream.hpp"

#include <gst/rtsp-server/rtsp-server.h>

#include "core/error.hpp"

namespace deepbug::stream {
namespace {

// The recording's H.264 in, RTP out. The payloader repeats SPS and PPS before every
// keyframe (config-interval=-1), so a client that joins a running stream decodes from
// the next one.
constexpr char kLaunch[] =
    "( appsrc name=feed is-live=true format=time do-timestamp=false ! h264parse ! "
    "rtph264pay name=pay0 pt=96 config-interval=-1 )";
constexpr char kViewerRole[] = "viewer";
// Clients on threads of their own: a DESCRIBE waits for the media's first keyframe,
// which would otherwise hold the run's main loop (status, bus messages) that long.
constexpr gint kClientThreads = 4;

// A feed held by a signal handler, released with it: a media can outlive the server
// for a moment on the server's threads.
using FeedRef = std::shared_ptr<RestreamFeed>;

struct MediaLink {
  FeedRef feed;
  gst::ObjectRef<GstElement> appsrc;
};

void onUnprepared(GstRTSPMedia*, gpointer data) {
  auto* link = static_cast<MediaLink*>(data);
  link->feed->removeMedia(link->appsrc.get());
}

void onMediaConfigure(GstRTSPMediaFactory*, GstRTSPMedia* media, gpointer data) {
  const FeedRef& feed = *static_cast<FeedRef*>(data);
  const gst::ObjectRef<GstElement> element(gst_rtsp_media_get_element(media));
  GstElement* appsrc = gst_bin_get_by_name_recurse_up(GST_BIN(element.get()), "feed");
  if (appsrc == nullptr) return;
  auto* link = new MediaLink{feed, gst::ObjectRef<GstElement>(appsrc)};
  try {
    feed->addMedia(appsrc);
  } catch (const std::exception&) {  // nothing unwinds into GLib; this client sees nothing
    delete link;
    return;
  }
  g_signal_connect_data(
      media, "unprepared", G_CALLBACK(onUnprepared), link,
      [](gpointer l, GClosure*) { delete static_cast<MediaLink*>(l); }, GConnectFlags{});
}

// Basic authentication: only `user` with the password may open a mount; anyone else
// gets 401. (Basic sends the password readable on the wire: RTSP here has no TLS.)
void requireBasicAuth(GstRTSPServer* server, const RtspConfig& config) {
  GstRTSPAuth* auth = gst_rtsp_auth_new();
  GstRTSPToken* token =
      gst_rtsp_token_new(GST_RTSP_TOKEN_MEDIA_FACTORY_ROLE, G_TYPE_STRING, kViewerRole, nullptr);
  gchar* basic = gst_rtsp_auth_make_basic(config.user.c_str(), config.password.c_str());
  gst_rtsp_auth_add_basic(auth, basic, token);
  g_free(basic);
  gst_rtsp_token_unref(token);
  gst_rtsp_server_set_auth(server, auth);
  g_object_unref(auth);
}

void allowViewers(GstRTSPMediaFactory* factory) {
  GstRTSPPermissions* permissions = gst_rtsp_permissions_new();
  gst_rtsp_permissions_add_role(permissions, kViewerRole, GST_RTSP_PERM_MEDIA_FACTORY_ACCESS,
                                G_TYPE_BOOLEAN, TRUE, GST_RTSP_PERM_MEDIA_FACTORY_CONSTRUCT,
                                G_TYPE_BOOLEAN, TRUE, nullptr);
  gst_rtsp_media_factory_set_permissions(factory, permissions);
  gst_rtsp_permissions_unref(permissions);
}

GstRTSPFilterResult dropClient(GstRTSPServer*, GstRTSPClient*, gpointer) {
  return GST_RTSP_FILTER_REMOVE;
}

}  // namespace

struct RtspRestream::Server {
  GstRTSPServer* server = nullptr;
  GSource* source = nullptr;

  ~Server() {
    if (source != nullptr) {
      g_source_destroy(source);
      g_source_unref(source);
    }
    // Closes the clients' connections; their media are torn down.
    if (server != nullptr) {
      gst_rtsp_server_client_filter(server, dropClient, nullptr);
      g_object_unref(server);
    }
  }
};

std::string restreamUrl(const std::string& address, int port, const std::string& name) {
  const bool v6 = address.find(':') != std::string::npos;
  return "rtsp://" + (v6 ? "[" + address + "]" : address) + ":" + std::to_string(port) + "/" + name;
}

RtspRestream::RtspRestream(const RtspConfig& config, const std::vector<std::string>& names)
    : server_(std::make_unique<Server>()) {
  GstRTSPServer* server = server_->server = gst_rtsp_server_new();
  gst_rtsp_server_set_address(server, config.address.c_str());
  gst_rtsp_server_set_service(server, std::to_string(config.port).c_str());  // "0": any
  GstRTSPThreadPool* pool = gst_rtsp_server_get_thread_pool(server);
  gst_rtsp_thread_pool_set_max_threads(pool, kClientThreads);
  g_object_unref(pool);
  const bool auth = !config.password.empty();
  if (auth) requireBasicAuth(server, config);

  // create_source rather than attach: it says why binding failed.
  GError* error = nullptr;
  server_->source = gst_rtsp_server_create_source(server, nullptr, &error);
  if (server_->source == nullptr) {
    const std::string why = error != nullptr ? error->message : "unknown error";
    g_clear_error(&error);
    throw ConfigError(config.where + ": outputs.rtsp cannot listen on " + config.address +
                          " port " + std::to_string(config.port) + ": " + why,
                      "another program (or another deepbug-stream) has the port: choose "
                      "another 'port', or 0 for any free one");
  }
  // The default context: served once the run's main loop runs, after the mounts below.
  g_source_attach(server_->source, nullptr);
  port_ = gst_rtsp_server_get_bound_port(server);

  GstRTSPMountPoints* mounts = gst_rtsp_server_get_mount_points(server);
  for (const std::string& name : names) {
    feeds_.push_back(std::make_shared<RestreamFeed>(restreamUrl(config.address, port_, name)));
    GstRTSPMediaFactory* factory = gst_rtsp_media_factory_new();
    gst_rtsp_media_factory_set_launch(factory, kLaunch);
    // One media per mount, shared by its clients: each frame is handed over once.
    gst_rtsp_media_factory_set_shared(factory, TRUE);
    if (auth) allowViewers(factory);
    g_signal_connect_data(
        factory, "media-configure", G_CALLBACK(onMediaConfigure), new FeedRef(feeds_.back()),
        [](gpointer f, GClosure*) { delete static_cast<FeedRef*>(f); }, GConnectFlags{});
    gst_rtsp_mount_points_add_factory(mounts, ("/" + name).c_str(), factory);  // takes it
  }
  g_object_unref(mounts);
}

RtspRestream::~RtspRestream() {
  server_.reset();
  // The clients' media are torn down on the pool's threads: wait for them, so that none
  // outlives the run (and the feeds their appsrcs were handed).
  gst_rtsp_thread_pool_cleanup();
}

}  // namespace deepbug::stream
