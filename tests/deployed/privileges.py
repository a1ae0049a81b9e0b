"""Least privilege, checked: what each deployed role may do against what its function's code calls.

What a function needs is derived from its binary, not typed by hand: the linker keeps only the
code a program can reach, so an AWS SDK operation whose `orchestrate` function is in the
executable is one the function can send, and one that is absent is one it never can. A
DynamoDB transaction is not an IAM action; AWS authorizes each item in it (Put -> PutItem,
Update -> UpdateItem, ConditionCheck -> ConditionCheckItem, Delete -> DeleteItem, Get ->
GetItem), and the item kinds the code builds are found the same way, from the item builders in
the executable.

What a function may do is read from its deployed role: every inline and attached policy. Only the
services the product calls are compared (DynamoDB and SES); CloudWatch Logs comes from SAM's
AWSLambdaBasicExecutionRole and is what the Lambda service itself needs.
"""

from __future__ import annotations

import json
import re
import subprocess
import urllib.parse
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

# The Rust SDK crate of each service the functions call, and that service's IAM prefix.
IAM_PREFIX_OF_CRATE = {"dynamodb": "dynamodb", "sesv2": "ses"}
CHECKED_SERVICES = frozenset(IAM_PREFIX_OF_CRATE.values())

# aws-config links its default credential chain (a profile's assume-role, web identity) although
# the functions take their credentials from the environment (shared/lambda-host/src/sdk.rs). Those STS
# calls obtain credentials with other credentials; they never run under the function's role, so
# they are not permissions the role needs. Any other STS operation still has to be accounted for.
CREDENTIAL_PROVIDER_OPERATIONS = frozenset({("sts", "AssumeRole"), ("sts", "AssumeRoleWithWebIdentity")})

_OPERATION = re.compile(
    r"\baws_sdk_(?P<crate>[a-z0-9]+)::operation::[a-z0-9_]+::(?P<name>[A-Z][A-Za-z0-9]*)::orchestrate\b"
)
_TRANSACTION_ITEM = re.compile(r"\baws_sdk_dynamodb::types::_(?P<kind>[a-z_]+)::[A-Za-z]+Builder::build\b")

# Per-item IAM actions of the DynamoDB transaction operations, by item builder module.
_TRANSACTION_ITEM_ACTIONS = {
    "TransactWriteItems": {
        "put": "dynamodb:PutItem",
        "update": "dynamodb:UpdateItem",
        "delete": "dynamodb:DeleteItem",
        "condition_check": "dynamodb:ConditionCheckItem",
    },
    "TransactGetItems": {"get": "dynamodb:GetItem"},
}

DYNAMODB_WRITE_ACTIONS = frozenset(
    {
        "dynamodb:PutItem",
        "dynamodb:UpdateItem",
        "dynamodb:DeleteItem",
        "dynamodb:BatchWriteItem",
        "dynamodb:ConditionCheckItem",
        "dynamodb:PartiQLInsert",
        "dynamodb:PartiQLUpdate",
        "dynamodb:PartiQLDelete",
    }
)


def symbols(binary: Path) -> list[str]:
    """The demangled names of the functions linked into an executable."""
    listed = subprocess.run(
        ["nm", "--demangle", "--defined-only", str(binary)],
        check=True,
        capture_output=True,
        text=True,
    ).stdout
    # Each line is "<address> <type> <name>"; the name may contain spaces.
    fields = (line.split(" ", 2) for line in listed.splitlines())
    return [parts[-1] for parts in fields if len(parts) == 3]


