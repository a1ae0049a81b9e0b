#!/usr/bin/env python3
"""A fake of WooCommerce's REST API (``wc/v3``) coupons endpoint on loopback, for tests.

Standard library only. What it serves (under ``/wp-json``, or ``/?rest_route=`` as WordPress also
accepts):

* ``GET|POST /wc/v3/coupons`` — list (with WooCommerce's ``code`` filter) and create.
* ``GET|POST|PUT|PATCH|DELETE /wc/v3/coupons/<id>`` — read, update, trash or (``force=true``)
  delete.
* ``GET /wc/v3/data/currencies/current`` and ``/wc/v3/data/currencies/<code>`` — the store
  currency (``--currency``), for clients that check it before creating a fixed-amount coupon.
* Test controls under ``/_fake/`` (no auth); see ``tests/fakes/README.md``.

Sources. The behaviour follows WooCommerce's own code (trunk, read from github.com/woocommerce/
woocommerce, ``plugins/woocommerce/``): ``includes/rest-api/Controllers/Version3/
class-wc-rest-coupons-controller.php`` (only ``prepare_objects_query``), its parent
``Version2/class-wc-rest-coupons-v2-controller.php`` (schema, ``prepare_object_for_database``,
``get_formatted_item_data``), ``Version3/class-wc-rest-crud-controller.php`` (get/create/update/
delete, trash), ``Version3/class-wc-rest-posts-controller.php`` (permission errors),
``includes/class-wc-coupon.php`` (setters), ``includes/data-stores/class-wc-coupon-data-store-cpt.php``
(what is stored and how it is read back, code lookup), ``includes/wc-coupon-functions.php``,
``includes/wc-core-functions.php`` (the ``woocommerce_coupon_code`` filters: html_entity_decode,
wc_sanitize_coupon_code, wc_strtolower), ``includes/abstracts/abstract-wc-data.php``
(``set_date_prop``, meta data) and ``includes/class-wc-rest-authentication.php``; plus WordPress's
REST infrastructure (``WP_REST_Server``/``WP_REST_Request``/``rest_validate_value_from_schema``)
for argument validation and the error envelope ``{"code", "message", "data"}``. Comments marked
"fake:" are this file's own choices, not WooCommerce's.

Authentication. WooCommerce accepts HTTP Basic (consumer key as user, consumer secret as
password; or ``?consumer_key=&consumer_secret=``) only when ``is_ssl()``; over plain HTTP it wants
OAuth 1.0a one-legged signatures. fake: this server speaks plain HTTP on loopback and accepts Basic
(and the query-string pair) as if the request had come over HTTPS. OAuth 1.0a is not implemented:
a request carrying only OAuth parameters counts as unauthenticated.

Site settings the fake assumes (WordPress/WooCommerce defaults): timezone = UTC (override with
``--gmt-offset HOURS``), price decimal separator ".", EMPTY_TRASH_DAYS = 30 (so coupons are
trashable), the key belongs to an administrator, key permissions ``read_write``
(``--permissions``), pretty permalinks. Coupon codes are stored as WordPress post titles in a
``utf8mb4_unicode_520_ci`` column: comparisons ignore case, accents and trailing spaces.

Run: ``python tests/fakes/woocommerce.py --port 0 --consumer-key ck_x --consumer-secret cs_y
[--currency EUR] [--gmt-offset 0] [--permissions read_write]``. The first line on stdout is
``listening on http://127.0.0.1:PORT``; logs go to stderr.
"""

from __future__ import annotations

import argparse
import base64
import calendar
import copy
import hmac
import html
import html.entities
import json
import math
import re
import signal
import sys
import threading
import time
import unicodedata
from datetime import datetime, timezone
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any, Callable
from urllib.parse import parse_qsl, unquote, urlsplit

NAMESPACE = "wc/v3"
REST_PREFIX = "/wp-json"
POST_TYPE = "shop_coupon"
# fake: WordPress post ids are shared by all post types; ours start here and count up.
FIRST_POST_ID = 101
FIRST_META_ID = 1001
# wc_get_coupon_types() without plugins filtering it.
COUPON_TYPES = ("percent", "fixed_cart", "fixed_product")
# WordPress's fatal error handler answers REST requests with this (wp_die, JSON).
CRITICAL_ERROR = (
    '<p>There has been a critical error on this website.</p><p><a href="https://wordpress.org/'
    'documentation/article/faq-troubleshooting/">Learn more about troubleshooting WordPress.</a></p>'
)
# fake: a subset of get_woocommerce_currencies() / get_woocommerce_currency_symbols().
CURRENCIES = {
    "AUD": ("Australian dollar", "&#36;"),
    "BRL": ("Brazilian real", "&#82;&#36;"),
    "CAD": ("Canadian dollar", "&#36;"),
    "CHF": ("Swiss franc", "&#67;&#72;&#70;"),
    "CNY": ("Chinese yuan", "&yen;"),
    "CZK": ("Czech koruna", "&#75;&#269;"),
    "DKK": ("Danish krone", "kr."),
    "EUR": ("Euro", "&euro;"),
    "GBP": ("Pound sterling", "&pound;"),
    "HKD": ("Hong Kong dollar", "&#36;"),
    "HUF": ("Hungarian forint", "&#70;&#116;"),
    "INR": ("Indian rupee", "&#8377;"),
    "JPY": ("Japanese yen", "&yen;"),
    "MXN": ("Mexican peso", "&#36;"),
    "NOK": ("Norwegian krone", "&#107;&#114;"),
    "NZD": ("New Zealand dollar", "&#36;"),
    "PLN": ("Polish z&#x142;oty", "&#122;&#322;"),
    "RON": ("Romanian leu", "lei"),
    "SEK": ("Swedish krona", "&#107;&#114;"),
    "SGD": ("Singapore dollar", "&#36;"),
    "USD": ("United States (US) dollar", "&#36;"),
    "ZAR": ("South African rand", "&#82;"),
}


def log(message: str) -> None:
    sys.stderr.write(f"[woocommerce-fake] {message}\n")
    sys.stderr.flush()


# --------------------------------------------------------------------------------------------
# Errors and responses


class WPError(Exception):
    """A WP_Error: answered as {"code", "message", "data"} with data.status as HTTP status."""

    def __init__(self, code: str, message: str, data: Any = None, headers=None):
        super().__init__(message)
        self.code = code
        self.message = message
        self.data = data
        self.headers = headers or []

    @property
    def status(self) -> int:
        if isinstance(self.data, dict) and isinstance(self.data.get("status"), int):
            return self.data["status"]
        return 500

    def body(self) -> dict:
        return {"code": self.code, "message": self.message, "data": self.data}


class FatalError(WPError):
    """A PHP fatal error during a REST request: WordPress's handler answers this."""

    def __init__(self):
        super().__init__("internal_server_error", CRITICAL_ERROR, {"status": 500})

    def body(self) -> dict:
        return {**super().body(), "additional_errors": []}


def wp_error(code: str, message: str, status: int, **extra) -> WPError:
    data = {"status": status}
    data.update(extra)
    return WPError(code, message, data)


class WCDataError(Exception):
    """WC_Data_Exception: the REST controller turns it into WP_Error(code, message, {status})."""

    def __init__(self, code: str, message: str, status: int = 400):
        super().__init__(message)
        self.code = code
        self.message = message
        self.status = status


class Response:
    def __init__(self, status: int, body: Any, headers=None):
        self.status = status
        self.body = body
        self.headers = list(headers or [])


# --------------------------------------------------------------------------------------------
# PHP semantics the behaviour depends on

_WS = " \t\n\r\x0b\f"
_NUMERIC_RE = re.compile(r"^[ \t\n\r\x0b\f]*[+-]?(\d+(\.\d*)?|\.\d+)([eE][+-]?\d+)?[ \t\n\r\x0b\f]*$")
_LEADING_NUM_RE = re.compile(r"^[ \t\n\r\x0b\f]*[+-]?(\d+(\.\d*)?|\.\d+)([eE][+-]?\d+)?")
_INT_KEY_RE = re.compile(r"^(0|-?[1-9]\d*)$")


def is_php_array(v: Any) -> bool:
    return isinstance(v, (list, dict))


def php_is_numeric(v: Any) -> bool:
    if isinstance(v, bool) or v is None:
        return False
    if isinstance(v, (int, float)):
        return True
    if isinstance(v, str):
        return bool(_NUMERIC_RE.match(v))
    return False


def php_empty(v: Any) -> bool:
    if v is None or v is False:
        return True
    if isinstance(v, bool):
        return False
    if isinstance(v, (int, float)):
        return v == 0
    if isinstance(v, str):
        return v in ("", "0")
    if isinstance(v, (list, dict)):
        return len(v) == 0
    return False


def php_bool(v: Any) -> bool:
    return not php_empty(v)


def php_float_repr(f: float) -> str:
    if math.isnan(f):
        return "NAN"
    if math.isinf(f):
        return "INF" if f > 0 else "-INF"
    if f.is_integer() and abs(f) < 1e15:
        return str(int(f))
    r = repr(f)
    if "e" in r:
        mantissa, exp = r.split("e")
        if "." not in mantissa:
            mantissa += ".0"
        e = int(exp)
        return f"{mantissa}E{'+' if e >= 0 else '-'}{abs(e)}"
    return r


def php_strval(v: Any) -> str:
    if v is None or v is False:
        return ""
    if v is True:
        return "1"
    if isinstance(v, int):
        return str(v)
    if isinstance(v, float):
        return php_float_repr(v)
    if isinstance(v, str):
        return v
    return "Array"


def php_floatval(v: Any) -> float:
    if isinstance(v, bool):
        return 1.0 if v else 0.0
    if v is None:
        return 0.0
    if isinstance(v, (int, float)):
        return float(v)
    if isinstance(v, str):
        m = _LEADING_NUM_RE.match(v)
        return float(m.group(0)) if m else 0.0
    return 1.0 if v else 0.0


