// Tests of the example server's routing and response bytes.
#include "examples/http/responses.hpp"

#include <gtest/gtest.h>

#include <string>

namespace http_example {
namespace {

constexpr std::string_view date = "Sun, 06 Nov 1994 08:49:37 GMT";

// Parses `raw` as one complete request and answers it.
std::string answer(std::string_view raw, bool* keep_alive = nullptr) {
  request_parser parser;
  EXPECT_EQ(parser.parse(raw), parse_status::complete) << raw;
  std::string out;
  const bool keep = append_response(parser.request(), date, out);
  if (keep_alive != nullptr) *keep_alive = keep;
  return out;
}

TEST(Responses, PlaintextGet) {
  bool keep_alive = false;
  EXPECT_EQ(answer("GET /plaintext HTTP/1.1\r\nHost: a\r\n\r\n", &keep_alive),
            "HTTP/1.1 200 OK\r\nServer: proa-http-example\r\n"
            "Date: Sun, 06 Nov 1994 08:49:37 GMT\r\n"
            "Content-Type: text/plain\r\nContent-Length: 13\r\n\r\nHello, World!");
  EXPECT_TRUE(keep_alive);
}

TEST(Responses, HeadHasTheHeadersButNoBody) {
  const std::string get = answer("GET /plaintext HTTP/1.1\r\nHost: a\r\n\r\n");
  const std::string head = answer("HEAD /plaintext HTTP/1.1\r\nHost: a\r\n\r\n");
  EXPECT_EQ(head + std::string(plaintext_body), get);
}

TEST(Responses, QueryStringsAreIgnoredForRouting) {
  EXPECT_EQ(answer("GET /plaintext?q=1 HTTP/1.1\r\nHost: a\r\n\r\n").substr(0, 15),
            "HTTP/1.1 200 OK");
}

TEST(Responses, UnknownPathIs404AndKeepsTheConnection) {
  bool keep_alive = false;
  const std::string out = answer("GET /other HTTP/1.1\r\nHost: a\r\n\r\n", &keep_alive);
  EXPECT_EQ(out.rfind("HTTP/1.1 404 Not Found\r\n", 0), 0u) << out;
  EXPECT_TRUE(out.ends_with("Content-Length: 10\r\n\r\nNot Found\n")) << out;
  EXPECT_TRUE(keep_alive);
}

TEST(Responses, OtherMethodsAre405WithAllow) {
  bool keep_alive = false;
  const std::string out =
      answer("POST /plaintext HTTP/1.1\r\nHost: a\r\nContent-Length: 2\r\n\r\nhi", &keep_alive);
  EXPECT_EQ(out.rfind("HTTP/1.1 405 Method Not Allowed\r\n", 0), 0u) << out;
  EXPECT_NE(out.find("\r\nAllow: GET, HEAD\r\n"), std::string::npos) << out;
  EXPECT_TRUE(keep_alive);
}

TEST(Responses, ConnectionHeaderFollowsKeepAlive) {
  bool keep_alive = true;
  std::string out = answer("GET /plaintext HTTP/1.1\r\nHost: a\r\nConnection: close\r\n\r\n",
                           &keep_alive);
  EXPECT_FALSE(keep_alive);
  EXPECT_NE(out.find("\r\nConnection: close\r\n"), std::string::npos);

  out = answer("GET /plaintext HTTP/1.0\r\nConnection: keep-alive\r\n\r\n", &keep_alive);
  EXPECT_TRUE(keep_alive);
  EXPECT_NE(out.find("\r\nConnection: keep-alive\r\n"), std::string::npos);

  out = answer("GET /plaintext HTTP/1.0\r\n\r\n", &keep_alive);
  EXPECT_FALSE(keep_alive);
  EXPECT_NE(out.find("\r\nConnection: close\r\n"), std::string::npos);
}

TEST(Responses, ErrorResponsesNameTheProblemAndClose) {
  std::string out;
  append_error_response(parse_error::bad_header, date, out);
  EXPECT_EQ(out.rfind("HTTP/1.1 400 Bad Request\r\n", 0), 0u) << out;
  EXPECT_NE(out.find("\r\nConnection: close\r\n"), std::string::npos);
  const std::string body = "Bad Request: malformed header field\n";
  EXPECT_TRUE(out.ends_with("Content-Length: " + std::to_string(body.size()) + "\r\n\r\n" + body))
      << out;

  out.clear();
  append_error_response(parse_error::headers_too_large, date, out);
  EXPECT_EQ(out.rfind("HTTP/1.1 431 Request Header Fields Too Large\r\n", 0), 0u) << out;
}

TEST(Responses, DateIsAnImfFixdate) {
  const std::string_view now = http_date_now();
  ASSERT_EQ(now.size(), date.size()) << now;
  EXPECT_EQ(now.substr(now.size() - 4), " GMT");
  EXPECT_EQ(now[3], ',');
}

}  // namespace
}  // namespace http_example
