"""Our log lines join Lambda's: every request line carries the id of the invocation it ran in.

Lambda writes `START RequestId: <id>` and `REPORT RequestId: <id>` around each invocation; the
HTTP functions log one JSON line per request whose `request_id` must be that same id, and
deliver-outbox one line per delivery attempt whose span carries it, so a search for one finds
the other.
"""

from __future__ import annotations

import json
import re

_PLATFORM_LINE = re.compile(r"^(?:START|END|REPORT) RequestId: (?P<id>[0-9a-f-]{36})\b")


# Our one line per unit of work: an HTTP request, or an outbox delivery attempt.
_WORK_MESSAGES = frozenset({"request", "outbox delivery attempt"})


def _invocation_id(entry: dict) -> str | None:
    span = entry.get("span")
    return entry.get("request_id") or (span.get("requestId") if isinstance(span, dict) else None)


def unjoined_requests(lines: list[str]) -> tuple[int, list[str]]:
    """How many work lines there are, and those whose request id no platform line has."""
    platform_ids = {m["id"] for line in lines if (m := _PLATFORM_LINE.match(line))}
    work = []
    for line in lines:
        try:
            entry = json.loads(line)
        except ValueError:
            continue
        if isinstance(entry, dict) and entry.get("message") in _WORK_MESSAGES:
            work.append(entry)
    unjoined = [json.dumps(w) for w in work if _invocation_id(w) not in platform_ids]
    return len(work), unjoined