def php_intval(v: Any) -> int:
    if isinstance(v, bool):
        return int(v)
    if isinstance(v, int):
        return v
    if isinstance(v, float):
        return int(v) if math.isfinite(v) else 0
    if isinstance(v, str):
        m = _LEADING_NUM_RE.match(v)
        if not m:
            return 0
        s = m.group(0).strip(_WS)
        if re.fullmatch(r"[+-]?\d+", s):
            return max(min(int(s), 2**63 - 1), -(2**63))
        f = float(s)
        return int(f) if math.isfinite(f) else 0
    if v is None:
        return 0
    return 1 if v else 0


def absint(v: Any) -> int:
    return abs(php_intval(v))


def php_trim(s: str, chars: str = " \t\n\r\0\x0b") -> str:
    return s.strip(chars)


def php_stripslashes(s: str) -> str:
    out = []
    i = 0
    while i < len(s):
        c = s[i]
        if c == "\\":
            if i + 1 < len(s):
                nxt = s[i + 1]
                out.append("\0" if nxt == "0" else nxt)
                i += 2
                continue
            i += 1
            continue
        out.append(c)
        i += 1
    return "".join(out)


def php_addslashes(s: str) -> str:
    return (
        s.replace("\\", "\\\\").replace("'", "\\'").replace('"', '\\"').replace("\0", "\\0")
    )


def php_number_format(f: float, dp: int) -> str:
    try:
        d = Decimal(repr(float(f)))
    except InvalidOperation:
        d = Decimal(0)
    q = d.quantize(Decimal(1).scaleb(-dp), rounding=ROUND_HALF_UP)
    if q == 0:
        q = abs(q)
    return f"{q:.{dp}f}"


def to_php_array(v: Any) -> dict:
    """json_decode(..., true) then PHP array semantics: canonical integer keys become ints."""
    if isinstance(v, list):
        return {i: x for i, x in enumerate(v)}
    if isinstance(v, dict):
        out: dict = {}
        for k, x in v.items():
            out[int(k) if isinstance(k, str) and _INT_KEY_RE.match(k) else k] = x
        return out
    return {}


def php_array_json(arr: dict) -> Any:
    """How json_encode shows a PHP array: a list when its keys are 0..n-1 in order."""
    if list(arr.keys()) == list(range(len(arr))):
        return list(arr.values())
    return {str(k): v for k, v in arr.items()}


def db_roundtrip(value: Any) -> Any:
    """A meta value written with add_metadata and read back: scalars come back as strings,
    arrays (maybe_serialize) keep their keys and inner types."""
    if isinstance(value, (list, dict)):
        return _deep_php(value)
    return php_strval(value)


def _deep_php(value: Any) -> Any:
    if isinstance(value, (list, dict)):
        arr = to_php_array(value)
        return php_array_json({k: _deep_php(x) for k, x in arr.items()})
    return value


def wp_parse_list(v: Any) -> dict:
    if is_php_array(v):
        return {k: x for k, x in to_php_array(v).items() if _is_scalar(x)}
    parts = [p for p in re.split(r"[\s,]+", php_strval(v)) if p != ""]
    return {i: p for i, p in enumerate(parts)}


def _is_scalar(x: Any) -> bool:
    return isinstance(x, (str, int, float, bool))


def wp_parse_id_list(v: Any) -> dict:
    arr = {k: absint(x) for k, x in wp_parse_list(v).items()}
    seen = set()
    out = {}
    for k, x in arr.items():
        if x in seen:
            continue
        seen.add(x)
        out[k] = x
    return out


def array_filter(arr: dict) -> dict:
    return {k: x for k, x in arr.items() if php_bool(x)}


def php_cast_array(v: Any) -> dict:
    if is_php_array(v):
        return to_php_array(v)
    if v is None:
        return {}
    return {0: v}


# --------------------------------------------------------------------------------------------
# WordPress text sanitising (approximations of kses; good enough for coupon codes)

_ALLOWED_TITLE_TAGS = {
    "a", "abbr", "acronym", "b", "blockquote", "cite", "code", "del", "em", "i", "q", "s",
    "strike", "strong",
}
_DISALLOWED_POST_TAGS = {
    "script", "style", "iframe", "object", "embed", "applet", "link", "meta", "base", "frame",
    "frameset",
}
_TAG_RE = re.compile(r"<!--.*?(-->|$)|<[^>]*(>|$)|>", re.S)
_ELEM_RE = re.compile(r"^<\s*(/\s*)?([a-zA-Z0-9-]+)([^>]*)>?$", re.S)


def _kses_normalize_entities(s: str) -> str:
    s = s.replace("&", "&amp;")

    def named(m: re.Match) -> str:
        name = m.group(1)
        return f"&{name};" if f"{name};" in html.entities.html5 else f"&amp;{name};"

    s = re.sub(r"&amp;([A-Za-z]{2,8}[0-9]{0,2});", named, s)
    s = re.sub(r"&amp;#(0*[0-9]{1,7});", lambda m: f"&#{m.group(1)};", s)
    s = re.sub(r"&amp;#[Xx](0*[0-9A-Fa-f]{1,6});", lambda m: f"&#x{m.group(1)};", s)
    return s


def wp_kses(s: str, allowed: set | None, disallowed: set | None = None) -> str:
    """allowed: tag names kept (others removed); or keep all but ``disallowed``."""
    s = s.replace("\0", "")
    s = _kses_normalize_entities(s)

    def one(m: re.Match) -> str:
        piece = m.group(0)
        if piece.startswith("<!--"):
            return ""
        if piece == ">":
            return "&gt;"
        em = _ELEM_RE.match(piece)
        if not em:
            return ""
        name = em.group(2).lower()
        if allowed is not None:
            return piece if name in allowed else ""
        return "" if name in (disallowed or set()) else piece

    return _TAG_RE.sub(one, s)


def wp_filter_kses(s: str) -> str:
    """addslashes(wp_kses(stripslashes(s), current_filter())) — the default tag list."""
    return php_addslashes(wp_kses(php_stripslashes(s), _ALLOWED_TITLE_TAGS))


def wp_filter_post_kses(s: str) -> str:
    return php_addslashes(wp_kses(php_stripslashes(s), None, _DISALLOWED_POST_TAGS))


def sanitize_text_field(v: Any) -> str:
    if is_php_array(v):
        return ""
    s = php_strval(v)
    if "<" in s:
        # wp_pre_kses_less_than: a "<" that opens no tag is escaped, then tags are stripped.
        s = re.sub(
            r"<[^>]*?((?=<)|>|$)",
            lambda m: m.group(0) if ">" in m.group(0) else html.escape(m.group(0), quote=True),
            s,
        )
        s = re.sub(r"<(script|style)[^>]*?>.*?</\1>", "", s, flags=re.S | re.I)
        s = re.sub(r"<[^>]*>", "", s)
        s = s.replace("<\n", "&lt;\n")
    s = re.sub(r"[\r\n\t ]+", " ", s)
    s = s.strip(" ")
    found = False
    while True:
        m = re.search(r"%[a-f0-9]{2}", s, re.I)
        if not m:
            break
        s = s.replace(m.group(0), "")
        found = True
    if found:
        s = re.sub(r" +", " ", s).strip(" ")
    return s


def html_entity_decode(s: str) -> str:
    return re.sub(
        r"&(#\d+|#[xX][0-9a-fA-F]+|[A-Za-z][A-Za-z0-9]*);",
        lambda m: html.unescape(m.group(0)),
        s,
    )


def wc_sanitize_coupon_code(value: Any) -> str:
    """wp_filter_kses(sanitize_post_field('post_title', $value, 0, 'db')): trimmed (the
    title_save_pre filter), kses'd, and — like every wp_filter_kses result — slashed."""
    return wp_filter_kses(php_trim(php_strval(value)))


def wc_format_coupon_code(value: Any) -> str:
    """apply_filters('woocommerce_coupon_code'): html_entity_decode, wc_sanitize_coupon_code,
    wc_strtolower."""
    return wc_sanitize_coupon_code(html_entity_decode(php_strval(value))).lower()


def collation_key(s: str) -> str:
    """utf8mb4_unicode_520_ci: case- and accent-insensitive, trailing spaces ignored."""
    s = unicodedata.normalize("NFKD", s)
    s = "".join(c for c in s if not unicodedata.combining(c))
    return s.casefold().rstrip(" ")


def sanitize_email(email: str) -> str:
    if len(email) < 6:
        return ""
    if "@" not in email[1:]:
        return ""
    local, domain = email.split("@", 1)
    local = re.sub(r"[^a-zA-Z0-9!#$%&'*+/=?^_`{|}~.-]", "", local)
    if local == "":
        return ""
    domain = re.sub(r"\.{2,}", "", domain)
    domain = domain.strip(" \t\n\r\0\x0b.")
    if domain == "":
        return ""
    subs = domain.split(".")
    if len(subs) < 2:
        return ""
    kept = []
    for sub in subs:
        sub = sub.strip(" \t\n\r\0\x0b-")
        sub = re.sub(r"[^a-z0-9-]+", "", sub, flags=re.I)
        if sub != "":
            kept.append(sub)
    if len(kept) < 2:
        return ""
    return local + "@" + ".".join(kept)


def is_email(email: str) -> bool:
    if len(email) < 6 or "@" not in email[1:]:
        return False
    local, domain = email.split("@", 1)
    if not re.fullmatch(r"[a-zA-Z0-9!#$%&'*+/=?^_`{|}~.-]+", local):
        return False
    if re.search(r"\.{2,}", domain) or domain.strip(" \t\n\r\0\x0b.") != domain:
        return False
    subs = domain.split(".")
    if len(subs) < 2:
        return False
    for sub in subs:
        if sub.strip(" \t\n\r\0\x0b-") != sub or not re.fullmatch(r"[a-z0-9-]+", sub, re.I):
            return False
    return True


