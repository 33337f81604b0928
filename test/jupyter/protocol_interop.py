"""The server's newer protocol features through Debian's jupyter_client (the Python reference
client), run by test/jupyter/protocol-interop.test.ts against the JS test-engine kernelspec.
"""
import json
import os
import unittest
import uuid

from jupyter_client.kernelspec import KernelSpecManager
from jupyter_client.manager import KernelManager

TIMEOUT = 30


class ProtocolInterop(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.km = KernelManager(kernel_name="seqlab-js-test")
        cls.km.start_kernel()
        cls.kc = cls.km.blocking_client()
        cls.kc.start_channels()
        cls.kc.wait_for_ready(timeout=60)

    @classmethod
    def tearDownClass(cls):
        cls.kc.stop_channels()
        cls.km.shutdown_kernel(now=False)

    def execute(self, code, **kwargs):
        outputs = []
        reply = self.kc.execute_interactive(code, timeout=kwargs.pop("timeout", TIMEOUT), output_hook=outputs.append, **kwargs)
        self.assertEqual(reply["content"]["status"], "ok", reply["content"])
        return outputs

    def result_of(self, code):
        results = [m for m in self.execute(code) if m["msg_type"] == "execute_result"]
        return results[0]["content"]["data"]["text/plain"]

    def control_request(self, msg_type, content=None):
        msg = self.kc.session.msg(msg_type, content or {})
        self.kc.control_channel.send(msg)
        while True:
            reply = self.kc.get_control_msg(timeout=TIMEOUT)
            if reply["parent_header"].get("msg_id") == msg["header"]["msg_id"]:
                return reply

    def iopub_until(self, predicate):
        while True:
            msg = self.kc.get_iopub_msg(timeout=TIMEOUT)
            if predicate(msg):
                return msg

    def test_kernel_info_is_5_5_on_shell_and_control(self):
        self.kc.kernel_info()
        shell = self.kc.get_shell_msg(timeout=TIMEOUT)
        control = self.control_request("kernel_info_request")
        for reply in (shell, control):
            self.assertEqual(reply["msg_type"], "kernel_info_reply")
            self.assertEqual(reply["content"]["protocol_version"], "5.5")
            self.assertEqual(reply["content"]["supported_features"], [])

    def test_kernelspec_names_its_protocol_version(self):
        spec_dir = KernelSpecManager().get_kernel_spec("seqlab").resource_dir
        with open(os.path.join(spec_dir, "kernel.json"), encoding="utf-8") as f:
            self.assertEqual(json.load(f)["kernel_protocol_version"], "5.5")

    def test_usage_request_on_control(self):
        reply = self.control_request("usage_request")
        self.assertEqual(reply["msg_type"], "usage_reply")
        content = reply["content"]
        for key in ("hostname", "pid", "kernel_cpu", "kernel_memory", "cpu_count", "host_virtual_memory"):
            self.assertIn(key, content)
        self.assertEqual(content["pid"], self.km.provisioner.process.pid)
        self.assertGreater(content["kernel_memory"], 0)
        for key in ("total", "available", "percent", "used", "free"):
            self.assertIn(key, content["host_virtual_memory"])

    def test_comm_round_trip_with_buffers(self):
        self.execute('comms.registerTarget("py.echo", (comm) => comm.onMessage((m) => comm.send({ echo: m.data }, m.buffers)))')
        comm_id = uuid.uuid4().hex
        session, socket = self.kc.session, self.kc.shell_channel.socket
        session.send(socket, "comm_open", {"comm_id": comm_id, "target_name": "py.echo", "data": {}})
        sent = session.send(socket, "comm_msg", {"comm_id": comm_id, "data": {"x": 1}}, buffers=[b"\x01\x02\x03"])
        echo = self.iopub_until(lambda m: m["msg_type"] == "comm_msg" and m["parent_header"].get("msg_id") == sent["header"]["msg_id"])
        self.assertEqual(echo["content"], {"comm_id": comm_id, "data": {"echo": {"x": 1}}})
        self.assertEqual([bytes(b) for b in echo["buffers"]], [b"\x01\x02\x03"])
        self.kc.comm_info(target_name="py.echo")
        info = self.kc.get_shell_msg(timeout=TIMEOUT)
        self.assertEqual(info["content"]["comms"], {comm_id: {"target_name": "py.echo"}})

    def test_replayed_execute_request_runs_once(self):
        msg = self.kc.session.msg("execute_request", {"code": "var replayed = (typeof replayed === 'undefined' ? 0 : replayed) + 1", "silent": False, "store_history": True, "user_expressions": {}, "allow_stdin": False, "stop_on_error": True})
        frames = self.kc.session.serialize(msg)
        for _ in range(3):
            self.kc.shell_channel.socket.send_multipart(frames)
        self.assertEqual(self.result_of("replayed"), "1")

    def test_output_flood_reaches_idle_with_a_notice(self):
        n = 200000
        outputs = self.execute(f'for (let i = 0; i < {n}; i++) display({{"text/plain": String(i)}})', timeout=120)
        shown = sum(1 for m in outputs if m["msg_type"] == "display_data")
        notices = "".join(m["content"]["text"] for m in outputs if m["msg_type"] == "stream")
        self.assertIn("output rate exceeded", notices)
        self.assertLess(shown, n)


if __name__ == "__main__":
    unittest.main()
