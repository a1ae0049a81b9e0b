#!/usr/bin/env python3
"""A fake of Shopify's Admin API on loopback, for tests of the project's Shopify client.

What it serves:

* ``POST /admin/oauth/access_token`` — the client credentials grant (form-encoded or JSON body:
  ``grant_type=client_credentials``, ``client_id``, ``client_secret``), answering
  ``{"access_token", "scope", "expires_in"}``. Tokens expire ``--token-seconds`` after issue
  (wall clock); ``--access-token`` adds one token that never expires.
* ``POST /admin/api/2026-10/graphql.json`` with ``X-Shopify-Access-Token``. Every document is
  parsed and validated against Shopify's published 2026-10 Admin schema (an introspection result,
  loaded with graphql-core), its variables are coerced against their declared types, and a valid
  document is executed by graphql-core, so answers are shaped by the selection set. Implemented
  roots: ``shop``, ``codeDiscountNodeByCode``, ``codeDiscountNode``, ``discountCodeBasicCreate``,
  ``discountCodeDeactivate``, ``discountCodeActivate``, ``discountCodeDelete``. Any other root
  field of the schema validates but answers a top-level error naming the fake.
* A cost bucket like Shopify's leaky bucket (``extensions.cost`` on every executed answer, the
  ``THROTTLED`` error when the bucket lacks the requested cost).
* Test controls under ``/_fake/`` (no auth); see ``tests/fakes/README.md``.

Sources. Where this file says "docs" it means shopify.dev (API reference for 2026-10, "GraphQL Admin
API rate limits", "Using the client credentials grant" / "Get API access tokens for Dev Dashboard
apps"). Where it says "captured" it means responses recorded from a real dev store (Admin API
2025-01 and 2026-04) published in the airhorns/shopify-draft-proxy repository
(``fixtures/conformance/...``); those are observations, not documentation. Anything else is the
fake's own choice and says so.

Run: ``python tests/fakes/shopify_admin.py --schema admin_2026-10.json.gz --port 0
--client-id ID --client-secret SECRET``. The first line on stdout is
``listening on http://127.0.0.1:PORT``; logs go to stderr.
"""

from __future__ import annotations

import argparse
import base64
import copy
import decimal
import gzip
import json
import re
import secrets
import signal
import sys
import threading
import time
import uuid
from datetime import datetime, timezone
from http import HTTPStatus
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any, Callable
from urllib.parse import parse_qs, urlsplit

import graphql
from graphql import (
    FieldNode,
    FragmentDefinitionNode,
    FragmentSpreadNode,
    GraphQLError,
    GraphQLObjectType,
    GraphQLSchema,
    InlineFragmentNode,
    IntValueNode,
    OperationDefinitionNode,
    OperationType,
    SelectionSetNode,
    VariableNode,
    build_client_schema,
    coerce_input_value,
    get_named_type,
    get_operation_ast,
    is_abstract_type,
    is_input_type,
    is_leaf_type,
    is_non_null_type,
    parse,
    specified_rules,
    type_from_ast,
    validate,
)
from graphql.execution import default_field_resolver, execute
from graphql.execution.values import get_variable_values

API_VERSION = "2026-10"
GRAPHQL_PATH = re.compile(r"^/admin/api/([^/]+)/graphql\.json$")
SCOPE = "read_discounts,write_discounts"

# The 401 answer to a missing, unknown or expired token. The docs do not print it; body and
# WWW-Authenticate header are as Shopify sends them, quoted in many bug reports (e.g.
# frappe/ecommerce_integrations#414, Shopify/shopify-cli#263).
UNAUTHORIZED_BODY = {
    "errors": "[API] Invalid API key or access token (unrecognized login or wrong password)"
}
UNAUTHORIZED_HEADERS = {"WWW-Authenticate": 'Basic Realm="Shopify API Authentication"'}

# Docs: throttled GraphQL requests are answered HTTP 200 with this error (Shopify's CLI retries on
# `extensions.code == "THROTTLED"`, Shopify/cli#8317) and a top-level `extensions.cost` whose
# `actualQueryCost` is null.
THROTTLED_ERROR = {
    "message": "Throttled",
    "extensions": {
        "code": "THROTTLED",
        "documentation": "https://shopify.dev/api/usage/rate-limits",
    },
}
# Docs: "A single query to the API cannot exceed a cost of 1000." The message and extension keys
# are as reported by users (the docs do not print the body).
SINGLE_QUERY_MAX_COST = 1000

# Cost model (docs, "Cost calculation"): scalar and enum 0, object 1, union/interface 1 plus the
# most expensive branch, connection 2 plus `first`/`last` times the cost of one node, mutation 10.
# Captured answers fit "a mutation is 10 plus whatever its payload's objects select below them"
# (`discountCodeBasicCreate { codeDiscountNode { id } userErrors {...} }` costs 10, one more level
# of object 11), so that is what is charged. Real Shopify gives some fields custom costs and
# refunds unused connection slots; here actualQueryCost always equals requestedQueryCost.
MUTATION_COST = 10
CONNECTION_BASE_COST = 2

# Static-validation codes: Shopify's backend is graphql-ruby and answers validation failures with
# graphql-ruby's codes (captured: "undefinedField", "selectionMismatch",
# "argumentLiteralsIncompatible", "PARSE_ERROR", "INVALID_VARIABLE"). Messages here are
# graphql-core's, not graphql-ruby's; the codes are mapped rule for rule.
RULE_CODES = {
    "ExecutableDefinitionsRule": "queryContainsSchemaDefinitions",
    "UniqueOperationNamesRule": "uniquelyNamedOperations",
    "LoneAnonymousOperationRule": "uniquelyNamedOperations",
    "SingleFieldSubscriptionsRule": "notSingleSubscription",
    "KnownTypeNamesRule": "undefinedType",
    "FragmentsOnCompositeTypesRule": "fragmentOnNonCompositeType",
    "VariablesAreInputTypesRule": "variableRequiresValidType",
    "ScalarLeafsRule": "selectionMismatch",
    "FieldsOnCorrectTypeRule": "undefinedField",
    "UniqueFragmentNamesRule": "fragmentNotUnique",
    "KnownFragmentNamesRule": "useAndDefineFragment",
    "NoUnusedFragmentsRule": "useAndDefineFragment",
    "PossibleFragmentSpreadsRule": "cannotSpreadFragment",
    "NoFragmentCyclesRule": "infiniteLoop",
    "UniqueVariableNamesRule": "variableNotUnique",
    "NoUndefinedVariablesRule": "variableNotDefined",
    "NoUnusedVariablesRule": "variableNotUsed",
    "KnownDirectivesRule": "undefinedDirective",
    "UniqueDirectivesPerLocationRule": "directiveNotUniqueForLocation",
    "KnownArgumentNamesRule": "argumentNotAccepted",
    "UniqueArgumentNamesRule": "argumentNotUnique",
    "ValuesOfCorrectTypeRule": "argumentLiteralsIncompatible",
    "ProvidedRequiredArgumentsRule": "missingRequiredArguments",
    "VariablesInAllowedPositionRule": "variableMismatch",
    "OverlappingFieldsCanBeMergedRule": "fieldConflict",
    "UniqueInputFieldNamesRule": "inputFieldNotUnique",
}


