// Thrown when an empty type-erased executor (any_io_executor) is asked to do anything.
#pragma once

#include <exception>

namespace proa::execution {

class bad_executor : public std::exception {
 public:
  const char* what() const noexcept override { return "bad executor"; }
};

}  // namespace proa::execution
