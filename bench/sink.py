"""A fast SendGrid stand-in: answers 202 to `POST /v3/mail/send` and records, per message, the
time it arrived and its `custom_args`, as JSON lines.

Its own process, so that its CPU is neither a worker's nor the driver's, and the driver's
load never delays a receive time (reminder lateness is measured here).

    python -m bench.sink --port-file PATH --records PATH
"""

from __future__ import annotations

import argparse
import json
import os
import signal
import sys
import threading
import time
import uuid
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import IO

SEND_PATH = "/v3/mail/send"


class Recorder:
    def __init__(self, out: IO[str]) -> None:
        self._out = out
        self._lock = threading.Lock()

    def record(self, received: float, body: bytes) -> None:
        try:
            args = json.loads(body).get("custom_args") or {}
        except (ValueError, AttributeError):
            args = {"unreadable": True}
        line = json.dumps({"t": received, "args": args})
        with self._lock:  # one whole line per message, flushed: the driver tails this file
            self._out.write(line + "\n")
            self._out.flush()


class Server(ThreadingHTTPServer):
    daemon_threads = True
    #: the default backlog of 5 drops bursts (1,000 reminders at once) into SYN retries,
    #: which would show as a second of lateness that is not the workers'
    request_queue_size = 1024


def handler_for(recorder: Recorder) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"

        def log_message(self, *args: object) -> None:  # thousands of lines otherwise
            pass

        def do_POST(self) -> None:
            body = self.rfile.read(int(self.headers.get("Content-Length") or 0))
            received = time.time()
            if self.path != SEND_PATH:
                self.send_response(404)
                self.send_header("Content-Length", "0")
                self.end_headers()
                return
            recorder.record(received, body)
            self.send_response(202)
            self.send_header("X-Message-Id", uuid.uuid4().hex)
            self.send_header("Content-Length", "0")
            self.end_headers()

    return Handler


def write_atomically(path: Path, text: str) -> None:
    tmp = path.with_name(path.name + ".tmp")
    tmp.write_text(text)
    os.replace(tmp, path)


def leave_with_parent(server: ThreadingHTTPServer) -> None:
    """The bench died without stopping us: stop too, rather than linger."""
    parent = os.getppid()
    while os.getppid() == parent:
        time.sleep(0.5)
    server.shutdown()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--port-file", type=Path, required=True)
    parser.add_argument("--records", type=Path, required=True)
    args = parser.parse_args()
    with args.records.open("a", encoding="utf-8") as out:
        server = Server(("127.0.0.1", 0), handler_for(Recorder(out)))
        # SIGTERM: stop serving; shutdown() must come from another thread than serve_forever.
        signal.signal(signal.SIGTERM, lambda *_: threading.Thread(target=server.shutdown).start())
        threading.Thread(target=leave_with_parent, args=(server,), daemon=True).start()
        write_atomically(args.port_file, str(server.server_address[1]))
        server.serve_forever(poll_interval=0.1)
        server.server_close()
    sys.exit(0)


if __name__ == "__main__":
    main()
