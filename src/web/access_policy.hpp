// Who may use the monitoring server: the Host header must name this server (an IP
// address, localhost or a configured name — a page on another site that rebinds its DNS
// name to 127.0.0.1 is refused), and with a token, the request must carry it: as
// `Authorization: Bearer TOKEN`, as `?token=TOKEN` (answered with a session cookie, so
// that <img> and EventSource work without the token in their URLs), or as that cookie.
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace deepbug::web {

struct AccessRequest {
  std::string host;           // the Host header, "" when absent
  std::string authorization;  // the Authorization header
  std::string cookie;         // the Cookie header
  std::optional<std::string> query_token;
};

// Tokens and passwords that guard a server other machines can reach: shorter ones can
// be guessed by trying.
inline constexpr std::size_t kMinSecretLength = 16;

// The session cookie's name before setPort(): deepbug_session_PORT after.
inline constexpr const char* kSessionCookie = "deepbug_session";

enum class AccessVerdict {
  kAllow,
  kAllowWithCookie,  // the query token was right: set the session cookie
  kUnauthorized,     // 401
  kForeignHost,      // 403
};

class AccessPolicy {
 public:
  // `token` empty: no token needed. `hosts`: names besides IP addresses and localhost
  // that browsers may use for this server.
  AccessPolicy(std::string token, std::vector<std::string> hosts);

  AccessVerdict decide(const AccessRequest& request) const;
  bool hostAllowed(const std::string& host_header) const;
  // The Set-Cookie value that carries this run's session (a random secret, not the token).
  std::string sessionCookie() const;
  // Names the cookie after the server's port: browsers keep one cookie per host, not per
  // port, and two servers on one machine must not log each other out.
  void setPort(int port);

 private:
  std::string token_;
  std::vector<std::string> hosts_;  // lower case
  std::string session_;
  std::string cookie_name_ = kSessionCookie;
};

// Whether `a` equals `b`, in a time that depends on their lengths only.
bool constantTimeEquals(std::string_view a, std::string_view b);

// The value of cookie `name` in a Cookie header, if present.
std::optional<std::string> cookieValue(std::string_view header, std::string_view name);

}  // namespace deepbug::web
