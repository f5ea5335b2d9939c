// deepbug-rtsp-test-server: a tiny live RTSP camera on 127.0.0.1 for the tests.
//
//   deepbug-rtsp-test-server --port N [--mount /cam] [--width 640] [--height 360] [--fps 15]
//                            [--user U --password P]
//
// Serves a moving test pattern as H.264 over RTP (TCP or UDP). Once listening it prints
// one line, `READY rtsp://127.0.0.1:PORT/MOUNT`, so a test can wait for it and learn the
// port (--port 0 picks a free one). SIGINT or SIGTERM end it with exit status 0; bad
// arguments or a port that cannot be bound end it with status 2.
#include <glib-unix.h>
#include <gst/gst.h>
#include <gst/rtsp-server/rtsp-server.h>

#include <csignal>
#include <cstdio>
#include <cstdlib>
#include <string>

namespace {

constexpr int kUsageError = 2;

struct Options {
  int port = -1;
  std::string mount = "/cam";
  int width = 640;
  int height = 360;
  int fps = 15;
  std::string user;
  std::string password;
};

int fail(const std::string& message) {
  std::fprintf(stderr, "deepbug-rtsp-test-server: %s\n", message.c_str());
  return kUsageError;
}

bool parseInt(const std::string& text, int min, int max, int* value) {
  char* end = nullptr;
  const long parsed = std::strtol(text.c_str(), &end, 10);
  if (text.empty() || *end != '\0' || parsed < min || parsed > max) return false;
  *value = static_cast<int>(parsed);
  return true;
}

// Returns an empty string on success, else what is wrong.
std::string parseOptions(int argc, char** argv, Options* options) {
  for (int i = 1; i < argc; ++i) {
    const std::string flag = argv[i];
    if (i + 1 >= argc) return flag + " needs a value";
    const std::string value = argv[++i];
    bool ok = true;
    if (flag == "--port") {
      ok = parseInt(value, 0, 65535, &options->port);
    } else if (flag == "--mount") {
      options->mount = value;
      ok = value.size() > 1 && value[0] == '/';
    } else if (flag == "--width") {
      ok = parseInt(value, 16, 7680, &options->width);
    } else if (flag == "--height") {
      ok = parseInt(value, 16, 4320, &options->height);
    } else if (flag == "--fps") {
      ok = parseInt(value, 1, 240, &options->fps);
    } else if (flag == "--user") {
      options->user = value;
    } else if (flag == "--password") {
      options->password = value;
    } else {
      return "unknown option " + flag;
    }
    if (!ok) return "bad value for " + flag + ": " + value;
  }
  if (options->port < 0) return "--port is required";
  if (options->user.empty() != options->password.empty()) {
    return "--user and --password go together";
  }
  return "";
}

std::string launchLine(const Options& options) {
  const std::string fps = std::to_string(options.fps);
  // A keyframe every second, so a client that joins the shared stream decodes soon.
  return "( videotestsrc is-live=true pattern=ball ! video/x-raw,width=" +
         std::to_string(options.width) + ",height=" + std::to_string(options.height) +
         ",framerate=" + fps +
         "/1 ! x264enc tune=zerolatency speed-preset=ultrafast key-int-max=" + fps +
         " ! rtph264pay name=pay0 pt=96 )";
}

// Basic auth: only `user` may see and start the media; anyone else gets 401.
void requireBasicAuth(GstRTSPServer* server, GstRTSPMediaFactory* factory, const Options& options) {
  static const char kRole[] = "camera-user";
  GstRTSPAuth* auth = gst_rtsp_auth_new();
  GstRTSPToken* token =
      gst_rtsp_token_new(GST_RTSP_TOKEN_MEDIA_FACTORY_ROLE, G_TYPE_STRING, kRole, nullptr);
  gchar* basic = gst_rtsp_auth_make_basic(options.user.c_str(), options.password.c_str());
  gst_rtsp_auth_add_basic(auth, basic, token);
  g_free(basic);
  gst_rtsp_token_unref(token);
  gst_rtsp_server_set_auth(server, auth);
  g_object_unref(auth);

  GstRTSPPermissions* permissions = gst_rtsp_permissions_new();
  gst_rtsp_permissions_add_role(permissions, kRole, GST_RTSP_PERM_MEDIA_FACTORY_ACCESS,
                                G_TYPE_BOOLEAN, TRUE, GST_RTSP_PERM_MEDIA_FACTORY_CONSTRUCT,
                                G_TYPE_BOOLEAN, TRUE, nullptr);
  gst_rtsp_media_factory_set_permissions(factory, permissions);
  gst_rtsp_permissions_unref(permissions);
}

gboolean quit(gpointer loop) {
  g_main_loop_quit(static_cast<GMainLoop*>(loop));
  return G_SOURCE_CONTINUE;  // removed with the other handler on the way out
}

GstRTSPFilterResult dropClient(GstRTSPServer*, GstRTSPClient*, gpointer) {
  return GST_RTSP_FILTER_REMOVE;
}

}  // namespace

