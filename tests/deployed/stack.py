"""Deploying the stack into the emulator the way `sam deploy` does, and tearing it down again.

`sam deploy` uploads the built code to S3, creates a change set for the template (the SAM
transform is expanded by CloudFormation) with the capabilities from samconfig.toml, and executes
it. This module does the same through the emulator's S3 and CloudFormation APIs.
"""

from __future__ import annotations

import io
import time
import zipfile
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from botocore.exceptions import ClientError

# The emulator checks ses:SendEmail against resource "*" instead of the identity and configuration
# set, so the template's correctly scoped grant is refused there. This policy, added only to roles
# that already hold the scoped grant, makes up for that; the least-privilege check ignores it.
EMULATOR_ONLY_SES_POLICY = "EmulatorOnlySesSendEmailOnAnyResource"
_EMULATOR_ONLY_SES_DOCUMENT = (
    '{"Version": "2012-10-17", "Statement": [{"Effect": "Allow", '
    '"Action": "ses:SendEmail", "Resource": "*"}]}'
)


# CloudFormation takes an inline template body up to this size; a larger one must come from S3.
TEMPLATE_BODY_MAX_BYTES = 51_200

def bootstrap_zip(binary: Path) -> bytes:
    """A Lambda deployment package: one executable file named `bootstrap`."""
    entry = zipfile.ZipInfo("bootstrap", date_time=(2020, 1, 1, 0, 0, 0))
    entry.external_attr = 0o100755 << 16
    entry.compress_type = zipfile.ZIP_DEFLATED
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr(entry, binary.read_bytes(), compresslevel=1)
    return buffer.getvalue()


@dataclass
class DeployedStack:
    name: str
    outputs: dict[str, str] = field(default_factory=dict)
    # Logical id -> physical id, for every resource the stack created.
    resources: dict[str, str] = field(default_factory=dict)
    resource_types: dict[str, str] = field(default_factory=dict)

    def functions(self) -> dict[str, str]:
        """Logical id -> deployed function name."""
        return {
            logical: physical
            for logical, physical in self.resources.items()
            if self.resource_types[logical] == "AWS::Lambda::Function"
        }


