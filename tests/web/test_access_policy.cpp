// AccessPolicy: the Host check against DNS rebinding, the token in its three forms
// (Bearer header, ?token= answered with a session cookie, that cookie), and the helpers
// it rests on.
#include <gtest/gtest.h>

#include <optional>
#include <string>
#include <vector>

#include "web/access_policy.hpp"

namespace deepbug::web {
namespace {

constexpr const char* kToken = "s3cret-token-42";

AccessRequest request(std::string host, std::string authorization = "", std::string cookie = "",
                      std::optional<std::string> query_token = std::nullopt) {
  AccessRequest r;
  r.host = std::move(host);
  r.authorization = std::move(authorization);
  r.cookie = std::move(cookie);
  r.query_token = std::move(query_token);
  return r;
}

// "deepbug_session=VALUE; HttpOnly; …" → VALUE.
std::string sessionOf(const std::string& set_cookie) {
  const std::string prefix = std::string(kSessionCookie) + "=";
  EXPECT_EQ(set_cookie.rfind(prefix, 0), 0u) << set_cookie;
  const auto end = set_cookie.find(';');
  return set_cookie.substr(prefix.size(), end - prefix.size());
}

TEST(ConstantTimeEquals, ComparesWholeStrings) {
  EXPECT_TRUE(constantTimeEquals("abc", "abc"));
  EXPECT_FALSE(constantTimeEquals("abc", "abd"));
  EXPECT_FALSE(constantTimeEquals("abc", "xbc"));
  EXPECT_FALSE(constantTimeEquals("abc", "abcd"));  // a prefix
  EXPECT_FALSE(constantTimeEquals("abcd", "abc"));
  EXPECT_FALSE(constantTimeEquals("abc", ""));
  EXPECT_FALSE(constantTimeEquals("", "abc"));
  EXPECT_TRUE(constantTimeEquals("", ""));
  // A shorter string is not padded with NULs into equality.
  EXPECT_FALSE(constantTimeEquals(std::string_view("a\0", 2), "a"));
}

TEST(CookieValue, FindsTheNamedCookie) {
  EXPECT_EQ(cookieValue("a=1; deepbug_session=xyz; b=2", "deepbug_session"), "xyz");
  EXPECT_EQ(cookieValue("deepbug_session=first", "deepbug_session"), "first");
  EXPECT_EQ(cookieValue("a=1;b=2", "b"), "2");       // no space after ';'
  EXPECT_EQ(cookieValue("a=1;   b=2", "b"), "2");    // several spaces
  EXPECT_EQ(cookieValue("a=1; b=", "b"), "");        // present, empty
  EXPECT_EQ(cookieValue("a=x=y; b=2", "a"), "x=y");  // '=' inside the value
  EXPECT_EQ(cookieValue("a=1; a=2", "a"), "1");      // the first one
}

TEST(CookieValue, MissingOrOnlyAPrefixOfTheName) {
  EXPECT_EQ(cookieValue("", "deepbug_session"), std::nullopt);
  EXPECT_EQ(cookieValue("a=1; b=2", "deepbug_session"), std::nullopt);
  EXPECT_EQ(cookieValue("deepbug_sessionx=1", "deepbug_session"), std::nullopt);
  EXPECT_EQ(cookieValue("xdeepbug_session=1", "deepbug_session"), std::nullopt);
  EXPECT_EQ(cookieValue("deepbug_sess=1", "deepbug_session"), std::nullopt);
  EXPECT_EQ(cookieValue("deepbug_session", "deepbug_session"), std::nullopt);  // no '='
}

TEST(AccessPolicy, NoTokenAllowsEveryLocalRequest) {
  const AccessPolicy policy("", {});
  EXPECT_EQ(policy.decide(request("127.0.0.1:8090")), AccessVerdict::kAllow);
  EXPECT_EQ(policy.decide(request("")), AccessVerdict::kAllow);
  EXPECT_EQ(policy.decide(request("localhost:8090", "Bearer whatever")), AccessVerdict::kAllow);
}

TEST(AccessPolicy, TokenIsRequired) {
  const AccessPolicy policy(kToken, {});
  EXPECT_EQ(policy.decide(request("127.0.0.1:8090")), AccessVerdict::kUnauthorized);
}

TEST(AccessPolicy, BearerToken) {
  const AccessPolicy policy(kToken, {});
  const std::string token = kToken;
  EXPECT_EQ(policy.decide(request("127.0.0.1:8090", "Bearer " + token)), AccessVerdict::kAllow);
  EXPECT_EQ(policy.decide(request("127.0.0.1:8090", "Bearer wrong")), AccessVerdict::kUnauthorized);
  // Only the token's beginning, or more than it.
  EXPECT_EQ(policy.decide(request("127.0.0.1:8090", "Bearer " + token.substr(0, 6))),
            AccessVerdict::kUnauthorized);
  EXPECT_EQ(policy.decide(request("127.0.0.1:8090", "Bearer " + token + "x")),
            AccessVerdict::kUnauthorized);
  EXPECT_EQ(policy.decide(request("127.0.0.1:8090", "Bearer ")), AccessVerdict::kUnauthorized);
  // Not the Bearer scheme.
  EXPECT_EQ(policy.decide(request("127.0.0.1:8090", token)), AccessVerdict::kUnauthorized);
  EXPECT_EQ(policy.decide(request("127.0.0.1:8090", "Basic " + token)),
            AccessVerdict::kUnauthorized);
}

TEST(AccessPolicy, QueryTokenIsAnsweredWithTheSessionCookie) {
  const AccessPolicy policy(kToken, {});
  EXPECT_EQ(policy.decide(request("127.0.0.1:8090", "", "", std::string(kToken))),
            AccessVerdict::kAllowWithCookie);
  EXPECT_EQ(policy.decide(request("127.0.0.1:8090", "", "", std::string("wrong"))),
            AccessVerdict::kUnauthorized);
  EXPECT_EQ(policy.decide(request("127.0.0.1:8090", "", "", std::string(""))),
            AccessVerdict::kUnauthorized);
}

// Two servers on one machine (browsers keep cookies per host, not per port) each keep
// their own session.
TEST(AccessPolicy, SessionCookieIsNamedAfterThePort) {
  AccessPolicy policy(kToken, {});
  policy.setPort(8090);
  const std::string set_cookie = policy.sessionCookie();
  const std::string name = std::string(kSessionCookie) + "_8090=";
  ASSERT_EQ(set_cookie.rfind(name, 0), 0u) << set_cookie;
  const std::string session = set_cookie.substr(name.size(), set_cookie.find(';') - name.size());
  EXPECT_EQ(policy.decide(request("127.0.0.1:8090", "", name + session)), AccessVerdict::kAllow);
  EXPECT_EQ(
      policy.decide(request("127.0.0.1:8090", "", std::string(kSessionCookie) + "=" + session)),
      AccessVerdict::kUnauthorized);
  EXPECT_EQ(policy.decide(
                request("127.0.0.1:8090", "", std::string(kSessionCookie) + "_8091=" + session)),
            AccessVerdict::kUnauthorized);
}

TEST(AccessPolicy, SessionCookieIsAccepted) {
  const AccessPolicy policy(kToken, {});
  const std::string session = sessionOf(policy.sessionCookie());
  ASSERT_FALSE(session.empty());
  const std::string cookie = "theme=dark; " + std::string(kSessionCookie) + "=" + session;
  EXPECT_EQ(policy.decide(request("127.0.0.1:8090", "", cookie)), AccessVerdict::kAllow);
  // A made-up session, the token itself as the session, or the session's beginning.
  EXPECT_EQ(policy.decide(request("127.0.0.1:8090", "", std::string(kSessionCookie) + "=0123")),
            AccessVerdict::kUnauthorized);
  EXPECT_EQ(policy.decide(request("127.0.0.1:8090", "",
                                  std::string(kSessionCookie) + "=" + std::string(kToken))),
            AccessVerdict::kUnauthorized);
  EXPECT_EQ(policy.decide(request("127.0.0.1:8090", "",
                                  std::string(kSessionCookie) + "=" + session.substr(0, 8))),
            AccessVerdict::kUnauthorized);
  // The right value under a longer name is not the session cookie.
  EXPECT_EQ(
      policy.decide(request("127.0.0.1:8090", "", std::string(kSessionCookie) + "x=" + session)),
      AccessVerdict::kUnauthorized);
}

TEST(AccessPolicy, SessionCookieAttributes) {
  const AccessPolicy policy(kToken, {});
  const std::string set_cookie = policy.sessionCookie();
  EXPECT_NE(set_cookie.find("HttpOnly"), std::string::npos) << set_cookie;
  EXPECT_NE(set_cookie.find("SameSite=Strict"), std::string::npos) << set_cookie;
  EXPECT_NE(set_cookie.find("Path=/"), std::string::npos) << set_cookie;
  EXPECT_EQ(set_cookie.find(kToken), std::string::npos) << "the token leaks: " << set_cookie;
}

TEST(AccessPolicy, EachPolicyHasItsOwnSession) {
  const AccessPolicy first(kToken, {});
  const AccessPolicy second(kToken, {});
  const std::string session = sessionOf(first.sessionCookie());
  EXPECT_NE(session, sessionOf(second.sessionCookie()));
  // One run's session is no good for another.
  EXPECT_EQ(
      second.decide(request("127.0.0.1:8090", "", std::string(kSessionCookie) + "=" + session)),
      AccessVerdict::kUnauthorized);
}

TEST(AccessPolicy, ForeignHostIsRefusedEvenWithTheToken) {
  const AccessPolicy policy(kToken, {});
  const std::string bearer = "Bearer " + std::string(kToken);
  EXPECT_EQ(policy.decide(request("evil.example:8090", bearer)), AccessVerdict::kForeignHost);
  EXPECT_EQ(policy.decide(request("evil.example", "", "", std::string(kToken))),
            AccessVerdict::kForeignHost);
  const AccessPolicy open("", {});
  EXPECT_EQ(open.decide(request("evil.example:8090")), AccessVerdict::kForeignHost);
}

TEST(AccessPolicy, LocalAndIpHostsAreAllowed) {
  const AccessPolicy policy(kToken, {});
  const std::string bearer = "Bearer " + std::string(kToken);
  const std::vector<std::string> hosts{"127.0.0.1:8090", "[::1]:8090",       "LOCALHOST:1",
                                       "localhost",      "192.168.1.5:8090", ""};
  for (const std::string& host : hosts) {
    EXPECT_TRUE(policy.hostAllowed(host)) << host;
    EXPECT_EQ(policy.decide(request(host, bearer)), AccessVerdict::kAllow) << host;
  }
}

TEST(AccessPolicy, ConfiguredHostNamesAreAllowedInAnyCase) {
  const AccessPolicy policy(kToken, {"Monitor.Lan"});
  const std::string bearer = "Bearer " + std::string(kToken);
  EXPECT_EQ(policy.decide(request("monitor.lan:8090", bearer)), AccessVerdict::kAllow);
  EXPECT_EQ(policy.decide(request("MONITOR.LAN", bearer)), AccessVerdict::kAllow);
  EXPECT_EQ(policy.decide(request("Monitor.Lan:80", bearer)), AccessVerdict::kAllow);
  EXPECT_EQ(policy.decide(request("other.lan:8090", bearer)), AccessVerdict::kForeignHost);
  EXPECT_EQ(policy.decide(request("monitor.lan.evil.example:8090", bearer)),
            AccessVerdict::kForeignHost);
}

}  // namespace
}  // namespace deepbug::web
