// Every real Asio header includes <asio/detail/config.hpp>. An example that includes an Asio
// header not stood in for here would silently build against Asio instead of proa; this stops it.
#error "An Asio example included a real Asio header: add a forwarding header for it next to this one"
