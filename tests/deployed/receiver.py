"""A shop's webhook endpoint on loopback: every delivery is checked with the `standardwebhooks`
package (the Standard Webhooks authors' own implementation, not the project's signing code)
against each configured secret, and answered with whatever the test asks for.
"""

from __future__ import annotations

import json
import threading
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

from standardwebhooks.webhooks import Webhook, WebhookVerificationError


@dataclass
class Delivery:
    webhook_id: str
    headers: dict[str, str]
    body: bytes
    # Indexes of the secrets whose signature verified; empty means forged or broken.
    verified_by: list[int]
    answered: int

    @property
    def event(self) -> dict[str, Any]:
        return json.loads(self.body)


@dataclass
class Receiver:
    secrets: list[str]
    # Answered to the first delivery of each webhook-id, if set (a receiver failing once).
    first_answer: int | None = None
    # Answered to every delivery while set (a receiver that is down).
    outage_answer: int | None = None
    deliveries: list[Delivery] = field(default_factory=list)
    _answers: list[int] = field(default_factory=list)
    _lock: threading.Lock = field(default_factory=threading.Lock)

    def answer_next(self, *statuses: int) -> None:
        """The next deliveries get these statuses, in order; after them, 204."""
        with self._lock:
            self._answers.extend(statuses)

    def _next_answer(self, webhook_id: str) -> int:
        with self._lock:
            if self.outage_answer is not None:
                return self.outage_answer
            if self.first_answer is not None and all(d.webhook_id != webhook_id for d in self.deliveries):
                return self.first_answer
            return self._answers.pop(0) if self._answers else 204

    def _record(self, delivery: Delivery) -> None:
        with self._lock:
            self.deliveries.append(delivery)

    def accepted(self) -> list[Delivery]:
        with self._lock:
            return [d for d in self.deliveries if 200 <= d.answered < 300]

    def start(self) -> str:
        receiver = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:  # noqa: N802 (http.server's naming)
                body = self.rfile.read(int(self.headers.get("Content-Length", "0")))
                headers = {name.lower(): value for name, value in self.headers.items()}
                verified = []
                for index, secret in enumerate(receiver.secrets):
                    try:
                        Webhook(secret).verify(body, headers)
                        verified.append(index)
                    except WebhookVerificationError:
                        pass
                webhook_id = headers.get("webhook-id", "")
                status = receiver._next_answer(webhook_id) if verified else 401
                receiver._record(Delivery(webhook_id, headers, body, verified, status))
                self.send_response(status)
                self.send_header("Content-Length", "0")
                self.end_headers()

            def log_message(self, format: str, *args: Any) -> None:  # noqa: A002
                pass

        self._server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        threading.Thread(target=self._server.serve_forever, daemon=True).start()
        host, port = self._server.server_address[:2]
        return f"http://{host}:{port}/hooks"

    def stop(self) -> None:
        self._server.shutdown()
        self._server.server_close()
