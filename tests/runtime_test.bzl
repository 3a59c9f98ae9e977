# Declares each runtime behaviour test twice from one source: against proa (<name>_test) and
# against standalone Asio 1.22 (<name>_asio_test), which proves the test encodes Asio's
# behaviour and can fail. See tests/runtime_under_test.hpp.
load("@rules_cc//cc:defs.bzl", "cc_test")

# False tags the proa variants manual, so `bazel test //tests:all` skips them (used while the
# runtime was landing); True makes both variants of every test part of the suite.
PROA_RUNTIME_LANDED = True

def runtime_behaviour_test(name, size = "small", timeout = None, tags = []):
    """Declares <name>_test (proa) and <name>_asio_test (Asio) from <name>_test.cc.

    Args:
      name: base name, e.g. "runtime_post" for runtime_post_test.cc.
      size: Bazel test size of both variants.
      timeout: optional Bazel timeout of both variants.
      tags: extra tags for both variants.
    """
    srcs = [
        name + "_test.cc",
        "runtime_under_test.hpp",
    ]
    cc_test(
        name = name + "_test",
        size = size,
        timeout = timeout,
        srcs = srcs,
        tags = tags + ([] if PROA_RUNTIME_LANDED else ["manual"]),
        deps = [
            "//:proa",
            "@system_libs//:gtest_main",
        ],
    )
    cc_test(
        name = name + "_asio_test",
        size = size,
        timeout = timeout,
        srcs = srcs,
        # GCC's -Wtsan flags the atomic_thread_fence inside Asio's own headers under
        # --config=tsan; that is Asio's code, not ours, so keep those builds warning-free.
        copts = ["-Wno-tsan"],
        local_defines = ["PROA_TEST_AGAINST_ASIO"],
        tags = tags,
        deps = [
            "@system_libs//:asio",
            "@system_libs//:gtest_main",
        ],
    )