def sanitize_title(title: str) -> str:
    """sanitize_title_with_dashes, roughly (only used for the trashed-slug meta)."""
    s = unicodedata.normalize("NFKD", title)
    s = "".join(c for c in s if not unicodedata.combining(c))
    s = re.sub(r"<[^>]*>", "", s).lower()
    s = "".join(c if ord(c) < 128 else "".join(f"%{b:02x}" for b in c.encode()) for c in s)
    s = s.replace(".", "-")
    s = re.sub(r"[^%a-z0-9 _-]", "", s)
    s = re.sub(r"\s+", "-", s)
    s = re.sub(r"-+", "-", s)
    return s.strip("-")


def wc_format_decimal(number: Any, dp: int | None = None, trim_zeros: bool = False) -> str:
    if number is None:
        number = ""
    if isinstance(number, float):
        if dp is None:
            s = f"{number:.6f}"  # wc_get_rounding_precision(): 6 with 2 price decimals
            trim_zeros = True
        else:
            s = php_number_format(number, dp)
    else:
        s = php_strval(number)
        s = sanitize_text_field(s)  # wc_clean (after replacing the store's decimal separator ".")
        s = re.sub(r"\.(?![^.]+$)|[^0-9.-]", "", s)
        if dp is not None:
            s = php_number_format(php_floatval(s), dp)
    if trim_zeros and "." in s:
        s = s.rstrip("0").rstrip(".")
    return s


# --------------------------------------------------------------------------------------------
# WordPress REST argument validation (rest_validate_value_from_schema & co, WordPress 6.x)


def _type_error(param: str, type_name: str) -> WPError:
    return WPError(
        "rest_invalid_type", f"{param} is not of type {type_name}.", {"param": param}
    )


def rest_is_boolean(v: Any) -> bool:
    if isinstance(v, bool):
        return True
    if isinstance(v, str):
        return v.lower() in ("false", "true", "0", "1")
    if isinstance(v, int):
        return v in (0, 1)
    return False


def rest_sanitize_boolean(v: Any) -> bool:
    if isinstance(v, str) and v.lower() in ("false", "0"):
        return False
    if isinstance(v, str):
        return v != ""
    return php_bool(v)


def rest_is_integer(v: Any) -> bool:
    return php_is_numeric(v) and round(php_floatval(v)) == php_floatval(v)


def wp_is_numeric_array(arr: dict) -> bool:
    return all(isinstance(k, int) for k in arr)


def rest_is_array(v: Any) -> bool:
    if _is_scalar(v):
        return True  # wp_parse_list() always yields a list
    if is_php_array(v):
        return wp_is_numeric_array(to_php_array(v))
    return False


def rest_sanitize_array(v: Any) -> list:
    if _is_scalar(v):
        return list(wp_parse_list(v).values())
    if not is_php_array(v):
        return []
    return list(to_php_array(v).values())


def rest_is_object(v: Any) -> bool:
    return v == "" or is_php_array(v)


def rest_sanitize_object(v: Any) -> dict:
    if v == "" or not is_php_array(v):
        return {}
    return to_php_array(v)


def _wp_sprintf_l(items: list[str]) -> str:
    if len(items) == 1:
        return items[0]
    if len(items) == 2:
        return f"{items[0]} and {items[1]}"
    return ", ".join(items[:-1]) + ", and " + items[-1]


def rest_validate_value(value: Any, schema: dict, param: str) -> WPError | None:
    t = schema.get("type")
    if t == "array":
        if not rest_is_array(value):
            return _type_error(param, "array")
        items = schema.get("items")
        if items:
            for i, v in enumerate(rest_sanitize_array(value)):
                err = rest_validate_value(v, items, f"{param}[{i}]")
                if err:
                    return err
    elif t == "object":
        if not rest_is_object(value):
            return _type_error(param, "object")
        props = schema.get("properties", {})
        for k, v in rest_sanitize_object(value).items():
            if isinstance(k, str) and k in props:
                err = rest_validate_value(v, props[k], f"{param}[{k}]")
                if err:
                    return err
    elif t == "boolean":
        if not rest_is_boolean(value):
            return _type_error(param, "boolean")
    elif t in ("integer", "number"):
        if not php_is_numeric(value):
            return _type_error(param, t)
        f = php_floatval(value)
        lo, hi = schema.get("minimum"), schema.get("maximum")
        if lo is not None and hi is not None and (f < lo or f > hi):
            return WPError(
                "rest_out_of_bounds", f"{param} must be between {lo} (inclusive) and {hi} (inclusive)"
            )
        if lo is not None and hi is None and f < lo:
            return WPError("rest_out_of_bounds", f"{param} must be greater than or equal to {lo}")
        if t == "integer" and not rest_is_integer(value):
            return _type_error(param, "integer")
    elif t == "string":
        if not isinstance(value, str):
            return _type_error(param, "string")
    # Anything else ("date-time", "mixed": not JSON Schema types) is not validated by WordPress.
    enum = schema.get("enum")
    if enum:
        sanitized = rest_sanitize_value(value, schema)
        if sanitized not in enum:
            if len(enum) == 1:
                return WPError("rest_not_in_enum", f"{param} is not {enum[0]}.")
            return WPError("rest_not_in_enum", f"{param} is not one of {_wp_sprintf_l(list(enum))}.")
    return None


def rest_sanitize_value(value: Any, schema: dict) -> Any:
    t = schema.get("type")
    if t == "array":
        arr = rest_sanitize_array(value)
        items = schema.get("items")
        return [rest_sanitize_value(v, items) for v in arr] if items else arr
    if t == "object":
        obj = rest_sanitize_object(value)
        props = schema.get("properties", {})
        return {
            k: (rest_sanitize_value(v, props[k]) if isinstance(k, str) and k in props else v)
            for k, v in obj.items()
        }
    if t == "integer":
        return php_intval(value)
    if t == "number":
        return php_floatval(value)
    if t == "boolean":
        return rest_sanitize_boolean(value)
    if t == "string":
        return php_strval(value) if not is_php_array(value) else value
    return value


def _details(err: WPError) -> dict:
    return {"code": err.code, "message": err.message, "data": err.data}


def process_args(req: "Request", args: dict) -> dict:
    """WP_REST_Request::has_valid_params() then sanitize_params(), then the defaults."""
    missing = [k for k, a in args.items() if a.get("required") and req.get_param(k) is None]
    if missing:
        raise wp_error(
            "rest_missing_callback_param",
            f"Missing parameter(s): {', '.join(missing)}",
            400,
            params=missing,
        )
    invalid: dict = {}
    details: dict = {}
    for key, a in args.items():
        value = req.get_param(key)
        if value is None or not a.get("validate", True):
            continue
        err = rest_validate_value(value, a, key)
        if err:
            invalid[key] = err.message
            details[key] = _details(err)
    if invalid:
        raise wp_error(
            "rest_invalid_param",
            f"Invalid parameter(s): {', '.join(invalid)}",
            400,
            params=invalid,
            details=details,
        )
    out: dict = {}
    for key, a in args.items():
        value = req.get_param(key)
        if value is None:
            if "default" in a:
                out[key] = copy.deepcopy(a["default"])
            continue
        sanitize = a.get("sanitize", "schema")
        if sanitize == "parse":  # rest_parse_request_arg: validate, then sanitize
            err = rest_validate_value(value, a, key)
            if err:
                invalid[key] = err.message
                details[key] = _details(err)
                continue
            out[key] = rest_sanitize_value(value, a)
        elif callable(sanitize):
            out[key] = sanitize(value)
        else:
            out[key] = rest_sanitize_value(value, a)
    if invalid:
        raise wp_error(
            "rest_invalid_param",
            f"Invalid parameter(s): {', '.join(invalid)}",
            400,
            params=invalid,
            details=details,
        )
    return out


# --------------------------------------------------------------------------------------------
# The coupon schema (WC_REST_Coupons_V2_Controller::get_item_schema), in its order

_INT_ARRAY = {"type": "array", "items": {"type": "integer"}}
COUPON_SCHEMA: list[tuple[str, dict]] = [
    ("id", {"type": "integer", "readonly": True}),
    ("code", {"type": "string"}),
    ("amount", {"type": "string"}),
    ("status", {"type": "string"}),
    ("date_created", {"type": "date-time", "readonly": True}),
    ("date_created_gmt", {"type": "date-time", "readonly": True}),
    ("date_modified", {"type": "date-time", "readonly": True}),
    ("date_modified_gmt", {"type": "date-time", "readonly": True}),
    ("discount_type", {"type": "string", "default": "fixed_cart", "enum": list(COUPON_TYPES)}),
    ("description", {"type": "string"}),
    ("date_expires", {"type": "date-time"}),
    ("date_expires_gmt", {"type": "date-time"}),
    ("usage_count", {"type": "integer", "readonly": True}),
    ("individual_use", {"type": "boolean", "default": False}),
    ("product_ids", _INT_ARRAY),
    ("excluded_product_ids", _INT_ARRAY),
    ("usage_limit", {"type": "integer"}),
    ("usage_limit_per_user", {"type": "integer"}),
    ("limit_usage_to_x_items", {"type": "integer"}),
    ("free_shipping", {"type": "boolean", "default": False}),
    ("product_categories", _INT_ARRAY),
    ("excluded_product_categories", _INT_ARRAY),
    ("exclude_sale_items", {"type": "boolean", "default": False}),
    ("minimum_amount", {"type": "string"}),
    ("maximum_amount", {"type": "string"}),
    ("email_restrictions", {"type": "array", "items": {"type": "string"}}),
    ("used_by", {"type": "array", "items": {"type": "integer"}, "readonly": True}),
    (
        "meta_data",
        {
            "type": "array",
            "items": {
                "type": "object",
                "properties": {
                    "id": {"type": "integer", "readonly": True},
                    "key": {"type": "string"},
                    "value": {"type": "mixed"},
                },
            },
        },
    ),
]
WRITABLE_KEYS = [k for k, s in COUPON_SCHEMA if not s.get("readonly")]


