"""The local stack as a process (`target/debug/local`), the way a developer runs it: started on a
free port over its own data folder, spoken to over HTTP, killed with SIGKILL and started again.
"""

from __future__ import annotations

import email
import email.policy
import json
import os
import re
import signal
import socket
import sqlite3
import subprocess
import time
import urllib.error
import urllib.request
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[2]
BINARY = ROOT / "target" / "debug" / "local"
API_KEY = "blackbox-storefront-key-0123456789"
STAFF_KEY = "blackbox-staff-key-0123456789"
PRIVACY_KEY = "blackbox-privacy-key-0123456789"
# A browser's user agent: a share link followed with it is a person's click (docs/api.md, *Clicks that are people*).
BROWSER = "Mozilla/5.0 (X11; Linux x86_64; rv:133.0) Gecko/20100101 Firefox/133.0"


def role_key(function: str, path: str) -> str:
    """The key a client of the route's role holds (docs/api.md, *HTTP API*): staff for feedback,
    follow-ups and the outbox, privacy for customer-data, the storefront's for the rest."""
    if function == "score-nps" or "/follow-up" in path or path.startswith("/outbox/"):
        return STAFF_KEY
    if function == "customer-data":
        return PRIVACY_KEY
    return API_KEY


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def eventually(check: Any, timeout: float = 20.0, what: str = "condition") -> Any:
    """`check()`'s first truthy result; AssertionError after `timeout` seconds."""
    deadline = time.monotonic() + timeout
    while True:
        result = check()
        if result:
            return result
        if time.monotonic() > deadline:
            raise AssertionError(f"{what} did not happen within {timeout} s")
        time.sleep(0.1)