class Deployer:
    def __init__(self, clients: Callable[[str], Any], log: Callable[[str], None]) -> None:
        self._client = clients
        self._log = log

    def upload_code(self, bucket: str, packages: dict[str, bytes]) -> dict[str, str]:
        """Uploads each zip; returns name -> s3:// location."""
        s3 = self._client("s3")
        s3.create_bucket(Bucket=bucket)
        locations = {}
        for name, package in packages.items():
            key = f"{name}.zip"
            s3.put_object(Bucket=bucket, Key=key, Body=package)
            locations[name] = f"s3://{bucket}/{key}"
            self._log(f"uploaded {locations[name]} ({len(package) / 1e6:.1f} MB)")
        return locations

    def deploy(
        self,
        name: str,
        template_body: str,
        parameters: dict[str, str],
        capabilities: list[str],
        bucket: str,
        timeout_seconds: float = 300,
    ) -> DeployedStack:
        cloudformation = self._client("cloudformation")
        change_set = f"{name}-create"
        cloudformation.create_change_set(
            StackName=name,
            ChangeSetName=change_set,
            ChangeSetType="CREATE",
            **self._template(template_body, bucket),
            Parameters=[{"ParameterKey": k, "ParameterValue": v} for k, v in parameters.items()],
            Capabilities=capabilities,
        )
        described = self._wait(
            lambda: cloudformation.describe_change_set(StackName=name, ChangeSetName=change_set),
            lambda d: d["Status"] in ("CREATE_COMPLETE", "FAILED"),
            timeout_seconds,
        )
        if described["Status"] != "CREATE_COMPLETE":
            raise AssertionError(f"change set failed: {described.get('StatusReason')}")
        self._log(f"change set {change_set}: {len(described.get('Changes', []))} changes")

        cloudformation.execute_change_set(StackName=name, ChangeSetName=change_set)
        stack = self._wait(
            lambda: cloudformation.describe_stacks(StackName=name)["Stacks"][0],
            lambda s: not s["StackStatus"].endswith("_IN_PROGRESS"),
            timeout_seconds,
        )
        if stack["StackStatus"] != "CREATE_COMPLETE":
            raise AssertionError(
                f"stack {name} ended {stack['StackStatus']}: {stack.get('StackStatusReason')}\n"
                + self._failed_events(name)
            )
        deployed = DeployedStack(name)
        deployed.outputs = {o["OutputKey"]: o["OutputValue"] for o in stack.get("Outputs", [])}
        for summary in self._resources(name):
            deployed.resources[summary["LogicalResourceId"]] = summary["PhysicalResourceId"]
            deployed.resource_types[summary["LogicalResourceId"]] = summary["ResourceType"]
        return deployed

    def _template(self, body: str, bucket: str) -> dict[str, str]:
        """The template inline, or, above CloudFormation's 51 200-byte limit for an inline body,
        uploaded to the bucket and named by URL, as `sam deploy` does."""
        if len(body.encode()) <= TEMPLATE_BODY_MAX_BYTES:
            return {"TemplateBody": body}
        key = "template.yaml"
        self._client("s3").put_object(Bucket=bucket, Key=key, Body=body.encode())
        url = f"https://s3.amazonaws.com/{bucket}/{key}"
        self._log(f"template: {len(body.encode())} bytes, above the inline limit; deployed from {url}")
        return {"TemplateURL": url}

    def grant_emulator_only_ses(self, roles: list[str]) -> None:
        iam = self._client("iam")
        for role in roles:
            iam.put_role_policy(
                RoleName=role,
                PolicyName=EMULATOR_ONLY_SES_POLICY,
                PolicyDocument=_EMULATOR_ONLY_SES_DOCUMENT,
            )
            self._log(
                f"emulator-only inline policy {EMULATOR_ONLY_SES_POLICY} on {role}: "
                f"{_EMULATOR_ONLY_SES_DOCUMENT}"
            )

    def log_lines(self, deployed: DeployedStack) -> dict[str, list[str]]:
        """Every line in every log group the stack created: the functions' own logs."""
        logs = self._client("logs")
        lines = {}
        for logical, group in sorted(deployed.resources.items()):
            if deployed.resource_types[logical] != "AWS::Logs::LogGroup":
                continue
            paginator = logs.get_paginator("filter_log_events")
            lines[group] = [
                event["message"].rstrip()
                for page in paginator.paginate(logGroupName=group)
                for event in page["events"]
            ]
        return lines

    def recent_logs(self, deployed: DeployedStack, lines_per_group: int = 40) -> str:
        """The last lines of each of the stack's log groups, for a failure report."""
        try:
            groups = self.log_lines(deployed)
        except ClientError as error:
            return f"(no logs: {error})"
        printed = []
        for group, lines in groups.items():
            printed.append(f"--- {group} (last {lines_per_group} of {len(lines)} lines)")
            printed += lines[-lines_per_group:]
        return "\n".join(printed)

    def tear_down(self, name: str, bucket: str, timeout_seconds: float = 300) -> None:
        """Deletes the stack, then the table it retains, then the code bucket.

        Every step runs even if an earlier one failed; the first failure is raised at the end.
        """
        failures: list[BaseException] = []
        table = None
        try:
            table = self._retained_table(name)
            self._delete_stack(name, timeout_seconds)
        except Exception as error:
            failures.append(error)
        if table:
            try:
                self._delete_retained_table(table, timeout_seconds)
            except Exception as error:
                failures.append(error)
        try:
            self._delete_bucket(bucket)
        except Exception as error:
            failures.append(error)
        if failures:
            raise failures[0]

    def _retained_table(self, name: str) -> str | None:
        try:
            for summary in self._resources(name):
                if summary["ResourceType"] == "AWS::DynamoDB::Table":
                    return summary.get("PhysicalResourceId")
        except ClientError as error:
            if "does not exist" in str(error):
                return None
            raise
        return None

    def _delete_stack(self, name: str, timeout_seconds: float) -> None:
        cloudformation = self._client("cloudformation")
        try:
            cloudformation.describe_stacks(StackName=name)
        except ClientError:
            self._log(f"stack {name} does not exist; nothing to delete")
            return
        cloudformation.delete_stack(StackName=name)

        def status() -> str:
            try:
                return cloudformation.describe_stacks(StackName=name)["Stacks"][0]["StackStatus"]
            except ClientError as error:
                if "does not exist" in str(error):
                    return "DELETE_COMPLETE"
                raise

        final = self._wait(status, lambda s: not s.endswith("_IN_PROGRESS"), timeout_seconds)
        if final != "DELETE_COMPLETE":
            raise AssertionError(f"deleting stack {name} ended {final}\n" + self._failed_events(name))
        self._log(f"stack {name} deleted")

    def _delete_retained_table(self, table: str, timeout_seconds: float) -> None:
        dynamodb = self._client("dynamodb")
        try:
            description = dynamodb.describe_table(TableName=table)["Table"]
        except dynamodb.exceptions.ResourceNotFoundException:
            return
        # The template set deletion protection from TableDeletionProtection=false. The emulator
        # stores that as the string "false" and treats any stored value as on, so the test clears
        # it explicitly, but only after checking that what the template set really was "off".
        protection = description.get("DeletionProtectionEnabled")
        if protection not in (False, "false"):
            raise AssertionError(
                f"table {table} kept by DeletionPolicy: Retain has deletion protection "
                f"{protection!r}; the test deployed with TableDeletionProtection=false"
            )
        dynamodb.update_table(TableName=table, DeletionProtectionEnabled=False)
        dynamodb.delete_table(TableName=table)

        def gone() -> bool:
            try:
                dynamodb.describe_table(TableName=table)
                return False
            except dynamodb.exceptions.ResourceNotFoundException:
                return True

        self._wait(gone, bool, timeout_seconds)
        self._log(f"retained table {table} deleted")

    def _delete_bucket(self, bucket: str) -> None:
        s3 = self._client("s3")
        try:
            listed = s3.list_objects_v2(Bucket=bucket)
        except ClientError:
            return
        for item in listed.get("Contents", []):
            s3.delete_object(Bucket=bucket, Key=item["Key"])
        s3.delete_bucket(Bucket=bucket)

    def _resources(self, name: str) -> list[dict[str, Any]]:
        paginator = self._client("cloudformation").get_paginator("list_stack_resources")
        return [s for page in paginator.paginate(StackName=name) for s in page["StackResourceSummaries"]]

    def _failed_events(self, name: str) -> str:
        try:
            events = self._client("cloudformation").describe_stack_events(StackName=name)["StackEvents"]
        except ClientError as error:
            return f"(no stack events: {error})"
        failed = [e for e in events if e.get("ResourceStatus", "").endswith("_FAILED")]
        return "\n".join(
            f"  {e['LogicalResourceId']} {e['ResourceStatus']}: {e.get('ResourceStatusReason', '')}"
            for e in failed
        )

    @staticmethod
    def _wait(read: Callable[[], Any], done: Callable[[Any], bool], timeout_seconds: float) -> Any:
        deadline = time.monotonic() + timeout_seconds
        while True:
            value = read()
            if done(value):
                return value
            if time.monotonic() > deadline:
                raise TimeoutError(f"still {value!r} after {timeout_seconds} s")
            time.sleep(0.5)
