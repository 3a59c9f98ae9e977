// Incremental HTTP/1.1 request parser for the example server: no runtime dependency, no
// allocation per request, hard limits on every part of a request so no input can make it grow.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string_view>
#include <vector>

namespace http_example {

// Every limit is inclusive: a request part of exactly the limit is accepted.
struct parser_limits {
  // Bytes of the request line without its CRLF (empty lines before it count too).
  std::size_t max_request_line = 8192;
  // Bytes of one header line without its CRLF.
  std::size_t max_header_line = 8192;
  std::size_t max_headers = 64;
  // Bytes of the whole header section, CRLFs and the final empty line included.
  std::size_t max_header_bytes = 16384;
  // Largest Content-Length accepted.
  std::size_t max_body = 65536;

  // The most bytes one request can span: a buffer this large always holds enough input for
  // the parser to finish or to fail.
  std::size_t max_request_size() const {
    return max_request_line + 2 + max_header_bytes + max_body;
  }
};

enum class parse_status { incomplete, complete, failed };

// Why a request was rejected; response_status() maps each to the HTTP status to answer with.
enum class parse_error {
  none,
  bad_request_line,            // 400: method, target or separators malformed
  bad_version,                 // 400: not "HTTP/<digit>.<digit>"
  version_not_supported,       // 505: a major version other than 1
  request_line_too_long,       // 414
  bad_header,                  // 400: no colon, bad name or value bytes, line folding, 2 Hosts
  header_line_too_long,        // 431
  too_many_headers,            // 431
  headers_too_large,           // 431
  missing_host,                // 400: HTTP/1.1 requires Host
  bad_content_length,          // 400: not digits, or two different values
  body_too_large,              // 413
  unsupported_transfer_encoding,  // 501: chunked (or any) request bodies are not supported
};

int response_status(parse_error error);
std::string_view to_string(parse_error error);

struct header_field {
  std::string_view name;
  std::string_view value;  // without surrounding spaces/tabs
};

// A parsed request; its views point into the bytes given to the parse() that completed it.
struct request {
  std::string_view method;
  std::string_view target;
  int version_minor = 1;  // HTTP/1.<minor>; the major version is always 1
  bool keep_alive = true;
  std::size_t content_length = 0;
  std::string_view body;
  std::vector<header_field> headers;

  // First header named `name` (case-insensitive), or nullptr.
  const header_field* find_header(std::string_view name) const;
};

// Parses one request at a time from the front of a caller-owned buffer. The caller passes all
// unconsumed bytes on every call, each time the same bytes as before plus whatever arrived
// since (the buffer may move in memory between calls). Every byte is examined once, so the
// outcome is the same however the input is split. After `complete`, the request occupies the
// first request_size() bytes: drop them and call reset() before parsing the next one.
class request_parser {
 public:
  explicit request_parser(const parser_limits& limits = {});

  parse_status parse(std::string_view data);
  void reset();

  const http_example::request& request() const { return request_; }
  std::size_t request_size() const { return request_size_; }
  parse_error error() const { return error_; }
  const parser_limits& limits() const { return limits_; }

 private:
  enum class state : std::uint8_t {
    line_start,        // before the method; empty lines are skipped here
    line_start_cr,     // an empty line's CR
    method,
    target_start,
    target,
    version,           // matching "HTTP/<d>.<d>"; version_index_ says where
    request_line_cr,
    header_start,      // start of a header line or the empty line ending the headers
    header_name,
    value_leading_space,
    header_value,
    header_cr,
    headers_end_cr,
    body,
    done,
    failed,
  };

  parse_status fail(parse_error error);
  bool finish_header(std::string_view data);  // false after fail()
  bool finish_headers(std::size_t line_feed);  // false after fail()
  void build_request(std::string_view data);

  parser_limits limits_;
  state state_ = state::line_start;
  std::size_t position_ = 0;  // bytes of the current request already examined
  // Offsets into the current request of the parts found so far.
  std::size_t method_begin_ = 0;
  std::size_t target_begin_ = 0;
  std::size_t target_end_ = 0;
  std::size_t headers_begin_ = 0;
  std::size_t line_begin_ = 0;
  std::size_t name_end_ = 0;
  std::size_t value_begin_ = 0;
  std::size_t value_end_ = 0;
  std::size_t body_begin_ = 0;
  std::size_t request_size_ = 0;
  int version_index_ = 0;
  int version_major_ = 0;
  bool has_content_length_ = false;
  bool has_host_ = false;
  bool connection_close_ = false;
  bool connection_keep_alive_ = false;
  parse_error error_ = parse_error::none;
  struct field_offsets {
    std::size_t name_begin, name_end, value_begin, value_end;
  };
  std::vector<field_offsets> fields_;  // capacity max_headers, reserved once
  http_example::request request_;
};

}  // namespace http_example
