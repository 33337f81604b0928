"""jupyter_kernel_test cases for the seqlab kernel, run by test/jupyter/kernel-test.test.ts.

jupyter_kernel_test comes from the pinned venv (.ci/requirements.txt). The kernelspecs are
installed into a temporary JUPYTER_DATA_DIR by the mocha test; every optional attribute of
KernelTests is set, so that no test of the suite is skipped.
"""
import sys
import unittest

import jupyter_kernel_test


class ReportsProtocolVersion:
    """Prints the protocol version the kernel reports, so that a run says what it tested."""

    def test_reports_protocol_version(self):
        self.flush_channels()
        self.kc.kernel_info()
        reply = self.kc.get_shell_msg(timeout=30)
        version = reply["content"]["protocol_version"]
        print(f"protocol_version {version}", file=sys.stderr)
        self.assertRegex(version, r"^5\.\d+$")


class SeqlabKernelTests(ReportsProtocolVersion, jupyter_kernel_test.KernelTests):
    """The real kernel: TypeScript through the seqlab engine, with magics."""

    kernel_name = "seqlab"
    language_name = "typescript"
    file_extension = ".ts"

    code_hello_world = 'console.log("hello, world")'
    code_stderr = 'console.error("something went wrong")'
    completion_samples = [{"text": "Math.ma", "matches": {"max"}}]
    complete_code_samples = ["1", "const a: number = 1;", "function f(x: number) { return x; }"]
    incomplete_code_samples = ["function f(x: number) {", "const xs = [1, 2,"]
    invalid_code_samples = ["1 +* 2", "const = 5"]
    code_page_something = "%lsmagic?"
    code_generate_error = 'throw new Error("boom")'
    code_execute_result = [
        {"code": "6 * 7", "result": "42"},
        {"code": '"se" + "qlab"', "result": "'seqlab'"},
    ]
    code_display_data = [
        {"code": 'display(display.html("<b>bold</b>"))', "mime": "text/html"},
        {"code": 'display(display.mime({"text/markdown": "**md**", "text/plain": "md"}))', "mime": "text/markdown"},
    ]
    code_history_pattern = "6 ?*"
    supported_history_operations = ("tail", "range", "search")
    code_inspect_sample = "Math.max"
    code_clear_output = "clearOutput()"


class JsTestEngineKernelTests(ReportsProtocolVersion, jupyter_kernel_test.KernelTests):
    """The protocol server with the small JavaScript test engine (test/kernel/fixtures)."""

    kernel_name = "seqlab-js-test"
    language_name = "javascript"
    file_extension = ".js"

    code_hello_world = 'console.log("hello, world")'
    code_stderr = 'console.error("something went wrong")'
    completion_samples = [{"text": "Math.ma", "matches": {"max"}}]
    complete_code_samples = ["1", "var a = 1;"]
    incomplete_code_samples = ["function f(x) {"]
    invalid_code_samples = ["1 +* 2"]
    code_page_something = 'page("help text")'
    code_generate_error = 'throw new Error("boom")'
    code_execute_result = [
        {"code": "6 * 7", "result": "42"},
        {"code": '"se" + "qlab"', "result": "'seqlab'"},
    ]
    code_display_data = [{"code": 'display({"text/html": "<b>bold</b>"})', "mime": "text/html"}]
    code_history_pattern = "6 ?*"
    supported_history_operations = ("tail", "range", "search")
    code_inspect_sample = "Math.max"
    code_clear_output = "clearOutput()"


if __name__ == "__main__":
    unittest.main()
