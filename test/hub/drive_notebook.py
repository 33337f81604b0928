"""Runs one notebook in a user's Jupyter server the way a browser frontend does: a session
through the REST API, then the kernel's messages over its websocket (JSON frames, the
channel named in each). Used by the classroom test, one process per user.

    python drive_notebook.py SERVER_URL TOKEN NOTEBOOK_PATH MARKER OUT_JSON

SERVER_URL is the user's server behind the hub's proxy (http://127.0.0.1:PORT/user/NAME/),
NOTEBOOK_PATH the notebook's path in that server's contents. Before the notebook's cells it
runs one cell that prints MARKER and the kernel's pid (printed here too, as "pid N", for the
test to watch its memory). Writes every cell's status, error and text outputs to OUT_JSON,
with any message that was not a reply to this client."""
import json, sys, time, uuid
import requests, websocket

url, token, nb_path, marker, out_file = sys.argv[1:6]
url = url.rstrip("/") + "/"
auth = {"Authorization": f"token {token}"}
session_id = uuid.uuid4().hex


def api(method, path, **kw):
    r = requests.request(method, url + path, headers=auth, timeout=120, **kw)
    r.raise_for_status()
    return r.json() if r.content else None


notebook = api("GET", f"api/contents/{nb_path}?content=1")["content"]
session = api("POST", "api/sessions", json={"path": nb_path, "type": "notebook", "name": nb_path, "kernel": {"name": "seqlab"}})
kernel_id = session["kernel"]["id"]
ws = websocket.create_connection(
    url.replace("http", "ws", 1) + f"api/kernels/{kernel_id}/channels?session_id={session_id}", header=[f"Authorization: token {token}"], timeout=600)

sent = set()
strays = []


def send(msg_type, content, channel="shell"):
    msg_id = uuid.uuid4().hex
    sent.add(msg_id)
    ws.send(json.dumps({
        "header": {"msg_id": msg_id, "msg_type": msg_type, "username": marker, "session": session_id, "date": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime()), "version": "5.4"},
        "parent_header": {}, "metadata": {}, "content": content, "channel": channel, "buffers": []}))
    return msg_id


def until_reply(msg_id, reply_type, on_iopub=None):
    """Reads messages until the reply to msg_id and the kernel's idle for it have both come."""
    reply, idle = None, False
    while reply is None or not idle:
        msg = json.loads(ws.recv())
        parent = msg.get("parent_header") or {}
        if parent.get("msg_id") not in sent:
            # The server's own kernel_info_request nudges (and the kernel's start-up status) reach
            # every client of the kernel; anything else is output of someone else's request.
            if parent and parent.get("msg_type") != "kernel_info_request":
                strays.append({"channel": msg.get("channel"), "msg_type": msg["msg_type"], "parent": parent})
            continue
        if parent["msg_id"] != msg_id:
            continue
        if msg["msg_type"] == reply_type:
            reply = msg["content"]
        elif msg["msg_type"] == "status" and msg["content"]["execution_state"] == "idle":
            idle = True
        elif on_iopub:
            on_iopub(msg)
    return reply


until_reply(send("kernel_info_request", {}), "kernel_info_reply")
code_cells = [c for c in notebook["cells"] if c["cell_type"] == "code"]
sources = [f'console.log("classroom marker", {json.dumps(marker)}, process.pid)'] + [
    c["source"] if isinstance(c["source"], str) else "".join(c["source"]) for c in code_cells]
cells = []
start = time.time()
for i, source in enumerate(sources):
    texts, errors = [], []

    def collect(msg):
        c = msg["content"]
        if msg["msg_type"] == "stream":
            texts.append(c["text"])
        elif msg["msg_type"] in ("execute_result", "display_data", "update_display_data"):
            texts.append(c["data"].get("text/plain", ""))
        elif msg["msg_type"] == "error":
            errors.append(f'{c["ename"]}: {c["evalue"]}')

    reply = until_reply(send("execute_request", {"code": source, "silent": False, "store_history": True, "user_expressions": {}, "allow_stdin": False, "stop_on_error": True}), "execute_reply", collect)
    text = "".join(texts)
    if i == 0:
        pid = int(text.split()[-1])
        print(f"pid {pid}", flush=True)
    cells.append({"status": reply["status"], "errors": errors, "text": text[-20000:]})
    if reply["status"] != "ok":
        break
wall = time.time() - start
ws.close()
with open(out_file, "w") as f:
    json.dump({"kernel_id": kernel_id, "pid": pid, "wall_s": wall, "cells": cells, "strays": strays, "code_cells": len(sources)}, f)
print("done", flush=True)