def _endpoint_args(creating: bool) -> dict:
    """get_endpoint_args_for_item_schema(): every writable property, validated and sanitized
    by its schema; defaults only when creating."""
    args = {}
    for key, spec in COUPON_SCHEMA:
        if spec.get("readonly"):
            continue
        a = copy.deepcopy(spec)
        if not creating:
            a.pop("default", None)
        args[key] = a
    return args


CREATE_ARGS = _endpoint_args(True)
# register_routes() replaces the "code" arg with one that is required and has no callbacks, so
# WordPress checks its type only in sanitize_params() (rest_parse_request_arg).
CREATE_ARGS["code"] = {"type": "string", "required": True, "validate": False, "sanitize": "parse"}
UPDATE_ARGS = _endpoint_args(False)
ID_ARG = {"id": {"type": "integer", "validate": False, "sanitize": "parse"}}
CONTEXT_ARG = {"type": "string", "enum": ["view", "edit"], "default": "view"}
DELETE_ARGS = {"force": {"type": "boolean", "default": False}}
COLLECTION_ARGS = {
    "context": CONTEXT_ARG,
    "page": {"type": "integer", "default": 1, "minimum": 1, "sanitize": absint},
    "per_page": {"type": "integer", "default": 10, "minimum": 1, "maximum": 100, "sanitize": absint},
    "search": {"type": "string", "sanitize": sanitize_text_field},
    "exclude": {"type": "array", "items": {"type": "integer"}, "default": [], "validate": False,
                "sanitize": lambda v: list(wp_parse_id_list(v).values())},
    "include": {"type": "array", "items": {"type": "integer"}, "default": [], "validate": False,
                "sanitize": lambda v: list(wp_parse_id_list(v).values())},
    "offset": {"type": "integer", "sanitize": absint},
    "order": {"type": "string", "default": "desc", "enum": ["asc", "desc"]},
    "orderby": {"type": "string", "default": "date",
                "enum": ["date", "id", "include", "title", "slug", "modified"]},
    "code": {"type": "string", "sanitize": sanitize_text_field},
}


# --------------------------------------------------------------------------------------------
# State


class Settings:
    consumer_key = ""
    consumer_secret = ""
    currency = "USD"
    gmt_offset = 0.0  # hours, WordPress's gmt_offset option
    permissions = "read_write"
    base_url = ""

    @classmethod
    def offset_seconds(cls) -> int:
        return int(round(cls.gmt_offset * 3600))


class Store:
    def __init__(self):
        self.lock = threading.RLock()
        self.reset()

    def reset(self):
        self.coupons: dict[int, dict] = {}  # id -> stored row (also force-deleted ones)
        self.requests: list[dict] = []
        self.next_post_id = FIRST_POST_ID
        self.next_meta_id = FIRST_META_ID
        self.outage_status = 0
        self.outage_remaining = 0
        self.outage_body: Any = None
        self.outage_headers: dict = {}

    def meta_id(self) -> int:
        mid = self.next_meta_id
        self.next_meta_id += 1
        return mid

    def live(self, cid: int) -> dict | None:
        row = self.coupons.get(cid)
        return row if row and not row["deleted"] else None


STORE = Store()


# --------------------------------------------------------------------------------------------
# Dates (WC_Data::set_date_prop, wc_rest_prepare_date_response)

_ISO_RE = re.compile(r"^(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2}):(\d{2})(Z|((-|\+)\d{2}:\d{2}))$")


def _gmmktime(y, mo, d, h, mi, s) -> int:
    """gmmktime(): out-of-range fields roll over (month 13 is January of the next year)."""
    year_shift, month0 = divmod(mo - 1, 12)
    first = calendar.timegm((y + year_shift, month0 + 1, 1, 0, 0, 0, 0, 0, 0))
    return first + (d - 1) * 86400 + h * 3600 + mi * 60 + s


def _strtotime_wall(value: str) -> int | None:
    """strtotime() with the default timezone UTC, for the formats clients send; None = false."""
    v = value.strip()
    if v.startswith("@") and re.fullmatch(r"@-?\d+", v):
        return int(v[1:])
    low = v.lower()
    now = int(time.time())
    if low == "now":
        return now
    if low in ("today", "midnight"):
        return now - now % 86400
    if low == "tomorrow":
        return now - now % 86400 + 86400
    candidate = v.replace("/", "-") if re.fullmatch(r"\d{4}/\d{1,2}/\d{1,2}.*", v) else v
    try:
        parsed = datetime.fromisoformat(candidate)
    except ValueError:
        parsed = None
        for fmt in ("%Y-%m-%d %H:%M", "%d.%m.%Y", "%d.%m.%Y %H:%M:%S", "%m/%d/%Y",
                    "%m/%d/%Y %H:%M:%S", "%d %B %Y", "%B %d, %Y", "%d %b %Y"):
            try:
                parsed = datetime.strptime(v, fmt)
                break
            except ValueError:
                continue
    if parsed is None:
        return None
    if parsed.tzinfo is None:
        parsed = parsed.replace(tzinfo=timezone.utc)
    return int(parsed.timestamp())


def date_prop_value(value: Any) -> tuple[bool, int | None]:
    """WC_Data::set_date_prop(): (set?, UTC timestamp or None). Strings without an offset are
    wall times in the site's timezone; digits are UTC timestamps."""
    if php_empty(value) or value == "0000-00-00 00:00:00":
        return True, None
    offset = Settings.offset_seconds()
    if php_is_numeric(value):
        return True, math.floor(php_floatval(value))
    if is_php_array(value):
        # preg_match() on an array is a TypeError in PHP 8: a fatal error, not an exception.
        raise FatalError()
    s = php_strval(value)
    m = _ISO_RE.match(s)
    if m:
        y, mo, d, h, mi, sec = (int(m.group(i)) for i in range(1, 7))
        tz = m.group(7)
        if tz == "Z":
            tz_off = 0
        else:
            sign = -1 if tz[0] == "-" else 1
            tz_off = sign * (int(tz[1:3]) * 3600 + int(tz[4:6]) * 60)
        try:
            return True, _gmmktime(y, mo, d, h, mi, sec) - tz_off
        except (ValueError, OverflowError):
            return True, None
    wall = _strtotime_wall(s)
    if wall is None:
        wall = 0  # gmdate('Y-m-d H:i:s', false): 1970-01-01 00:00:00
    # get_gmt_from_date(): that wall time is in the site's timezone.
    return True, wall - offset


def fmt_date(ts: int | None, gmt: bool) -> str | None:
    if ts is None:
        return None
    shown = ts if gmt else ts + Settings.offset_seconds()
    return datetime.fromtimestamp(shown, tz=timezone.utc).strftime("%Y-%m-%dT%H:%M:%S")


# --------------------------------------------------------------------------------------------
# The coupon object (WC_Coupon) and its setters


def new_coupon_object() -> dict:
    return {
        "id": 0,
        "code": "",
        "amount": 0,
        "status": None,
        "date_created": None,
        "date_modified": None,
        "date_expires": None,
        "discount_type": "fixed_cart",
        "description": "",
        "usage_count": 0,
        "individual_use": False,
        "product_ids": {},
        "excluded_product_ids": {},
        "usage_limit": 0,
        "usage_limit_per_user": 0,
        "limit_usage_to_x_items": None,
        "free_shipping": False,
        "product_categories": {},
        "excluded_product_categories": {},
        "exclude_sale_items": False,
        "minimum_amount": "",
        "maximum_amount": "",
        "email_restrictions": {},
        "used_by": {},
        "meta": [],  # [{"id": int|None, "key": str, "value": Any}] ; value None = to delete
        "changes": set(),
    }


def _set(obj: dict, prop: str, value: Any) -> None:
    if obj[prop] != value or type(obj[prop]) is not type(value):
        obj["changes"].add(prop)
    obj[prop] = value


def set_code(obj, v):
    _set(obj, "code", wc_format_coupon_code(v))


def set_description(obj, v):
    _set(obj, "description", php_strval(v))


def set_status(obj, v):
    _set(obj, "status", v)


def set_discount_type(obj, v):
    if v == "percent_product":
        v = "percent"
    if v not in COUPON_TYPES:
        raise WCDataError("coupon_invalid_discount_type", "Invalid discount type.")
    _set(obj, "discount_type", v)


def set_amount(obj, v):
    amount: Any = wc_format_decimal(v)
    if not php_is_numeric(amount):
        amount = 0
    if php_floatval(amount) < 0:
        raise WCDataError("coupon_invalid_amount", "Invalid discount amount.")
    if obj["discount_type"] == "percent" and php_floatval(amount) > 100:
        raise WCDataError("coupon_invalid_amount", "Invalid discount amount.")
    _set(obj, "amount", amount)


def _date_setter(prop):
    def setter(obj, v):
        ok, ts = date_prop_value(v)
        if ok:
            _set(obj, prop, ts)

    return setter


def _absint_setter(prop):
    return lambda obj, v: _set(obj, prop, absint(v))


def _bool_setter(prop):
    return lambda obj, v: _set(obj, prop, php_bool(v))


def _ids_setter(prop):
    return lambda obj, v: _set(obj, prop, array_filter(wp_parse_id_list(php_cast_array(v))))


