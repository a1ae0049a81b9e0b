"""HTTP through deployed function URLs, as a customer's browser or the storefront would call them.

A function URL looks like ``https://<id>.lambda-url.<region>.on.aws/``. The emulator serves every
such host on its own port and routes by the ``Host`` header, so a request keeps the exact host
the product hands out in its links (referral links, survey links) and the function sees what it
would see on AWS. Redirects are never followed: a 302 is an answer under test.
"""

from __future__ import annotations

import http.client
import json
import urllib.parse
from dataclasses import dataclass
from typing import Any


@dataclass(frozen=True)
class Response:
    status: int
    headers: dict[str, str]
    body: bytes

    def header(self, name: str) -> str | None:
        return self.headers.get(name.lower())

    def json(self) -> Any:
        return json.loads(self.body)

    def text(self) -> str:
        return self.body.decode("utf-8")


class FunctionUrls:
    """Sends requests for ``https://*.lambda-url.*.on.aws/...`` URLs to the emulator."""

    def __init__(self, endpoint: str, timeout_seconds: float = 60.0) -> None:
        parsed = urllib.parse.urlsplit(endpoint)
        if parsed.scheme != "http" or not parsed.hostname or not parsed.port:
            raise ValueError(f"expected http://host:port, got {endpoint!r}")
        self._host = parsed.hostname
        self._port = parsed.port
        self._timeout = timeout_seconds

    def request(
        self,
        method: str,
        url: str,
        *,
        body: bytes | None = None,
        headers: dict[str, str] | None = None,
    ) -> Response:
        target = urllib.parse.urlsplit(url)
        if target.scheme != "https" or ".lambda-url." not in (target.hostname or ""):
            raise ValueError(f"not a function URL: {url!r}")
        path = target.path or "/"
        if target.query:
            path = f"{path}?{target.query}"
        sent_headers = {"Host": target.hostname or "", **(headers or {})}
        connection = http.client.HTTPConnection(self._host, self._port, timeout=self._timeout)
        try:
            connection.request(method, path, body=body, headers=sent_headers)
            answer = connection.getresponse()
            return Response(
                status=answer.status,
                headers={name.lower(): value for name, value in answer.getheaders()},
                body=answer.read(),
            )
        finally:
            connection.close()

    def get(self, url: str, *, key: str | None = None) -> Response:
        return self.request("GET", url, headers=_auth(key))

    def post_json(self, url: str, payload: Any, *, key: str | None = None) -> Response:
        headers = {"Content-Type": "application/json", **_auth(key)}
        return self.request("POST", url, body=json.dumps(payload).encode(), headers=headers)

    def post_form(self, url: str, fields: dict[str, str]) -> Response:
        headers = {"Content-Type": "application/x-www-form-urlencoded"}
        return self.request("POST", url, body=urllib.parse.urlencode(fields).encode(), headers=headers)


def _auth(key: str | None) -> dict[str, str]:
    return {"Authorization": f"Bearer {key}"} if key else {}
