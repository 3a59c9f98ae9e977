// Tests for platform/error.hpp: comparisons, categories, messages, throw_error, and a
// cross-check against standalone Asio so proa's values and messages cannot drift from it.
#include "platform/error.hpp"

#include <unistd.h>

#include <asio/error.hpp>
#include <cerrno>
#include <cstring>
#include <initializer_list>
#include <string>
#include <system_error>

#include <gtest/gtest.h>

namespace {

namespace error = proa::error;

TEST(ErrorTest, ErrnoValueComparesEqualToBasicError) {
  const proa::error_code ec = proa::detail::errno_error_code(ECONNREFUSED);
  EXPECT_TRUE(ec == error::connection_refused);
  EXPECT_FALSE(ec == error::connection_reset);
  EXPECT_EQ(&ec.category(), &proa::system_category());
  // Portable std::errc conditions keep working because basic errors live in system_category.
  EXPECT_TRUE(ec == std::errc::connection_refused);
}

TEST(ErrorTest, LastErrnoFromFailedSyscall) {
  ASSERT_EQ(::close(-1), -1);
  const proa::error_code ec = proa::detail::last_errno_error_code();
  EXPECT_TRUE(ec == error::bad_descriptor);
  EXPECT_EQ(ec.message(), std::strerror(EBADF));
}

TEST(ErrorTest, BooleanTests) {
  EXPECT_FALSE(proa::error_code());
  EXPECT_FALSE(proa::detail::errno_error_code(0));
  EXPECT_TRUE(proa::detail::errno_error_code(EINTR));
  const proa::error_code eof = error::eof;
  EXPECT_TRUE(eof);
  EXPECT_TRUE(proa::error_code(error::operation_aborted));
}

TEST(ErrorTest, BasicErrorsMatchPortableConditions) {
  EXPECT_TRUE(proa::error_code(error::operation_aborted) == std::errc::operation_canceled);
  EXPECT_TRUE(proa::error_code(error::would_block) == std::errc::operation_would_block);
  EXPECT_FALSE(proa::error_code(error::eof) == std::errc::operation_canceled);
}

TEST(ErrorTest, MakeErrorCodeChoosesCategory) {
  const proa::error_code aborted = error::make_error_code(error::operation_aborted);
  EXPECT_EQ(aborted.value(), ECANCELED);
  EXPECT_EQ(&aborted.category(), &std::system_category());

  const proa::error_code eof = error::make_error_code(error::eof);
  EXPECT_EQ(eof.value(), 2);
  EXPECT_EQ(&eof.category(), &error::get_misc_category());

  const proa::error_code not_found = error::make_error_code(error::host_not_found);
  EXPECT_EQ(&not_found.category(), &error::get_netdb_category());

  const proa::error_code no_service = error::make_error_code(error::service_not_found);
  EXPECT_EQ(&no_service.category(), &error::get_addrinfo_category());
}

TEST(ErrorTest, CategoryKeepsEqualValuesApart) {
  // already_open and EPERM are both 1; only the category tells them apart.
  const proa::error_code already_open = error::already_open;
  EXPECT_EQ(already_open.value(), proa::detail::errno_error_code(EPERM).value());
  EXPECT_FALSE(already_open == error::no_permission);
  EXPECT_TRUE(already_open == error::already_open);
  EXPECT_FALSE(proa::error_code(error::eof) == error::operation_aborted);
}

TEST(ErrorTest, MiscMessagesAndCategoryNames) {
  EXPECT_EQ(proa::error_code(error::eof).message(), "End of file");
  EXPECT_EQ(proa::error_code(error::already_open).message(), "Already open");
  EXPECT_EQ(proa::error_code(error::not_found).message(), "Element not found");
  EXPECT_STREQ(error::get_misc_category().name(), "asio.misc");
  EXPECT_STREQ(error::get_netdb_category().name(), "asio.netdb");
  EXPECT_STREQ(error::get_addrinfo_category().name(), "asio.addrinfo");
  EXPECT_EQ(&error::get_system_category(), &std::system_category());
}

TEST(ErrorTest, ThrowErrorPreservesCode) {
  const proa::error_code refused = error::connection_refused;
  try {
    proa::detail::throw_error(refused, "connect");
    FAIL() << "throw_error did not throw";
  } catch (const proa::system_error& e) {
    EXPECT_EQ(e.code(), refused);
    EXPECT_EQ(std::string(e.what()), "connect: " + refused.message());
  }

  const proa::error_code eof = error::eof;
  try {
    proa::detail::throw_error(eof);
    FAIL() << "throw_error did not throw";
  } catch (const proa::system_error& e) {
    EXPECT_TRUE(e.code() == error::eof);
  }
}

TEST(ErrorTest, ThrowErrorIsSilentOnSuccess) {
  EXPECT_NO_THROW(proa::detail::throw_error(proa::error_code(), "connect"));
  EXPECT_NO_THROW(proa::detail::throw_error(proa::detail::errno_error_code(0)));
}

// Every enumerator, listed once so each cross-check below covers all of them.
#define BASIC_ERRORS(X)                                                                      \
  X(access_denied) X(address_family_not_supported) X(address_in_use) X(already_connected)   \
  X(already_started) X(broken_pipe) X(connection_aborted) X(connection_refused)             \
  X(connection_reset) X(bad_descriptor) X(fault) X(host_unreachable) X(in_progress)         \
  X(interrupted) X(invalid_argument) X(message_size) X(name_too_long) X(network_down)       \
  X(network_reset) X(network_unreachable) X(no_descriptors) X(no_buffer_space) X(no_memory) \
  X(no_permission) X(no_protocol_option) X(no_such_device) X(not_connected) X(not_socket)   \
  X(operation_aborted) X(operation_not_supported) X(shut_down) X(timed_out) X(try_again)    \
  X(would_block)
#define OTHER_ERRORS(X)                                                                  \
  X(host_not_found) X(host_not_found_try_again) X(no_data) X(no_recovery)                \
  X(service_not_found) X(socket_type_not_supported) X(already_open) X(eof) X(not_found) \
  X(fd_set_failure)

#define EXPECT_SAME_VALUE_AS_ASIO(name) \
  EXPECT_EQ(static_cast<int>(proa::error::name), static_cast<int>(asio::error::name)) << #name;

TEST(ErrorAsioCompatibilityTest, EnumValuesMatch) {
  BASIC_ERRORS(EXPECT_SAME_VALUE_AS_ASIO)
  OTHER_ERRORS(EXPECT_SAME_VALUE_AS_ASIO)
}

// Asio 1.22 keeps basic errors in its own "asio.system" category; proa uses std::system_category
// so codes also match std::errc conditions. The category objects therefore differ, but the
// text must not, except that Asio spells ECANCELED "Operation aborted." where strerror says
// "Operation canceled".
#define EXPECT_SAME_MESSAGE_AS_ASIO(name)                                          \
  if (proa::error::name != proa::error::operation_aborted) {                       \
    EXPECT_EQ(proa::error_code(proa::error::name).message(),                       \
              std::error_code(asio::error::name).message())                        \
        << #name;                                                                  \
  }

TEST(ErrorAsioCompatibilityTest, BasicErrorMessagesMatch) {
  BASIC_ERRORS(EXPECT_SAME_MESSAGE_AS_ASIO)
  EXPECT_EQ(proa::error_code(error::operation_aborted).message(), std::strerror(ECANCELED));
}

#undef EXPECT_SAME_MESSAGE_AS_ASIO
#undef EXPECT_SAME_VALUE_AS_ASIO
#undef OTHER_ERRORS
#undef BASIC_ERRORS

// Compares the name, the message of each listed value, and the fallback text for values the
// category does not know.
void ExpectCategoryMatchesAsio(const proa::error_category& ours, const std::error_category& asios,
                               std::initializer_list<int> values) {
  EXPECT_STREQ(ours.name(), asios.name());
  for (int value : values) {
    EXPECT_EQ(ours.message(value), asios.message(value)) << ours.name() << " value " << value;
  }
  for (int unknown : {0, 12345}) {
    EXPECT_EQ(ours.message(unknown), asios.message(unknown)) << ours.name() << " value " << unknown;
  }
}

TEST(ErrorAsioCompatibilityTest, CategoriesMatch) {
  ExpectCategoryMatchesAsio(error::get_misc_category(), asio::error::get_misc_category(),
                            {error::already_open, error::eof, error::not_found,
                             error::fd_set_failure});
  ExpectCategoryMatchesAsio(error::get_netdb_category(), asio::error::get_netdb_category(),
                            {error::host_not_found, error::host_not_found_try_again,
                             error::no_data, error::no_recovery});
  ExpectCategoryMatchesAsio(error::get_addrinfo_category(), asio::error::get_addrinfo_category(),
                            {error::service_not_found, error::socket_type_not_supported});
}

}  // namespace
