"""The runbook's alarm table and the template agree, and the EMF bridge reads what
deliver-outbox prints."""

import json
import unittest
from pathlib import Path

import template
from alarms import RUNBOOK, EmfBridge, anchors, documented_alarms

TEMPLATE = template.parse((Path(__file__).resolve().parents[2] / "infra" / "template.yaml").read_text())


def template_alarms() -> dict[str, dict]:
    alarms = {}
    for resource in TEMPLATE["Resources"].values():
        if resource["Type"] == "AWS::CloudWatch::Alarm":
            name = resource["Properties"]["AlarmName"]["Fn::Sub"]
            alarms[name.removeprefix("${AWS::StackName}-")] = resource["Properties"]
    return alarms


class RunbookTest(unittest.TestCase):
    def test_every_alarm_of_the_template_is_a_row_of_the_runbook_and_back(self) -> None:
        documented = documented_alarms(RUNBOOK.read_text())
        self.assertEqual(len(documented), 18)
        self.assertEqual(sorted(template_alarms()), sorted(documented))
        for suffix, properties in template_alarms().items():
            row = documented[suffix]
            self.assertEqual(
                (properties["Namespace"], properties["MetricName"], properties["Statistic"]),
                (row.namespace, row.metric, row.statistic),
                suffix,
            )
            self.assertEqual(properties["AlarmActions"], [{"Ref": "AlarmTopic"}], suffix)
            self.assertEqual(properties["OKActions"], [{"Ref": "AlarmTopic"}], suffix)

    def test_every_alarm_names_a_section_that_exists(self) -> None:
        sections = anchors(RUNBOOK.read_text())
        for suffix, properties in template_alarms().items():
            anchor = properties["AlarmDescription"].rsplit("docs/runbook.md#", 1)[1].strip()
            self.assertIn(anchor, sections, suffix)

    def test_the_topic_mails_alert_email_only_when_it_is_set(self) -> None:
        subscription = TEMPLATE["Resources"]["AlertEmailSubscription"]
        self.assertEqual(subscription["Condition"], "HasAlertEmail")
        self.assertEqual(TEMPLATE["Parameters"]["AlertEmail"]["Default"], "")


class EmfBridgeTest(unittest.TestCase):
    LINE = {
        "_aws": {"Timestamp": 1, "CloudWatchMetrics": [
            {"Namespace": "ReferralFeedback/Outbox", "Dimensions": [["FunctionName"]],
             "Metrics": [{"Name": "Failed", "Unit": "Count"}]}]},
        "FunctionName": "s-deliver-outbox",
        "Failed": 1,
    }

    def test_a_printed_line_and_one_wrapped_by_the_json_log_format_are_read(self) -> None:
        raw = json.dumps(self.LINE)
        self.assertEqual(EmfBridge.document(raw), self.LINE)
        self.assertEqual(EmfBridge.document(json.dumps({"level": "INFO", "message": raw})), self.LINE)

    def test_other_lines_are_not_metrics(self) -> None:
        for line in ["START RequestId: x", json.dumps({"message": "outbox delivery attempt"}), "[1, 2]"]:
            self.assertIsNone(EmfBridge.document(line), line)


if __name__ == "__main__":
    unittest.main()