class LocalStack:
    def __init__(self, data_dir: Path, **variables: str) -> None:
        self.data_dir = data_dir
        self.variables = variables
        self.process: subprocess.Popen[bytes] | None = None
        self.port = 0
        self.log = data_dir.parent / f"{data_dir.name}.log"

    def start(self) -> LocalStack:
        """Starts the stack; after a kill, on the same port, as a restarted server would be."""
        self.port = self.port or free_port()
        environment = {
            "PATH": os.environ.get("PATH", ""),
            "PORT": str(self.port),
            "DATA_DIR": str(self.data_dir),
            "API_KEYS": API_KEY,
            "STAFF_API_KEYS": STAFF_KEY,
            "PRIVACY_API_KEYS": PRIVACY_KEY,
            "SHOP_URL": "https://shop.example",
            "SHOP_NAME": "Blackbox Shop",
            # The suites written before the friend's first-order offer test the coupons both
            # sides get after the order; test_friend_offer.py and the README's walk-through run
            # with the offer on, as shipped.
            "FRIEND_REWARD": "next_order",
            "RUST_LOG": "warn",
            **self.variables,
        }
        with open(self.log, "ab") as log:
            self.process = subprocess.Popen([str(BINARY)], env=environment, stdout=log, stderr=log)
        eventually(self._answers, timeout=30, what=f"the local stack on port {self.port}")
        return self

    def _answers(self) -> bool:
        if self.process is not None and self.process.poll() is not None:
            raise AssertionError(f"the local stack exited; see {self.log}")
        try:
            urllib.request.urlopen(f"http://127.0.0.1:{self.port}/", timeout=1)
        except urllib.error.HTTPError:
            return True  # its JSON 404: it is up
        except OSError:
            return False
        return True

    def kill(self) -> None:
        """SIGKILL: no shutdown, no flush; what survives is what was committed."""
        if self.process is not None:
            self.process.send_signal(signal.SIGKILL)
            self.process.wait()
            self.process = None

    def stop(self) -> None:
        if self.process is not None:
            self.process.terminate()
            self.process.wait(timeout=10)
            self.process = None

    def url(self, function: str, path: str) -> str:
        return f"http://127.0.0.1:{self.port}/lambda-url/{function}{path}"

    def call(
        self, method: str, function: str, path: str, body: Any = None, form: str | None = None
    ) -> tuple[int, Any]:
        headers = {"Authorization": f"Bearer {role_key(function, path)}", "Accept": "application/json"}
        data = None
        if body is not None:
            data = json.dumps(body).encode()
            headers["Content-Type"] = "application/json"
        elif form is not None:
            data = form.encode()
            headers["Content-Type"] = "application/x-www-form-urlencoded"
        request = urllib.request.Request(self.url(function, path), data=data, method=method, headers=headers)
        try:
            with urllib.request.urlopen(request, timeout=30) as answer:
                return answer.status, _json(answer.read())
        except urllib.error.HTTPError as error:
            return error.code, _json(error.read())

    def post_raw(self, function: str, path: str, body: bytes, headers: dict[str, str]) -> tuple[int, bytes]:
        """A POST with exactly these bytes and headers and no storefront key (platform webhooks)."""
        request = urllib.request.Request(self.url(function, path), data=body, method="POST", headers=headers)
        try:
            with urllib.request.urlopen(request, timeout=30) as answer:
                return answer.status, answer.read()
        except urllib.error.HTTPError as error:
            return error.code, error.read()

    def get_raw(self, function: str, path: str, headers: dict[str, str]) -> tuple[int, dict[str, str], bytes]:
        """A GET with exactly these headers (no storefront key unless given): status, headers, body."""
        return self.get_url(self.url(function, path), headers)

    def get_url(self, url: str, headers: dict[str, str]) -> tuple[int, dict[str, str], bytes]:
        """A GET of a whole URL (or a path on the stack, as a `Link` names it)."""
        if url.startswith("/"):
            url = f"http://127.0.0.1:{self.port}{url}"
        request = urllib.request.Request(url, method="GET", headers=headers)
        try:
            with urllib.request.urlopen(request, timeout=30) as answer:
                return answer.status, dict(answer.headers.items()), answer.read()
        except urllib.error.HTTPError as error:
            return error.code, dict(error.headers.items()), error.read()

    def counted(self, timeout: float = 10.0) -> None:
        """Waits until the stack has counted every request so far: its store file, read with
        Python's own SQLite, holds no tally left to apply (the background task applies them
        every 200 ms, as deliver-outbox does from the stream on AWS)."""

        def nothing_pending() -> bool:
            with sqlite3.connect(f"file:{self.data_dir / 'store.sqlite3'}?mode=ro", uri=True) as db:
                return db.execute("SELECT count(*) FROM tallies").fetchone()[0] == 0

        eventually(nothing_pending, timeout, "counting every request")

    def mails(self) -> list[str]:
        """Each mail in the outbox folder, oldest first, as Python's own MIME parser reads it."""
        folder = self.data_dir / "outbox"
        if not folder.is_dir():
            return []
        return [readable(path.read_bytes()) for path in sorted(folder.glob("*.eml"))]

    def survey_token(self, to: str) -> str:
        """The link token of the newest survey mail to `to`, once it is written: `POST /surveys`
        answers the public `srv_…` id only, so a test answers as the customer does, from the mail."""

        def token() -> str | None:
            for mail in reversed(self.mails()):
                found = re.search(r"/s/([A-Za-z0-9_-]+)", mail)
                if f"To: {to}\n" in mail and found:
                    return found.group(1)
            return None

        return eventually(token, what=f"a survey mail to {to}")

    def block_mail(self) -> None:
        """A plain file where the mail folder goes: every send fails for real until unblocked."""
        self.data_dir.mkdir(parents=True, exist_ok=True)
        (self.data_dir / "outbox").write_text("not a folder")

    def unblock_mail(self) -> None:
        (self.data_dir / "outbox").unlink()


def readable(raw: bytes) -> str:
    """A mail as a client shows it: addresses bare, encoded words decoded, then the plain-text
    and the HTML part."""
    message = email.message_from_bytes(raw, policy=email.policy.default)
    lines = []
    for name in ("From", "To", "Reply-To", "Subject", "List-Unsubscribe", "List-Unsubscribe-Post"):
        header = message.get(name)
        if header is None:
            continue
        value = ", ".join(a.addr_spec for a in header.addresses) if name in ("From", "To", "Reply-To") else str(header)
        lines.append(f"{name}: {value}")
    for kind in ("plain", "html"):
        part = message.get_body(preferencelist=(kind,))
        if part is not None:
            lines += ["", f"Content-Type: text/{kind}", "", part.get_content()]
    return "\n".join(lines)


def _json(raw: bytes) -> Any:
    try:
        return json.loads(raw)
    except ValueError:
        return raw.decode(errors="replace")
