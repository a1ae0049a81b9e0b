"""The platform fakes as the Python tests start them (tests/blackbox, tests/deployed): each a
process on a free loopback port, with its control endpoints as methods. The Rust tests start the
same scripts (tests/src/fakes.rs)."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import urllib.request
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[2]
FAKES = Path(__file__).resolve().parent
SHOPIFY_CLIENT_ID = "blackbox-client-id"
SHOPIFY_CLIENT_SECRET = "shpss_blackbox_client_secret_0123456789"
WOOCOMMERCE_KEY = "ck_blackbox0123456789abcdef0123456789abcdef"
WOOCOMMERCE_SECRET = "cs_blackbox0123456789abcdef0123456789abcdef"


def shopify_schema() -> Path:
    """Shopify's published Admin schema, as scripts/fakes.sh fetches it."""
    path = Path(os.environ.get("SHOPIFY_ADMIN_SCHEMA", ROOT / "target" / "fakes" / "admin_2026-10.json.gz"))
    if not path.exists():
        raise AssertionError(f"{path} is missing: run scripts/test.sh (or shopify_schema_install from scripts/fakes.sh)")
    return path


class Fake:
    def __init__(self, script: str, *args: str) -> None:
        self.process = subprocess.Popen(
            [sys.executable, str(FAKES / script), "--port", "0", *args],
            stdout=subprocess.PIPE,
            stderr=subprocess.DEVNULL,
        )
        assert self.process.stdout is not None
        line = self.process.stdout.readline().decode().strip()
        if not line.startswith("listening on "):
            self.stop()
            raise AssertionError(f"{script} did not start: {line!r}")
        self.url = line.removeprefix("listening on ")

    def stop(self) -> None:
        self.process.kill()
        self.process.wait()
        if self.process.stdout is not None:
            self.process.stdout.close()

    def get(self, path: str) -> Any:
        with urllib.request.urlopen(self.url + path, timeout=10) as answer:
            return json.loads(answer.read())

    def post(self, path: str, body: dict[str, Any]) -> None:
        request = urllib.request.Request(
            self.url + path, data=json.dumps(body).encode(), method="POST",
            headers={"Content-Type": "application/json"},
        )
        with urllib.request.urlopen(request, timeout=10):
            pass

    def outage(self, status: int, count: int) -> None:
        """The next `count` API requests (-1: until told otherwise, 0: none) answer `status`."""
        self.post("/_fake/outage", {"status": status, "count": count})

    def requests(self) -> list[dict[str, Any]]:
        return self.get("/_fake/requests")


class ShopifyFake(Fake):
    def __init__(self, *args: str) -> None:
        super().__init__(
            "shopify_admin.py", "--schema", str(shopify_schema()),
            "--client-id", SHOPIFY_CLIENT_ID, "--client-secret", SHOPIFY_CLIENT_SECRET, *args,
        )

    @property
    def domain(self) -> str:
        """What the shop's webhooks name in X-Shopify-Shop-Domain: the fake's host and port."""
        return self.url.split("://", 1)[1]

    def settings(self) -> dict[str, str]:
        return {
            "DISCOUNT_PLATFORM": "shopify",
            "SHOPIFY_SHOP_URL": self.url,
            "SHOPIFY_CLIENT_ID": SHOPIFY_CLIENT_ID,
            "SHOPIFY_CLIENT_SECRET": SHOPIFY_CLIENT_SECRET,
        }

    def discounts(self) -> list[dict[str, Any]]:
        return self.get("/_fake/discounts")

    def invalid(self) -> list[dict[str, Any]]:
        return self.get("/_fake/invalid")


class WooCommerceFake(Fake):
    def __init__(self, *args: str) -> None:
        super().__init__(
            "woocommerce.py", "--consumer-key", WOOCOMMERCE_KEY, "--consumer-secret", WOOCOMMERCE_SECRET, *args,
        )

    def settings(self) -> dict[str, str]:
        return {
            "DISCOUNT_PLATFORM": "woocommerce",
            "WOOCOMMERCE_URL": self.url,
            "WOOCOMMERCE_CONSUMER_KEY": WOOCOMMERCE_KEY,
            "WOOCOMMERCE_CONSUMER_SECRET": WOOCOMMERCE_SECRET,
        }

    def coupons(self) -> list[dict[str, Any]]:
        return self.get("/_fake/coupons")