def set_limit_usage_to_x_items(obj, v):
    _set(obj, "limit_usage_to_x_items", None if v is None else absint(v))


def _decimal_setter(prop):
    return lambda obj, v: _set(obj, prop, wc_format_decimal(v))


def set_email_restrictions(obj, v):
    arr = php_cast_array(v)
    emails = array_filter({k: sanitize_email(php_strval(x).lower()) for k, x in arr.items()})
    for e in emails.values():
        if not is_email(e):
            raise WCDataError("coupon_invalid_email_address", "Invalid email address restriction.")
    _set(obj, "email_restrictions", emails)


def set_used_by(obj, v):
    _set(obj, "used_by", array_filter(php_cast_array(v)))


SETTERS: dict[str, Callable] = {
    "code": set_code,
    "description": set_description,
    "status": set_status,
    "discount_type": set_discount_type,
    "amount": set_amount,
    "date_expires": _date_setter("date_expires"),
    "date_created": _date_setter("date_created"),
    "date_modified": _date_setter("date_modified"),
    "usage_count": _absint_setter("usage_count"),
    "individual_use": _bool_setter("individual_use"),
    "product_ids": _ids_setter("product_ids"),
    "excluded_product_ids": _ids_setter("excluded_product_ids"),
    "usage_limit": _absint_setter("usage_limit"),
    "usage_limit_per_user": _absint_setter("usage_limit_per_user"),
    "limit_usage_to_x_items": set_limit_usage_to_x_items,
    "free_shipping": _bool_setter("free_shipping"),
    "product_categories": _ids_setter("product_categories"),
    "excluded_product_categories": _ids_setter("excluded_product_categories"),
    "exclude_sale_items": _bool_setter("exclude_sale_items"),
    "minimum_amount": _decimal_setter("minimum_amount"),
    "maximum_amount": _decimal_setter("maximum_amount"),
    "email_restrictions": set_email_restrictions,
    "used_by": set_used_by,
}
# WC_Coupon_Data_Store_CPT::$internal_meta_keys that have a setter: update_meta_data() with one of
# these keys calls the setter instead (WC_Data::is_internal_meta_key()).
INTERNAL_META_SETTERS = {
    "discount_type": "discount_type",
    "date_expires": "date_expires",
    "usage_count": "usage_count",
    "individual_use": "individual_use",
    "product_ids": "product_ids",
    "usage_limit": "usage_limit",
    "usage_limit_per_user": "usage_limit_per_user",
    "limit_usage_to_x_items": "limit_usage_to_x_items",
    "free_shipping": "free_shipping",
    "product_categories": "product_categories",
    "exclude_sale_items": "exclude_sale_items",
    "minimum_amount": "minimum_amount",
    "maximum_amount": "maximum_amount",
    "_used_by": "used_by",
}
# After a coupon has been read from the database, the data store also treats "_<prop>" keys of
# every data prop as internal (filter_raw_meta_data() merges them into $internal_meta_keys).
READ_PREFIXED_SETTERS = {f"_{p}": p for p in SETTERS}


def update_meta_data(obj: dict, key: Any, value: Any, meta_id: Any, was_read: bool) -> None:
    """WC_Data::update_meta_data()."""
    if isinstance(key, str) and key:
        prop = INTERNAL_META_SETTERS.get(key) or (READ_PREFIXED_SETTERS.get(key) if was_read else None)
        if prop:
            SETTERS[prop](obj, value)
            return
    metas = obj["meta"]
    index = None
    if not php_empty(meta_id):
        for i, m in enumerate(metas):
            if m["id"] is not None and m["id"] == meta_id and type(m["id"]) is type(meta_id):
                index = i
                break
    else:
        matches = [i for i, m in enumerate(metas) if m["key"] == key]
        for i in matches:
            metas[i]["value"] = None
        index = matches[0] if matches else None
    if index is not None:
        metas[index]["key"] = key
        metas[index]["value"] = value
        metas[index]["changed"] = True
    else:
        for m in metas:  # add_meta_data($key, $value, true): delete_meta_data($key) first
            if m["key"] == key:
                m["value"] = None
        metas.append({"id": None, "key": key, "value": value, "changed": True})


# --------------------------------------------------------------------------------------------
# Persisting (WC_Coupon_Data_Store_CPT::create/update/read)


def _unique_slug(slug: str, cid: int) -> str:
    if not slug:
        return ""
    taken = {r["post_name"] for r in STORE.coupons.values() if r["id"] != cid and not r["deleted"]}
    if slug not in taken:
        return slug
    n = 2
    while f"{slug}-{n}" in taken:
        n += 1
    return f"{slug}-{n}"


def _internal_meta(obj: dict) -> dict:
    """update_post_meta() values; '' and array() mean the row is deleted."""

    def yesno(b):
        return "yes" if b else "no"

    def implode_ids(arr):
        return ",".join(str(php_intval(x)) for x in arr.values() if php_intval(x) != 0)

    emails = array_filter({k: sanitize_email(php_strval(x)) for k, x in obj["email_restrictions"].items()})
    return {
        "discount_type": obj["discount_type"],
        "coupon_amount": php_strval(obj["amount"]),
        "individual_use": yesno(obj["individual_use"]),
        "product_ids": implode_ids(obj["product_ids"]),
        "exclude_product_ids": implode_ids(obj["excluded_product_ids"]),
        "usage_limit": php_strval(obj["usage_limit"]),
        "usage_limit_per_user": php_strval(obj["usage_limit_per_user"]),
        "limit_usage_to_x_items": php_strval(obj["limit_usage_to_x_items"]),
        "usage_count": php_strval(obj["usage_count"]),
        "date_expires": "" if obj["date_expires"] is None else str(obj["date_expires"]),
        "free_shipping": yesno(obj["free_shipping"]),
        "product_categories": array_filter({k: php_intval(x) for k, x in obj["product_categories"].items()}),
        "exclude_product_categories": array_filter(
            {k: php_intval(x) for k, x in obj["excluded_product_categories"].items()}
        ),
        "exclude_sale_items": yesno(obj["exclude_sale_items"]),
        "minimum_amount": php_strval(obj["minimum_amount"]),
        "maximum_amount": php_strval(obj["maximum_amount"]),
        "customer_email": emails,
    }


# Meta keys whose value is stored even when empty-ish (everything but '' and array()).
_ALWAYS_WRITTEN = {
    "discount_type", "coupon_amount", "individual_use", "usage_limit", "usage_limit_per_user",
    "limit_usage_to_x_items", "usage_count", "date_expires", "free_shipping", "exclude_sale_items",
}


def _save_meta(obj: dict, row: dict) -> None:
    """WC_Data::save_meta_data(): deletions, additions (new meta ids), updates."""
    kept = []
    for m in obj["meta"]:
        if m["value"] is None:
            continue
        if m["id"] is None:
            m["id"] = STORE.meta_id()
        kept.append({"id": m["id"], "key": php_strval(m["key"]), "value": db_roundtrip(m["value"])})
    row["meta"] = kept


def persist(obj: dict, row: dict | None) -> dict:
    now = int(time.time())
    creating = row is None
    if creating:
        cid = STORE.next_post_id
        STORE.next_post_id += 1
        if obj["date_created"] is None:
            obj["date_created"] = now
        status = obj["status"] if php_bool(obj["status"]) else "publish"
        row = {
            "id": cid,
            "deleted": False,
            "deleted_at": None,
            "trashed_at": None,
            "request_body_raw": None,
            "request_body": None,
            "post_name": "",
        }
        row["status"] = php_strval(status)[:20]
        row["title"] = php_stripslashes(php_trim(obj["code"]))
        row["excerpt"] = php_stripslashes(obj["description"])
        row["date_gmt"] = obj["date_created"]
        row["modified_gmt"] = obj["date_created"]  # wp_insert_post: new posts' modified = date
        if row["status"] not in ("draft", "pending", "auto-draft"):
            row["post_name"] = _unique_slug(sanitize_title(row["title"]), cid)
        meta = _internal_meta(obj)
        for key, value in meta.items():
            if key in _ALWAYS_WRITTEN or value not in ("", {}):
                STORE.meta_id()  # the wp_postmeta row takes an id before the custom meta's
        row["internal"] = meta
        STORE.coupons[cid] = row
        obj["id"] = cid
    else:
        changed = obj["changes"]
        if changed & {"code", "description", "date_created", "date_modified", "status"}:
            row["title"] = php_stripslashes(php_trim(obj["code"]))
            row["excerpt"] = php_stripslashes(obj["description"])
            row["status"] = php_strval(obj["status"])[:20] if obj["status"] is not None else row["status"]
            if obj["date_created"] is not None:
                row["date_gmt"] = obj["date_created"]
            if "date_modified" in changed and obj["date_modified"] is not None:
                row["modified_gmt"] = obj["date_modified"]
            else:
                row["modified_gmt"] = now
            if not row["post_name"] and row["status"] not in ("draft", "pending", "auto-draft"):
                row["post_name"] = _unique_slug(sanitize_title(row["title"]), row["id"])
        old = row["internal"]
        new = _internal_meta(obj)
        for key, value in new.items():
            if key not in old and (key in _ALWAYS_WRITTEN or value not in ("", {})):
                STORE.meta_id()
        row["internal"] = new
    _save_meta(obj, row)
    return row


