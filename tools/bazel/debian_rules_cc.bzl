"""Makes Debian's rules_cc 0.0.4 load under Debian's Bazel 4.2.3.

rules_cc calls `use_cpp_toolchain()`, which Bazel 4.2.3's @bazel_tools does not define. We copy
the package and replace that call with the toolchain type it would have returned.
"""

_PATCHED_FILES = [
    "cc/private/rules_impl/compiler_flag.bzl",
    "cc/private/rules_impl/cc_flags_supplier.bzl",
]

def _debian_rules_cc_impl(ctx):
    source = ctx.path(ctx.attr.path)
    if not source.exists:
        fail("rules_cc not found at %s: run tools/bootstrap first" % ctx.attr.path)
    result = ctx.execute(["cp", "-R", str(source) + "/.", "."])
    if result.return_code != 0:
        fail("copying rules_cc failed: " + result.stderr)
    for name in _PATCHED_FILES:
        text = ctx.read(name)
        text = text.replace(', "use_cpp_toolchain")', ")")
        text = text.replace("use_cpp_toolchain()", '["@bazel_tools//tools/cpp:toolchain_type"]')
        ctx.file(name, text)

debian_rules_cc = repository_rule(
    implementation = _debian_rules_cc_impl,
    attrs = {"path": attr.string(mandatory = True)},
    local = True,
)
