"""The deployed stack, tested: infra/template.yaml deployed into the emulator with IAM enforced, the
product run once through its function URLs, least privilege checked, and everything deleted.

Run by scripts/test.sh, or alone by tests/deployed/run.sh (which starts an emulator for it). The
emulator must run with AUTH=true and AWS_ENDPOINT_URL pointing at itself (it hands that on to the
functions), and the host builds of the functions must exist (`cargo test --no-run` makes them).
"""

from __future__ import annotations

import argparse
import base64
import secrets
import sys
import time
import tomllib
import traceback
from collections.abc import Callable
from pathlib import Path
from typing import Any

import boto3
from botocore.config import Config
from botocore.exceptions import ClientError

import configuration
import logs
from alarms import AlarmRun
from reminders import ReminderRun
import privileges
import template as cfn_template
from function_urls import FunctionUrls
from product import (
    MAIL_FROM,
    SHOP_URL,
    SHOPIFY_SECRET,
    SUPPORT_EMAIL,
    Endpoints,
    Keys,
    Mailbox,
    ProductRun,
)
from receiver import Receiver
from running import SHOPIFY_CLIENT_ID, SHOPIFY_CLIENT_SECRET, ShopifyFake
from stack import EMULATOR_ONLY_SES_POLICY, DeployedStack, Deployer, bootstrap_zip

ROOT = Path(__file__).resolve().parents[2]
REGION = "us-east-1"
SENDER_IDENTITY = MAIL_FROM.split("@", 1)[1]
# Functions that mostly report: their roles may write only items whose partition key matches
# these patterns (an IAM `dynamodb:LeadingKeys` condition), whatever their code does. score-nps
# writes a detractor's follow-up (its survey and the tally of the count it moves) and nothing else.
WRITES_CONFINED_TO = {"score-nps": frozenset({"SURVEY#*", "TALLY#*"})}
ALARM_PERIOD_SECONDS = 60

started = time.monotonic()


def log(message: str) -> None:
    print(f"[{time.monotonic() - started:6.1f}s] {message}", flush=True)


def client_factory(endpoint: str) -> Callable[..., Any]:
    """Clients of the emulator as its root user (the stack's deployer)."""
    config = Config(retries={"max_attempts": 2, "mode": "standard"})

    def client(service: str, **credentials: str) -> Any:
        return boto3.client(
            service,
            endpoint_url=endpoint,
            region_name=REGION,
            aws_access_key_id=credentials.get("access_key", "test"),
            aws_secret_access_key=credentials.get("secret_key", "test"),
            config=config,
        )

    return client


def assert_iam_is_enforced(client: Callable[..., Any]) -> None:
    """A user without policies must be refused; otherwise nothing below proves a policy grants enough."""
    iam = client("iam")
    user = f"auth-probe-{secrets.token_hex(4)}"
    iam.create_user(UserName=user)
    key = iam.create_access_key(UserName=user)["AccessKey"]
    try:
        client("dynamodb", access_key=key["AccessKeyId"], secret_key=key["SecretAccessKey"]).list_tables()
    except ClientError as error:
        if error.response["Error"]["Code"] != "AccessDeniedException":
            raise
        log("IAM is enforced: a user without policies gets AccessDeniedException")
    else:
        raise AssertionError("the emulator allowed a user without policies: start it with AUTH=true")
    finally:
        iam.delete_access_key(UserName=user, AccessKeyId=key["AccessKeyId"])
        iam.delete_user(UserName=user)