def read(row: dict) -> dict:
    """WC_Coupon_Data_Store_CPT::read(): set_props() in its order, each setter's error swallowed
    (the prop keeps its default)."""
    obj = new_coupon_object()
    obj["id"] = row["id"]
    meta = row["internal"]
    limit = meta.get("limit_usage_to_x_items", "")
    props = [
        ("code", row["title"]),
        ("description", row["excerpt"]),
        ("status", row["status"]),
        ("date_created", row["date_gmt"]),
        ("date_modified", row["modified_gmt"]),
        ("date_expires", meta.get("date_expires", "")),
        ("discount_type", meta.get("discount_type", "")),
        ("amount", meta.get("coupon_amount", "")),
        ("usage_count", meta.get("usage_count", "")),
        ("individual_use", meta.get("individual_use") == "yes"),
        ("product_ids", [x for x in meta.get("product_ids", "").split(",") if php_bool(x)]),
        ("excluded_product_ids", [x for x in meta.get("exclude_product_ids", "").split(",") if php_bool(x)]),
        ("usage_limit", meta.get("usage_limit", "")),
        ("usage_limit_per_user", meta.get("usage_limit_per_user", "")),
        ("limit_usage_to_x_items", limit if php_floatval(limit) > 0 else None),
        ("free_shipping", meta.get("free_shipping") == "yes"),
        ("product_categories", array_filter(php_cast_array(meta.get("product_categories", "")))),
        ("excluded_product_categories",
         array_filter(php_cast_array(meta.get("exclude_product_categories", "")))),
        ("exclude_sale_items", meta.get("exclude_sale_items") == "yes"),
        ("minimum_amount", meta.get("minimum_amount", "")),
        ("maximum_amount", meta.get("maximum_amount", "")),
        ("email_restrictions", array_filter(php_cast_array(meta.get("customer_email", "")))),
    ]
    for prop, value in props:
        try:
            if prop == "code":
                obj["code"] = value  # set_code() of the stored title; titles are already formatted
            elif prop in ("description", "status"):
                obj[prop] = value
            else:
                SETTERS[prop](obj, value)
        except (WCDataError, WPError):
            pass
    obj["meta"] = [dict(m) for m in row["meta"]]
    obj["changes"] = set()
    return obj


# --------------------------------------------------------------------------------------------
# Responses


def rest_url(path: str) -> str:
    return f"{Settings.base_url}{REST_PREFIX}/{path.lstrip('/')}"


def coupon_links(cid: int) -> dict:
    return {
        "self": [
            {
                "href": rest_url(f"/{NAMESPACE}/coupons/{cid}"),
                # WordPress 6.7+ adds the methods the current user may use on "self" links.
                "targetHints": {"allow": ["GET", "POST", "PUT", "PATCH", "DELETE"]},
            }
        ],
        "collection": [{"href": rest_url(f"/{NAMESPACE}/coupons")}],
    }


def format_coupon(obj: dict, links: bool = True) -> dict:
    """WC_REST_Coupons_V2_Controller::get_formatted_item_data() (+ _links)."""

    def null_if_falsy(v):
        return v if v else None

    data = {
        "id": obj["id"],
        "code": obj["code"],
        "amount": wc_format_decimal(obj["amount"], 2),
        "status": obj["status"],
        "date_created": fmt_date(obj["date_created"], False),
        "date_created_gmt": fmt_date(obj["date_created"], True),
        "date_modified": fmt_date(obj["date_modified"], False),
        "date_modified_gmt": fmt_date(obj["date_modified"], True),
        "discount_type": obj["discount_type"],
        "description": obj["description"],
        "date_expires": fmt_date(obj["date_expires"], False),
        "date_expires_gmt": fmt_date(obj["date_expires"], True),
        "usage_count": obj["usage_count"],
        "individual_use": obj["individual_use"],
        "product_ids": php_array_json(obj["product_ids"]),
        "excluded_product_ids": php_array_json(obj["excluded_product_ids"]),
        "usage_limit": null_if_falsy(obj["usage_limit"]),
        "usage_limit_per_user": null_if_falsy(obj["usage_limit_per_user"]),
        "limit_usage_to_x_items": null_if_falsy(obj["limit_usage_to_x_items"]),
        "free_shipping": obj["free_shipping"],
        "product_categories": php_array_json(obj["product_categories"]),
        "excluded_product_categories": php_array_json(obj["excluded_product_categories"]),
        "exclude_sale_items": obj["exclude_sale_items"],
        "minimum_amount": wc_format_decimal(obj["minimum_amount"], 2),
        "maximum_amount": wc_format_decimal(obj["maximum_amount"], 2),
        "email_restrictions": php_array_json(obj["email_restrictions"]),
        "used_by": php_array_json(obj["used_by"]),
        "meta_data": [
            {"id": m["id"], "key": m["key"], "value": m["value"]}
            for m in obj["meta"]
            if m["value"] is not None
        ],
    }
    if links:
        data["_links"] = coupon_links(obj["id"])
    return data


# --------------------------------------------------------------------------------------------
# Requests


_JSON_MEDIA_RE = re.compile(r"(^|\s|,)application/([\w!#$&\-^.+]+\+)?json(\+oembed)?($|\s|;|,)", re.I)


def parse_php_query(qs: str) -> dict:
    """parse_str(): "a[]=1&a[]=2" is an array, "a[k]=v" a map, otherwise the last value wins."""
    out: dict = {}
    for k, v in parse_qsl(qs, keep_blank_values=True):
        m = re.fullmatch(r"([^\[\]]+)\[([^\[\]]*)\]", k)
        if m:
            base, sub = m.group(1), m.group(2)
            cur = out.get(base)
            if not isinstance(cur, dict):
                cur = {}
                out[base] = cur
            if sub == "":
                cur[len([x for x in cur if isinstance(x, int)])] = v
            else:
                cur[int(sub) if _INT_KEY_RE.match(sub) else sub] = v
        else:
            out[k] = v
    return {k: (php_array_json(v) if isinstance(v, dict) else v) for k, v in out.items()}


def _reject_constant(name: str):
    raise ValueError(f"{name} is not JSON")  # PHP's json_decode() refuses NaN/Infinity


class Request:
    def __init__(self, method: str, route: str, query: dict, headers, body: bytes):
        self.method = method
        self.route = route
        self.query = query
        self.headers = headers
        self.body = body
        self.url_params: dict = {}
        self.json: dict = {}
        self.form: dict = {}
        self.json_error: WPError | None = None
        self.parsed_body: Any = None
        self.authenticated = False
        ctype = headers.get("Content-Type", "") or ""
        if method != "GET" and body:
            if _JSON_MEDIA_RE.search(ctype):
                try:
                    parsed = json.loads(body.decode("utf-8"), parse_constant=_reject_constant)
                    self.parsed_body = parsed
                    self.json = parsed if isinstance(parsed, dict) else {}
                except (ValueError, UnicodeDecodeError):
                    self.json_error = wp_error(
                        "rest_invalid_json",
                        "Invalid JSON body passed.",
                        400,
                        json_error_code=4,
                        json_error_message="Syntax error",
                    )
            elif "application/x-www-form-urlencoded" in ctype.lower():
                self.form = parse_php_query(body.decode("utf-8", "replace"))
                self.parsed_body = self.form

    def get_param(self, key: str) -> Any:
        """WP_REST_Request::get_param(): JSON body, form body, query string, URL, in order."""
        for source in (self.json, self.form, self.query, self.url_params):
            if key in source and source[key] is not None:
                return source[key]
        return None

    def body_text(self) -> str:
        return self.body.decode("utf-8", "replace")


def require_permission(req: Request, code: str, message: str) -> None:
    if not req.authenticated:
        # rest_authorization_required_code(): 401 when nobody is logged in.
        raise wp_error(code, message, 401)


def _get_live(req: Request) -> dict | None:
    # (int) $request['id']: WP_REST_Request looks in the query string before the URL params.
    return STORE.live(php_intval(req.get_param("id")))


# -- handlers


def list_coupons(req: Request) -> Response:
    params = process_args(req, COLLECTION_ARGS)
    require_permission(req, "woocommerce_rest_cannot_view", "Sorry, you cannot list resources.")
    rows = [r for r in STORE.coupons.values() if not r["deleted"]]
    # Version3 prepare_objects_query(): post_status = $request['status'] ?: 'all'. "all" is no
    # registered status, so WP_Query adds no status condition at all: trashed coupons are listed.
    status = req.get_param("status")
    if php_bool(status):
        wanted = list(wp_parse_list(status).values()) if not is_php_array(status) else [
            php_strval(x) for x in to_php_array(status).values()
        ]
        if "any" in wanted:
            rows = [r for r in rows if r["status"] not in ("trash", "auto-draft") or r["status"] in wanted]
        elif "all" not in wanted:
            rows = [r for r in rows if r["status"] in wanted]
    post_in = params.get("include") or []
    if php_bool(params.get("code")):
        post_in = [coupon_id_by_code(params["code"])]
    if post_in:
        rows = [r for r in rows if r["id"] in post_in]
    if params.get("exclude"):
        rows = [r for r in rows if r["id"] not in params["exclude"]]
    if params.get("search"):
        needle = params["search"].casefold()
        rows = [r for r in rows if needle in r["title"].casefold() or needle in r["excerpt"].casefold()]
    orderby, desc = params["orderby"], params["order"] == "desc"
    keys = {
        "date": lambda r: (r["date_gmt"], r["id"]),
        "modified": lambda r: (r["modified_gmt"], r["id"]),
        "id": lambda r: r["id"],
        "title": lambda r: collation_key(r["title"]),
        "slug": lambda r: r["post_name"],
    }
    if orderby == "include" and post_in:
        rows.sort(key=lambda r: post_in.index(r["id"]))
    else:
        rows.sort(key=keys.get(orderby, keys["date"]), reverse=desc)
    per_page = params["per_page"]
    page = params["page"]
    total = len(rows)
    start = params["offset"] if "offset" in params else (page - 1) * per_page
    shown = rows[start:start + per_page]
    max_pages = math.ceil(total / per_page) if per_page else 0
    headers = [("X-WP-Total", str(total)), ("X-WP-TotalPages", str(max_pages))]
    base = rest_url(f"/{NAMESPACE}/coupons")
    links = []
    if page > 1:
        links.append(f'<{base}?page={min(page - 1, max_pages)}>; rel="prev"')
    if max_pages > page:
        links.append(f'<{base}?page={page + 1}>; rel="next"')
    if links:
        headers.append(("Link", ", ".join(links)))
    return Response(200, [format_coupon(read(r)) for r in shown], headers)