def log(message: str) -> None:
    print(f"shopify_admin: {message}", file=sys.stderr, flush=True)


# --------------------------------------------------------------------------------------------
# Schema


def load_schema(path: str) -> GraphQLSchema:
    """Builds the client schema from an introspection result (.json or .json.gz).

    The @shopify/dev-mcp files wrap the result as ``{"data": {"__schema": ...}, ...}``; a bare
    ``{"__schema": ...}`` is accepted too. ``assume_valid=True`` skips graphql-core's schema
    check, which Shopify's schemas have failed on deprecation rules; graphql-core 3.2.6 finds no
    fault in dev-mcp 1.16.0's 2026-10 file, so here it only means ``validate``/``execute`` never
    re-check the schema.
    """
    opener = gzip.open if path.endswith(".gz") else open
    with opener(path, "rt", encoding="utf-8") as f:
        raw = json.load(f)
    introspection = raw.get("data", raw)
    if "__schema" not in introspection:
        raise SystemExit(f"{path}: no __schema in the introspection result")
    schema = build_client_schema(introspection, assume_valid=True)
    install_scalars(schema)
    return schema


def _parse_decimal(value: Any) -> Any:
    # Captured: Shopify refuses "abc" with the explanation "invalid decimal 'abc'". The docs say
    # Decimal is "serialized as a string"; numbers are accepted here too (the docs are silent).
    if isinstance(value, bool) or not isinstance(value, (str, int, float)):
        raise ValueError(f"invalid decimal '{value}'")
    try:
        parsed = decimal.Decimal(str(value).strip())
    except decimal.InvalidOperation:
        raise ValueError(f"invalid decimal '{value}'") from None
    if not parsed.is_finite():
        raise ValueError(f"invalid decimal '{value}'")
    return value  # kept as received, so stored inputs stay JSON as the client sent them


def _parse_datetime(value: Any) -> Any:
    # Docs: "an ISO 8601-encoded date and time string". The error wording is the fake's own.
    if not isinstance(value, str):
        raise ValueError(f"invalid DateTime '{value}'")
    try:
        datetime.fromisoformat(value)
    except ValueError:
        raise ValueError(f"invalid DateTime '{value}'") from None
    return value


def _parse_unsigned_int64(value: Any) -> Any:
    # Docs: an unsigned 64-bit integer "serialized as a string"; wording of the error is the fake's.
    text = str(value) if isinstance(value, int) and not isinstance(value, bool) else value
    if not isinstance(text, str) or not text.isdigit() or int(text) >= 2**64:
        raise ValueError(f"invalid UnsignedInt64 '{value}'")
    return value


def install_scalars(schema: GraphQLSchema) -> None:
    """Client schemas accept anything for custom scalars; refuse what Shopify refuses."""
    for name, parser in (
        ("Decimal", _parse_decimal),
        ("DateTime", _parse_datetime),
        ("UnsignedInt64", _parse_unsigned_int64),
    ):
        scalar = schema.get_type(name)
        if scalar is not None:
            scalar.parse_value = parser  # type: ignore[union-attr]  # parse_literal uses it too


# --------------------------------------------------------------------------------------------
# Values


def now_utc() -> datetime:
    return datetime.now(timezone.utc).replace(microsecond=0)


def parse_time(value: str) -> datetime:
    """Shopify answers times in UTC at whole seconds (captured: 15:48:38.621Z -> 15:48:38Z)."""
    parsed = datetime.fromisoformat(value)
    if parsed.tzinfo is None:  # the docs are silent on zone-less input; read it as UTC
        parsed = parsed.replace(tzinfo=timezone.utc)
    return parsed.astimezone(timezone.utc).replace(microsecond=0)


def format_time(value: datetime | None) -> str | None:
    return None if value is None else value.strftime("%Y-%m-%dT%H:%M:%SZ")


def money_amount(value: Any) -> str:
    """Decimal as Shopify's MoneyV2.amount prints it (captured: "5.00" -> "5.0", "1.00" -> "1.0")."""
    text = format(decimal.Decimal(str(value)).normalize(), "f")
    return text if "." in text else text + ".0"


def cursor(index: int) -> str:
    return base64.b64encode(json.dumps({"last_id": index}).encode()).decode()


def connection(items: list[Any], args: dict[str, Any]) -> dict[str, Any]:
    """A Relay connection over `items`, honouring first/last/after/before/reverse."""
    indexed = list(enumerate(items))
    if args.get("reverse"):
        indexed.reverse()

    def position(token: str | None) -> int | None:
        if not token:
            return None
        try:
            return json.loads(base64.b64decode(token))["last_id"]
        except (ValueError, KeyError, TypeError):
            return None

    after, before = position(args.get("after")), position(args.get("before"))
    if after is not None:
        cut = [i for i, (index, _) in enumerate(indexed) if index == after]
        indexed = indexed[cut[0] + 1 :] if cut else indexed
    if before is not None:
        cut = [i for i, (index, _) in enumerate(indexed) if index == before]
        indexed = indexed[: cut[0]] if cut else indexed
    total = len(indexed)
    if args.get("first") is not None:
        indexed = indexed[: args["first"]]
    if args.get("last") is not None:
        indexed = indexed[-args["last"] :] if args["last"] else []
    edges = [{"cursor": cursor(index), "node": node} for index, node in indexed]
    return {
        "edges": edges,
        "nodes": [edge["node"] for edge in edges],
        "pageInfo": {
            "hasNextPage": args.get("first") is not None and total > len(edges),
            "hasPreviousPage": args.get("last") is not None and total > len(edges),
            "startCursor": edges[0]["cursor"] if edges else None,
            "endCursor": edges[-1]["cursor"] if edges else None,
        },
    }


def empty_connection(_info: Any = None, **_args: Any) -> dict[str, Any]:
    return connection([], {})


def gid_tail(gid: str) -> str:
    return gid.rsplit("/", 1)[-1]


# --------------------------------------------------------------------------------------------
# State


class Bucket:
    """The leaky bucket: `available` points, refilled at `rate` per second up to `size`."""

    def __init__(self, size: float, rate: float) -> None:
        self.size = float(size)
        self.rate = float(rate)
        self.available = float(size)
        self.stamp = time.monotonic()

    def refill(self) -> None:
        now = time.monotonic()
        self.available = min(self.size, self.available + (now - self.stamp) * self.rate)
        self.stamp = now

    def set(self, available: float) -> None:
        self.refill()
        self.available = max(0.0, min(self.size, float(available)))

    def status(self) -> dict[str, Any]:
        # Captured bodies carry maximumAvailable and restoreRate as floats ("2000.0", "100.0")
        # and currentlyAvailable as an integer ("1999").
        return {
            "maximumAvailable": self.size,
            "currentlyAvailable": int(self.available),
            "restoreRate": self.rate,
        }


