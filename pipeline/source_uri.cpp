#include "source_uri.hpp"

#include <cctype>
#include <cstdlib>

#include "core/error.hpp"

namespace deepbug::stream {
namespace {

bool startsWith(const std::string& text, const std::string& prefix) {
  return text.rfind(prefix, 0) == 0;
}

std::string percentDecode(const std::string& text) {
  std::string out;
  for (std::size_t i = 0; i < text.size(); ++i) {
    if (text[i] == '%' && i + 2 < text.size() &&
        std::isxdigit(static_cast<unsigned char>(text[i + 1])) &&
        std::isxdigit(static_cast<unsigned char>(text[i + 2]))) {
      out += static_cast<char>(std::strtol(text.substr(i + 1, 2).c_str(), nullptr, 16));
      i += 2;
    } else {
      out += text[i];
    }
  }
  return out;
}

// Splits "scheme://userinfo@rest" into its parts; userinfo empty when absent.
struct Authority {
  std::string scheme;  // "rtsp://"
  std::string userinfo;
  std::string rest;  // host[:port]/path?query
};

Authority splitAuthority(const std::string& uri) {
  const auto scheme_end = uri.find("://");
  Authority a;
  a.scheme = uri.substr(0, scheme_end + 3);
  const std::string after = uri.substr(scheme_end + 3);
  // The userinfo ends at the last '@': camera passwords hold '@', '/' or '?' unencoded
  // more often than camera paths hold '@'.
  const auto at = after.rfind('@');
  if (at == std::string::npos) {
    a.rest = after;
  } else {
    a.userinfo = after.substr(0, at);
    a.rest = after.substr(at + 1);
  }
  return a;
}

long positiveNumber(const std::string& key, const std::string& value, const std::string& where,
                    long max) {
  char* end = nullptr;
  const long parsed = std::strtol(value.c_str(), &end, 10);
  if (value.empty() || *end != '\0' || parsed < 1 || parsed > max) {
    throw ConfigError(where + ": test source '" + key + "=" + value +
                          "' is not a whole number in 1.." + std::to_string(max),
                      "e.g. test:ball?width=640&height=360&fps=15&frames=300");
  }
  return parsed;
}

TestPattern parseTest(const std::string& spec, const std::string& where) {
  TestPattern t;
  const auto question = spec.find('?');
  const std::string pattern = spec.substr(0, question);
  if (!pattern.empty()) t.pattern = pattern;
  if (question == std::string::npos) return t;
  std::string query = spec.substr(question + 1);
  std::size_t start = 0;
  while (start <= query.size()) {
    const auto amp = query.find('&', start);
    const std::string item =
        query.substr(start, amp == std::string::npos ? std::string::npos : amp - start);
    start = amp == std::string::npos ? query.size() + 1 : amp + 1;
    if (item.empty()) continue;
    const auto equals = item.find('=');
    const std::string key = item.substr(0, equals);
    const std::string value = equals == std::string::npos ? "" : item.substr(equals + 1);
    if (key == "width") {
      t.width = static_cast<int>(positiveNumber(key, value, where, 7680));
    } else if (key == "height") {
      t.height = static_cast<int>(positiveNumber(key, value, where, 4320));
    } else if (key == "fps") {
      t.fps = static_cast<int>(positiveNumber(key, value, where, 1000));
    } else if (key == "frames") {
      t.frames = positiveNumber(key, value, where, 1L << 40);
    } else {
      throw ConfigError(where + ": test source: unknown parameter '" + key + "'",
                        "known: width, height, fps, frames (e.g. test:ball?width=640&fps=15)");
    }
  }
  return t;
}

}  // namespace

const char* toString(SourceKind kind) {
  switch (kind) {
    case SourceKind::kFile:
      return "file";
    case SourceKind::kRtsp:
      return "rtsp";
    case SourceKind::kV4l2:
      return "v4l2";
    case SourceKind::kTest:
      return "test";
  }
  return "?";
}

std::string maskCredentials(const std::string& uri) {
  if (uri.find("://") == std::string::npos) return uri;
  const Authority a = splitAuthority(uri);
  const auto colon = a.userinfo.find(':');
  if (colon == std::string::npos) return uri;
  return a.scheme + a.userinfo.substr(0, colon) + ":***@" + a.rest;
}

std::string maskAssignment(const std::string& assignment) {
  const auto equals = assignment.find('=');
  if (equals == std::string::npos) return assignment;
  const std::string key = assignment.substr(0, equals);
  const std::string suffix = "password";
  if (key.size() >= suffix.size() &&
      key.compare(key.size() - suffix.size(), suffix.size(), suffix) == 0) {
    return key + "=***";
  }
  return key + "=" + maskCredentials(assignment.substr(equals + 1));
}

std::string redact(std::string text, const std::vector<std::string>& secrets) {
  for (const std::string& secret : secrets) {
    if (secret.empty()) continue;
    for (auto at = text.find(secret); at != std::string::npos; at = text.find(secret, at + 3))
      text.replace(at, secret.size(), "***");
  }
  return text;
}

SourceUri parseSourceUri(const std::string& uri, const std::string& where) {
  SourceUri s;
  s.display = maskCredentials(uri);
  if (startsWith(uri, "rtsp://") || startsWith(uri, "rtsps://")) {
    s.kind = SourceKind::kRtsp;
    const Authority a = splitAuthority(uri);
    if (a.rest.empty() || a.rest.front() == '/' || a.rest.front() == ':') {
      throw ConfigError(where + ": '" + s.display + "' names no camera host",
                        "e.g. rtsp://192.168.1.20:554/stream1");
    }
    s.location = a.scheme + a.rest;
    const auto colon = a.userinfo.find(':');
    s.user = percentDecode(a.userinfo.substr(0, colon));
    if (colon != std::string::npos) {
      s.raw_password = a.userinfo.substr(colon + 1);
      s.password = percentDecode(s.raw_password);
    }
    return s;
  }
  if (startsWith(uri, "v4l2://")) {
    s.kind = SourceKind::kV4l2;
    s.location = uri.substr(7).empty() ? "/dev/video0" : uri.substr(7);
    if (s.location.front() != '/') {
      throw ConfigError(where + ": '" + uri + "' names no device path",
                        "e.g. v4l2:///dev/video0 (three slashes: the path is absolute)");
    }
    return s;
  }
  if (startsWith(uri, "test:")) {
    s.kind = SourceKind::kTest;
    std::string spec = uri.substr(5);
    if (startsWith(spec, "//")) spec = spec.substr(2);
    s.test = parseTest(spec, where);
    s.location = s.test.pattern;
    return s;
  }
  if (startsWith(uri, "file://")) {
    s.location = percentDecode(uri.substr(7));
    return s;
  }
  if (uri.find("://") != std::string::npos) {
    throw ConfigError(where + ": source '" + s.display + "': unsupported scheme",
                      "use a file path or file://, rtsp://, rtsps://, v4l2:///dev/videoN or "
                      "test:PATTERN");
  }
  s.location = uri;
  return s;
}

}  // namespace deepbug::stream