def required_actions(linked: Iterable[str]) -> set[str]:
    """IAM actions needed by the AWS SDK operations among `linked` symbol names."""
    operations: set[tuple[str, str]] = set()
    item_kinds: set[str] = set()
    for name in linked:
        if match := _OPERATION.search(name):
            operations.add((match["crate"], match["name"]))
        elif match := _TRANSACTION_ITEM.search(name):
            item_kinds.add(match["kind"])

    actions = set()
    for crate, operation in operations - CREDENTIAL_PROVIDER_OPERATIONS:
        prefix = IAM_PREFIX_OF_CRATE.get(crate)
        if prefix is None:
            raise ValueError(f"the code calls aws_sdk_{crate}::{operation}; add the crate's IAM prefix")
        per_item = _TRANSACTION_ITEM_ACTIONS.get(operation) if prefix == "dynamodb" else None
        if per_item is None:
            actions.add(f"{prefix}:{operation}")
            continue
        needed = {per_item[kind] for kind in item_kinds if kind in per_item}
        if not needed:
            raise ValueError(f"{operation} is linked but none of its item builders is")
        actions |= needed
    return actions


@dataclass(frozen=True)
class Statement:
    policy: str
    document: dict[str, Any]

    def _list(self, key: str) -> list[str]:
        value = self.document.get(key, [])
        return [value] if isinstance(value, str) else list(value)

    @property
    def allows(self) -> bool:
        return self.document.get("Effect") == "Allow"

    @property
    def actions(self) -> list[str]:
        return self._list("Action")

    @property
    def resources(self) -> list[str]:
        return self._list("Resource")


def statements(policy_name: str, document: Any) -> list[Statement]:
    if isinstance(document, str):
        document = json.loads(urllib.parse.unquote(document))
    listed = document.get("Statement", [])
    if isinstance(listed, dict):
        listed = [listed]
    return [Statement(policy_name, statement) for statement in listed]


@dataclass
class Grants:
    """The DynamoDB and SES actions a role's policies allow, with their resources."""

    actions: dict[str, set[str]] = field(default_factory=dict)
    problems: list[str] = field(default_factory=list)


def grants(role_statements: Iterable[Statement]) -> Grants:
    found = Grants()
    for statement in role_statements:
        where = f"{statement.policy}/{statement.document.get('Sid', '?')}"
        if not statement.allows:
            continue
        if "NotAction" in statement.document or "NotResource" in statement.document:
            found.problems.append(f"{where}: NotAction/NotResource grants by exclusion")
            continue
        for action in statement.actions:
            service = action.split(":", 1)[0].lower() if ":" in action else "*"
            if service != "*" and service not in CHECKED_SERVICES:
                continue
            if "*" in action or "?" in action:
                found.problems.append(f"{where}: wildcard action {action!r} grants more than the code calls")
                continue
            found.actions.setdefault(action, set()).update(statement.resources)
    return found


def unconfined_writes(role_statements: Iterable[Statement], allowed: frozenset[str]) -> list[str]:
    """Each allowing statement that grants a DynamoDB write without a `dynamodb:LeadingKeys`
    condition confining every key it touches to `allowed` patterns."""
    problems = []
    for statement in role_statements:
        writes = [a for a in statement.actions if a in DYNAMODB_WRITE_ACTIONS or a in ("dynamodb:*", "*")]
        if not statement.allows or not writes:
            continue
        where = f"{statement.policy}/{statement.document.get('Sid', '?')}"
        condition = statement.document.get("Condition", {}).get("ForAllValues:StringLike", {})
        keys = condition.get("dynamodb:LeadingKeys")
        keys = {keys} if isinstance(keys, str) else set(keys or [])
        if not keys:
            problems.append(f"{where}: {writes} on any item (no ForAllValues:StringLike dynamodb:LeadingKeys)")
        elif not keys <= allowed:
            problems.append(f"{where}: {writes} on {sorted(keys - allowed)} too")
    return problems


# What a Lambda event source mapping on a DynamoDB stream does with the function's role.
STREAM_READ_ACTIONS = frozenset(
    {"dynamodb:DescribeStream", "dynamodb:GetRecords", "dynamodb:GetShardIterator", "dynamodb:ListStreams"}
)


