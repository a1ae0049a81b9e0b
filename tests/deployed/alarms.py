"""The deployed stack's alarms, checked against docs/runbook.md and driven by a real failure.

Every alarm the stack creates must be a row of the runbook's table (metric, dimension, statistic,
period, threshold, missing data) and name a section of it. Then a webhook receiver refuses an
event for good (410): the failed-messages alarm must go to ALARM and a subscriber of the alarm
topic (an SQS queue) must hear it; the runbook's fix (the receiver accepts again, the message is
requeued) must bring it back to OK, heard too.

CloudWatch turns deliver-outbox's embedded-metric-format log lines into metrics; the emulator does
not, so `EmfBridge` does that step: it reads the function's log group and puts each line's
metrics with the line's own timestamp and dimensions, as CloudWatch would.
"""

from __future__ import annotations

import json
import re
import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timezone
from pathlib import Path
from typing import Any

from function_urls import FunctionUrls
from product import Endpoints, Keys, StepFailed, eventually, expect, expect_status
from receiver import Receiver
from stack import DeployedStack

RUNBOOK = Path(__file__).resolve().parents[2] / "docs" / "runbook.md"
FAILED_MESSAGES = "outbox-failed-messages"


@dataclass(frozen=True)
class Documented:
    """One row of the runbook's table."""

    suffix: str
    namespace: str
    metric: str
    dimension: str
    statistic: str
    period: str
    fires_when: str
    missing_data: str


def documented_alarms(text: str) -> dict[str, Documented]:
    rows = {}
    for line in text.splitlines():
        cells = [cell.strip().strip("`") for cell in line.strip().strip("|").split("|")]
        if len(cells) != 8 or not cells[0].startswith("<stack>-"):
            continue
        row = Documented(cells[0].removeprefix("<stack>-"), *cells[1:])
        rows[row.suffix] = row
    return rows


def anchors(text: str) -> set[str]:
    """GitHub's anchors of the runbook's headings."""
    return {
        re.sub(r"[^a-z0-9 -]", "", heading.lower()).replace(" ", "-")
        for heading in re.findall(r"^#+ (.+)$", text, re.M)
    }


class EmfBridge:
    """CloudWatch's part: each EMF line of the log group becomes its metrics, once."""

    def __init__(self, client: Callable[[str], Any], log_group: str) -> None:
        self.logs = client("logs")
        self.cloudwatch = client("cloudwatch")
        self.log_group = log_group
        self.seen: set[tuple[int, str]] = set()

    @staticmethod
    def document(message: str) -> dict[str, Any] | None:
        try:
            parsed = json.loads(message)
        except ValueError:
            return None
        if isinstance(parsed, dict) and isinstance(parsed.get("message"), str) and "_aws" not in parsed:
            return EmfBridge.document(parsed["message"])
        return parsed if isinstance(parsed, dict) and "_aws" in parsed else None

    def forward(self) -> list[dict[str, Any]]:
        """Puts the metrics of every line not forwarded yet; returns their documents."""
        forwarded = []
        paginator = self.logs.get_paginator("filter_log_events")
        for page in paginator.paginate(logGroupName=self.log_group):
            for event in page["events"]:
                key = (event["timestamp"], event["message"])
                document = self.document(event["message"])
                if key in self.seen or document is None:
                    continue
                self.seen.add(key)
                self.put(document)
                forwarded.append(document)
        return forwarded

    def put(self, document: dict[str, Any]) -> None:
        at = datetime.fromtimestamp(document["_aws"]["Timestamp"] / 1000, tz=timezone.utc)
        for directive in document["_aws"]["CloudWatchMetrics"]:
            dimensions = [
                {"Name": name, "Value": str(document[name])}
                for names in directive["Dimensions"]
                for name in names
            ]
            self.cloudwatch.put_metric_data(
                Namespace=directive["Namespace"],
                MetricData=[
                    {
                        "MetricName": metric["Name"],
                        "Dimensions": dimensions,
                        "Timestamp": at,
                        "Value": float(document[metric["Name"]]),
                        "Unit": metric.get("Unit", "None"),
                    }
                    for metric in directive["Metrics"]
                ],
            )


