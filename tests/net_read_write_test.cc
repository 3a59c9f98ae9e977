// Synchronous composed operations (read, write, read_until) over connected local and TCP socket
// pairs, built against both Asio 1.22 and proa (see runtime_under_test.hpp): data arriving in
// chunks, completion conditions, partial writes, delimiters, eof, max_size and streambuf use.
#include "tests/runtime_under_test.hpp"

#include <array>
#include <chrono>
#include <cstddef>
#include <istream>
#include <ostream>
#include <string>
#include <system_error>
#include <thread>
#include <vector>

#include <gtest/gtest.h>

namespace {

using local_socket = rt::local::stream_protocol::socket;
using namespace std::chrono_literals;

// Two connected Unix-domain stream sockets.
struct local_pair {
  rt::io_context context;
  local_socket near{context};
  local_socket far{context};

  local_pair() { rt::local::connect_pair(near, far); }
};

// Sends each piece with its own write_some calls, pausing between pieces so that the reader sees
// them arrive separately.
void send_in_pieces(local_socket& socket, const std::vector<std::string>& pieces) {
  for (const std::string& piece : pieces) {
    std::this_thread::sleep_for(5ms);
    std::size_t sent = 0;
    while (sent < piece.size()) {
      sent += socket.write_some(rt::buffer(piece.data() + sent, piece.size() - sent));
    }
  }
}

// ---- read into buffer sequences ----------------------------------------------------------------

TEST(NetReadWrite, ReadFillsBuffersFromChunksArrivingLater) {
  runtime_test::hang_watchdog watchdog("ReadFillsBuffersFromChunksArrivingLater");
  local_pair pair;
  std::thread writer([&] { send_in_pieces(pair.far, {"abc", "defg", "h", "ijkl"}); });
  std::array<char, 5> first{};
  std::array<char, 7> second{};
  const std::array<rt::mutable_buffer, 2> buffers = {rt::buffer(first), rt::buffer(second)};
  const std::size_t bytes = rt::read(pair.near, buffers);
  writer.join();
  EXPECT_EQ(bytes, 12u);
  EXPECT_EQ(std::string(first.data(), first.size()), "abcde");
  EXPECT_EQ(std::string(second.data(), second.size()), "fghijkl");
}

TEST(NetReadWrite, TransferExactlyStopsAtTheCount) {
  runtime_test::hang_watchdog watchdog("TransferExactlyStopsAtTheCount");
  local_pair pair;
  std::thread writer([&] { send_in_pieces(pair.far, {"12", "34", "5678"}); });
  std::array<char, 64> data{};
  rt_error_code ec;
  const std::size_t bytes = rt::read(pair.near, rt::buffer(data), rt::transfer_exactly(6), ec);
  writer.join();
  EXPECT_FALSE(ec);
  EXPECT_EQ(bytes, 6u);
  EXPECT_EQ(std::string(data.data(), bytes), "123456");
  // The rest is still in the socket for the next read.
  EXPECT_EQ(rt::read(pair.near, rt::buffer(data, 2)), 2u);
  EXPECT_EQ(std::string(data.data(), 2), "78");
}

TEST(NetReadWrite, TransferAtLeastReturnsWithoutFillingTheBuffer) {
  runtime_test::hang_watchdog watchdog("TransferAtLeastReturnsWithoutFillingTheBuffer");
  local_pair pair;
  // The peer stays open and silent afterwards: a read that wanted the whole buffer would hang.
  std::thread writer([&] { send_in_pieces(pair.far, {"ab", "cd"}); });
  std::array<char, 100> data{};
  const std::size_t bytes = rt::read(pair.near, rt::buffer(data), rt::transfer_at_least(3));
  writer.join();
  EXPECT_EQ(bytes, 4u);
  EXPECT_EQ(std::string(data.data(), bytes), "abcd");
}

TEST(NetReadWrite, EmptyBuffersCompleteAtOnce) {
  runtime_test::hang_watchdog watchdog("EmptyBuffersCompleteAtOnce");
  local_pair pair;
  rt_error_code ec = rt::error::eof;  // must be cleared
  EXPECT_EQ(rt::read(pair.near, rt::mutable_buffer(), ec), 0u);
  EXPECT_FALSE(ec);
}

TEST(NetReadWrite, EofWithPartialDataReportsTheBytes) {
  runtime_test::hang_watchdog watchdog("EofWithPartialDataReportsTheBytes");
  local_pair pair;
  std::thread writer([&] {
    send_in_pieces(pair.far, {"par", "tial"});
    pair.far.close();
  });
  std::array<char, 32> data{};
  rt_error_code ec;
  const std::size_t bytes = rt::read(pair.near, rt::buffer(data), ec);
  writer.join();
  EXPECT_EQ(ec, rt::error::eof);
  EXPECT_EQ(bytes, 7u);
  EXPECT_EQ(std::string(data.data(), bytes), "partial");

  try {
    rt::read(pair.near, rt::buffer(data));
    ADD_FAILURE() << "read at eof did not throw";
  } catch (const rt::system_error& error) {
    EXPECT_EQ(error.code(), rt::error::eof);
  }
}

// ---- read into dynamic buffers -----------------------------------------------------------------

TEST(NetReadWrite, ReadIntoDynamicBufferAppends) {
  runtime_test::hang_watchdog watchdog("ReadIntoDynamicBufferAppends");
  local_pair pair;
  std::thread writer([&] {
    send_in_pieces(pair.far, {"hello ", "dynamic ", "world"});
    pair.far.close();
  });
  std::string text = "> ";
  rt_error_code ec;
  const std::size_t bytes = rt::read(pair.near, rt::dynamic_buffer(text), ec);
  writer.join();
  EXPECT_EQ(ec, rt::error::eof);
  EXPECT_EQ(bytes, 19u);
  EXPECT_EQ(text, "> hello dynamic world");
}

TEST(NetReadWrite, ReadIntoVectorBufferWithTransferExactly) {
  runtime_test::hang_watchdog watchdog("ReadIntoVectorBufferWithTransferExactly");
  local_pair pair;
  std::thread writer([&] { send_in_pieces(pair.far, {"012", "3456789"}); });
  std::vector<char> bytes_read;
  const std::size_t bytes =
      rt::read(pair.near, rt::dynamic_buffer(bytes_read), rt::transfer_exactly(5));
  writer.join();
  EXPECT_EQ(bytes, 5u);
  EXPECT_EQ(std::string(bytes_read.begin(), bytes_read.end()), "01234");
}

// ---- write -------------------------------------------------------------------------------------

TEST(NetReadWrite, WriteCompletesPartialWritesOfALargeBuffer) {
  runtime_test::hang_watchdog watchdog("WriteCompletesPartialWritesOfALargeBuffer");
  rt::io_context context;
  rt::ip::tcp::acceptor acceptor(context,
                                 rt::ip::tcp::endpoint(rt::ip::address_v4::loopback(), 0));
  rt::ip::tcp::socket client(context);
  rt::ip::tcp::socket server(context);
  client.connect(acceptor.local_endpoint());
  acceptor.accept(server);

  // 4 MiB is far beyond the socket buffers, so write() needs many partial write_some steps
  // while the peer drains.
  constexpr std::size_t size = 4 * 1024 * 1024;
  std::vector<unsigned char> sent(size);
  for (std::size_t i = 0; i < size; ++i) sent[i] = static_cast<unsigned char>((i * 7 + i / 4096) & 0xff);
  std::vector<unsigned char> received(size);
  std::size_t read_bytes = 0;
  std::thread reader([&] { read_bytes = rt::read(server, rt::buffer(received)); });
  const std::size_t written = rt::write(client, rt::buffer(sent));
  reader.join();
  EXPECT_EQ(written, size);
  EXPECT_EQ(read_bytes, size);
  EXPECT_TRUE(sent == received);
}

TEST(NetReadWrite, WriteGathersABufferSequence) {
  runtime_test::hang_watchdog watchdog("WriteGathersABufferSequence");
  local_pair pair;
  const std::string a = "one,";
  const std::string b;
  const std::string c = "two,three";
  const std::vector<rt::const_buffer> buffers = {rt::buffer(a), rt::buffer(b), rt::buffer(c)};
  rt_error_code ec;
  EXPECT_EQ(rt::write(pair.near, buffers, ec), 13u);
  EXPECT_FALSE(ec);
  std::array<char, 13> data{};
  rt::read(pair.far, rt::buffer(data));
  EXPECT_EQ(std::string(data.data(), data.size()), "one,two,three");
}

TEST(NetReadWrite, WriteFromDynamicBufferConsumesWhatWasWritten) {
  runtime_test::hang_watchdog watchdog("WriteFromDynamicBufferConsumesWhatWasWritten");
  local_pair pair;
  std::string pending = "abcdefgh";
  EXPECT_EQ(rt::write(pair.near, rt::dynamic_buffer(pending), rt::transfer_exactly(3)), 3u);
  EXPECT_EQ(pending, "defgh");
  EXPECT_EQ(rt::write(pair.near, rt::dynamic_buffer(pending)), 5u);
  EXPECT_TRUE(pending.empty());
  std::array<char, 8> data{};
  rt::read(pair.far, rt::buffer(data));
  EXPECT_EQ(std::string(data.data(), data.size()), "abcdefgh");
}

// ---- read_until --------------------------------------------------------------------------------

TEST(NetReadWrite, ReadUntilCharKeepsLeftoverForTheNextCall) {
  runtime_test::hang_watchdog watchdog("ReadUntilCharKeepsLeftoverForTheNextCall");
  local_pair pair;
  rt::write(pair.far, rt::buffer(std::string("line one\nline two\npart")));
  std::string text;
  std::size_t n = rt::read_until(pair.near, rt::dynamic_buffer(text), '\n');
  ASSERT_EQ(n, 9u);
  EXPECT_EQ(text.substr(0, n), "line one\n");
  EXPECT_EQ(text.substr(n), "line two\npart");  // everything read_some brought stays
  text.erase(0, n);

  // Already buffered: found without reading.
  n = rt::read_until(pair.near, rt::dynamic_buffer(text), '\n');
  ASSERT_EQ(n, 9u);
  EXPECT_EQ(text.substr(0, n), "line two\n");
  text.erase(0, n);

  std::thread writer([&] { send_in_pieces(pair.far, {"ial li", "ne\n"}); });
  n = rt::read_until(pair.near, rt::dynamic_buffer(text), '\n');
  writer.join();
  EXPECT_EQ(text.substr(0, n), "partial line\n");
}

TEST(NetReadWrite, ReadUntilStringFindsADelimiterSplitAcrossArrivals) {
  runtime_test::hang_watchdog watchdog("ReadUntilStringFindsADelimiterSplitAcrossArrivals");
  local_pair pair;
  std::thread writer(
      [&] { send_in_pieces(pair.far, {"GET / HTTP/1.1\r\nHost: x\r", "\n\r", "\nBODY"}); });
  std::string text;
  rt_error_code ec;
  const std::size_t n = rt::read_until(pair.near, rt::dynamic_buffer(text), "\r\n\r\n", ec);
  writer.join();
  EXPECT_FALSE(ec);
  ASSERT_EQ(n, 27u);
  EXPECT_EQ(text.substr(0, n), "GET / HTTP/1.1\r\nHost: x\r\n\r\n");
  // The body may or may not have come with the last read_some; any of it that did is kept.
  EXPECT_EQ(text.substr(n), std::string("BODY").substr(0, text.size() - n));
}

TEST(NetReadWrite, ReadUntilStringWithLeftover) {
  runtime_test::hang_watchdog watchdog("ReadUntilStringWithLeftover");
  local_pair pair;
  rt::write(pair.far, rt::buffer(std::string("key=1;;key=2;;tail")));
  std::string text;
  std::size_t n = rt::read_until(pair.near, rt::dynamic_buffer(text), std::string(";;"));
  EXPECT_EQ(text.substr(0, n), "key=1;;");
  text.erase(0, n);
  n = rt::read_until(pair.near, rt::dynamic_buffer(text), std::string_view(";;"));
  EXPECT_EQ(text.substr(0, n), "key=2;;");
  text.erase(0, n);
  EXPECT_EQ(text, "tail");
}

TEST(NetReadWrite, ReadUntilEofKeepsTheDataRead) {
  runtime_test::hang_watchdog watchdog("ReadUntilEofKeepsTheDataRead");
  local_pair pair;
  std::thread writer([&] {
    send_in_pieces(pair.far, {"no ", "newline"});
    pair.far.close();
  });
  std::string text;
  rt_error_code ec;
  EXPECT_EQ(rt::read_until(pair.near, rt::dynamic_buffer(text), '\n', ec), 0u);
  writer.join();
  EXPECT_EQ(ec, rt::error::eof);
  EXPECT_EQ(text, "no newline");

  try {
    rt::read_until(pair.near, rt::dynamic_buffer(text), "\r\n");
    ADD_FAILURE() << "read_until at eof did not throw";
  } catch (const rt::system_error& error) {
    EXPECT_EQ(error.code(), rt::error::eof);
  }
}

TEST(NetReadWrite, ReadUntilReportsNotFoundWhenMaxSizeIsReached) {
  runtime_test::hang_watchdog watchdog("ReadUntilReportsNotFoundWhenMaxSizeIsReached");
  local_pair pair;
  rt::write(pair.far, rt::buffer(std::string("0123456789\n")));
  std::string text;
  rt_error_code ec;
  EXPECT_EQ(rt::read_until(pair.near, rt::dynamic_buffer(text, 8), '\n', ec), 0u);
  EXPECT_EQ(ec, rt::error::not_found);
  EXPECT_EQ(text, "01234567");

  std::string other;
  EXPECT_EQ(rt::read_until(pair.near, rt::dynamic_buffer(other, 2), "9\n", ec), 0u);
  EXPECT_EQ(ec, rt::error::not_found);
  EXPECT_EQ(other, "89");
}

// ---- streambuf ---------------------------------------------------------------------------------

TEST(NetReadWrite, StreambufWorksWithIostreams) {
  runtime_test::hang_watchdog watchdog("StreambufWorksWithIostreams");
  local_pair pair;

  rt::streambuf outgoing;
  std::ostream out(&outgoing);
  out << "answer " << 42 << "\nsecond line\nrest";
  const std::size_t total = outgoing.size();
  EXPECT_EQ(rt::write(pair.far, outgoing), total);
  EXPECT_EQ(outgoing.size(), 0u);  // written bytes are consumed

  rt::streambuf incoming;
  std::size_t n = rt::read_until(pair.near, incoming, '\n');
  EXPECT_EQ(n, 10u);
  std::istream in(&incoming);
  std::string word;
  int number = 0;
  in >> word >> number;
  EXPECT_EQ(word, "answer");
  EXPECT_EQ(number, 42);
  in.ignore(1);  // the '\n'

  n = rt::read_until(pair.near, incoming, "line\n");
  EXPECT_EQ(n, 12u);
  std::string line;
  std::getline(in, line);
  EXPECT_EQ(line, "second line");

  pair.far.close();
  rt_error_code ec;
  rt::read(pair.near, incoming, ec);
  EXPECT_EQ(ec, rt::error::eof);
  EXPECT_EQ(incoming.size(), 4u);
  std::getline(in, line);
  EXPECT_EQ(line, "rest");
}

}  // namespace
