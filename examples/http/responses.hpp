// What the example server answers: routing of parsed requests and the bytes of each response,
// kept free of I/O so the same code serves both runtimes and is unit-tested without sockets.
#pragma once

#include <string>
#include <string_view>

#include "examples/http/request_parser.hpp"

namespace http_example {

// The TechEmpower plaintext payload.
inline constexpr std::string_view plaintext_path = "/plaintext";
inline constexpr std::string_view plaintext_body = "Hello, World!";

std::string_view reason_phrase(int status);

// The current time as an IMF-fixdate ("Sun, 06 Nov 1994 08:49:37 GMT"), recomputed at most
// once per second per thread.
std::string_view http_date_now();

// Appends the response to `req` to `out` and returns whether the connection stays open.
// GET and HEAD of /plaintext answer 200, other paths 404, other methods 405.
bool append_response(const request& req, std::string_view date, std::string& out);

// Appends the response to a request the parser rejected; the connection always closes after.
void append_error_response(parse_error error, std::string_view date, std::string& out);

}  // namespace http_example
