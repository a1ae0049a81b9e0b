"""Signs webhook deliveries the way Shopify and WooCommerce do, so the fuzzer's payloads reach the
topic readers instead of stopping at 401: base64 HMAC-SHA256 of the exact body bytes under the
platform's secret. Schemathesis sends a JSON body as `json.dumps(body)`, so that is what is signed.
The dashboard's follow-up form is posted as the dashboard's own page would (`Sec-Fetch-Site:
same-origin`), so its fields are exercised instead of stopping at 403 `cross_origin`.
"""

import base64
import hashlib
import hmac
import json
import os

import schemathesis

SIGNATURE_HEADERS = {
    "/webhooks/shopify": ("X-Shopify-Hmac-Sha256", "SHOPIFY_WEBHOOK_SECRET"),
    "/webhooks/woocommerce": ("X-WC-Webhook-Signature", "WOOCOMMERCE_WEBHOOK_SECRET"),
}


@schemathesis.hook
def before_call(context, case, kwargs):
    if case.method.upper() == "POST" and case.operation.path.endswith("/dashboard"):
        if case.headers is None:
            case.headers = {}
        case.headers.setdefault("Sec-Fetch-Site", "same-origin")
        return
    for suffix, (header, secret_variable) in SIGNATURE_HEADERS.items():
        if not case.operation.path.endswith(suffix):
            continue
        if case.media_type != "application/json" or "data" in kwargs or "json" in kwargs:
            return
        try:
            body = json.dumps(case.body).encode("utf-8")
        except (TypeError, ValueError):
            return
        secret = os.environ[secret_variable].encode("utf-8")
        signature = base64.b64encode(hmac.new(secret, body, hashlib.sha256).digest()).decode()
        if case.headers is None:
            case.headers = {}
        case.headers[header] = signature