def mapping_actions(lambda_client: Any, function_name: str) -> set[str]:
    """The actions the event source mappings invoking `function_name` need from its role."""
    mappings = lambda_client.list_event_source_mappings(FunctionName=function_name)["EventSourceMappings"]
    needed: set[str] = set()
    for mapping in mappings:
        if ":dynamodb:" in mapping.get("EventSourceArn", "") and "/stream/" in mapping["EventSourceArn"]:
            needed |= STREAM_READ_ACTIONS
    return needed


# The table's global secondary indexes (infra/template.yaml).
INDEXES = ("outbox", "responses", "customers", "people")


@dataclass(frozen=True)
class Scope:
    """The resources this stack's grants may name."""

    table_arn: str
    ses_resource_prefix: str  # arn:aws:ses:<region>:<account>:
    stream_arn: str = ""

    def problems(self, action: str, resources: set[str]) -> list[str]:
        if action in STREAM_READ_ACTIONS:
            if resources != {self.stream_arn}:
                return [f"{action} on {sorted(resources)}: only the table's stream {self.stream_arn}"]
            return []
        if action.startswith("dynamodb:"):
            # Item actions on the table; Query also on its indexes.
            allowed = {self.table_arn}
            if action == "dynamodb:Query":
                allowed |= {f"{self.table_arn}/index/{index}" for index in INDEXES}
            if resources - allowed:
                return [f"{action} on {sorted(resources - allowed)}: only the stack's table {self.table_arn}"]
        if action.startswith("ses:"):
            unscoped = sorted(
                r
                for r in resources
                if not r.startswith(self.ses_resource_prefix + "identity/")
                and not r.startswith(self.ses_resource_prefix + "configuration-set/")
            )
            if unscoped:
                return [f"{action} on {unscoped}: only the sender identity and configuration set"]
        return []


@dataclass
class Verdict:
    function: str
    required: set[str]
    granted: set[str]
    problems: list[str]

    @property
    def missing(self) -> set[str]:
        return self.required - self.granted

    @property
    def excess(self) -> set[str]:
        return self.granted - self.required

    @property
    def ok(self) -> bool:
        return not (self.missing or self.excess or self.problems)


def judge(function: str, required: set[str], role_statements: Iterable[Statement], scope: Scope) -> Verdict:
    found = grants(role_statements)
    problems = list(found.problems)
    for action, resources in sorted(found.actions.items()):
        problems += scope.problems(action, resources)
    return Verdict(function, required, set(found.actions), problems)


def report(verdicts: list[Verdict]) -> str:
    lines = []
    for verdict in verdicts:
        state = "ok" if verdict.ok else "FAILS"
        lines.append(f"  {verdict.function}: {state}")
        lines.append(f"    code calls  {', '.join(sorted(verdict.required)) or '-'}")
        lines.append(f"    role grants {', '.join(sorted(verdict.granted)) or '-'}")
        if verdict.missing:
            lines.append(f"    missing     {', '.join(sorted(verdict.missing))}")
        if verdict.excess:
            lines.append(f"    more than the code calls: {', '.join(sorted(verdict.excess))}")
        lines += [f"    {problem}" for problem in verdict.problems]
    return "\n".join(lines)


def role_statements(iam: Any, role: str, ignored_policies: Iterable[str] = ()) -> list[Statement]:
    """Every statement of a role's inline and attached policies, except those named in `ignored_policies`."""
    ignored = set(ignored_policies)
    found: list[Statement] = []
    for name in iam.list_role_policies(RoleName=role)["PolicyNames"]:
        if name not in ignored:
            found += statements(name, iam.get_role_policy(RoleName=role, PolicyName=name)["PolicyDocument"])
    for attached in iam.list_attached_role_policies(RoleName=role)["AttachedPolicies"]:
        arn = attached["PolicyArn"]
        version = iam.get_policy(PolicyArn=arn)["Policy"]["DefaultVersionId"]
        document = iam.get_policy_version(PolicyArn=arn, VersionId=version)["PolicyVersion"]["Document"]
        found += statements(attached["PolicyName"], document)
    return found
