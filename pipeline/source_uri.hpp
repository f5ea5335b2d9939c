// What a source's `uri` names: a footage file, an RTSP camera, a V4L2 device or a
// GStreamer test pattern. Pure parsing, so that every mistake is a config error
// before anything runs, and credentials never leave this struct unmasked.
#pragma once

#include <string>
#include <vector>

namespace deepbug::stream {

enum class SourceKind { kFile, kRtsp, kV4l2, kTest };

// `test:PATTERN?width=W&height=H&fps=F&frames=N` — videotestsrc, live.
struct TestPattern {
  std::string pattern = "ball";  // a videotestsrc pattern nick
  int width = 640;
  int height = 360;
  int fps = 15;
  long frames = -1;  // -1: endless
};

struct SourceUri {
  SourceKind kind = SourceKind::kFile;
  std::string location;  // file path, RTSP URI without credentials, device path, or pattern
  std::string user;      // RTSP only; from the URI's user:password@
  std::string password;
  std::string raw_password;  // as written in the URI (percent-encoded), for masking
  std::string display;       // the URI with the password masked: the only form ever printed
  TestPattern test;
};

// Parses `uri` (after ${ENV} expansion). Throws ConfigError prefixed with `where`.
// File paths are returned as written; the caller resolves and checks them.
SourceUri parseSourceUri(const std::string& uri, const std::string& where);

// `rtsp://user:***@host/...`: the URI as it may be shown. URIs without a password
// come back unchanged.
std::string maskCredentials(const std::string& uri);

// A `--set key=value` as it may be shown: passwords (keys ending in "password", and
// credentials in URIs) masked.
std::string maskAssignment(const std::string& assignment);

// Replaces every occurrence of each non-empty secret in `text` with "***": applied to
// every line that carries text from GStreamer or the network about a source.
std::string redact(std::string text, const std::vector<std::string>& secrets);

const char* toString(SourceKind kind);

}  // namespace deepbug::stream