class Discount:
    """A stored amount-off code discount (the only kind the fake creates)."""

    def __init__(self, number: int, code_number: int, received: dict[str, Any], now: datetime):
        self.id = f"gid://shopify/DiscountCodeNode/{number}"
        self.redeem_code_id = f"gid://shopify/DiscountRedeemCode/{code_number}"
        self.received = copy.deepcopy(received)
        self.code: str = received["code"]
        self.title: str = received["title"]
        self.starts_at = parse_time(received["startsAt"])
        self.ends_at = parse_time(received["endsAt"]) if received.get("endsAt") else None
        self.created_at = now
        self.updated_at = now
        self.deactivated_at: datetime | None = None
        self.deleted_at: datetime | None = None

    def status(self, now: datetime) -> str:
        # Captured: status follows the time window — future startsAt is SCHEDULED, an endsAt
        # at or before now is EXPIRED (also straight after creation), anything else ACTIVE.
        if self.starts_at > now:
            return "SCHEDULED"
        if self.ends_at is not None and self.ends_at <= now:
            return "EXPIRED"
        return "ACTIVE"

    def control_view(self, now: datetime) -> dict[str, Any]:
        return {
            "id": self.id,
            "code": self.code,
            "input": self.received,
            "status": self.status(now),
            "starts_at": format_time(self.starts_at),
            "ends_at": format_time(self.ends_at),
            "created_at": format_time(self.created_at),
            "updated_at": format_time(self.updated_at),
            "deactivated_at": format_time(self.deactivated_at),
            "deleted_at": format_time(self.deleted_at),
        }


class State:
    """Everything the fake remembers; one lock guards it and whole requests run under it."""

    def __init__(self, options: argparse.Namespace) -> None:
        self.lock = threading.Lock()
        self.options = options
        self.legacy_token: str | None = options.access_token
        # Client credentials tokens: token -> expiry (time.time()).
        self.tokens: dict[str, float] = {}
        self.bucket = Bucket(options.bucket, options.restore_rate)
        self.reset()

    def reset(self, tokens: bool = False) -> None:
        self.discounts: list[Discount] = []
        self.next_number = 1
        self.requests: list[dict[str, Any]] = []
        self.invalid: list[dict[str, Any]] = []
        self.outage: dict[str, Any] | None = None
        self.bucket.set(self.bucket.size)
        if tokens:
            self.tokens.clear()

    # Tokens

    def issue_token(self) -> str:
        token = self.options.token_prefix + secrets.token_hex(16)
        self.tokens[token] = time.time() + self.options.token_seconds
        return token

    def token_valid(self, token: str | None) -> bool:
        if not token:
            return False
        if self.legacy_token is not None and secrets.compare_digest(token, self.legacy_token):
            return True
        expiry = self.tokens.get(token)
        return expiry is not None and time.time() < expiry

    # Discounts

    def live_discounts(self) -> list[Discount]:
        return [d for d in self.discounts if d.deleted_at is None]

    def by_id(self, gid: str) -> Discount | None:
        return next((d for d in self.live_discounts() if d.id == gid), None)

    def by_code(self, code: str) -> Discount | None:
        # Schema: codeDiscountNodeByCode "is case-insensitive". Uniqueness uses the same rule
        # (the docs do not say whether uniqueness is case-insensitive; this assumes it is).
        wanted = code.casefold()
        return next((d for d in self.live_discounts() if d.code.casefold() == wanted), None)

    def add_discount(self, received: dict[str, Any]) -> Discount:
        number = self.next_number
        self.next_number += 1
        discount = Discount(number, number, received, now_utc())
        self.discounts.append(discount)
        return discount


# --------------------------------------------------------------------------------------------
# GraphQL objects (plain dicts; `__typename` picks the member of a union or interface)


def user_error(field: list[str] | None, message: str, code: str | None) -> dict[str, Any]:
    return {"field": field, "message": message, "code": code, "extraInfo": None}


def customer_object(gid: str) -> dict[str, Any]:
    # Only the id is known to the fake; other non-null Customer fields answer an error if asked.
    return {"__typename": "Customer", "id": gid, "legacyResourceId": gid_tail(gid)}


def context_objects(received: dict[str, Any]) -> tuple[dict[str, Any], dict[str, Any]]:
    """The DiscountContext and the deprecated DiscountCustomerSelection for an input."""
    context = received.get("context") or {}
    selection = received.get("customerSelection") or {}
    customers = (context.get("customers") or selection.get("customers") or {}).get("add") or []
    segments = (
        (context.get("customerSegments") or selection.get("customerSegments") or {}).get("add")
        or []
    )
    markets = (context.get("markets") or {}).get("add") or []
    if customers:
        both = {"__typename": "DiscountCustomers", "customers": [customer_object(c) for c in customers]}
        return both, both
    if segments:
        both = {
            "__typename": "DiscountCustomerSegments",
            "segments": [{"__typename": "Segment", "id": s} for s in segments],
        }
        return both, both
    all_buyers = {"__typename": "DiscountBuyerSelectionAll", "all": "ALL"}
    all_customers = {"__typename": "DiscountCustomerAll", "allCustomers": True}
    if markets:
        nodes = [{"__typename": "Market", "id": m} for m in markets]
        return (
            {
                "__typename": "DiscountMarkets",
                "markets": lambda _info, **args: connection(nodes, args),
                "marketsCount": len(nodes),
            },
            all_customers,
        )
    # context {all: ALL}, customerSelection {all: true}, or (docs silent) neither given.
    return all_buyers, all_customers


def items_object(items: dict[str, Any]) -> dict[str, Any]:
    if items.get("all"):
        return {"__typename": "AllDiscountItems", "allItems": True}
    collections = (items.get("collections") or {}).get("add") or []
    if collections:
        nodes = [{"__typename": "Collection", "id": c} for c in collections]
        return {
            "__typename": "DiscountCollections",
            "collections": lambda _info, **args: connection(nodes, args),
        }
    products = items.get("products") or {}
    product_nodes = [{"__typename": "Product", "id": p} for p in products.get("productsToAdd") or []]
    variant_nodes = [
        {"__typename": "ProductVariant", "id": v} for v in products.get("productVariantsToAdd") or []
    ]
    return {
        "__typename": "DiscountProducts",
        "products": lambda _info, **args: connection(product_nodes, args),
        "productVariants": lambda _info, **args: connection(variant_nodes, args),
    }


def summary(received: dict[str, Any], currency: str) -> str:
    """Roughly Shopify's wording (captured: "$5.00 off one-time purchase products • Minimum
    purchase of $2.00"); the exact text is not documented and is only approximated."""
    value = (received.get("customerGets") or {}).get("value") or {}
    if value.get("discountAmount"):
        amount = decimal.Decimal(str(value["discountAmount"].get("amount") or 0))
        head = f"{amount:.2f} {currency} off"
    else:
        head = f"{decimal.Decimal(str(value.get('percentage') or 0)) * 100:g}% off"
    items = (received.get("customerGets") or {}).get("items") or {}
    parts = [f"{head} {'entire order' if items.get('all') else 'selected products'}"]
    if received.get("appliesOncePerCustomer"):
        parts.append("One use per customer")
    if received.get("usageLimit"):
        limit = received["usageLimit"]
        parts.append(f"Limit of {limit} use{'' if limit == 1 else 's'}")
    return " • ".join(parts)