class AlarmRun:
    def __init__(
        self,
        client: Callable[[str], Any],
        deployed: DeployedStack,
        period_seconds: int,
        urls: FunctionUrls,
        endpoints: Endpoints,
        receiver: Receiver,
        keys: Keys,
        log: Callable[[str], None],
    ) -> None:
        self.client = client
        self.deployed = deployed
        self.period = period_seconds
        self.urls = urls
        self.at = endpoints
        self.receiver = receiver
        self.keys = keys
        self.log = log
        self.cloudwatch = client("cloudwatch")
        self.topic = deployed.outputs["AlarmTopicArn"]
        self.deliverer = f"{deployed.name}-deliver-outbox"
        self.bridge = EmfBridge(client, f"/aws/lambda/{self.deliverer}")

    def run(self) -> None:
        self.alarms_are_the_documented_ones()
        queue = self.subscriber()
        try:
            self.bridge.forward()
            expect(self.state(FAILED_MESSAGES) != "ALARM", "no failed message before the test makes one")
            message_id, failed_at = self.a_refused_event_fails_for_good()
            self.alarm_goes(FAILED_MESSAGES, "ALARM", queue)
            self.requeued_after_the_fix(message_id)
            # The failure leaves the alarm's period; the next invocation reports Failed 0.
            time.sleep(max(0.0, failed_at + self.period + 2 - time.time()))
            self.new_code("alarm-recovery")
            self.alarm_goes(FAILED_MESSAGES, "OK", queue)
        finally:
            self.client("sqs").delete_queue(QueueUrl=queue)

    def alarms_are_the_documented_ones(self) -> None:
        text = RUNBOOK.read_text()
        documented = documented_alarms(text)
        sections = anchors(text)
        prefix = f"{self.deployed.name}-"
        alarms = {
            alarm["AlarmName"].removeprefix(prefix): alarm
            for page in self.cloudwatch.get_paginator("describe_alarms").paginate(AlarmNamePrefix=prefix)
            for alarm in page["MetricAlarms"]
        }
        expect(
            sorted(alarms) == sorted(documented),
            f"the stack's alarms are the runbook's: {sorted(set(alarms) ^ set(documented))} differ",
        )
        dimension_values = {
            "the dead-letter queue": f"{self.deployed.name}-outbox-dead-letters",
            "the table": self.deployed.outputs["TableName"],
        }
        for suffix, row in documented.items():
            alarm = alarms[suffix]
            op, threshold = row.fires_when.split(" ")
            (dimension,) = alarm["Dimensions"]
            expected_dimension = dimension_values.get(row.dimension, f"{prefix}{row.dimension}")
            actual = (
                alarm["Namespace"],
                alarm["MetricName"],
                dimension["Value"],
                alarm["Statistic"],
                int(alarm["Period"]),
                alarm["EvaluationPeriods"],
                alarm["ComparisonOperator"],
                float(alarm["Threshold"]),
                alarm["TreatMissingData"],
                alarm["AlarmActions"],
                alarm["OKActions"],
            )
            wanted = (
                row.namespace,
                row.metric,
                expected_dimension,
                row.statistic,
                self.period if row.period == "*p*" else int(row.period),
                1,
                {"≥": "GreaterThanOrEqualToThreshold", ">": "GreaterThanThreshold"}[op],
                float(threshold),
                {"OK": "notBreaching", "ALARM": "breaching"}[row.missing_data],
                [self.topic],
                [self.topic],
            )
            expect(actual == wanted, f"{suffix}: {actual} is not the runbook's {wanted}")
            section = re.search(r"docs/runbook\.md#([a-z0-9-]+)", alarm.get("AlarmDescription", ""))
            expect(section is not None and section.group(1) in sections, f"{suffix} names a runbook section")
        self.log(f"alarms: the {len(alarms)} alarms are the runbook's table, each naming its section")

    def subscriber(self) -> str:
        """An SQS queue subscribed to the alarm topic, as the runbook shows; its URL."""
        sqs = self.client("sqs")
        url = sqs.create_queue(QueueName=f"{self.deployed.name}-alarm-subscriber")["QueueUrl"]
        arn = sqs.get_queue_attributes(QueueUrl=url, AttributeNames=["QueueArn"])["Attributes"]["QueueArn"]
        policy = {
            "Version": "2012-10-17",
            "Statement": [{
                "Effect": "Allow",
                "Principal": {"Service": "sns.amazonaws.com"},
                "Action": "sqs:SendMessage",
                "Resource": arn,
                "Condition": {"ArnEquals": {"aws:SourceArn": self.topic}},
            }],
        }
        sqs.set_queue_attributes(QueueUrl=url, Attributes={"Policy": json.dumps(policy)})
        self.client("sns").subscribe(TopicArn=self.topic, Protocol="sqs", Endpoint=arn)
        return url

    def new_code(self, customer: str) -> None:
        created = self.urls.post_json(
            self.at.create_referral + "referrals",
            {"customer_id": customer, "email": f"{customer}@example.com"},
            key=self.keys.storefront,
        )
        expect_status(created, 201, f"POST /referrals for {customer}")

    def a_refused_event_fails_for_good(self) -> tuple[str, float]:
        """The receiver answers 410 to the next event: its message fails at once."""
        self.receiver.answer_next(410)
        self.new_code("alarm-trigger")

        def listed() -> dict[str, Any]:
            answer = self.urls.get(self.at.reward_referral + "outbox/messages?status=failed", key=self.keys.staff)
            failed = [m for m in answer.json()["messages"] if m["kind"] == "referral.created"]
            expect(len(failed) == 1, "the refused referral.created listed as failed", answer)
            return failed[0]

        failed = eventually(listed)
        self.log(f"alarms: {failed['id']} failed for good ({failed['last_error']})")
        return failed["id"], time.time()

    def requeued_after_the_fix(self, message_id: str) -> None:
        """The runbook's steps: the cause is gone (the receiver accepts), the message requeued."""
        requeued = self.urls.post_json(
            self.at.reward_referral + f"outbox/messages/{message_id}/requeue", {}, key=self.keys.staff
        )
        expect_status(requeued, 202, "the requeue")

        def delivered() -> None:
            accepted = [d for d in self.receiver.accepted() if d.webhook_id == message_id]
            expect(len(accepted) == 1, "the requeued event accepted once")

        # A requeue is no insert, so the stream does not carry it: the next sweep (every minute)
        # delivers it.
        eventually(delivered, timeout=90)
        self.log(f"alarms: {message_id} requeued and delivered")

    def state(self, suffix: str) -> str:
        (alarm,) = self.cloudwatch.describe_alarms(AlarmNames=[f"{self.deployed.name}-{suffix}"])["MetricAlarms"]
        return alarm["StateValue"]

    def alarm_goes(self, suffix: str, state: str, queue: str) -> None:
        """The alarm reaches `state` from the deliverer's metrics, and the subscriber hears it."""
        sqs = self.client("sqs")
        name = f"{self.deployed.name}-{suffix}"

        def reached() -> None:
            self.bridge.forward()
            expect(self.state(suffix) == state, f"{name} is {state}")

        eventually(reached, timeout=90)

        def heard() -> dict[str, Any]:
            received = sqs.receive_message(QueueUrl=queue, MaxNumberOfMessages=10, WaitTimeSeconds=1)
            for message in received.get("Messages", []):
                sqs.delete_message(QueueUrl=queue, ReceiptHandle=message["ReceiptHandle"])
                notification = json.loads(json.loads(message["Body"])["Message"])
                if notification["AlarmName"] == name and notification["NewStateValue"] == state:
                    return notification
            raise StepFailed(f"the topic's subscriber heard {name} go {state}")

        notification = eventually(heard, timeout=30)
        self.log(f"alarms: {name} went {state}; the subscriber heard \"{notification['NewStateReason']}\"")