def coupon_ids_by_code(code: str, exclude: int = 0) -> list[int]:
    """wc_get_coupon_id_by_code() / get_ids_by_code(): published coupons only, matched with
    LOWER(post_title) = LOWER(wc_sanitize_coupon_code($code)), newest post_date first. Note that
    wc_sanitize_coupon_code() returns a slashed string (wp_filter_kses), so a code containing a
    quote or backslash never matches its stored, unslashed title."""
    if code.strip(_WS) == "":
        return []
    wanted = collation_key(wc_sanitize_coupon_code(code))
    hits = [
        r for r in STORE.coupons.values()
        if not r["deleted"] and r["status"] == "publish" and r["id"] != exclude
        and collation_key(r["title"]) == wanted
    ]
    hits.sort(key=lambda r: (r["date_gmt"], r["id"]), reverse=True)
    return [r["id"] for r in hits]


def coupon_id_by_code(code: str) -> int:
    ids = coupon_ids_by_code(code)
    return ids[0] if ids else 0


def prepare_object_for_database(req: Request, params: dict, obj: dict, creating: bool) -> None:
    """WC_REST_Coupons_V2_Controller::prepare_object_for_database()."""
    if creating and php_empty(req.get_param("code")):
        raise wp_error("woocommerce_rest_empty_coupon_code", "The coupon code cannot be empty.", 400)
    was_read = not creating
    for key in WRITABLE_KEYS:
        value = params.get(key)
        if value is None:
            continue
        if key == "code":
            coupon_code = wc_format_coupon_code(value)
            # wc_get_coupon_id_by_code($coupon_code, $id): any other published coupon whose
            # title matches. The error's data carries only the status, not the existing id.
            if coupon_ids_by_code(coupon_code, exclude=obj["id"] or 0):
                raise wp_error(
                    "woocommerce_rest_coupon_code_already_exists", "The coupon code already exists", 400
                )
            set_code(obj, coupon_code)
        elif key == "meta_data":
            if isinstance(value, list):
                for meta in value:
                    m = meta if isinstance(meta, dict) else {}
                    update_meta_data(obj, m.get("key"), m.get("value"), m.get("id", ""), was_read)
        elif key == "description":
            set_description(obj, wp_filter_post_kses(php_strval(value)))
        elif key in SETTERS:
            SETTERS[key](obj, value)
        # date_expires_gmt: WC_Coupon has no set_date_expires_gmt(), so it is ignored.


def _save(req: Request, params: dict, obj: dict, row: dict | None) -> dict:
    """save_object(): WC_Data_Exception -> WP_Error(code, message, {status})."""
    try:
        prepare_object_for_database(req, params, obj, row is None)
    except WCDataError as e:
        raise wp_error(e.code, e.message, e.status)
    return persist(obj, row)


def create_coupon(req: Request) -> Response:
    params = process_args(req, CREATE_ARGS)
    require_permission(req, "woocommerce_rest_cannot_create", "Sorry, you are not allowed to create resources.")
    if php_bool(req.get_param("id")):
        raise wp_error("woocommerce_rest_shop_coupon_exists", "Cannot create existing shop_coupon.", 400)
    row = _save(req, params, new_coupon_object(), None)
    row["request_body_raw"] = req.body_text()
    row["request_body"] = req.parsed_body
    log(f"created coupon {row['id']} code={row['title']!r} status={row['status']}")
    return Response(
        201,
        format_coupon(read(row)),
        [("Location", rest_url(f"/{NAMESPACE}/coupons/{row['id']}"))],
    )


def get_coupon(req: Request) -> Response:
    process_args(req, {**ID_ARG, "context": CONTEXT_ARG})
    row = _get_live(req)
    if row is not None:
        require_permission(req, "woocommerce_rest_cannot_view", "Sorry, you cannot view this resource.")
    if row is None:
        raise wp_error("woocommerce_rest_shop_coupon_invalid_id", "Invalid ID.", 404)
    return Response(200, format_coupon(read(row)))


def update_coupon(req: Request) -> Response:
    params = process_args(req, {**ID_ARG, **UPDATE_ARGS})
    row = _get_live(req)
    if row is not None:
        require_permission(req, "woocommerce_rest_cannot_edit", "Sorry, you are not allowed to edit this resource.")
    if row is None:
        raise wp_error("woocommerce_rest_shop_coupon_invalid_id", "Invalid ID.", 400)
    obj = read(row)
    _save(req, params, obj, row)
    return Response(200, format_coupon(read(row)))


def delete_coupon(req: Request) -> Response:
    params = process_args(req, {**ID_ARG, **DELETE_ARGS})
    row = _get_live(req)
    if row is not None:
        require_permission(req, "woocommerce_rest_cannot_delete", "Sorry, you are not allowed to delete this resource.")
    if row is None:
        raise wp_error("woocommerce_rest_shop_coupon_invalid_id", "Invalid ID.", 404)
    # The answer is prepared before anything is deleted: it shows the coupon as it was.
    answer = format_coupon(read(row))
    now = int(time.time())
    if params["force"]:
        row["deleted"] = True
        row["deleted_at"] = now
        log(f"deleted coupon {row['id']}")
        return Response(200, answer)
    # EMPTY_TRASH_DAYS > 0 and WC_Coupon has get_status(): coupons support trashing.
    if row["status"] == "trash":
        raise wp_error("woocommerce_rest_already_trashed", "The shop_coupon has already been deleted.", 410)
    # wp_trash_post(): two meta rows, then wp_update_post() to "trash" (which records the slug
    # and touches post_modified).
    previous = row["status"]
    row["meta"].append({"id": STORE.meta_id(), "key": "_wp_trash_meta_status", "value": previous})
    row["meta"].append({"id": STORE.meta_id(), "key": "_wp_trash_meta_time", "value": str(now)})
    if not row["post_name"].endswith("__trashed"):
        row["meta"].append({"id": STORE.meta_id(), "key": "_wp_desired_post_slug", "value": row["post_name"]})
        row["post_name"] = row["post_name"][:191] + "__trashed"
    row["status"] = "trash"
    row["modified_gmt"] = now
    row["trashed_at"] = now
    log(f"trashed coupon {row['id']}")
    return Response(200, answer)


def _currency_body(code: str) -> dict:
    name, symbol = CURRENCIES.get(code, (code, ""))
    return {
        "code": code,
        "name": name,
        "symbol": symbol,
        "_links": {
            "self": [{"href": rest_url(f"/{NAMESPACE}/data/currencies/{code.upper()}")}],
            "collection": [{"href": rest_url(f"/{NAMESPACE}/data/currencies")}],
        },
    }


def current_currency(req: Request) -> Response:
    require_permission(req, "woocommerce_rest_cannot_view", "Sorry, you cannot view this resource.")
    return Response(200, _currency_body(Settings.currency))


def one_currency(req: Request) -> Response:
    require_permission(req, "woocommerce_rest_cannot_view", "Sorry, you cannot view this resource.")
    code = req.url_params["currency"].upper()
    if code not in CURRENCIES and code != Settings.currency:
        raise wp_error(
            "woocommerce_rest_data_invalid_currency",
            "There are no currencies matching these parameters.",
            404,
        )
    return Response(200, _currency_body(code))


ROUTES: list[tuple[re.Pattern, dict[str, Callable]]] = [
    (re.compile(r"^/wc/v3/coupons$", re.I), {"GET": list_coupons, "POST": create_coupon}),
    (
        re.compile(r"^/wc/v3/coupons/(?P<id>[\d]+)$", re.I),
        {"GET": get_coupon, "POST": update_coupon, "PUT": update_coupon,
         "PATCH": update_coupon, "DELETE": delete_coupon},
    ),
    (re.compile(r"^/wc/v3/data/currencies/current$", re.I), {"GET": current_currency}),
    (re.compile(r"^/wc/v3/data/currencies/(?P<currency>[\w-]{3})$", re.I), {"GET": one_currency}),
]


def authenticate(req: Request) -> None:
    """WC_REST_Authentication (Basic branch) + check_user_permissions()."""
    key = secret = ""
    if php_bool(req.query.get("consumer_key")) and php_bool(req.query.get("consumer_secret")):
        key, secret = php_strval(req.query["consumer_key"]), php_strval(req.query["consumer_secret"])
    auth = req.headers.get("Authorization", "") or ""
    if not key and auth[:6].lower() == "basic ":
        try:
            user, _, password = base64.b64decode(auth[6:].strip()).decode("utf-8").partition(":")
        except (ValueError, UnicodeDecodeError):
            user = password = ""
        if user and password:
            key, secret = user, password
    if not key or not secret:
        return  # no credentials: not an error here; the endpoint's permission check answers 401
    if sanitize_text_field(key) != Settings.consumer_key:
        return  # an unknown key is no error either (only OAuth says "Consumer key is invalid.")
    if not hmac.compare_digest(Settings.consumer_secret.encode(), secret.encode()):
        # send_unauthorized_headers() would add WWW-Authenticate only while auth_method is
        # "basic_auth", but authenticate() goes on to perform_oauth_authentication(), which sets
        # it to "oauth1" first thing: WooCommerce sends no WWW-Authenticate header.
        raise wp_error("woocommerce_rest_authentication_error", "Consumer secret is invalid.", 401)
    method = req.method
    perms = Settings.permissions
    if method in ("HEAD", "GET") and perms not in ("read", "read_write"):
        raise wp_error("woocommerce_rest_authentication_error",
                       "The API key provided does not have read permissions.", 401)
    if method in ("POST", "PUT", "PATCH", "DELETE") and perms not in ("write", "read_write"):
        raise wp_error("woocommerce_rest_authentication_error",
                       "The API key provided does not have write permissions.", 401)
    req.authenticated = True


