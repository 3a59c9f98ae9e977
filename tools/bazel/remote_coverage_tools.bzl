"""An empty @remote_coverage_tools: `bazel test` resolves it even when coverage is off."""

def _impl(ctx):
    ctx.file("WORKSPACE", "workspace(name = \"remote_coverage_tools\")\n")
    ctx.file("BUILD", """
package(default_visibility = ["//visibility:public"])
filegroup(name = "coverage_report_generator", srcs = [])
filegroup(name = "lcov_merger", srcs = [])
filegroup(name = "coverage_output_generator", srcs = [])
""")

empty_remote_coverage_tools = repository_rule(implementation = _impl)