def basic_object(d: Discount, currency: str) -> dict[str, Any]:
    received = d.received
    now = now_utc()
    gets = received.get("customerGets") or {}
    value = gets.get("value") or {}
    if value.get("discountAmount") is not None:
        value_object: dict[str, Any] = {
            "__typename": "DiscountAmount",
            "amount": {
                "amount": money_amount(value["discountAmount"].get("amount") or 0),
                "currencyCode": currency,
            },
            "appliesOnEachItem": bool(value["discountAmount"].get("appliesOnEachItem")),
        }
    else:
        value_object = {"__typename": "DiscountPercentage", "percentage": value.get("percentage")}
    items = gets.get("items") or {}
    klass = "ORDER" if items.get("all") else "PRODUCT"
    minimum = received.get("minimumRequirement") or {}
    if (minimum.get("subtotal") or {}).get("greaterThanOrEqualToSubtotal") is not None:
        minimum_object: dict[str, Any] | None = {
            "__typename": "DiscountMinimumSubtotal",
            "greaterThanOrEqualToSubtotal": {
                "amount": money_amount(minimum["subtotal"]["greaterThanOrEqualToSubtotal"]),
                "currencyCode": currency,
            },
        }
    elif (minimum.get("quantity") or {}).get("greaterThanOrEqualToQuantity") is not None:
        minimum_object = {
            "__typename": "DiscountMinimumQuantity",
            "greaterThanOrEqualToQuantity": str(minimum["quantity"]["greaterThanOrEqualToQuantity"]),
        }
    else:
        minimum_object = None
    combines = received.get("combinesWith") or {}
    context, customer_selection = context_objects(received)
    redeem_code = {
        "__typename": "DiscountRedeemCode",
        "id": d.redeem_code_id,
        "code": d.code,
        "asyncUsageCount": 0,
        "createdBy": None,
    }
    text = summary(received, currency)
    return {
        "__typename": "DiscountCodeBasic",
        "title": d.title,
        "status": d.status(now),
        "summary": text,
        "shortSummary": text.split(" • ")[0],
        "startsAt": format_time(d.starts_at),
        "endsAt": format_time(d.ends_at),
        "createdAt": format_time(d.created_at),
        "updatedAt": format_time(d.updated_at),
        "usageLimit": received.get("usageLimit"),
        "appliesOncePerCustomer": bool(received.get("appliesOncePerCustomer")),
        "asyncUsageCount": 0,
        "codes": lambda _info, **args: connection([redeem_code], args),
        "codesCount": {"count": 1, "precision": "EXACT"},
        "combinesWith": {
            "orderDiscounts": bool(combines.get("orderDiscounts")),
            "productDiscounts": bool(combines.get("productDiscounts")),
            "shippingDiscounts": bool(combines.get("shippingDiscounts")),
            "productDiscountsWithTagsOnSameCartLine": None,
        },
        "context": context,
        "customerSelection": customer_selection,
        "customerGets": {
            "value": value_object,
            "items": items_object(items),
            # Captured: omitted flags come back as one-time purchase true, subscription false.
            "appliesOnOneTimePurchase": gets.get("appliesOnOneTimePurchase", True) is not False,
            "appliesOnSubscription": bool(gets.get("appliesOnSubscription")),
        },
        "discountClass": klass,
        "discountClasses": [klass],
        "hasTimelineComment": False,
        "minimumRequirement": minimum_object,
        "recurringCycleLimit": received.get("recurringCycleLimit"),
        "shareableUrls": [],
        "tags": received.get("tags") or [],
        "totalSales": None,
    }


def node_object(d: Discount, currency: str) -> dict[str, Any]:
    return {
        "__typename": "DiscountCodeNode",
        "id": d.id,
        "codeDiscount": lambda _info: basic_object(d, currency),
        "discount": lambda _info: basic_object(d, currency),  # DiscountNode.discount
        "events": empty_connection,
        "metafield": lambda _info, **_args: None,
        "metafields": empty_connection,
        "metafieldDefinitions": empty_connection,
    }


def shop_object(currency: str) -> dict[str, Any]:
    """A plausible shop; scalar fields are filled so simple selections never fail."""
    created = "2024-01-01T00:00:00Z"
    return {
        "__typename": "Shop",
        "id": "gid://shopify/Shop/1",
        "name": "Fake Shop",
        "email": "shop@example.com",
        "contactEmail": "shop@example.com",
        "shopOwnerName": "Fake Owner",
        "description": None,
        "currencyCode": currency,
        "enabledPresentmentCurrencies": [currency],
        "myshopifyDomain": "fake-shop.myshopify.com",
        "url": "https://fake-shop.myshopify.com",
        "storefrontUrl": "https://fake-shop.myshopify.com",
        "richTextEditorUrl": "https://fake-shop.myshopify.com/admin/rich_text_editor",
        "ianaTimezone": "Etc/UTC",
        "timezoneAbbreviation": "UTC",
        "timezoneOffset": "+0000",
        "timezoneOffsetMinutes": 0,
        "createdAt": created,
        "updatedAt": created,
        "taxesIncluded": True,
        "taxShipping": False,
        "checkoutApiSupported": True,
        "setupRequired": False,
        "transactionalSmsDisabled": False,
        "marketingSmsConsentEnabledAtCheckout": False,
        "orderNumberFormatPrefix": "#",
        "orderNumberFormatSuffix": "",
        "publicationCount": 0,
        "shipsToCountries": [],
        "unitSystem": "METRIC_SYSTEM",
        "weightUnit": "KILOGRAMS",
        "analyticsToken": "0" * 32,
        "metafield": lambda _info, **_args: None,
        "metafields": empty_connection,
    }


# --------------------------------------------------------------------------------------------
# Resolvers


