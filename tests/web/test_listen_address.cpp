// parseListenAddress: the forms a `web.listen` may take, which of them only this machine
// reaches, and the errors that name the text.
#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "core/error.hpp"
#include "web/listen_address.hpp"

namespace deepbug::web {
namespace {

TEST(ListenAddress, ParsesIpv4WithPort) {
  const ListenAddress address = parseListenAddress("127.0.0.1:8090", 1234);
  EXPECT_EQ(address.host, "127.0.0.1");
  EXPECT_EQ(address.port, 8090);
}

TEST(ListenAddress, ParsesBracketedIpv6WithPortZero) {
  const ListenAddress address = parseListenAddress("[::1]:0", 1234);
  EXPECT_EQ(address.host, "::1");  // without the brackets
  EXPECT_EQ(address.port, 0);
}

TEST(ListenAddress, ParsesAnyAddress) {
  const ListenAddress address = parseListenAddress("0.0.0.0:80", 1234);
  EXPECT_EQ(address.host, "0.0.0.0");
  EXPECT_EQ(address.port, 80);
}

TEST(ListenAddress, HostAloneTakesTheDefaultPort) {
  const ListenAddress address = parseListenAddress("localhost", 8090);
  EXPECT_EQ(address.host, "localhost");
  EXPECT_EQ(address.port, 8090);
  EXPECT_EQ(parseListenAddress("10.0.0.7", 4321).port, 4321);
  EXPECT_EQ(parseListenAddress("[::1]", 4321).port, 4321);
}

TEST(ListenAddress, LocalhostWithPort) {
  const ListenAddress address = parseListenAddress("localhost:9", 8090);
  EXPECT_EQ(address.host, "localhost");
  EXPECT_EQ(address.port, 9);
}

TEST(ListenAddress, LoopbackIsThisMachineOnly) {
  for (const char* host : {"127.0.0.1", "127.1.2.3", "127.255.255.254"}) {
    EXPECT_TRUE(parseListenAddress(std::string(host) + ":1", 0).loopback()) << host;
  }
  EXPECT_TRUE(parseListenAddress("[::1]:1", 0).loopback());
  EXPECT_TRUE(parseListenAddress("localhost:1", 0).loopback());

  EXPECT_FALSE(parseListenAddress("0.0.0.0:1", 0).loopback());
  EXPECT_FALSE(parseListenAddress("[::]:1", 0).loopback());
  EXPECT_FALSE(parseListenAddress("192.168.1.5:1", 0).loopback());
  EXPECT_FALSE(parseListenAddress("128.0.0.1:1", 0).loopback());
}

TEST(ListenAddress, EveryInterfaceIsTheUnspecifiedAddressInAnySpelling) {
  for (const char* host : {"0.0.0.0", "::", "0:0:0:0:0:0:0:0", "::0"}) {
    EXPECT_TRUE(isEveryInterfaceHost(host)) << host;
  }
  for (const char* host : {"127.0.0.1", "::1", "localhost", "192.168.1.5", "0.0.0.1", "", "any"}) {
    EXPECT_FALSE(isEveryInterfaceHost(host)) << host;
  }
}

TEST(ListenAddress, AuthorityBracketsIpv6Only) {
  EXPECT_EQ(parseListenAddress("[::1]:0", 0).authority(41234), "[::1]:41234");
  EXPECT_EQ(parseListenAddress("[fe80::1]:0", 0).authority(80), "[fe80::1]:80");
  EXPECT_EQ(parseListenAddress("127.0.0.1:0", 0).authority(8090), "127.0.0.1:8090");
  EXPECT_EQ(parseListenAddress("localhost", 0).authority(9), "localhost:9");
}

TEST(ListenAddress, IsIpLiteral) {
  EXPECT_TRUE(isIpLiteral("192.168.1.5"));
  EXPECT_TRUE(isIpLiteral("::1"));
  EXPECT_TRUE(isIpLiteral("fe80::1"));
  EXPECT_FALSE(isIpLiteral("[::1]"));
  EXPECT_FALSE(isIpLiteral("localhost"));
  EXPECT_FALSE(isIpLiteral("example.com"));
  EXPECT_FALSE(isIpLiteral(""));
}

// Each bad text throws deepbug::Error whose message names the text.
TEST(ListenAddress, RejectsBadTextNamingIt) {
  const std::vector<std::string> bad{
      "example.com:80",  // a name other than localhost
      "1.2.3.4:99999",   // port out of range
      "1.2.3.4:x",       // port not a number
      "1.2.3.4:",        // port empty
      "1.2.3.4:80x",     // trailing garbage
      "::1:80",          // IPv6 without brackets
      "[::1",            // no closing bracket
      "[nothost]:1",     // not an IPv6 address in brackets
      "[::1]80",         // no ':' after the bracket
      "",                // nothing
  };
  for (const std::string& text : bad) {
    try {
      parseListenAddress(text, 8090);
      ADD_FAILURE() << "'" << text << "' was accepted";
    } catch (const Error& e) {
      EXPECT_NE(std::string(e.what()).find("'" + text + "'"), std::string::npos)
          << "message: " << e.what();
      EXPECT_FALSE(e.hint().empty()) << text;
    }
  }
}

}  // namespace
}  // namespace deepbug::web