def parameters(
    declared_required: list[str], keys: Keys, receiver_url: str, secret: str, shopify: ShopifyFake
) -> dict[str, str]:
    values = {
        # The deployed functions run as host processes, so loopback reaches the test's receiver
        # and the Shopify fake.
        "WebhookUrl": receiver_url,
        "WebhookSecret": secret,
        "ShopifyWebhookSecret": SHOPIFY_SECRET,
        "ShopifyShopUrl": shopify.url,
        "DiscountPlatform": "shopify",
        "ShopifyClientId": SHOPIFY_CLIENT_ID,
        "ShopifyClientSecret": SHOPIFY_CLIENT_SECRET,
        "ShopUrl": SHOP_URL,
        "ShopName": "Deployed Test Shop",
        "MailFrom": MAIL_FROM,
        "SenderIdentity": SENDER_IDENTITY,
        "SupportEmail": SUPPORT_EMAIL,
        "ApiKeys": keys.storefront,
        "StaffApiKeys": keys.staff,
        "PrivacyApiKeys": keys.privacy,
        "FingerprintKey": "deployed-test-fingerprint-key-0123456789",
        # Coupons usable at once, so the run can redeem one.
        "RewardHoldDays": "0",
        # The friend's first-order offer on the share link, and a next-order coupon for the
        # friend as well, so one run covers both.
        "FriendReward": "both",
        # A test stack must be deletable; production keeps the default "true".
        "TableDeletionProtection": "false",
        # The failed-messages alarm clears a minute after the fix instead of five.
        "AlarmPeriodSeconds": str(ALARM_PERIOD_SECONDS),
    }
    unknown = set(declared_required) - set(values)
    if unknown:
        raise AssertionError(f"the template requires parameters this test does not set: {sorted(unknown)}")
    return values


def samconfig_capabilities() -> list[str]:
    config = tomllib.loads((ROOT / "infra" / "samconfig.toml").read_text())
    return config["default"]["deploy"]["parameters"]["capabilities"].split()


def roles_by_function(client: Callable[..., Any], deployed: DeployedStack) -> dict[str, str]:
    functions = client("lambda")
    return {
        logical: functions.get_function_configuration(FunctionName=name)["Role"].rsplit("/", 1)[-1]
        for logical, name in deployed.functions().items()
    }


def holds_scoped_ses_grant(iam: Any, role: str) -> bool:
    return any(
        "ses:SendEmail" in statement.actions and "*" not in statement.resources
        for statement in privileges.role_statements(iam, role)
        if statement.allows
    )


def check_least_privilege(
    client: Callable[..., Any],
    deployed: DeployedStack,
    declared: list[cfn_template.Function],
    binaries: Path,
    roles: dict[str, str],
) -> None:
    iam = client("iam")
    table_arn = client("dynamodb").describe_table(TableName=deployed.outputs["TableName"])["Table"][
        "TableArn"
    ]
    account = table_arn.split(":")[4]
    stream_arn = client("dynamodb").describe_table(TableName=deployed.outputs["TableName"])["Table"][
        "LatestStreamArn"
    ]
    scope = privileges.Scope(
        table_arn=table_arn,
        ses_resource_prefix=f"arn:aws:ses:{REGION}:{account}:",
        stream_arn=stream_arn,
    )
    verdicts = []
    mappings = client("lambda")
    for function in declared:
        required = privileges.required_actions(privileges.symbols(binaries / function.binary))
        # What Lambda's event source mapping does with the function's role is not in its code:
        # derived from the deployed mappings that invoke it.
        required |= privileges.mapping_actions(mappings, deployed.resources[function.logical_id])
        statements = privileges.role_statements(iam, roles[function.logical_id], [EMULATOR_ONLY_SES_POLICY])
        verdicts.append(privileges.judge(function.binary, required, statements, scope))
    log(
        "least privilege (DynamoDB and SES actions: role grants vs. SDK operations linked into the binary):\n"
        + privileges.report(verdicts)
    )
    failing = [v.function for v in verdicts if not v.ok]
    if failing:
        raise AssertionError(f"roles grant other than their code calls: {failing}")
    # Equality with the code is not enough for a reporter: code and role could gain a write together.
    unconfined = [
        problem
        for function in declared
        if function.binary in WRITES_CONFINED_TO
        for problem in privileges.unconfined_writes(
            privileges.role_statements(iam, roles[function.logical_id], [EMULATOR_ONLY_SES_POLICY]),
            WRITES_CONFINED_TO[function.binary],
        )
    ]
    if unconfined:
        raise AssertionError(f"writes beyond what a reporter may write: {unconfined}")
    mailers = sorted(v.function for v in verdicts if "ses:SendEmail" in v.granted)
    confined = ", ".join(f"{f} to {sorted(keys)}" for f, keys in sorted(WRITES_CONFINED_TO.items()))
    log(f"writes confined: {confined}; may send mail: {', '.join(mailers)}")