def validate_basic_input(received: dict[str, Any], state: State) -> list[dict[str, Any]]:
    """DiscountUserErrors for discountCodeBasicCreate. Messages and codes are captured from a
    real store unless a comment says otherwise; all problems are reported together."""
    errors = []

    def at(*path: str) -> list[str]:
        return ["basicCodeDiscount", *path]

    if received.get("context") is not None and received.get("customerSelection") is not None:
        errors.append(
            user_error(at("context"), "Only one of context or customerSelection can be provided.", "INVALID")
        )
    title = received.get("title")
    if title is None or not title.strip():
        errors.append(user_error(at("title"), "Title can't be blank", "BLANK"))
    elif len(title) > 255:
        errors.append(user_error(at("title"), "Title is too long (maximum is 255 characters)", "TOO_LONG"))
    code = received.get("code")
    code_ok = False
    if code is None:
        errors.append(user_error(at("code"), "Code can't be blank", "BLANK"))
    elif code == "":
        errors.append(user_error(at("code"), "Code is too short (minimum is 1 character)", "TOO_SHORT"))
    elif "\n" in code or "\r" in code:
        errors.append(user_error(at("code"), "Code cannot contain newline characters.", "INVALID"))
    elif len(code) > 255:
        errors.append(user_error(at("code"), "Code is too long (maximum is 255 characters)", "TOO_LONG"))
    else:
        code_ok = True
    starts_at = received.get("startsAt")
    if starts_at is None:
        errors.append(user_error(at("startsAt"), "Starts at can't be blank", "BLANK"))
    ends_at = received.get("endsAt")
    if starts_at is not None and ends_at is not None and parse_time(ends_at) <= parse_time(starts_at):
        errors.append(user_error(at("endsAt"), "Ends at needs to be after starts_at", "INVALID"))
    gets = received.get("customerGets")
    value = (gets or {}).get("value")
    if gets is None or value is None or not any(v is not None for v in value.values()):
        # The docs list customerGets as required on create but print no error for its absence;
        # this message is the fake's own.
        errors.append(user_error(at("customerGets"), "Customer gets can't be blank", "BLANK"))
    else:
        if value.get("discountOnQuantity") is not None:
            errors.append(
                user_error(
                    at("customerGets", "value", "discountOnQuantity"),
                    "discountOnQuantity field is only permitted with bxgy discounts.",
                    "INVALID",
                )
            )
        percentage = value.get("percentage")
        if percentage is not None and not 0.0 <= percentage <= 1.0:
            errors.append(
                user_error(
                    at("customerGets", "value", "percentage"),
                    "Value must be between 0.0 and 1.0",
                    "VALUE_OUTSIDE_RANGE",
                )
            )
        amount = (value.get("discountAmount") or {}).get("amount")
        # Captured: a zero amount is accepted; a negative one is refused with this (odd) text,
        # because Shopify stores the value negated.
        if amount is not None and decimal.Decimal(str(amount)) < 0:
            errors.append(
                user_error(
                    at("customerGets", "value", "discountAmount", "amount"),
                    "Value must be less than or equal to 0",
                    "LESS_THAN_OR_EQUAL_TO",
                )
            )
    if gets is not None and not (gets.get("items") or {}):
        # Not documented either; the fake's own message.
        errors.append(user_error(at("customerGets", "items"), "Items can't be blank", "BLANK"))
    usage_limit = received.get("usageLimit")
    if usage_limit is not None and usage_limit <= 0:
        errors.append(user_error(at("usageLimit"), "Usage limit must be greater than 0", "GREATER_THAN"))
    if code_ok and state.by_code(code) is not None:
        errors.append(
            user_error(at("code"), "Code must be unique. Please try a different code.", "TAKEN")
        )
    return errors


def unknown_code_discount() -> list[dict[str, Any]]:
    # Captured (2026-04) for discountCodeActivate/Deactivate/Delete with an unknown id.
    return [user_error(["id"], "Code discount does not exist.", "INVALID")]


def resolve_shop(info: Any) -> dict[str, Any]:
    return shop_object(info.context.options.currency)


def resolve_code_by_code(info: Any, code: str) -> dict[str, Any] | None:
    d = info.context.by_code(code)
    return None if d is None else node_object(d, info.context.options.currency)


def resolve_code_node(info: Any, id: str) -> dict[str, Any] | None:  # noqa: A002
    d = info.context.by_id(id)
    return None if d is None else node_object(d, info.context.options.currency)


def resolve_basic_create(info: Any, basicCodeDiscount: dict[str, Any]) -> dict[str, Any]:  # noqa: N803
    state: State = info.context
    value = (basicCodeDiscount.get("customerGets") or {}).get("value") or {}
    kinds = [k for k in ("percentage", "discountOnQuantity", "discountAmount") if value.get(k) is not None]
    if len(kinds) > 1:
        # Captured: a top-level error, the payload null, cost still charged.
        raise GraphQLError(
            "A discount can only have one of percentage, discountOnQuantity or discountAmount.",
            extensions={"code": "BAD_REQUEST"},
        )
    errors = validate_basic_input(basicCodeDiscount, state)
    if errors:
        return {"codeDiscountNode": None, "userErrors": errors}
    d = state.add_discount(basicCodeDiscount)
    return {"codeDiscountNode": node_object(d, state.options.currency), "userErrors": []}


def resolve_deactivate(info: Any, id: str) -> dict[str, Any]:  # noqa: A002
    state: State = info.context
    d = state.by_id(id)
    if d is None:
        return {"codeDiscountNode": None, "userErrors": unknown_code_discount()}
    now = now_utc()
    # Captured: deactivating sets endsAt to now (and a future startsAt to now too), so the status
    # reads EXPIRED; deactivating an expired discount changes nothing.
    if d.status(now) != "EXPIRED":
        if d.starts_at > now:
            d.starts_at = now
        d.ends_at = now
        d.deactivated_at = now
        d.updated_at = now
    return {"codeDiscountNode": node_object(d, state.options.currency), "userErrors": []}


def resolve_activate(info: Any, id: str) -> dict[str, Any]:  # noqa: A002
    state: State = info.context
    d = state.by_id(id)
    if d is None:
        return {"codeDiscountNode": None, "userErrors": unknown_code_discount()}
    now = now_utc()
    # Captured: activating an expired discount clears endsAt; activating an active one is a no-op.
    # What it does to a SCHEDULED one is not documented; it is left scheduled here.
    if d.status(now) == "EXPIRED":
        d.ends_at = None
        d.deactivated_at = None
        d.updated_at = now
    return {"codeDiscountNode": node_object(d, state.options.currency), "userErrors": []}


def resolve_delete(info: Any, id: str) -> dict[str, Any]:  # noqa: A002
    state: State = info.context
    d = state.by_id(id)
    if d is None:
        return {"deletedCodeDiscountId": None, "userErrors": unknown_code_discount()}
    d.deleted_at = now_utc()
    return {"deletedCodeDiscountId": d.id, "userErrors": []}


ROOT: dict[str, Callable[..., Any]] = {
    "shop": resolve_shop,
    "codeDiscountNodeByCode": resolve_code_by_code,
    "codeDiscountNode": resolve_code_node,
    "discountCodeBasicCreate": resolve_basic_create,
    "discountCodeDeactivate": resolve_deactivate,
    "discountCodeActivate": resolve_activate,
    "discountCodeDelete": resolve_delete,
}


def field_resolver(source: Any, info: Any, **args: Any) -> Any:
    if info.parent_type in (info.schema.query_type, info.schema.mutation_type):
        if info.field_name not in ROOT and not info.field_name.startswith("__"):
            raise GraphQLError(
                f"The Shopify fake does not implement {info.parent_type.name}.{info.field_name}.",
                extensions={"code": "NOT_IMPLEMENTED_IN_FAKE"},
            )
    return default_field_resolver(source, info, **args)


# --------------------------------------------------------------------------------------------
# Documents: validation, variables, cost


class Checked:
    """A parsed and validated document (cached by its text)."""

    def __init__(self, document: graphql.DocumentNode | None, errors: list[dict[str, Any]]):
        self.document = document
        self.errors = errors


def format_error(error: GraphQLError, code: str | None = None, **extensions: Any) -> dict[str, Any]:
    formatted = dict(error.formatted)
    merged = dict(formatted.get("extensions") or {})
    if code is not None:
        merged["code"] = code
    merged.update(extensions)
    if merged:
        formatted["extensions"] = merged
    return formatted


