// Tests of the example server's request parser: valid and malformed requests, every limit,
// keep-alive rules, pipelined input split at every boundary, and a fuzz loop.
#include "examples/http/request_parser.hpp"

#include <gtest/gtest.h>

#include <functional>
#include <ostream>
#include <random>
#include <string>
#include <vector>

namespace http_example {
namespace {

// Everything a connection would observe while feeding `stream` into one growing buffer:
// one line per complete request, then how the stream ended.
struct transcript {
  std::vector<std::string> requests;
  parse_status last = parse_status::incomplete;
  parse_error error = parse_error::none;
  std::size_t unconsumed = 0;  // bytes left waiting when the input ran out without an error

  bool operator==(const transcript&) const = default;
};

void PrintTo(const transcript& t, std::ostream* out) {
  for (const std::string& r : t.requests) *out << "\n  " << r;
  *out << "\n  last=" << static_cast<int>(t.last) << " error=" << to_string(t.error)
       << " unconsumed=" << t.unconsumed;
}

std::string describe(const request& req) {
  std::string text = std::string(req.method) + " " + std::string(req.target) + " 1." +
                     std::to_string(req.version_minor) + (req.keep_alive ? " keep" : " close") +
                     " len=" + std::to_string(req.content_length) + " body=" +
                     std::string(req.body) + " |";
  for (const header_field& field : req.headers) {
    text += " " + std::string(field.name) + "=" + std::string(field.value) + ";";
  }
  return text;
}

// Feeds `stream` in pieces whose sizes `next_piece` picks, like a connection that reads into a
// buffer, consumes complete requests from its front and parses again after every read. The
// buffer is a std::string, so it moves in memory as it grows and shrinks.
transcript feed(std::string_view stream, const std::function<std::size_t()>& next_piece,
                const parser_limits& limits = {}) {
  request_parser parser(limits);
  transcript result;
  std::string buffer;
  std::size_t fed = 0;
  for (;;) {
    for (;;) {
      const parse_status status = parser.parse(buffer);
      result.last = status;
      if (status == parse_status::failed) {
        // How much input had arrived when the error was found depends on the split: not part
        // of the transcript.
        result.error = parser.error();
        return result;
      }
      if (status == parse_status::incomplete) break;
      EXPECT_LE(parser.request_size(), buffer.size());
      result.requests.push_back(describe(parser.request()));
      buffer.erase(0, parser.request_size());
      parser.reset();
    }
    // Bounded memory: a request the parser still waits for always fits the largest request.
    EXPECT_LE(buffer.size(), limits.max_request_size());
    if (fed == stream.size()) {
      result.unconsumed = buffer.size();
      return result;
    }
    const std::size_t piece = std::min(std::max<std::size_t>(next_piece(), 1), stream.size() - fed);
    buffer.append(stream.substr(fed, piece));
    fed += piece;
  }
}

transcript feed_whole(std::string_view stream, const parser_limits& limits = {}) {
  return feed(stream, [&] { return stream.size(); }, limits);
}

transcript feed_bytewise(std::string_view stream, const parser_limits& limits = {}) {
  return feed(stream, [] { return std::size_t{1}; }, limits);
}

transcript feed_randomly(std::string_view stream, unsigned seed, const parser_limits& limits = {}) {
  std::mt19937 random(seed);
  std::uniform_int_distribution<std::size_t> size(1, 40);
  return feed(stream, [&] { return size(random); }, limits);
}

// Parses one complete buffer and returns the parser for inspection.
struct parsed {
  request_parser parser;
  parse_status status;
  explicit parsed(std::string_view data, const parser_limits& limits = {})
      : parser(limits), status(parser.parse(data)) {}
};

parse_error error_of(std::string_view data, const parser_limits& limits = {}) {
  parsed result(data, limits);
  EXPECT_EQ(result.status, parse_status::failed) << "input: " << data;
  return result.parser.error();
}

TEST(RequestParser, ParsesASimpleGet) {
  const std::string data =
      "GET /plaintext?x=1 HTTP/1.1\r\nHost: localhost:8080\r\nAccept: text/plain\r\n\r\n";
  parsed result(data);
  ASSERT_EQ(result.status, parse_status::complete);
  const request& req = result.parser.request();
  EXPECT_EQ(req.method, "GET");
  EXPECT_EQ(req.target, "/plaintext?x=1");
  EXPECT_EQ(req.version_minor, 1);
  EXPECT_TRUE(req.keep_alive);
  EXPECT_EQ(req.content_length, 0u);
  EXPECT_TRUE(req.body.empty());
  ASSERT_EQ(req.headers.size(), 2u);
  EXPECT_EQ(req.headers[0].name, "Host");
  EXPECT_EQ(req.headers[0].value, "localhost:8080");
  ASSERT_NE(req.find_header("accept"), nullptr);
  EXPECT_EQ(req.find_header("ACCEPT")->value, "text/plain");
  EXPECT_EQ(req.find_header("cookie"), nullptr);
  EXPECT_EQ(result.parser.request_size(), data.size());
}

TEST(RequestParser, StopsAtTheEndOfTheBodyAndLeavesTheNextRequest) {
  const std::string first = "POST /submit HTTP/1.1\r\nHost: h\r\nContent-Length: 5\r\n\r\nhello";
  const std::string data = first + "GET / HTTP/1.1\r\n";
  parsed result(data);
  ASSERT_EQ(result.status, parse_status::complete);
  EXPECT_EQ(result.parser.request().method, "POST");
  EXPECT_EQ(result.parser.request().body, "hello");
  EXPECT_EQ(result.parser.request_size(), first.size());
}

TEST(RequestParser, WaitsForTheWholeBody) {
  request_parser parser;
  std::string data = "PUT /x HTTP/1.1\r\nHost: h\r\nContent-Length: 4\r\n\r\nab";
  EXPECT_EQ(parser.parse(data), parse_status::incomplete);
  data += "cd";
  ASSERT_EQ(parser.parse(data), parse_status::complete);
  EXPECT_EQ(parser.request().body, "abcd");
}

TEST(RequestParser, ToleratesEmptyLinesBeforeTheRequestAndBareLineFeeds) {
  parsed result("\r\n\nGET /a HTTP/1.1\nHost: h\n\n");
  ASSERT_EQ(result.status, parse_status::complete);
  EXPECT_EQ(result.parser.request().method, "GET");
  EXPECT_EQ(result.parser.request().target, "/a");
  EXPECT_EQ(result.parser.request().headers.at(0).value, "h");
}

TEST(RequestParser, TrimsHeaderValuesAndAcceptsEmptyOnes) {
  parsed result("GET / HTTP/1.1\r\nHost:h\r\nX-Pad: \t a b \t\r\nX-Empty:\r\nX-Blank:   \r\n\r\n");
  ASSERT_EQ(result.status, parse_status::complete);
  const request& req = result.parser.request();
  EXPECT_EQ(req.find_header("host")->value, "h");
  EXPECT_EQ(req.find_header("x-pad")->value, "a b");
  EXPECT_EQ(req.find_header("x-empty")->value, "");
  EXPECT_EQ(req.find_header("x-blank")->value, "");
}

TEST(RequestParser, RejectsMalformedRequestLines) {
  const char* cases[] = {
      "GET\r\n\r\n",
      "GET /\r\n\r\n",
      "GET  / HTTP/1.1\r\nHost: h\r\n\r\n",
      " GET / HTTP/1.1\r\nHost: h\r\n\r\n",
      "G(T / HTTP/1.1\r\nHost: h\r\n\r\n",
      "GET /a\x01z HTTP/1.1\r\nHost: h\r\n\r\n",
      "GET /\xff HTTP/1.1\r\nHost: h\r\n\r\n",
      "GET /\tx HTTP/1.1\r\n",
      "\r\r\n",
      "\x16\x03\x01\x02\x00\x01\x00\x01\xfc\x03\x03",  // a TLS ClientHello
      "GET / HTTP/1.1\rX\n",
  };
  for (const char* data : cases) {
    EXPECT_EQ(error_of(data), parse_error::bad_request_line) << data;
  }
  std::string with_nul("GET /\0 HTTP/1.1\r\n", 17);
  EXPECT_EQ(error_of(with_nul), parse_error::bad_request_line);
}

TEST(RequestParser, RejectsBadVersions) {
  const char* cases[] = {
      "GET / HTTP/1\r\n",     "GET / HTTP/1.\r\n",      "GET / HTTP/1.x\r\n",
      "GET / HTTP/11.1\r\n",  "GET / http/1.1\r\n",     "GET / HTTP/1.1.1\r\n",
      "GET / HTTX/1.1\r\n",   "GET / HTTP 1.1\r\n",     "GET / HTTP/1.1 \r\n",
      "GET / \r\n",           "GET / HTTP/1,1\r\n",
  };
  for (const char* data : cases) {
    EXPECT_EQ(error_of(data), parse_error::bad_version) << data;
  }
  EXPECT_EQ(error_of("GET / HTTP/2.0\r\n\r\n"), parse_error::version_not_supported);
  EXPECT_EQ(error_of("GET / HTTP/0.9\r\n\r\n"), parse_error::version_not_supported);
  EXPECT_EQ(response_status(parse_error::version_not_supported), 505);
}

TEST(RequestParser, RejectsMalformedHeaders) {
  const char* cases[] = {
      "GET / HTTP/1.1\r\nHost: h\r\nNoColon\r\n\r\n",
      "GET / HTTP/1.1\r\nHost: h\r\n folded: x\r\n\r\n",
      "GET / HTTP/1.1\r\nHost: h\r\nX: a\r\n\tcontinued\r\n\r\n",
      "GET / HTTP/1.1\r\nHost: h\r\nBad Name: x\r\n\r\n",
      "GET / HTTP/1.1\r\nHost: h\r\nName : x\r\n\r\n",
      "GET / HTTP/1.1\r\nHost: h\r\n: empty-name\r\n\r\n",
      "GET / HTTP/1.1\r\nHost: h\r\nX: a\x01z\r\n\r\n",
      "GET / HTTP/1.1\r\nHost: h\r\nX: a\rb\r\n\r\n",
      "GET / HTTP/1.1\r\nHost: h\r\nX: a\x7f\r\n\r\n",
      "GET / HTTP/1.1\r\nHost: h\r\n\rX",
      "GET / HTTP/1.1\r\nHost: a\r\nHost: b\r\n\r\n",
  };
  for (const char* data : cases) {
    EXPECT_EQ(error_of(data), parse_error::bad_header) << data;
  }
  EXPECT_EQ(response_status(parse_error::bad_header), 400);
}

TEST(RequestParser, RequiresHostOnHttp11Only) {
  EXPECT_EQ(error_of("GET / HTTP/1.1\r\nAccept: */*\r\n\r\n"), parse_error::missing_host);
  parsed old("GET / HTTP/1.0\r\n\r\n");
  EXPECT_EQ(old.status, parse_status::complete);
}

TEST(RequestParser, ValidatesContentLength) {
  const std::string head = "POST / HTTP/1.1\r\nHost: h\r\n";
  for (const char* value : {"", "abc", "-1", "1,1", "0x10", "+4", "1 2"}) {
    EXPECT_EQ(error_of(head + "Content-Length: " + value + "\r\n\r\n"),
              parse_error::bad_content_length)
        << value;
  }
  EXPECT_EQ(error_of(head + "Content-Length: 1\r\nContent-Length: 2\r\n\r\nab"),
            parse_error::bad_content_length);
  const std::string twice = head + "Content-Length: 2\r\ncontent-length:  2 \r\n\r\nab";
  parsed repeated(twice);  // its views point into `twice`
  ASSERT_EQ(repeated.status, parse_status::complete);
  EXPECT_EQ(repeated.parser.request().body, "ab");
}

TEST(RequestParser, RejectsTransferEncoding) {
  EXPECT_EQ(error_of("POST / HTTP/1.1\r\nHost: h\r\nTransfer-Encoding: chunked\r\n\r\n"),
            parse_error::unsupported_transfer_encoding);
  EXPECT_EQ(response_status(parse_error::unsupported_transfer_encoding), 501);
}

// Small limits make the exact boundaries easy to construct.
parser_limits small_limits() {
  parser_limits limits;
  limits.max_request_line = 32;
  limits.max_header_line = 24;
  limits.max_headers = 4;
  limits.max_header_bytes = 80;
  limits.max_body = 10;
  return limits;
}

TEST(RequestParser, RequestLineLimitIsInclusive) {
  const parser_limits limits = small_limits();
  const std::string fixed = "GET / HTTP/1.0";  // 14 bytes, plus the target's padding
  const std::string at_limit = "GET /" + std::string(32 - fixed.size(), 'a') + " HTTP/1.0";
  ASSERT_EQ(at_limit.size(), 32u);
  EXPECT_EQ(parsed(at_limit + "\r\n\r\n", limits).status, parse_status::complete);
  const std::string over = "GET /" + std::string(33 - fixed.size(), 'a') + " HTTP/1.0";
  EXPECT_EQ(error_of(over + "\r\n\r\n", limits), parse_error::request_line_too_long);
  EXPECT_EQ(response_status(parse_error::request_line_too_long), 414);
  // Empty lines before the request count toward the limit, so they cannot pile up.
  EXPECT_EQ(error_of(std::string(40, '\n'), limits), parse_error::request_line_too_long);
}

TEST(RequestParser, OversizedRequestLineFailsBeforeItsEndArrives) {
  const parser_limits limits = small_limits();
  // No line end yet: the parser must not wait for one.
  EXPECT_EQ(error_of("GET /" + std::string(40, 'a'), limits),
            parse_error::request_line_too_long);
  request_parser parser(limits);
  EXPECT_EQ(parser.parse("GET /" + std::string(27, 'a')), parse_status::incomplete);
}

TEST(RequestParser, HeaderLineLimitIsInclusive) {
  const parser_limits limits = small_limits();
  const std::string line_at_limit = "X-A: " + std::string(24 - 5, 'v');
  EXPECT_EQ(parsed("GET / HTTP/1.0\r\n" + line_at_limit + "\r\n\r\n", limits).status,
            parse_status::complete);
  EXPECT_EQ(error_of("GET / HTTP/1.0\r\n" + line_at_limit + "v\r\n\r\n", limits),
            parse_error::header_line_too_long);
  // Also without the line end.
  EXPECT_EQ(error_of("GET / HTTP/1.0\r\nX-A: " + std::string(30, 'v'), limits),
            parse_error::header_line_too_long);
  EXPECT_EQ(response_status(parse_error::header_line_too_long), 431);
}

TEST(RequestParser, HeaderCountLimitIsInclusive) {
  const parser_limits limits = small_limits();
  std::string four = "GET / HTTP/1.0\r\n";
  for (int i = 0; i < 4; ++i) four += "H" + std::to_string(i) + ": v\r\n";
  EXPECT_EQ(parsed(four + "\r\n", limits).status, parse_status::complete);
  EXPECT_EQ(error_of(four + "H4: v\r\n\r\n", limits), parse_error::too_many_headers);
  EXPECT_EQ(response_status(parse_error::too_many_headers), 431);
}

TEST(RequestParser, HeaderSectionLimitCountsEveryByte) {
  parser_limits limits = small_limits();
  limits.max_headers = 64;
  // 4 lines of 18 bytes + CRLF = 80 bytes, one byte short of the final empty line's 2.
  std::string headers;
  for (int i = 0; i < 4; ++i) headers += "Header-" + std::to_string(i) + ": 12345678\r\n";
  ASSERT_EQ(headers.size(), 80u);
  EXPECT_EQ(error_of("GET / HTTP/1.0\r\n" + headers + "\r\n", limits),
            parse_error::headers_too_large);
  limits.max_header_bytes = 82;
  EXPECT_EQ(parsed("GET / HTTP/1.0\r\n" + headers + "\r\n", limits).status,
            parse_status::complete);
}

TEST(RequestParser, BodyLimitIsInclusive) {
  const parser_limits limits = small_limits();
  EXPECT_EQ(parsed("POST / HTTP/1.0\r\nContent-Length: 10\r\n\r\n0123456789", limits).status,
            parse_status::complete);
  EXPECT_EQ(error_of("POST / HTTP/1.0\r\nContent-Length: 11\r\n\r\n", limits),
            parse_error::body_too_large);
  // A length that would overflow any integer is simply too large.
  EXPECT_EQ(error_of("POST / HTTP/1.0\r\nContent-Length: 99999999999999999999999999\r\n\r\n"),
            parse_error::body_too_large);
  EXPECT_EQ(response_status(parse_error::body_too_large), 413);
}

bool keep_alive_of(const std::string& version, const std::string& extra_headers) {
  parsed result("GET / " + version + "\r\nHost: h\r\n" + extra_headers + "\r\n");
  EXPECT_EQ(result.status, parse_status::complete);
  return result.parser.request().keep_alive;
}

TEST(RequestParser, KeepAliveRules) {
  EXPECT_TRUE(keep_alive_of("HTTP/1.1", ""));
  EXPECT_FALSE(keep_alive_of("HTTP/1.1", "Connection: close\r\n"));
  EXPECT_FALSE(keep_alive_of("HTTP/1.1", "connection: CLOSE\r\n"));
  EXPECT_FALSE(keep_alive_of("HTTP/1.1", "Connection: upgrade, close\r\n"));
  EXPECT_FALSE(keep_alive_of("HTTP/1.1", "Connection: keep-alive, close\r\n"));
  EXPECT_TRUE(keep_alive_of("HTTP/1.1", "Connection: keep-alive\r\n"));
  EXPECT_TRUE(keep_alive_of("HTTP/1.1", "Connection: closed\r\n"));
  EXPECT_FALSE(keep_alive_of("HTTP/1.0", ""));
  EXPECT_TRUE(keep_alive_of("HTTP/1.0", "Connection: keep-alive\r\n"));
  EXPECT_TRUE(keep_alive_of("HTTP/1.0", "Connection: Keep-Alive\r\n"));
  EXPECT_TRUE(keep_alive_of("HTTP/1.0", "Connection: te ,  keep-alive \r\n"));
  EXPECT_FALSE(keep_alive_of("HTTP/1.0", "Connection: keep-alive\r\nConnection: close\r\n"));
  // A later minor version follows HTTP/1.1's rules.
  EXPECT_TRUE(keep_alive_of("HTTP/1.2", ""));
}

const std::string pipelined_stream =
    "GET /plaintext HTTP/1.1\r\nHost: a\r\n\r\n"
    "HEAD /plaintext HTTP/1.1\r\nHost: a\r\nAccept: */*\r\n\r\n"
    "POST /form HTTP/1.1\r\nHost: a\r\nContent-Length: 11\r\n\r\nhello world"
    "\r\nGET /after-empty-line HTTP/1.0\r\nConnection: keep-alive\r\n\r\n"
    "DELETE /x?y=z HTTP/1.1\nHost: b\n\n"
    "GET /last HTTP/1.1\r\nHost: a\r\nConnection: close\r\n\r\n";

TEST(RequestParser, PipelinedRequestsComeOutInOrder) {
  const transcript whole = feed_whole(pipelined_stream);
  ASSERT_EQ(whole.requests.size(), 6u);
  EXPECT_EQ(whole.requests[0], "GET /plaintext 1.1 keep len=0 body= | Host=a;");
  EXPECT_EQ(whole.requests[2], "POST /form 1.1 keep len=11 body=hello world | Host=a; Content-Length=11;");
  EXPECT_EQ(whole.requests[3], "GET /after-empty-line 1.0 keep len=0 body= | Connection=keep-alive;");
  EXPECT_EQ(whole.requests[5], "GET /last 1.1 close len=0 body= | Host=a; Connection=close;");
  EXPECT_EQ(whole.last, parse_status::incomplete);
  EXPECT_EQ(whole.unconsumed, 0u);
}

TEST(RequestParser, SplittingThePipelineAnywhereGivesTheSameRequests) {
  const transcript whole = feed_whole(pipelined_stream);
  EXPECT_EQ(feed_bytewise(pipelined_stream), whole);
  for (unsigned seed = 0; seed < 50; ++seed) {
    EXPECT_EQ(feed_randomly(pipelined_stream, seed), whole) << "seed " << seed;
  }
  // Every single split point.
  for (std::size_t split = 1; split < pipelined_stream.size(); ++split) {
    bool first = true;
    const transcript two = feed(pipelined_stream, [&] {
      const std::size_t piece = first ? split : pipelined_stream.size();
      first = false;
      return piece;
    });
    ASSERT_EQ(two, whole) << "split at " << split;
  }
}

TEST(RequestParser, AnErrorAfterValidRequestsIsFoundWhereverTheInputIsSplit) {
  const parser_limits limits = small_limits();
  const std::vector<std::string> streams = {
      pipelined_stream + "GET / HTTP/1.1\r\nHost: a\r\nNoColon\r\n\r\n",
      "GET / HTTP/1.0\r\n\r\nGET /" + std::string(40, 'x') + " HTTP/1.0\r\n\r\n",
      "GET / HTTP/1.0\r\n\r\nGET / HTTP/1.0\r\nX: " + std::string(30, 'v') + "\r\n\r\n",
      "GET / HTTP/1.0\r\n\r\nPOST / HTTP/1.0\r\nContent-Length: 11\r\n\r\n",
      "GET / HTTP/1.0\r\n\r\nGET / HTTP/9.9\r\n\r\n",
  };
  for (const std::string& stream : streams) {
    const transcript whole = feed_whole(stream, limits);
    EXPECT_EQ(whole.last, parse_status::failed) << stream;
    EXPECT_GE(whole.requests.size(), 1u);
    EXPECT_EQ(feed_bytewise(stream, limits), whole) << stream;
    for (unsigned seed = 0; seed < 20; ++seed) {
      EXPECT_EQ(feed_randomly(stream, seed, limits), whole) << stream << " seed " << seed;
    }
  }
}

TEST(RequestParser, ResetStartsAFreshRequest) {
  request_parser parser;
  ASSERT_EQ(parser.parse("GET / HTTP/1.1\r\nHost: a\r\nConnection: close\r\n\r\n"),
            parse_status::complete);
  parser.reset();
  ASSERT_EQ(parser.parse("HEAD /b HTTP/1.1\r\nHost: a\r\n\r\n"), parse_status::complete);
  EXPECT_EQ(parser.request().method, "HEAD");
  EXPECT_TRUE(parser.request().keep_alive);
  EXPECT_EQ(parser.request().headers.size(), 1u);
  parser.reset();
  ASSERT_EQ(parser.parse("BAD\r\n"), parse_status::failed);
  parser.reset();
  EXPECT_EQ(parser.error(), parse_error::none);
  EXPECT_EQ(parser.parse("GET / HTTP/1.0\r\n\r\n"), parse_status::complete);
}

// Random input never crashes the parser, never reads outside the buffer (ASan checks that
// in --config=asan), is parsed the same however it is split, and never leaves the parser
// waiting on more than one request's worth of bytes.
TEST(RequestParser, FuzzRandomBytesAndMutatedRequests) {
  std::mt19937 random(20240611);
  const std::vector<std::string> seeds = {
      pipelined_stream,
      "GET /plaintext HTTP/1.1\r\nHost: localhost\r\nConnection: keep-alive\r\n\r\n",
      "POST / HTTP/1.0\r\nContent-Length: 3\r\n\r\nabc",
  };
  const std::string alphabet = "GETPOST /HTP1.0:\r\n\t \x01\x7f\xff,aZ9-";
  std::uniform_int_distribution<int> byte(0, 255);
  auto pick = [&](std::size_t n) { return std::uniform_int_distribution<std::size_t>(0, n - 1)(random); };

  for (int round = 0; round < 20000; ++round) {
    std::string input;
    switch (round % 3) {
      case 0: {  // uniformly random bytes
        input.resize(pick(200));
        for (char& c : input) c = static_cast<char>(byte(random));
        break;
      }
      case 1: {  // random bytes from HTTP's own vocabulary
        input.resize(pick(200));
        for (char& c : input) c = alphabet[pick(alphabet.size())];
        break;
      }
      default: {  // a valid request with a few flipped, inserted, deleted or copied bytes
        input = seeds[pick(seeds.size())];
        const std::size_t mutations = 1 + pick(4);
        for (std::size_t m = 0; m < mutations && !input.empty(); ++m) {
          const std::size_t at = pick(input.size());
          switch (pick(4)) {
            case 0: input[at] = static_cast<char>(byte(random)); break;
            case 1: input.insert(at, 1, alphabet[pick(alphabet.size())]); break;
            case 2: input.erase(at, 1); break;
            default: input.insert(at, input.substr(pick(input.size()), pick(16))); break;
          }
        }
        break;
      }
    }
    // Small limits too, so the limit paths see random input.
    for (const parser_limits& limits : {parser_limits{}, small_limits()}) {
      const transcript whole = feed_whole(input, limits);
      EXPECT_TRUE(whole.last == parse_status::failed ? whole.error != parse_error::none
                                                     : whole.error == parse_error::none);
      ASSERT_EQ(feed_bytewise(input, limits), whole) << "round " << round;
      ASSERT_EQ(feed_randomly(input, static_cast<unsigned>(round), limits), whole)
          << "round " << round;
    }
  }
}

}  // namespace
}  // namespace http_example
