# Macros for Asio's own example programs built unmodified against proa (tests/BUILD.bazel,
# "asio examples" section) and the sh_tests that run them through asio_examples_test.sh.
load("@rules_cc//cc:defs.bzl", "cc_binary")

# Where Debian's libasio-dev installs Asio 1.22's C++11 examples.
ASIO_CPP11_EXAMPLES = "/usr/share/doc/libasio-dev/examples/cpp11"

def asio_example_sources(name, files):
    """Copies example files (paths under examples/cpp11) to asio_examples/cpp11/<path>."""
    native.genrule(
        name = name,
        outs = ["asio_examples/cpp11/%s" % f for f in files],
        cmd = " && ".join([
            "cp %s/%s $(RULEDIR)/asio_examples/cpp11/%s" % (ASIO_CPP11_EXAMPLES, f, f)
            for f in files
        ]),
    )

def asio_example_binary(name, files, copts = []):
    """An Asio example (files under examples/cpp11, as copied above) linked against proa.

    Its `#include "asio.hpp"` finds tests/asio_compat/asio.hpp, and its `#include <asio/...>`
    the forwarding headers in tests/asio_example_headers/asio/.
    """
    cc_binary(
        name = name,
        srcs = [":asio_examples/cpp11/%s" % f for f in files],
        copts = copts,
        linkopts = ["-pthread"],
        deps = [
            ":asio_compat",
            ":asio_example_headers",
        ],
    )

def asio_example_test(name, scenario, binaries):
    """Runs `asio_examples_test.sh <scenario> <binaries...>`."""
    native.sh_test(
        name = name,
        size = "small",
        srcs = ["asio_examples_test.sh"],
        args = [scenario] + ["$(rootpath %s)" % binary for binary in binaries],
        data = binaries,
    )