def check_document(schema: GraphQLSchema, query: str) -> Checked:
    try:
        document = parse(query)
    except GraphQLError as error:
        return Checked(None, [format_error(error, "PARSE_ERROR")])
    errors = validate(schema, document)
    if not errors:
        return Checked(document, [])
    codes: dict[str, str] = {}
    for rule in specified_rules:
        for error in validate(schema, document, [rule]):
            codes.setdefault(error.message, RULE_CODES.get(rule.__name__, "validationError"))
    return Checked(document, [format_error(e, codes.get(e.message, "validationError")) for e in errors])


def coerce_variables(
    schema: GraphQLSchema, operation: OperationDefinitionNode, raw: dict[str, Any]
) -> tuple[dict[str, Any] | None, list[dict[str, Any]]]:
    """Coerces variables with graphql-core; refusals carry Shopify's INVALID_VARIABLE extension
    shape (captured: {"code", "value", "problems": [{"path", "explanation"}]})."""
    definitions = operation.variable_definitions or []
    result = get_variable_values(schema, definitions, raw)
    if not isinstance(result, list):
        return result, []
    # Walk the definitions again the way graphql-core does, to learn each problem's path.
    problems: list[tuple[str, list[Any], str]] = []
    for definition in definitions:
        name = definition.variable.name.value
        var_type = type_from_ast(schema, definition.type)
        if var_type is None or not is_input_type(var_type):
            problems.append((name, [], "Variable type cannot be used as an input type"))
            continue
        if name not in raw:
            if not definition.default_value and is_non_null_type(var_type):
                problems.append((name, [], "Expected value to not be null"))
            continue
        if raw[name] is None and is_non_null_type(var_type):
            problems.append((name, [], "Expected value to not be null"))
            continue

        def on_error(path: list[Any], _invalid: Any, error: GraphQLError, name: str = name) -> None:
            problems.append((name, list(path), error.message))

        coerce_input_value(raw[name], var_type, on_error)
    errors = []
    for index, error in enumerate(result):
        extensions: dict[str, Any] = {}
        if len(problems) == len(result):
            name, path, explanation = problems[index]
            extensions = {
                "value": raw.get(name),
                "problems": [{"path": path, "explanation": explanation}],
            }
        errors.append(format_error(error, "INVALID_VARIABLE", **extensions))
    return None, errors


def _page_size(field: FieldNode, variables: dict[str, Any]) -> int:
    for argument in field.arguments or []:
        if argument.name.value in ("first", "last"):
            node = argument.value
            if isinstance(node, IntValueNode):
                return int(node.value)
            if isinstance(node, VariableNode):
                value = variables.get(node.name.value)
                if isinstance(value, int):
                    return value
    return 1  # Shopify requires first or last on connections; the fake charges one slot


def _is_connection(type_: Any) -> bool:
    return (
        isinstance(type_, GraphQLObjectType)
        and type_.name.endswith("Connection")
        and "pageInfo" in type_.fields
    )


class CostCounter:
    def __init__(self, schema: GraphQLSchema, fragments: dict[str, FragmentDefinitionNode], variables: dict[str, Any]):
        self.schema = schema
        self.fragments = fragments
        self.variables = variables

    def _fields(self, selection_set: SelectionSetNode | None, condition: str | None = None, seen: frozenset[str] = frozenset()):
        for selection in (selection_set.selections if selection_set else []):
            if isinstance(selection, FieldNode):
                yield condition, selection
            elif isinstance(selection, InlineFragmentNode):
                inner = selection.type_condition.name.value if selection.type_condition else condition
                yield from self._fields(selection.selection_set, inner, seen)
            elif isinstance(selection, FragmentSpreadNode):
                name = selection.name.value
                fragment = self.fragments.get(name)
                if fragment is not None and name not in seen:
                    yield from self._fields(
                        fragment.selection_set, fragment.type_condition.name.value, seen | {name}
                    )

    def selection(self, parent: Any, selection_set: SelectionSetNode | None) -> int:
        if is_abstract_type(parent):
            common = 0
            branches: dict[str, int] = {}
            for condition, field in self._fields(selection_set):
                if condition is None or condition == parent.name:
                    common += self.field(parent, field)
                else:
                    target = self.schema.get_type(condition)
                    branches[condition] = branches.get(condition, 0) + self.field(target, field)
            return common + max(branches.values(), default=0)
        return sum(self.field(parent, field) for _, field in self._fields(selection_set))

    def field(self, parent: Any, field: FieldNode) -> int:
        name = field.name.value
        fields = getattr(parent, "fields", None) or {}
        if name.startswith("__") or name not in fields:
            return 0
        returned = get_named_type(fields[name].type)
        if is_leaf_type(returned):
            return 0
        if _is_connection(returned):
            return CONNECTION_BASE_COST + _page_size(field, self.variables) * self._node_cost(returned, field)
        return 1 + self.selection(returned, field.selection_set)

    def _node_cost(self, connection_type: GraphQLObjectType, field: FieldNode) -> int:
        cost = 0
        for _, child in self._fields(field.selection_set):
            if child.name.value == "nodes":
                node_type = get_named_type(connection_type.fields["nodes"].type)
                cost = max(cost, 1 + self.selection(node_type, child.selection_set))
            elif child.name.value == "edges":
                edge_type = get_named_type(connection_type.fields["edges"].type)
                for _, edge_child in self._fields(child.selection_set):
                    if edge_child.name.value == "node":
                        node_type = get_named_type(edge_type.fields["node"].type)
                        cost = max(cost, 1 + self.selection(node_type, edge_child.selection_set))
        return cost

    def operation(self, operation: OperationDefinitionNode) -> int:
        if operation.operation != OperationType.MUTATION:
            return self.selection(self.schema.query_type, operation.selection_set)
        mutation = self.schema.mutation_type
        total = 0
        for _, field in self._fields(operation.selection_set):
            name = field.name.value
            if name.startswith("__") or name not in mutation.fields:
                continue
            payload = get_named_type(mutation.fields[name].type)
            total += MUTATION_COST
            for _, child in self._fields(field.selection_set):
                cost = self.field(payload, child)
                child_type = payload.fields.get(child.name.value) if hasattr(payload, "fields") else None
                if (
                    cost
                    and child_type is not None
                    and not _is_connection(get_named_type(child_type.type))
                ):
                    cost -= 1  # the payload's own objects ride on the mutation's 10
                total += cost
        return total


def root_fields(document: graphql.DocumentNode | None, operation_name: str | None) -> list[str]:
    if document is None:
        return []
    operation = get_operation_ast(document, operation_name)
    if operation is None:
        return []
    return [s.name.value for s in operation.selection_set.selections if isinstance(s, FieldNode)]


# --------------------------------------------------------------------------------------------
# HTTP


class Answer:
    def __init__(self, status: int, body: Any, headers: dict[str, str] | None = None):
        self.status = status
        self.body = body
        self.headers = headers or {}


