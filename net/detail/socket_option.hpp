// The socket option and I/O control command classes behind socket_base's option typedefs
// (broadcast, linger, receive_buffer_size, ...) and ip::tcp::no_delay: each names a setsockopt
// level/name or ioctl request and owns the value the kernel reads or writes.
#pragma once

#include <sys/ioctl.h>
#include <sys/socket.h>

#include <cstddef>
#include <stdexcept>

namespace proa::detail {

// A level no kernel protocol uses ('proa' in ASCII): options at this level are handled by proa
// itself and never reach setsockopt.
inline constexpr int custom_socket_option_level = 0x70726f61;
// At custom_socket_option_level: report ECONNABORTED from accept instead of skipping it.
inline constexpr int enable_connection_aborted_option = 1;

namespace socket_option {

// An on/off option stored as the int the kernel expects. Some options (e.g. IP_MULTICAST_LOOP on
// some systems) come back as a single byte, which resize() accepts.
template <int Level, int Name>
class boolean {
 public:
  boolean() noexcept = default;
  explicit boolean(bool v) noexcept : value_(v ? 1 : 0) {}

  boolean& operator=(bool v) noexcept {
    value_ = v ? 1 : 0;
    return *this;
  }

  bool value() const noexcept { return value_ != 0; }
  explicit(false) operator bool() const noexcept { return value_ != 0; }
  bool operator!() const noexcept { return value_ == 0; }

  template <typename Protocol>
  int level(const Protocol&) const noexcept {
    return Level;
  }
  template <typename Protocol>
  int name(const Protocol&) const noexcept {
    return Name;
  }
  template <typename Protocol>
  int* data(const Protocol&) noexcept {
    return &value_;
  }
  template <typename Protocol>
  const int* data(const Protocol&) const noexcept {
    return &value_;
  }
  template <typename Protocol>
  std::size_t size(const Protocol&) const noexcept {
    return sizeof(value_);
  }

  // Called with the length getsockopt wrote. Throws std::length_error for a length that is
  // neither one byte nor an int.
  template <typename Protocol>
  void resize(const Protocol&, std::size_t new_size) {
    if (new_size == sizeof(value_)) return;
    if (new_size != 1) throw std::length_error("boolean socket option resize");
    // Only the first byte was written; the rest still holds the value passed in.
    value_ = *reinterpret_cast<const unsigned char*>(&value_) != 0 ? 1 : 0;
  }

 private:
  int value_ = 0;
};

template <int Level, int Name>
class integer {
 public:
  integer() noexcept = default;
  explicit integer(int v) noexcept : value_(v) {}

  integer& operator=(int v) noexcept {
    value_ = v;
    return *this;
  }

  int value() const noexcept { return value_; }

  template <typename Protocol>
  int level(const Protocol&) const noexcept {
    return Level;
  }
  template <typename Protocol>
  int name(const Protocol&) const noexcept {
    return Name;
  }
  template <typename Protocol>
  int* data(const Protocol&) noexcept {
    return &value_;
  }
  template <typename Protocol>
  const int* data(const Protocol&) const noexcept {
    return &value_;
  }
  template <typename Protocol>
  std::size_t size(const Protocol&) const noexcept {
    return sizeof(value_);
  }
  // Throws std::length_error unless getsockopt wrote a whole int.
  template <typename Protocol>
  void resize(const Protocol&, std::size_t new_size) {
    if (new_size != sizeof(value_)) throw std::length_error("integer socket option resize");
  }

 private:
  int value_ = 0;
};

// SO_LINGER: whether close() waits for unsent data, and for how many seconds.
template <int Level, int Name>
class linger {
 public:
  linger() noexcept = default;
  linger(bool is_enabled, int timeout_seconds) noexcept {
    enabled(is_enabled);
    timeout(timeout_seconds);
  }

  void enabled(bool value) noexcept { value_.l_onoff = value ? 1 : 0; }
  bool enabled() const noexcept { return value_.l_onoff != 0; }
  void timeout(int seconds) noexcept { value_.l_linger = seconds; }
  int timeout() const noexcept { return value_.l_linger; }

  template <typename Protocol>
  int level(const Protocol&) const noexcept {
    return Level;
  }
  template <typename Protocol>
  int name(const Protocol&) const noexcept {
    return Name;
  }
  template <typename Protocol>
  ::linger* data(const Protocol&) noexcept {
    return &value_;
  }
  template <typename Protocol>
  const ::linger* data(const Protocol&) const noexcept {
    return &value_;
  }
  template <typename Protocol>
  std::size_t size(const Protocol&) const noexcept {
    return sizeof(value_);
  }
  template <typename Protocol>
  void resize(const Protocol&, std::size_t new_size) {
    if (new_size != sizeof(value_)) throw std::length_error("linger socket option resize");
  }

 private:
  ::linger value_{};
};

}  // namespace socket_option

namespace io_control {

// FIONREAD: bytes that can be read without blocking.
class bytes_readable {
 public:
  bytes_readable() noexcept = default;
  explicit(false) bytes_readable(std::size_t value) noexcept : value_(static_cast<int>(value)) {}

  int name() const noexcept { return FIONREAD; }
  void set(std::size_t value) noexcept { value_ = static_cast<int>(value); }
  std::size_t get() const noexcept { return static_cast<std::size_t>(value_); }
  int* data() noexcept { return &value_; }
  const int* data() const noexcept { return &value_; }

 private:
  int value_ = 0;
};

// FIONBIO: switches the descriptor's non-blocking mode. Asio 1.22 no longer offers this as
// socket_base::non_blocking_io (non_blocking(bool) replaces it), but io_control still has to keep
// the socket's mode flags right when user code passes such a command, so proa keeps one here.
class non_blocking_io {
 public:
  non_blocking_io() noexcept = default;
  explicit non_blocking_io(bool value) noexcept : value_(value ? 1 : 0) {}

  int name() const noexcept { return FIONBIO; }
  void set(bool value) noexcept { value_ = value ? 1 : 0; }
  bool get() const noexcept { return value_ != 0; }
  int* data() noexcept { return &value_; }
  const int* data() const noexcept { return &value_; }

 private:
  int value_ = 0;
};

}  // namespace io_control
}  // namespace proa::detail
