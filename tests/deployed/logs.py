"""Our log lines join Lambda's: every request line carries the id of the invocation it ran in.

Lambda writes `START RequestId: <id>` and `REPORT RequestId: <id>` around each invocation; the
functions log one JSON line per request whose `request_id` must be that same id, so a search for
one finds the other.
"""

from __future__ import annotations

import json
import re

_PLATFORM_LINE = re.compile(r"^(?:START|END|REPORT) RequestId: (?P<id>[0-9a-f-]{36})\b")


def unjoined_requests(lines: list[str]) -> tuple[int, list[str]]:
    """How many request lines there are, and those whose request id no platform line has."""
    platform_ids = {m["id"] for line in lines if (m := _PLATFORM_LINE.match(line))}
    requests = []
    for line in lines:
        try:
            entry = json.loads(line)
        except ValueError:
            continue
        if isinstance(entry, dict) and entry.get("message") == "request":
            requests.append(entry)
    unjoined = [json.dumps(r) for r in requests if r.get("request_id") not in platform_ids]
    return len(requests), unjoined
