// Where a server listens: "HOST:PORT", "[V6]:PORT" or "HOST" (the default port), and
// whether that is reachable from this machine only.
#pragma once

#include <string>

namespace deepbug::web {

struct ListenAddress {
  std::string host;  // an IP literal or "localhost"; IPv6 without brackets
  int port = 0;      // 0: any free port

  // 127.0.0.0/8, ::1 or localhost: nobody on another machine can connect.
  bool loopback() const;
  // "host:port" with IPv6 in brackets, for URLs.
  std::string authority(int bound_port) const;
};

// Throws deepbug::Error naming `text` and the accepted forms.
ListenAddress parseListenAddress(const std::string& text, int default_port);

// An IPv4 dotted quad or an IPv6 address (without brackets).
bool isIpLiteral(const std::string& host);
// 127.0.0.0/8, ::1 or localhost.
bool isLoopbackHost(const std::string& host);
// 0.0.0.0 or :: (in any spelling): where a server listens on every interface, not an
// address a client can open.
bool isEveryInterfaceHost(const std::string& host);

}  // namespace deepbug::web