int main(int argc, char** argv) {
  Options options;
  const std::string problem = parseOptions(argc, argv, &options);
  if (!problem.empty()) {
    return fail(problem +
                "\nusage: deepbug-rtsp-test-server --port N [--mount /cam] [--width W]"
                " [--height H] [--fps F] [--user U --password P]");
  }
  gst_init(nullptr, nullptr);

  GstRTSPServer* server = gst_rtsp_server_new();
  gst_rtsp_server_set_address(server, "127.0.0.1");
  gst_rtsp_server_set_service(server, std::to_string(options.port).c_str());

  GstRTSPMediaFactory* factory = gst_rtsp_media_factory_new();
  gst_rtsp_media_factory_set_launch(factory, launchLine(options).c_str());
  // One live pipeline for all the clients connected at once. It is torn down when the last
  // one leaves, so a client that was alone and reconnects gets a fresh pipeline.
  gst_rtsp_media_factory_set_shared(factory, TRUE);
  gst_rtsp_media_factory_set_protocols(
      factory, static_cast<GstRTSPLowerTrans>(GST_RTSP_LOWER_TRANS_UDP | GST_RTSP_LOWER_TRANS_TCP));
  if (!options.user.empty()) requireBasicAuth(server, factory, options);

  GstRTSPMountPoints* mounts = gst_rtsp_server_get_mount_points(server);
  gst_rtsp_mount_points_add_factory(mounts, options.mount.c_str(), factory);  // takes factory
  g_object_unref(mounts);

  // create_source rather than attach: it says why binding failed.
  GError* error = nullptr;
  GSource* source = gst_rtsp_server_create_source(server, nullptr, &error);
  if (source == nullptr) {
    const std::string why = error != nullptr ? error->message : "unknown error";
    g_clear_error(&error);
    g_object_unref(server);
    return fail("cannot listen on 127.0.0.1:" + std::to_string(options.port) + ": " + why);
  }
  g_source_attach(source, nullptr);

  // Handlers first: a test may signal as soon as it reads READY.
  GMainLoop* loop = g_main_loop_new(nullptr, FALSE);
  const guint sigint = g_unix_signal_add(SIGINT, quit, loop);
  const guint sigterm = g_unix_signal_add(SIGTERM, quit, loop);

  std::printf("READY rtsp://127.0.0.1:%d%s\n", gst_rtsp_server_get_bound_port(server),
              options.mount.c_str());
  std::fflush(stdout);
  g_main_loop_run(loop);

  g_source_remove(sigint);
  g_source_remove(sigterm);
  g_source_destroy(source);
  g_source_unref(source);
  // Closes the clients' connections and tears their media down.
  gst_rtsp_server_client_filter(server, dropClient, nullptr);
  g_object_unref(server);
  g_main_loop_unref(loop);
  return 0;
}