class Fake:
    def __init__(self, schema: GraphQLSchema, options: argparse.Namespace) -> None:
        self.schema = schema
        self.options = options
        self.state = State(options)
        self.checked: dict[str, Checked] = {}

    def checked_document(self, query: str) -> Checked:
        cached = self.checked.get(query)
        if cached is None:
            cached = check_document(self.schema, query)
            if len(self.checked) > 512:
                self.checked.clear()
            self.checked[query] = cached
        return cached

    # /admin/oauth/access_token

    def oauth(self, content_type: str, body: bytes) -> Answer:
        fields: dict[str, Any] = {}
        if content_type.startswith("application/json"):
            try:
                loaded = json.loads(body or b"{}")
                fields = loaded if isinstance(loaded, dict) else {}
            except ValueError:
                fields = {}
        else:
            fields = {k: v[-1] for k, v in parse_qs(body.decode("utf-8", "replace")).items()}
        # Docs: grant_type must be client_credentials; the answer is
        # {"access_token", "scope", "expires_in": 86399}. The docs print no error body for wrong
        # credentials. Shopify's OAuth endpoint answers errors as HTTP 400 with
        # {"error", "error_description"} (reported for the authorization code and client
        # credentials grants, e.g. "shop_not_permitted: Client credentials cannot be performed on
        # this shop."); the invalid_client wording below is the fake's own.
        if fields.get("grant_type") != "client_credentials":
            return Answer(400, {
                "error": "unsupported_grant_type",
                "error_description": "The authorization grant type is not supported by the authorization server.",
            })
        if not fields.get("client_id") or not fields.get("client_secret"):
            return Answer(400, {
                "error": "invalid_request",
                "error_description": "The request is missing a required parameter: client_id and client_secret.",
            })
        if not (
            secrets.compare_digest(str(fields["client_id"]), self.options.client_id)
            and secrets.compare_digest(str(fields["client_secret"]), self.options.client_secret)
        ):
            return Answer(400, {
                "error": "invalid_client",
                "error_description": "Client authentication failed due to unknown client or wrong client secret.",
            })
        token = self.state.issue_token()
        return Answer(200, {
            "access_token": token,
            "scope": SCOPE,
            "expires_in": self.options.token_seconds,
        })

    # /admin/api/{version}/graphql.json

    def graphql(self, token: str | None, content_type: str, body: bytes, entry: dict[str, Any]) -> Answer:
        state = self.state
        if not state.token_valid(token):
            entry["outcome"] = "unauthorized"
            self.note_operation(content_type, body, entry)
            return Answer(401, UNAUTHORIZED_BODY, dict(UNAUTHORIZED_HEADERS))

        query: Any = None
        variables: Any = None
        operation_name: Any = None
        if content_type.startswith("application/graphql"):
            query = body.decode("utf-8", "replace")
        else:
            try:
                payload = json.loads(body or b"null")
            except ValueError:
                payload = None
            if isinstance(payload, dict):
                query = payload.get("query")
                variables = payload.get("variables")
                operation_name = payload.get("operationName")
        if isinstance(variables, str) and variables.strip():
            try:
                variables = json.loads(variables)
            except ValueError:
                pass
        if not isinstance(query, str) or not query.strip() or not (
            variables is None or isinstance(variables, dict)
        ):
            # Reported by users (e.g. nozzlegear/ShopifySharp#1078): HTTP 400 with
            # {"errors": {"query": "Required parameter missing or invalid"}}.
            entry["outcome"] = "bad_request"
            self.remember_invalid(query, variables, [{"message": "Required parameter missing or invalid"}])
            return Answer(400, {"errors": {"query": "Required parameter missing or invalid"}})
        variables = variables or {}
        if not isinstance(operation_name, str) or not operation_name:
            operation_name = None

        checked = self.checked_document(query)
        entry["operation"] = root_fields(checked.document, operation_name)
        entry["operation_name"] = operation_name
        if checked.errors:
            return self.refuse(query, variables, checked.errors, entry)
        operation = get_operation_ast(checked.document, operation_name)
        if operation is None:
            message = (
                f"Unknown operation named '{operation_name}'."
                if operation_name
                else "Must provide operation name if query contains multiple operations."
            )
            return self.refuse(query, variables, [{"message": message}], entry)
        coerced, errors = coerce_variables(self.schema, operation, variables)
        if errors:
            return self.refuse(query, variables, errors, entry)
        entry["valid"] = True

        fragments = {
            d.name.value: d
            for d in checked.document.definitions
            if isinstance(d, FragmentDefinitionNode)
        }
        cost = CostCounter(self.schema, fragments, coerced or {}).operation(operation)
        state.bucket.refill()
        if cost > SINGLE_QUERY_MAX_COST:
            entry["outcome"] = "max_cost_exceeded"
            return Answer(200, {
                "errors": [{
                    "message": f"Query cost is {cost}, which exceeds the single query max cost limit ({SINGLE_QUERY_MAX_COST}).",
                    "extensions": {
                        "code": "MAX_COST_EXCEEDED",
                        "cost": cost,
                        "maxCost": SINGLE_QUERY_MAX_COST,
                        "documentation": "https://shopify.dev/api/usage/rate-limits",
                    },
                }],
            })
        if cost > state.bucket.available:
            entry["outcome"] = "throttled"
            entry["throttled"] = True
            return Answer(200, {
                "errors": [copy.deepcopy(THROTTLED_ERROR)],
                "extensions": {"cost": {
                    "requestedQueryCost": cost,
                    "actualQueryCost": None,
                    "throttleStatus": state.bucket.status(),
                }},
            })
        state.bucket.available -= cost

        result = execute(
            self.schema,
            checked.document,
            root_value=ROOT,
            context_value=state,
            variable_values=variables,
            operation_name=operation_name,
            field_resolver=field_resolver,
        )
        answer: dict[str, Any] = {}
        if result.errors:
            answer["errors"] = [format_error(e) for e in result.errors]
        answer["data"] = result.data
        answer["extensions"] = {"cost": {
            "requestedQueryCost": cost,
            "actualQueryCost": cost,
            "throttleStatus": state.bucket.status(),
        }}
        entry["outcome"] = "executed"
        return Answer(200, answer)

    def note_operation(self, content_type: str, body: bytes, entry: dict[str, Any]) -> None:
        """Best effort: the root fields of a request that is not going to be checked."""
        try:
            if content_type.startswith("application/graphql"):
                query, name = body.decode("utf-8", "replace"), None
            else:
                payload = json.loads(body or b"null")
                query, name = payload.get("query"), payload.get("operationName")
            entry["operation"] = root_fields(parse(query), name or None)
            entry["operation_name"] = name or None
        except Exception:  # noqa: BLE001 - only for the request log
            pass

    def remember_invalid(self, query: Any, variables: Any, errors: list[dict[str, Any]]) -> None:
        self.state.invalid.append({"query": query, "variables": variables, "errors": errors})

    def refuse(self, query: str, variables: Any, errors: list[dict[str, Any]], entry: dict[str, Any]) -> Answer:
        # Captured: static-validation and variable refusals are HTTP 200 with only "errors" (no
        # "data", no cost, nothing charged).
        entry["outcome"] = "invalid"
        self.remember_invalid(query, variables, errors)
        return Answer(200, {"errors": errors})

    # /_fake/...

    def control(self, method: str, path: str, body: bytes) -> Answer:
        state = self.state
        try:
            payload = json.loads(body) if body.strip() else {}
        except ValueError:
            return Answer(400, {"error": "body is not JSON"})
        if not isinstance(payload, dict):
            return Answer(400, {"error": "body must be a JSON object"})
        now = now_utc()
        if method == "GET" and path == "/_fake/discounts":
            return Answer(200, [d.control_view(now) for d in state.discounts])
        if method == "GET" and path == "/_fake/requests":
            return Answer(200, state.requests)
        if method == "GET" and path == "/_fake/invalid":
            return Answer(200, state.invalid)
        if method == "GET" and path == "/_fake/bucket":
            state.bucket.refill()
            return Answer(200, state.bucket.status())
        if method == "POST" and path == "/_fake/outage":
            count = int(payload.get("count", 1))
            if count == 0:
                state.outage = None
            else:
                state.outage = {
                    "status": int(payload.get("status", 503)),
                    "count": count,
                    "body": payload.get("body"),
                    "headers": payload.get("headers") or {},
                    "target": payload.get("target", "graphql"),
                }
            return Answer(200, {"outage": state.outage})
        if method == "POST" and path == "/_fake/bucket":
            if "available" not in payload:
                return Answer(400, {"error": "give {\"available\": points}"})
            state.bucket.set(float(payload["available"]))
            return Answer(200, state.bucket.status())
        if method == "POST" and path == "/_fake/expire-tokens":
            for token in state.tokens:
                state.tokens[token] = 0.0
            return Answer(200, {"expired": len(state.tokens)})
        if method == "POST" and path == "/_fake/reset":
            state.reset(tokens=bool(payload.get("tokens")))
            return Answer(200, {"reset": True})
        return Answer(404, {"error": f"no control {method} {path}"})

    def outage_answer(self, target: str) -> Answer | None:
        outage = self.state.outage
        if outage is None or outage["target"] not in (target, "all"):
            return None
        if outage["count"] > 0:
            outage["count"] -= 1
            if outage["count"] == 0:
                self.state.outage = None
        status = outage["status"]
        body = outage["body"]
        if body is None:
            # The body of a Shopify outage is not documented; a JSON error named after the status.
            body = {"errors": HTTPStatus(status).phrase if status in HTTPStatus._value2member_map_ else "Error"}
        return Answer(status, body, dict(outage["headers"]))


