#include "listen_address.hpp"

#include <arpa/inet.h>
#include <netinet/in.h>

#include <cstdlib>

#include "core/error.hpp"

namespace deepbug::web {
namespace {

bool isIpv4(const std::string& host) {
  in_addr address{};
  return inet_pton(AF_INET, host.c_str(), &address) == 1;
}

bool isIpv6(const std::string& host) {
  in6_addr address{};
  return inet_pton(AF_INET6, host.c_str(), &address) == 1;
}

int parsePort(const std::string& text, const std::string& whole) {
  char* end = nullptr;
  const long port = std::strtol(text.c_str(), &end, 10);
  if (text.empty() || *end != '\0' || port < 0 || port > 65535) {
    throw Error("'" + whole + "': the port must be a number from 0 to 65535",
                "e.g. 127.0.0.1:8090, or port 0 for any free port");
  }
  return static_cast<int>(port);
}

}  // namespace

bool isIpLiteral(const std::string& host) {
  return isIpv4(host) || isIpv6(host);
}

bool isLoopbackHost(const std::string& host) {
  if (host == "localhost") return true;
  in_addr v4{};
  if (inet_pton(AF_INET, host.c_str(), &v4) == 1) return (ntohl(v4.s_addr) >> 24) == 127;
  in6_addr v6{};
  return inet_pton(AF_INET6, host.c_str(), &v6) == 1 && IN6_IS_ADDR_LOOPBACK(&v6);
}

bool isEveryInterfaceHost(const std::string& host) {
  in_addr v4{};
  if (inet_pton(AF_INET, host.c_str(), &v4) == 1) return v4.s_addr == htonl(INADDR_ANY);
  in6_addr v6{};
  return inet_pton(AF_INET6, host.c_str(), &v6) == 1 && IN6_IS_ADDR_UNSPECIFIED(&v6);
}

bool ListenAddress::loopback() const {
  return isLoopbackHost(host);
}

std::string ListenAddress::authority(int bound_port) const {
  const std::string shown = isIpv6(host) ? "[" + host + "]" : host;
  return shown + ":" + std::to_string(bound_port);
}

ListenAddress parseListenAddress(const std::string& text, int default_port) {
  const std::string forms =
      "HOST:PORT with an IP address or localhost, e.g. 127.0.0.1:8090, "
      "0.0.0.0:8090 or [::1]:8090";
  ListenAddress address;
  address.port = default_port;
  if (!text.empty() && text.front() == '[') {
    const auto close = text.find(']');
    if (close == std::string::npos) throw Error("'" + text + "': no closing ']'", forms);
    address.host = text.substr(1, close - 1);
    const std::string rest = text.substr(close + 1);
    if (!rest.empty()) {
      if (rest.front() != ':') throw Error("'" + text + "' is not an address", forms);
      address.port = parsePort(rest.substr(1), text);
    }
    if (!isIpv6(address.host)) throw Error("'" + text + "': not an IPv6 address", forms);
    return address;
  }
  const auto colon = text.rfind(':');
  if (colon != std::string::npos && text.find(':') != colon) {
    throw Error("'" + text + "': write an IPv6 address in brackets", forms);
  }
  address.host = text.substr(0, colon);
  if (colon != std::string::npos) address.port = parsePort(text.substr(colon + 1), text);
  if (address.host != "localhost" && !isIpv4(address.host)) {
    throw Error("'" + text + "': the host must be an IP address or localhost", forms);
  }
  return address;
}

}  // namespace deepbug::web
