#include "access_policy.hpp"

#include <algorithm>
#include <cctype>
#include <random>

#include "listen_address.hpp"

namespace deepbug::web {
namespace {

std::string lower(std::string text) {
  std::transform(text.begin(), text.end(), text.begin(),
                 [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  return text;
}

// "name:port", "[v6]:port" or "name" → the name (IPv6 without brackets).
std::string hostName(const std::string& header) {
  if (!header.empty() && header.front() == '[') {
    const auto close = header.find(']');
    return close == std::string::npos ? header : header.substr(1, close - 1);
  }
  return header.substr(0, header.find(':'));
}

std::string randomSecret() {
  std::random_device device;
  static const char* hex = "0123456789abcdef";
  std::string secret;
  for (int i = 0; i < 32; ++i)
    secret += hex[device() % 16];
  return secret;
}

}  // namespace

bool constantTimeEquals(std::string_view a, std::string_view b) {
  unsigned char difference = a.size() == b.size() ? 0 : 1;
  const std::size_t n = std::max(a.size(), b.size());
  for (std::size_t i = 0; i < n; ++i) {
    const auto x = static_cast<unsigned char>(i < a.size() ? a[i] : 0);
    const auto y = static_cast<unsigned char>(i < b.size() ? b[i] : 0);
    difference |= static_cast<unsigned char>(x ^ y);
  }
  return difference == 0;
}

std::optional<std::string> cookieValue(std::string_view header, std::string_view name) {
  while (!header.empty()) {
    const auto end = header.find(';');
    std::string_view pair = header.substr(0, end);
    while (!pair.empty() && pair.front() == ' ')
      pair.remove_prefix(1);
    const auto equals = pair.find('=');
    if (equals != std::string_view::npos && pair.substr(0, equals) == name) {
      return std::string(pair.substr(equals + 1));
    }
    if (end == std::string_view::npos) break;
    header.remove_prefix(end + 1);
  }
  return std::nullopt;
}

AccessPolicy::AccessPolicy(std::string token, std::vector<std::string> hosts)
    : token_(std::move(token)), session_(randomSecret()) {
  for (auto& host : hosts)
    hosts_.push_back(lower(host));
}

bool AccessPolicy::hostAllowed(const std::string& host_header) const {
  if (host_header.empty()) return true;  // not a browser: no rebinding to fear
  const std::string name = lower(hostName(host_header));
  return name == "localhost" || isIpLiteral(name) ||
         std::find(hosts_.begin(), hosts_.end(), name) != hosts_.end();
}

AccessVerdict AccessPolicy::decide(const AccessRequest& request) const {
  if (!hostAllowed(request.host)) return AccessVerdict::kForeignHost;
  if (token_.empty()) return AccessVerdict::kAllow;
  constexpr std::string_view bearer = "Bearer ";
  if (request.authorization.rfind(bearer, 0) == 0 &&
      constantTimeEquals(std::string_view(request.authorization).substr(bearer.size()), token_)) {
    return AccessVerdict::kAllow;
  }
  if (const auto session = cookieValue(request.cookie, cookie_name_);
      session && constantTimeEquals(*session, session_)) {
    return AccessVerdict::kAllow;
  }
  if (request.query_token && constantTimeEquals(*request.query_token, token_)) {
    return AccessVerdict::kAllowWithCookie;
  }
  return AccessVerdict::kUnauthorized;
}

std::string AccessPolicy::sessionCookie() const {
  return cookie_name_ + "=" + session_ + "; HttpOnly; SameSite=Strict; Path=/";
}

void AccessPolicy::setPort(int port) {
  cookie_name_ = std::string(kSessionCookie) + "_" + std::to_string(port);
}

}  // namespace deepbug::web