def make_handler(fake: Fake) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"
        server_version = "ShopifyAdminFake/1"

        def log_message(self, format: str, *args: Any) -> None:  # noqa: A002
            pass  # one line per request is written by `reply`

        def read_body(self) -> bytes:
            length = int(self.headers.get("Content-Length") or 0)
            return self.rfile.read(length) if length > 0 else b""

        def reply(self, answer: Answer, note: str = "") -> None:
            body = answer.body
            if isinstance(body, (bytes, str)):
                data = body.encode("utf-8") if isinstance(body, str) else body
                content_type = "text/plain; charset=utf-8"
            else:
                data = json.dumps(body, ensure_ascii=False, separators=(",", ":")).encode("utf-8")
                content_type = "application/json; charset=utf-8"
            self.send_response(answer.status)
            self.send_header("Content-Type", content_type)
            self.send_header("Content-Length", str(len(data)))
            self.send_header("X-Request-Id", str(uuid.uuid4()))
            for name, value in answer.headers.items():
                self.send_header(name, str(value))
            self.end_headers()
            self.wfile.write(data)
            log(f"{self.command} {self.path} {answer.status}{note}")

        def handle_any(self) -> None:
            path = urlsplit(self.path).path
            body = self.read_body()
            content_type = (self.headers.get("Content-Type") or "").lower()
            if path.startswith("/_fake/"):
                with fake.state.lock:
                    self.reply(fake.control(self.command, path, body))
                return
            match = GRAPHQL_PATH.match(path)
            if path == "/admin/oauth/access_token" and self.command == "POST":
                with fake.state.lock:
                    entry = self.entry(path)
                    answer = fake.outage_answer("oauth") or fake.oauth(content_type, body)
                    entry["status"] = answer.status
                    entry["outcome"] = entry.get("outcome") or ("token" if answer.status == 200 else "refused")
                    fake.state.requests.append(entry)
                self.reply(answer)
                return
            if match and self.command == "POST":
                if match.group(1) != API_VERSION:
                    # Only 2026-10 is served; other versions are 404 here. Real Shopify answers
                    # a retired version with the oldest supported one instead.
                    with fake.state.lock:
                        entry = self.entry(path)
                        entry.update(status=404, outcome="unknown_version")
                        fake.state.requests.append(entry)
                    self.reply(Answer(404, {"errors": "Not Found"}))
                    return
                with fake.state.lock:
                    entry = self.entry(path)
                    answer = fake.outage_answer("graphql")
                    if answer is not None:
                        entry["outcome"] = "outage"
                        fake.note_operation(content_type, body, entry)
                    else:
                        answer = fake.graphql(
                            self.headers.get("X-Shopify-Access-Token"), content_type, body, entry
                        )
                    entry["status"] = answer.status
                    fake.state.requests.append(entry)
                answer.headers.setdefault("X-Shopify-API-Version", API_VERSION)
                self.reply(answer, f" {entry.get('outcome')} {','.join(entry.get('operation') or [])}")
                return
            self.reply(Answer(404, {"errors": "Not Found"}))

        def entry(self, path: str) -> dict[str, Any]:
            return {
                "path": path,
                "operation": [],
                "operation_name": None,
                "status": None,
                "throttled": False,
                "valid": False,
                "outcome": None,
                "at": datetime.now(timezone.utc).isoformat(timespec="milliseconds"),
            }

        do_GET = do_POST = do_PUT = do_DELETE = do_PATCH = handle_any

    return Handler


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--schema", required=True, help="admin_2026-10.json(.gz) introspection result")
    parser.add_argument("--port", type=int, default=0)
    parser.add_argument("--client-id", required=True)
    parser.add_argument("--client-secret", required=True)
    parser.add_argument("--access-token", default=None, help="an extra token that never expires")
    parser.add_argument("--token-seconds", type=int, default=86399)
    parser.add_argument(
        "--token-prefix",
        default="shpca_",
        help="prefix of issued tokens (tokens are opaque; Shopify's own examples vary)",
    )
    parser.add_argument("--currency", default="EUR")
    parser.add_argument("--bucket", type=float, default=2000.0)
    parser.add_argument("--restore-rate", type=float, default=100.0)
    options = parser.parse_args(argv)

    schema = load_schema(options.schema)
    currencies = schema.get_type("CurrencyCode")
    if currencies is not None and options.currency not in currencies.values:  # type: ignore[union-attr]
        raise SystemExit(f"--currency {options.currency} is not a CurrencyCode")
    fake = Fake(schema, options)
    server = ThreadingHTTPServer(("127.0.0.1", options.port), make_handler(fake))
    server.daemon_threads = True
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(0))
    print(f"listening on http://127.0.0.1:{server.server_address[1]}", flush=True)
    try:
        server.serve_forever(poll_interval=0.2)
    except KeyboardInterrupt:
        pass
    finally:
        server.server_close()


if __name__ == "__main__":
    main()