def check_environments(
    client: Callable[..., Any], deployed: DeployedStack, declared: list[cfn_template.Function]
) -> None:
    table = configuration.read_table(ROOT / "docs" / "configuration.md")
    functions = client("lambda")
    problems = []
    for function in declared:
        name = deployed.resources[function.logical_id]
        variables = (
            functions.get_function_configuration(FunctionName=name)
            .get("Environment", {})
            .get("Variables", {})
        )
        problems += configuration.mismatches(function.binary, set(variables), table)
    if problems:
        raise AssertionError(
            "the template's environments differ from what the functions read:\n" + "\n".join(problems)
        )
    log("each function is given exactly variables it reads, and every one it requires")


def check_logs_join(deployer: Deployer, deployed: DeployedStack) -> None:
    for group, lines in deployer.log_lines(deployed).items():
        count, unjoined = logs.unjoined_requests(lines)
        if count == 0 or unjoined:
            raise AssertionError(
                f"{group}: {len(unjoined)} of {count} request lines carry an id no START/REPORT line has:\n"
                + "\n".join(unjoined[:5])
            )
        log(f"{group}: all {count} request lines carry their invocation's Lambda request id")


def main() -> int:
    arguments = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    arguments.add_argument("--endpoint", required=True, help="the emulator, e.g. http://127.0.0.1:4566")
    arguments.add_argument("--binaries", type=Path, default=ROOT / "target" / "debug", help="host builds")
    options = arguments.parse_args()

    client = client_factory(options.endpoint)
    deployer = Deployer(client, log)
    stack_name = f"shop-referrals-{secrets.token_hex(3)}"
    bucket = f"{stack_name}-code"
    keys = Keys(secrets.token_urlsafe(24), secrets.token_urlsafe(24), secrets.token_urlsafe(24))
    webhook_secret = "whsec_" + base64.b64encode(secrets.token_bytes(32)).decode()
    receiver = Receiver([webhook_secret])
    receiver_url = receiver.start()
    shopify = ShopifyFake()

    assert_iam_is_enforced(client)
    template_path = ROOT / "infra" / "template.yaml"
    text = template_path.read_text()
    parsed = cfn_template.parse(text)
    declared = cfn_template.functions(parsed)
    failed = False
    deployed: DeployedStack | None = None
    try:
        packages = {f.binary: bootstrap_zip(options.binaries / f.binary) for f in declared}
        locations = deployer.upload_code(bucket, packages)
        rewritten = cfn_template.rewrite_code_uris(text, {f.code_uri: locations[f.binary] for f in declared})
        log(f"template: {len(declared)} CodeUri lines point at the uploaded zips; nothing else changed")

        client("sesv2").create_email_identity(EmailIdentity=SENDER_IDENTITY)
        deployed = deployer.deploy(
            stack_name,
            rewritten,
            parameters(cfn_template.required_parameters(parsed), keys, receiver_url, webhook_secret, shopify),
            samconfig_capabilities(),
            bucket,
        )
        log(f"stack {stack_name} created: {len(deployed.resources)} resources")
        check_environments(client, deployed, declared)
        roles = roles_by_function(client, deployed)
        deployer.grant_emulator_only_ses(
            sorted(r for r in roles.values() if holds_scoped_ses_grant(client("iam"), r))
        )

        ProductRun(
            FunctionUrls(options.endpoint),
            Endpoints.from_outputs(deployed.outputs),
            Mailbox(options.endpoint),
            receiver,
            shopify,
            keys,
            log,
        ).run()
        ReminderRun(
            client,
            deployed,
            FunctionUrls(options.endpoint),
            Endpoints.from_outputs(deployed.outputs),
            Mailbox(options.endpoint),
            keys,
            log,
        ).run()
        AlarmRun(
            client,
            deployed,
            ALARM_PERIOD_SECONDS,
            FunctionUrls(options.endpoint),
            Endpoints.from_outputs(deployed.outputs),
            receiver,
            keys,
            log,
        ).run()
        check_least_privilege(client, deployed, declared, options.binaries, roles)
        check_logs_join(deployer, deployed)
    except Exception:
        failed = True
        traceback.print_exc()
        if deployed is not None:
            log("the functions' logs:\n" + deployer.recent_logs(deployed))
    finally:
        receiver.stop()
        shopify.stop()
        try:
            deployer.tear_down(stack_name, bucket)
        except Exception:
            failed = True
            log("tearing the stack down failed:")
            traceback.print_exc()
    log("deployed stack: FAILED" if failed else "deployed stack: passed")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
