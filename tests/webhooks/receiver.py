"""A real HTTP server on 127.0.0.1 that records what it receives: the canary of the SSRF
tests (it must receive nothing when loopback is not allowed) and the receiver whose
signatures the delivery tests verify."""

from __future__ import annotations

import contextlib
import ssl
import subprocess
import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path


@dataclass(frozen=True)
class Received:
    method: str
    path: str
    headers: dict[str, str]  # names lower-cased
    body: bytes


@dataclass
class Receiver:
    port: int
    # The status of each answer in turn; the last one answers every later request.
    statuses: list[int] = field(default_factory=lambda: [200])
    answer_headers: dict[str, str] = field(default_factory=dict)
    answer_body: bytes = b"ok"
    delay_seconds: float = 0.0
    # Send the answer's head a byte at a time, this long apart (each read is quick, the
    # whole answer is not).
    trickle_seconds: float = 0.0
    # Called while each request is being answered (what the sender holds meanwhile).
    during: Callable[[], None] | None = None
    received: list[Received] = field(default_factory=list)
    connections: int = 0  # TCP connections accepted, requests or not (a TLS hello, say)
    server_names: list[str | None] = field(default_factory=list)  # TLS SNI asked for

    @property
    def https_url(self) -> str:
        return self.url.replace("http:", "https:")

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}/hooks"

    def next_status(self) -> int:
        return self.statuses.pop(0) if len(self.statuses) > 1 else self.statuses[0]


@contextmanager
def receiver(
    statuses: list[int] | None = None, *, tls: Certificate | None = None, **options: object
) -> Iterator[Receiver]:
    """A receiver listening on a free port of 127.0.0.1 while the block runs; speaking
    HTTPS with ``tls``'s certificate when given."""
    state: dict[str, Receiver] = {}

    class Handler(BaseHTTPRequestHandler):
        def do_POST(self) -> None:
            recorder = state["receiver"]
            length = int(self.headers.get("Content-Length", "0"))
            body = self.rfile.read(length)
            headers = {name.lower(): value for name, value in self.headers.items()}
            recorder.received.append(Received("POST", self.path, headers, body))
            if recorder.during is not None:
                recorder.during()
            if recorder.delay_seconds:
                threading.Event().wait(recorder.delay_seconds)
            if recorder.trickle_seconds:
                for byte in b"HTTP/1.1 200 OK\r\nX-Padding: " + b"x" * 100:
                    self.wfile.write(bytes([byte]))
                    self.wfile.flush()
                    threading.Event().wait(recorder.trickle_seconds)
                return
            self.send_response(recorder.next_status())
            for name, value in recorder.answer_headers.items():
                self.send_header(name, value)
            self.send_header("Content-Length", str(len(recorder.answer_body)))
            self.end_headers()
            with contextlib.suppress(OSError):  # the sender may stop reading early
                self.wfile.write(recorder.answer_body)

        do_GET = do_POST

        def handle(self) -> None:
            with contextlib.suppress(OSError):  # a client that hung up is no test failure
                super().handle()

        def log_message(self, format: str, *args: object) -> None:
            pass  # quiet: the test reads ``received``

    class Server(ThreadingHTTPServer):
        def verify_request(self, request: object, client_address: object) -> bool:
            state["receiver"].connections += 1
            return True

    server = Server(("127.0.0.1", 0), Handler)
    state["receiver"] = Receiver(server.server_address[1], **options)  # type: ignore[arg-type]
    if tls is not None:
        context = tls.server_context()

        def named(_socket: object, name: str | None, _context: object) -> None:
            state["receiver"].server_names.append(name)

        context.sni_callback = named  # type: ignore[assignment]
        server.socket = context.wrap_socket(server.socket, server_side=True)
    if statuses is not None:
        state["receiver"].statuses = list(statuses)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield state["receiver"]
    finally:
        server.shutdown()
        server.server_close()
        thread.join()


@dataclass(frozen=True)
class Certificate:
    """A self-signed certificate for one host name, and its key, as PEM files."""

    certificate: Path
    key: Path

    def server_context(self) -> ssl.SSLContext:
        context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
        context.load_cert_chain(self.certificate, self.key)
        return context

    def client_context(self) -> ssl.SSLContext:
        """Trusts this certificate alone, checking the host name as any client does."""
        return ssl.create_default_context(cafile=str(self.certificate))


def self_signed(where: Path, host: str) -> Certificate:
    certificate, key = where / "cert.pem", where / "key.pem"
    subprocess.run(
        ["openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "1",
         "-subj", f"/CN={host}", "-addext", f"subjectAltName=DNS:{host}",
         "-keyout", str(key), "-out", str(certificate)],
        check=True, capture_output=True, timeout=60,
    )  # fmt: skip
    return Certificate(certificate, key)
