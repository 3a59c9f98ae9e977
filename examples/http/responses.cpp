// Response formatting for the example server: appends into the connection's reusable output
// buffer, so a steady stream of requests allocates nothing.
#include "examples/http/responses.hpp"

#include <charconv>
#include <ctime>

namespace http_example {
namespace {

constexpr std::string_view server_header = "Server: proa-http-example\r\n";

void append_number(std::size_t value, std::string& out) {
  char digits[24];
  const auto result = std::to_chars(digits, digits + sizeof digits, value);
  out.append(digits, result.ptr);
}

// Status line and the headers every response carries.
void append_head(int status, std::string_view date, std::string& out) {
  out += "HTTP/1.1 ";
  append_number(static_cast<std::size_t>(status), out);
  out += ' ';
  out += reason_phrase(status);
  out += "\r\n";
  out += server_header;
  out += "Date: ";
  out += date;
  out += "\r\n";
}

// `send_body` is false for HEAD: same headers, Content-Length included, no body bytes.
void append_body(std::string_view content_type, std::string_view body, bool send_body,
                 std::string& out) {
  out += "Content-Type: ";
  out += content_type;
  out += "\r\nContent-Length: ";
  append_number(body.size(), out);
  out += "\r\n\r\n";
  if (send_body) out += body;
}

}  // namespace

std::string_view reason_phrase(int status) {
  switch (status) {
    case 200: return "OK";
    case 400: return "Bad Request";
    case 404: return "Not Found";
    case 405: return "Method Not Allowed";
    case 413: return "Content Too Large";
    case 414: return "URI Too Long";
    case 431: return "Request Header Fields Too Large";
    case 501: return "Not Implemented";
    case 505: return "HTTP Version Not Supported";
    default: return "Unknown";
  }
}

std::string_view http_date_now() {
  struct cached_date {
    std::time_t second = -1;
    char text[32] = {};
    std::size_t size = 0;
  };
  thread_local cached_date cache;
  const std::time_t now = std::time(nullptr);
  if (now != cache.second) {
    std::tm utc{};
    gmtime_r(&now, &utc);
    cache.size = std::strftime(cache.text, sizeof cache.text, "%a, %d %b %Y %H:%M:%S GMT", &utc);
    cache.second = now;
  }
  return {cache.text, cache.size};
}

bool append_response(const request& req, std::string_view date, std::string& out) {
  const bool is_get = req.method == "GET";
  const bool is_head = req.method == "HEAD";
  const std::string_view path = req.target.substr(0, req.target.find('?'));
  const bool keep_alive = req.keep_alive;

  int status = 200;
  std::string_view body = plaintext_body;
  if (!is_get && !is_head) {
    status = 405;
    body = "Method Not Allowed\n";
  } else if (path != plaintext_path) {
    status = 404;
    body = "Not Found\n";
  }
  append_head(status, date, out);
  if (status == 405) out += "Allow: GET, HEAD\r\n";
  // HTTP/1.1 clients assume keep-alive; HTTP/1.0 clients must be told.
  if (!keep_alive) {
    out += "Connection: close\r\n";
  } else if (req.version_minor == 0) {
    out += "Connection: keep-alive\r\n";
  }
  append_body("text/plain", body, !is_head, out);
  return keep_alive;
}

void append_error_response(parse_error error, std::string_view date, std::string& out) {
  const int status = response_status(error);
  append_head(status, date, out);
  out += "Connection: close\r\n";
  std::string_view reason = reason_phrase(status);
  std::string_view detail = to_string(error);
  // "<reason>: <detail>\n" without building a temporary string.
  out += "Content-Type: text/plain\r\nContent-Length: ";
  append_number(reason.size() + 2 + detail.size() + 1, out);
  out += "\r\n\r\n";
  out += reason;
  out += ": ";
  out += detail;
  out += '\n';
}

}  // namespace http_example
