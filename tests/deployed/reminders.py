"""A due survey reminder, sent by deliver-outbox's scheduled sweep on the deployed stack.

The deployed stack's clock cannot be moved, so the survey's reminder step (written with the
survey, due SURVEY_REMINDER_DAYS later) is made due now instead: its due time, and nothing else,
is set to the present, as four days passing would. From there the product runs as deployed: the
EventBridge schedule invokes deliver-outbox, whose sweep finds the step on the outbox index,
reads the survey with the function's own role, writes the reminder mail in one transaction with
the step's settlement, and the table's stream brings the mail to SES.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from datetime import datetime, timezone
from typing import Any

from function_urls import FunctionUrls
from product import Endpoints, Keys, Mailbox, eventually, expect, expect_status
from stack import DeployedStack

# The schedule runs every minute; a sweep, the stream and SES follow within seconds.
SWEEP_SECONDS = 100.0
RITA = "rita@example.com"


def now_stamp() -> str:
    """The stores' timestamp format: RFC 3339 in UTC with milliseconds."""
    return datetime.now(timezone.utc).isoformat(timespec="milliseconds").replace("+00:00", "Z")


class ReminderRun:
    def __init__(
        self,
        client: Callable[[str], Any],
        deployed: DeployedStack,
        urls: FunctionUrls,
        endpoints: Endpoints,
        mailbox: Mailbox,
        keys: Keys,
        log: Callable[[str], None],
    ) -> None:
        self.dynamodb = client("dynamodb")
        self.table = deployed.resources["Table"]
        self.urls = urls
        self.at = endpoints
        self.mailbox = mailbox
        self.keys = keys
        self.log = log

    def run(self) -> None:
        request = {"order_id": "o-remind", "customer_id": "rita", "email": RITA, "locale": "en"}
        sent = expect_status(
            self.urls.post_json(self.at.collect_survey + "surveys", request, key=self.keys.storefront),
            201,
            "POST /surveys",
        ).json()
        expect(sent["status"] == "sent", f"the survey is sent: {sent}")
        eventually(lambda: expect(len(self.mailbox.to(RITA)) == 1, "the survey mail to Rita"))
        step = self.pending_step()
        expect(step["created_at"]["S"] > now_stamp(), f"the reminder waits until it is due: {step}")

        due = now_stamp()
        self.dynamodb.update_item(
            TableName=self.table,
            Key={"PK": step["PK"], "SK": step["SK"]},
            UpdateExpression="SET created_at = :due, next_attempt_at = :due, outbox_at = :due",
            ExpressionAttributeValues={":due": {"S": due}},
        )
        started = time.monotonic()

        def reminded() -> dict[str, Any]:
            mails = [m for m in self.mailbox.to(RITA) if "one question, one click" in (m.get("Subject") or "")]
            expect(len(mails) == 1, f"one reminder to Rita, got {len(mails)}")
            return mails[0]

        mail = eventually(reminded, timeout=SWEEP_SECONDS)
        expect("?score=10" in (mail.get("BodyText") or ""), "the reminder carries the one-click links")
        settled = self.dynamodb.get_item(
            TableName=self.table, Key={"PK": step["PK"], "SK": step["SK"]}, ConsistentRead=True
        )["Item"]
        expect(settled["status"]["S"] == "delivered", f"the step is settled: {settled['status']}")
        self.log(
            f"deliver-outbox: the due reminder went out {time.monotonic() - started:.0f} s after it "
            "became due, through the scheduled sweep"
        )

    def pending_step(self) -> dict[str, Any]:
        """The survey's reminder step, found as the sweep finds it: on the outbox index."""
        items = self.dynamodb.query(
            TableName=self.table,
            IndexName="outbox",
            KeyConditionExpression="outbox_status = :pending",
            ExpressionAttributeValues={":pending": {"S": "pending"}},
        )["Items"]
        steps = [
            i for i in items
            if i.get("kind", {}).get("S") == "survey_reminder" and i["reference"]["S"] == "order:o-remind"
        ]
        expect(len(steps) == 1, f"one reminder step pending for the survey, got {len(steps)}")
        return steps[0]