def dispatch(req: Request) -> Response:
    try:
        authenticate(req)
        for pattern, handlers in ROUTES:
            m = pattern.match(req.route)
            if not m:
                continue
            handler = handlers.get(req.method if req.method != "HEAD" else "GET")
            if handler is None:
                continue
            req.url_params = m.groupdict()
            if req.json_error:
                raise req.json_error
            with STORE.lock:
                return handler(req)
        raise wp_error("rest_no_route", "No route was found matching the URL and request method.", 404)
    except WPError as e:
        return Response(e.status, e.body(), e.headers)


# --------------------------------------------------------------------------------------------
# HTTP


def php_json(body: Any) -> bytes:
    """wp_json_encode(): compact, ASCII-only, slashes escaped like PHP's json_encode()."""
    return json.dumps(body, ensure_ascii=True, separators=(",", ":")).replace("/", "\\/").encode()


class Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    server_version = "Apache"
    sys_version = ""

    def log_message(self, fmt, *args):
        log(f"{self.address_string()} {fmt % args}")

    def _read_body(self) -> bytes:
        if "chunked" in (self.headers.get("Transfer-Encoding") or "").lower():
            chunks = []
            while True:
                size_line = self.rfile.readline().strip()
                size = int(size_line.split(b";")[0] or b"0", 16)
                if size == 0:
                    while self.rfile.readline().strip():
                        pass
                    break
                chunks.append(self.rfile.read(size))
                self.rfile.readline()
            return b"".join(chunks)
        length = int(self.headers.get("Content-Length") or 0)
        return self.rfile.read(length) if length > 0 else b""

    def _send(self, status: int, body: Any, headers=(), raw: bytes | None = None, json_ct=True):
        payload = raw if raw is not None else php_json(body)
        self.send_response(status)
        if json_ct:
            self.send_header("Content-Type", "application/json; charset=UTF-8")
        for k, v in headers:
            self.send_header(k, v)
        self.send_header("Content-Length", str(len(payload)))
        self.end_headers()
        if self.command != "HEAD":
            self.wfile.write(payload)

    def _handle(self):
        body = self._read_body()
        split = urlsplit(self.path)
        path = unquote(split.path)
        query = parse_php_query(split.query)
        if path.startswith("/_fake/") or path == "/_fake":
            return self._control(path, body)
        route = None
        if path == REST_PREFIX or path.startswith(REST_PREFIX + "/"):
            route = path[len(REST_PREFIX):] or "/"
        elif path in ("/", "/index.php") and isinstance(query.get("rest_route"), str):
            route = query["rest_route"]
        method = self.command.upper()
        # WP_REST_Server::serve_request(): ?_method= or X-HTTP-Method-Override override the verb.
        override = query.get("_method") or self.headers.get("X-HTTP-Method-Override")
        if isinstance(override, str) and override:
            method = override.upper()
        with STORE.lock:
            outage = STORE.outage_remaining != 0 and route is not None
            if outage:
                status = STORE.outage_status
                if STORE.outage_remaining > 0:
                    STORE.outage_remaining -= 1
                outage_body = STORE.outage_body
                outage_headers = list(STORE.outage_headers.items())
        if outage:
            if outage_body is None:
                outage_body = {"code": "fake_outage", "message": "Simulated outage.", "data": {"status": status}}
            is_text = isinstance(outage_body, str)
            raw = outage_body.encode() if is_text else php_json(outage_body)
            if is_text and not any(k.lower() == "content-type" for k, _ in outage_headers):
                outage_headers.append(("Content-Type", "text/html; charset=UTF-8"))
            self._record(method, split, status)
            return self._send(status, None, outage_headers, raw=raw, json_ct=not is_text)
        if route is None:
            self._record(method, split, 404)
            return self._send(404, None, [("Content-Type", "text/html; charset=UTF-8")],
                              raw=b"<!doctype html><title>Not Found</title>", json_ct=False)
        route = route.rstrip("/") or "/"
        req = Request(method, route, query, self.headers, body)
        resp = dispatch(req)
        self._record(method, split, resp.status)
        headers = [
            ("X-Robots-Tag", "noindex"),
            ("Link", f'<{Settings.base_url}{REST_PREFIX}/>; rel="https://api.w.org/"'),
            ("X-Content-Type-Options", "nosniff"),
            ("Access-Control-Expose-Headers", "X-WP-Total, X-WP-TotalPages, Link"),
            ("Access-Control-Allow-Headers",
             "Authorization, X-WP-Nonce, Content-Disposition, Content-MD5, Content-Type"),
        ]
        if req.authenticated:
            headers += [("Expires", "Wed, 11 Jan 1984 05:00:00 GMT"),
                        ("Cache-Control", "no-cache, must-revalidate, max-age=0, no-store, private")]
        headers += resp.headers
        self._send(resp.status, resp.body, headers)

    def _record(self, method: str, split, status: int) -> None:
        with STORE.lock:
            STORE.requests.append(
                {"method": method, "path": split.path, "query": split.query, "status": status,
                 "at": round(time.time(), 3)}
            )

    def _control(self, path: str, body: bytes):
        method = self.command.upper()
        try:
            payload = json.loads(body.decode("utf-8")) if body.strip() else {}
        except (ValueError, UnicodeDecodeError):
            return self._send(400, {"error": "body is not JSON"})
        with STORE.lock:
            if path == "/_fake/coupons" and method == "GET":
                out = []
                for row in STORE.coupons.values():
                    entry = format_coupon(read(row), links=False)
                    entry.update({
                        "deleted": row["deleted"],
                        "deleted_at": row["deleted_at"],
                        "trashed": row["status"] == "trash",
                        "trashed_at": row["trashed_at"],
                        "request_body": row["request_body"],
                        "request_body_raw": row["request_body_raw"],
                    })
                    out.append(entry)
                return self._send(200, out, raw=json.dumps(out).encode())
            if path == "/_fake/requests" and method == "GET":
                return self._send(200, None, raw=json.dumps(STORE.requests).encode())
            if path == "/_fake/config" and method == "GET":
                conf = {"consumer_key": Settings.consumer_key, "currency": Settings.currency,
                        "gmt_offset": Settings.gmt_offset, "permissions": Settings.permissions,
                        "base_url": Settings.base_url}
                return self._send(200, None, raw=json.dumps(conf).encode())
            if path == "/_fake/outage" and method == "POST":
                if not isinstance(payload, dict):
                    return self._send(400, None, raw=b'{"error":"expected an object"}')
                count = payload.get("count", 1)
                status = payload.get("status", 503)
                if not isinstance(count, int) or isinstance(count, bool) or count < -1:
                    return self._send(400, None, raw=b'{"error":"count: an integer >= -1"}')
                if not isinstance(status, int) or isinstance(status, bool) or not 100 <= status <= 599:
                    return self._send(400, None, raw=b'{"error":"status: an HTTP status"}')
                STORE.outage_status = status
                STORE.outage_remaining = count
                STORE.outage_body = payload.get("body")
                STORE.outage_headers = {str(k): str(v) for k, v in (payload.get("headers") or {}).items()}
                if "retry_after" in payload:
                    STORE.outage_headers["Retry-After"] = str(payload["retry_after"])
                log(f"outage: status {status}, count {count}")
                state = {"status": status, "remaining": count}
                return self._send(200, None, raw=json.dumps(state).encode())
            if path == "/_fake/reset" and method == "POST":
                STORE.reset()
                log("reset")
                return self._send(200, None, raw=b'{"reset":true}')
        return self._send(404, None, raw=b'{"error":"unknown control endpoint"}')

    do_GET = do_POST = do_PUT = do_PATCH = do_DELETE = do_HEAD = do_OPTIONS = _handle


class Server(ThreadingHTTPServer):
    daemon_threads = True
    request_queue_size = 128  # the default 5 resets connections when tests send in parallel


def main(argv: list[str] | None = None) -> None:
    ap = argparse.ArgumentParser(description="Fake WooCommerce REST API (wc/v3 coupons).")
    ap.add_argument("--port", type=int, default=0)
    ap.add_argument("--consumer-key", required=True)
    ap.add_argument("--consumer-secret", required=True)
    ap.add_argument("--currency", default="USD", help="the store currency (woocommerce_currency)")
    ap.add_argument("--gmt-offset", type=float, default=0.0,
                    help="the site's UTC offset in hours (WordPress gmt_offset); default 0 = UTC")
    ap.add_argument("--permissions", choices=["read", "write", "read_write"], default="read_write",
                    help="the API key's permissions")
    args = ap.parse_args(argv)
    Settings.consumer_key = args.consumer_key
    Settings.consumer_secret = args.consumer_secret
    Settings.currency = args.currency.upper()
    Settings.gmt_offset = args.gmt_offset
    Settings.permissions = args.permissions

    server = Server(("127.0.0.1", args.port), Handler)
    port = server.server_address[1]
    Settings.base_url = f"http://127.0.0.1:{port}"
    signal.signal(signal.SIGTERM, lambda *_: threading.Thread(target=server.shutdown).start())
    sys.stdout.write(f"listening on http://127.0.0.1:{port}\n")
    sys.stdout.flush()
    log(f"serving wc/v3 coupons on {Settings.base_url} (currency {Settings.currency})")
    try:
        server.serve_forever()
    except KeyboardInterrupt:
        pass
    finally:
        server.server_close()


if __name__ == "__main__":
    main()
