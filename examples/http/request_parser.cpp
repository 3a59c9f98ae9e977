// The request parser's state machine. Each state either consumes a run of bytes in a tight
// loop or decides on one byte, so parsing can stop at any byte and resume there later.
#include "examples/http/request_parser.hpp"

#include <algorithm>
#include <array>

namespace http_example {
namespace {

// Byte classes from RFC 9110/9112, as lookup tables because they sit in the inner loops.
constexpr std::array<bool, 256> make_token_table() {
  std::array<bool, 256> table{};
  for (int c = '0'; c <= '9'; ++c) table[c] = true;
  for (int c = 'a'; c <= 'z'; ++c) table[c] = true;
  for (int c = 'A'; c <= 'Z'; ++c) table[c] = true;
  for (char c : std::string_view("!#$%&'*+-.^_`|~")) table[static_cast<unsigned char>(c)] = true;
  return table;
}

// The request target: visible ASCII only (no spaces, controls or non-ASCII bytes).
constexpr std::array<bool, 256> make_target_table() {
  std::array<bool, 256> table{};
  for (int c = 0x21; c <= 0x7e; ++c) table[c] = true;
  return table;
}

// A field value: visible ASCII, space, tab and obs-text; no other control bytes.
constexpr std::array<bool, 256> make_value_table() {
  std::array<bool, 256> table{};
  table['\t'] = true;
  for (int c = 0x20; c <= 0x7e; ++c) table[c] = true;
  for (int c = 0x80; c <= 0xff; ++c) table[c] = true;
  return table;
}

constexpr std::array<bool, 256> token_table = make_token_table();
constexpr std::array<bool, 256> target_table = make_target_table();
constexpr std::array<bool, 256> value_table = make_value_table();

bool is_token(unsigned char c) { return token_table[c]; }
bool is_line_end(unsigned char c) { return c == '\r' || c == '\n'; }
bool is_space(char c) { return c == ' ' || c == '\t'; }

char lower(char c) { return (c >= 'A' && c <= 'Z') ? static_cast<char>(c - 'A' + 'a') : c; }

bool equals_ignoring_case(std::string_view a, std::string_view b) {
  return a.size() == b.size() &&
         std::equal(a.begin(), a.end(), b.begin(), [](char x, char y) { return lower(x) == lower(y); });
}

std::string_view trim(std::string_view text) {
  while (!text.empty() && is_space(text.front())) text.remove_prefix(1);
  while (!text.empty() && is_space(text.back())) text.remove_suffix(1);
  return text;
}

constexpr std::string_view version_prefix = "HTTP/";

}  // namespace

int response_status(parse_error error) {
  switch (error) {
    case parse_error::none:
      return 200;
    case parse_error::version_not_supported:
      return 505;
    case parse_error::request_line_too_long:
      return 414;
    case parse_error::header_line_too_long:
    case parse_error::too_many_headers:
    case parse_error::headers_too_large:
      return 431;
    case parse_error::body_too_large:
      return 413;
    case parse_error::unsupported_transfer_encoding:
      return 501;
    case parse_error::bad_request_line:
    case parse_error::bad_version:
    case parse_error::bad_header:
    case parse_error::missing_host:
    case parse_error::bad_content_length:
      return 400;
  }
  return 400;
}

std::string_view to_string(parse_error error) {
  switch (error) {
    case parse_error::none: return "none";
    case parse_error::bad_request_line: return "malformed request line";
    case parse_error::bad_version: return "malformed HTTP version";
    case parse_error::version_not_supported: return "HTTP version not supported";
    case parse_error::request_line_too_long: return "request line too long";
    case parse_error::bad_header: return "malformed header field";
    case parse_error::header_line_too_long: return "header field too long";
    case parse_error::too_many_headers: return "too many header fields";
    case parse_error::headers_too_large: return "header section too large";
    case parse_error::missing_host: return "missing Host header";
    case parse_error::bad_content_length: return "invalid Content-Length";
    case parse_error::body_too_large: return "request body too large";
    case parse_error::unsupported_transfer_encoding: return "Transfer-Encoding not supported";
  }
  return "unknown";
}

const header_field* request::find_header(std::string_view name) const {
  for (const header_field& field : headers) {
    if (equals_ignoring_case(field.name, name)) return &field;
  }
  return nullptr;
}

request_parser::request_parser(const parser_limits& limits) : limits_(limits) {
  fields_.reserve(limits_.max_headers);
  request_.headers.reserve(limits_.max_headers);
}

void request_parser::reset() {
  state_ = state::line_start;
  position_ = 0;
  method_begin_ = target_begin_ = target_end_ = headers_begin_ = line_begin_ = 0;
  name_end_ = value_begin_ = value_end_ = body_begin_ = request_size_ = 0;
  version_index_ = version_major_ = 0;
  has_content_length_ = has_host_ = connection_close_ = connection_keep_alive_ = false;
  error_ = parse_error::none;
  fields_.clear();
  request_.method = request_.target = request_.body = {};
  request_.version_minor = 1;
  request_.keep_alive = true;
  request_.content_length = 0;
  request_.headers.clear();
}

parse_status request_parser::fail(parse_error error) {
  state_ = state::failed;
  error_ = error;
  return parse_status::failed;
}

parse_status request_parser::parse(std::string_view data) {
  const auto* bytes = reinterpret_cast<const unsigned char*>(data.data());
  const std::size_t size = data.size();
  std::size_t i = position_;
  // Past these offsets a request-line or header byte breaks a limit.
  const std::size_t request_line_limit = limits_.max_request_line;

  while (i < size && state_ != state::done && state_ != state::failed) {
    switch (state_) {
      case state::line_start: {
        if (i >= request_line_limit) return fail(parse_error::request_line_too_long);
        const unsigned char c = bytes[i];
        if (c == '\r') {
          state_ = state::line_start_cr;
        } else if (c == '\n') {
          // an empty line before the request line is tolerated (RFC 9112, 2.2)
        } else if (is_token(c)) {
          method_begin_ = i;
          state_ = state::method;
        } else {
          return fail(parse_error::bad_request_line);
        }
        ++i;
        break;
      }
      case state::line_start_cr:
        if (i >= request_line_limit) return fail(parse_error::request_line_too_long);
        if (bytes[i] != '\n') return fail(parse_error::bad_request_line);
        state_ = state::line_start;
        ++i;
        break;
      case state::method:
      case state::target: {
        const bool in_method = state_ == state::method;
        const auto& table = in_method ? token_table : target_table;
        const std::size_t end = std::min(size, request_line_limit);
        while (i < end && table[bytes[i]]) ++i;
        if (i == size) break;
        if (i >= request_line_limit) return fail(parse_error::request_line_too_long);
        if (bytes[i] != ' ') return fail(parse_error::bad_request_line);
        if (in_method) {
          state_ = state::target_start;
        } else {
          target_end_ = i;
          state_ = state::version;
          version_index_ = 0;
        }
        ++i;
        break;
      }
      case state::target_start:
        if (i >= request_line_limit) return fail(parse_error::request_line_too_long);
        if (!target_table[bytes[i]]) return fail(parse_error::bad_request_line);
        target_begin_ = i;
        state_ = state::target;
        ++i;
        break;
      case state::version: {
        const unsigned char c = bytes[i];
        constexpr int prefix = static_cast<int>(version_prefix.size());
        if (version_index_ == prefix + 3) {  // after "HTTP/d.d": only the line end may follow
          if (c == '\n') {
            if (version_major_ != 1) return fail(parse_error::version_not_supported);
            headers_begin_ = line_begin_ = i + 1;
            state_ = state::header_start;
          } else if (c == '\r') {
            state_ = state::request_line_cr;
          } else {
            if (i >= request_line_limit) return fail(parse_error::request_line_too_long);
            return fail(parse_error::bad_version);
          }
          ++i;
          break;
        }
        if (i >= request_line_limit) return fail(parse_error::request_line_too_long);
        if (version_index_ < prefix) {
          if (c != static_cast<unsigned char>(version_prefix[version_index_])) {
            return fail(parse_error::bad_version);
          }
        } else if (version_index_ == prefix + 1) {
          if (c != '.') return fail(parse_error::bad_version);
        } else {
          if (c < '0' || c > '9') return fail(parse_error::bad_version);
          if (version_index_ == prefix) {
            version_major_ = c - '0';
          } else {
            request_.version_minor = c - '0';
          }
        }
        ++version_index_;
        ++i;
        break;
      }
      case state::request_line_cr:
        if (bytes[i] != '\n') return fail(parse_error::bad_request_line);
        if (version_major_ != 1) return fail(parse_error::version_not_supported);
        ++i;
        headers_begin_ = line_begin_ = i;
        state_ = state::header_start;
        break;

      // Header states. Every byte counts toward max_header_bytes; every byte but CR and LF
      // counts toward max_header_line. The line limit is checked first.
      case state::header_start:
      case state::header_name:
      case state::value_leading_space:
      case state::header_value:
      case state::header_cr:
      case state::headers_end_cr: {
        const std::size_t line_limit = line_begin_ + limits_.max_header_line;
        const std::size_t section_limit = headers_begin_ + limits_.max_header_bytes;
        if (state_ == state::header_name || state_ == state::header_value) {
          // The bulk of a header: skip the run of bytes that need no decision.
          const auto& table = state_ == state::header_name ? token_table : value_table;
          const std::size_t end = std::min({size, line_limit, section_limit});
          while (i < end && table[bytes[i]]) ++i;  // neither table holds CR or LF
          if (i == size) break;
        }
        const unsigned char c = bytes[i];
        if (!is_line_end(c) && i >= line_limit) return fail(parse_error::header_line_too_long);
        if (i >= section_limit) return fail(parse_error::headers_too_large);
        switch (state_) {
          case state::header_start:
            if (c == '\r') {
              state_ = state::headers_end_cr;
            } else if (c == '\n') {
              if (!finish_headers(i)) return parse_status::failed;
            } else if (is_token(c)) {
              // Leading whitespace (obsolete line folding) and an empty name are not tokens.
              if (fields_.size() >= limits_.max_headers) {
                return fail(parse_error::too_many_headers);
              }
              state_ = state::header_name;
            } else {
              return fail(parse_error::bad_header);
            }
            break;
          case state::header_name:
            if (c != ':') return fail(parse_error::bad_header);  // also a space before ':'
            name_end_ = i;
            state_ = state::value_leading_space;
            break;
          case state::value_leading_space:
            if (is_space(static_cast<char>(c))) break;
            value_begin_ = i;
            if (c == '\r') {
              value_end_ = i;
              state_ = state::header_cr;
            } else if (c == '\n') {
              value_end_ = i;
              if (!finish_header(data)) return parse_status::failed;
              line_begin_ = i + 1;
            } else if (value_table[c]) {
              state_ = state::header_value;
            } else {
              return fail(parse_error::bad_header);
            }
            break;
          case state::header_value:
            if (c == '\r') {
              value_end_ = i;
              state_ = state::header_cr;
            } else if (c == '\n') {
              value_end_ = i;
              if (!finish_header(data)) return parse_status::failed;
              line_begin_ = i + 1;
            } else {
              return fail(parse_error::bad_header);
            }
            break;
          case state::header_cr:
            if (c != '\n') return fail(parse_error::bad_header);
            if (!finish_header(data)) return parse_status::failed;
            line_begin_ = i + 1;
            break;
          case state::headers_end_cr:
            if (c != '\n') return fail(parse_error::bad_header);
            if (!finish_headers(i)) return parse_status::failed;
            break;
          default:
            break;
        }
        ++i;
        break;
      }
      case state::body: {
        const std::size_t body_end = body_begin_ + request_.content_length;
        if (size >= body_end) {
          i = body_end;
          request_size_ = body_end;
          state_ = state::done;
        } else {
          i = size;  // the rest of the body has not arrived yet
        }
        break;
      }
      case state::done:
      case state::failed:
        break;
    }
  }
  position_ = i;
  if (state_ == state::failed) return parse_status::failed;
  if (state_ != state::done) return parse_status::incomplete;
  build_request(data);
  return parse_status::complete;
}

bool request_parser::finish_header(std::string_view data) {
  // The field's position in the state machine's bookkeeping: it begins at line_begin_.
  std::size_t value_end = value_end_;
  while (value_end > value_begin_ && is_space(data[value_end - 1])) --value_end;
  fields_.push_back({line_begin_, name_end_, value_begin_, value_end});
  state_ = state::header_start;

  const std::string_view name = data.substr(line_begin_, name_end_ - line_begin_);
  const std::string_view value = data.substr(value_begin_, value_end - value_begin_);
  if (equals_ignoring_case(name, "content-length")) {
    if (value.empty()) {
      fail(parse_error::bad_content_length);
      return false;
    }
    // Saturates just past max_body so a huge value cannot overflow.
    std::size_t length = 0;
    for (char c : value) {
      if (c < '0' || c > '9') {
        fail(parse_error::bad_content_length);
        return false;
      }
      if (length <= limits_.max_body) length = length * 10 + static_cast<std::size_t>(c - '0');
    }
    if (has_content_length_ && length != request_.content_length) {
      fail(parse_error::bad_content_length);
      return false;
    }
    if (length > limits_.max_body) {
      fail(parse_error::body_too_large);
      return false;
    }
    has_content_length_ = true;
    request_.content_length = length;
  } else if (equals_ignoring_case(name, "transfer-encoding")) {
    fail(parse_error::unsupported_transfer_encoding);
    return false;
  } else if (equals_ignoring_case(name, "host")) {
    if (has_host_) {
      fail(parse_error::bad_header);
      return false;
    }
    has_host_ = true;
  } else if (equals_ignoring_case(name, "connection")) {
    std::string_view rest = value;
    while (!rest.empty()) {
      const std::size_t comma = rest.find(',');
      const std::string_view option = trim(rest.substr(0, comma));
      if (equals_ignoring_case(option, "close")) connection_close_ = true;
      if (equals_ignoring_case(option, "keep-alive")) connection_keep_alive_ = true;
      if (comma == std::string_view::npos) break;
      rest.remove_prefix(comma + 1);
    }
  }
  return true;
}

bool request_parser::finish_headers(std::size_t line_feed) {
  if (request_.version_minor >= 1 && !has_host_) {
    fail(parse_error::missing_host);
    return false;
  }
  body_begin_ = line_feed + 1;
  if (request_.content_length == 0) {
    request_size_ = body_begin_;
    state_ = state::done;
  } else {
    state_ = state::body;
  }
  return true;
}

void request_parser::build_request(std::string_view data) {
  request_.method = data.substr(method_begin_, target_begin_ - 1 - method_begin_);
  request_.target = data.substr(target_begin_, target_end_ - target_begin_);
  request_.body = data.substr(body_begin_, request_.content_length);
  // HTTP/1.1 keeps the connection unless told to close; HTTP/1.0 closes unless asked not to.
  request_.keep_alive = !connection_close_ &&
                        (request_.version_minor >= 1 || connection_keep_alive_);
  request_.headers.clear();
  for (const field_offsets& field : fields_) {
    request_.headers.push_back(
        {data.substr(field.name_begin, field.name_end - field.name_begin),
         data.substr(field.value_begin, field.value_end - field.value_begin)});
  }
}

}  // namespace http_example
