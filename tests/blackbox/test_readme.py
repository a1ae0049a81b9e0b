"""Every curl example in the README and the book under docs/, run as written against the local
stack as a process.

The ```sh blocks with a curl example are run in one bash session (`set -euo pipefail`): the
README's first, in their order, then each page's of docs/SUMMARY.md, page by page in the summary's
order (a page without such a block, as the architecture or the runbook, adds nothing). So
variables a block sets (a code, a coupon, a survey's link token read from its mail) reach the
next ones, also on a later page, as they do for a reader pasting them into one terminal. Three
things differ from a reader's run, and only these: the test starts the stack itself
(`cargo run -p local`, in a block of its own, is not run), on a free port instead of 9000, which
is replaced in the text; the deployed stack's `REWARD_URL` points at the local reward-referral
(the same HTTP API), and the working folder has `.local-data` and `tests` where the examples'
relative paths (from the repository's root) expect them.

Every curl goes through a wrapper first on PATH (so also under xargs) that records the example
it belongs to (`<file> line N`), the HTTP status it got and the body. An example passes when curl
succeeds and the status is 2xx or 3xx, or the status its comment names (`# 409 reward_pending
during the hold` on its line, or `# 200` alone on the next); and when the text shows its answer (a
`# {…}` comment under it), the answer has every field shown, and the values shown for the fields
that do not change from run to run (statuses, amounts, counts, ids the example chose; not codes or
times).

Run by scripts/test.sh after `cargo build -p local`.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import tempfile
import unittest
from dataclasses import dataclass
from pathlib import Path

from localstack import ROOT, LocalStack

README = ROOT / "README.md"
SUMMARY = ROOT / "docs" / "SUMMARY.md"
DEV_KEYS = {
    "API_KEYS": "local-dev-key-not-secret",
    "STAFF_API_KEYS": "local-staff-key-not-secret",
    "PRIVACY_API_KEYS": "local-privacy-key-not-secret",
    "SHOP_URL": "http://localhost:3000",
    "SHOP_NAME": "Demo Shop",
}

WRAPPER = """#!/usr/bin/env bash
# Records which documented example ran curl, the last HTTP status it got and, unless the example
# chose where the body goes (-o, -I), the body; then answers as curl.
dump=$(mktemp)
body=none
for arg in "$@"; do
  case "$arg" in http://*|https://*) printf '%s\\t%s\\n' "${EXAMPLE:-unmarked}" "$arg" >> "$URL_LOG" ;; esac
done
case " $* " in
  *" -o "*|*" --output "*|*" -O "*|*" -I "*|*" --head "*)
    "$REAL_CURL" -D "$dump" "$@"; rc=$? ;;
  *)
    body=$(mktemp -p "$BODY_DIR")
    "$REAL_CURL" -D "$dump" -o "$body" "$@"; rc=$?
    cat "$body" ;;
esac
status=$(awk 'toupper($1) ~ /^HTTP\\// { s = $2 } END { print s }' "$dump")
printf '%s\\t%s\\t%s\\t%s\\n' "${EXAMPLE:-unmarked}" "$rc" "${status:-none}" "$body" >> "$CURL_LOG"
rm -f "$dump"
exit "$rc"
"""

# Fields whose documented value holds on every run: an example's own ids, statuses, amounts and
# counts. Codes, coupons, tokens, links and times are new each run and only have to be there.
STABLE_FIELDS = {
    "customer_id", "order_id", "status", "beneficiary", "amount_cents", "currency",
    "min_order_cents", "clicks", "conversions", "handled", "reason", "profiles",
    "referral_codes", "claims", "surveys",
}
# Not stable: `messages_cancelled` and `messages_cleared` split a customer's messages by whether the
# deliverer had sent them yet, which a reader pasting fast and one pasting slowly see differently.
FIELD = re.compile(r'"(\w+)"\s*:\s*("(?:[^"\\]|\\.)*"|-?\d+(?:\.\d+)?|true|false|null)?')


@dataclass
class Command:
    """One shell command of a block, possibly over several lines, and the line it starts on."""

    line: int
    text: str
    # The answer the text shows under the command (`# {…}`), and a status shown alone (`# 200`).
    answer: str | None = None
    status_below: int | None = None
    # The file the command is in, relative to the repository's root.
    source: str = "README.md"

    @property
    def where(self) -> str:
        """`<file> line N`: where a reader finds the command."""
        return f"{self.source} line {self.line}"

    @property
    def runs_curl(self) -> bool:
        return re.search(r"(^|[\s|(])curl\s", self.text) is not None

    @property
    def expected_status(self) -> int | None:
        """The status a comment names, as in `# 409 reward_pending` or `# 200` on the next line."""
        match = re.search(r"#\s*(\d{3})\b", self.text)
        return int(match.group(1)) if match else self.status_below


def sh_blocks(text: str) -> list[list[tuple[int, str]]]:
    """Each ```sh block's lines with their line numbers."""
    blocks: list[list[tuple[int, str]]] = []
    current: list[tuple[int, str]] | None = None
    for number, line in enumerate(text.splitlines(), start=1):
        if current is None and line.strip() == "```sh":
            current = []
        elif current is not None and line.strip() == "```":
            blocks.append(current)
            current = None
        elif current is not None:
            current.append((number, line))
    return blocks


def commands(block: list[tuple[int, str]], source: str = "README.md") -> list[Command]:
    """Splits a block of `source` into commands: a command goes on while a quote is open, a line
    ends in a backslash, or a here-document has not reached its terminator. Lines holding only a
    comment are not commands."""
    found: list[Command] = []
    pending: list[str] = []
    start = 0
    single = double = False
    heredoc: str | None = None
    for number, line in block:
        if not pending:
            if not line.strip() or line.lstrip().startswith("#"):
                continue
            start = number
        pending.append(line)
        if heredoc is not None:
            if line.strip() == heredoc:
                heredoc = None
        else:
            escaped = False
            for index, char in enumerate(line):
                if escaped:
                    escaped = False
                elif char == "\\" and not single:
                    escaped = True
                elif char == "'" and not double:
                    single = not single
                elif char == '"' and not single:
                    double = not double
                elif char == "#" and not single and not double and (index == 0 or line[index - 1].isspace()):
                    break
            marker = re.search(r"<<-?\s*'?(\w+)'?", line)
            if marker and not single and not double:
                heredoc = marker.group(1)
        continues = single or double or heredoc is not None or line.rstrip().endswith("\\")
        if not continues:
            found.append(Command(start, "\n".join(pending), source=source))
            pending = []
    if pending:
        raise AssertionError(f"{source} line {start}: a command never ends (an open quote?)")
    lines = dict(block)
    for command in found:
        below = command.line + command.text.count("\n") + 1
        first = lines.get(below, "")
        if re.fullmatch(r"#\s*\d{3}\s*", first):
            command.status_below = int(first.strip("# "))
        elif re.match(r"#\s*[{\[]", first):
            command.answer = documented_answer(lines, below)
    return found


def documented_answer(lines: dict[int, str], start: int) -> str:
    """The JSON shown in the comment lines from `start`, up to where its brackets close."""
    text, depth, number = "", 0, start
    while number in lines and lines[number].startswith("#"):
        for char in lines[number][1:]:
            if char in "{[":
                depth += 1
            elif char in "}]":
                depth -= 1
            text += char
            if depth == 0 and text.strip():
                return text
        number += 1
    return text


def documented_files() -> list[Path]:
    """README.md, then the book's pages in the order docs/SUMMARY.md lists them."""
    pages = re.findall(r"^\s*[-*] \[[^\]]*\]\(([^)#\s]+)\)", SUMMARY.read_text(), flags=re.MULTILINE)
    return [README] + [SUMMARY.parent / page for page in pages]


def fields(value: object) -> dict[str, list[object]]:
    """Every field name anywhere in a JSON value, with the values it has."""
    found: dict[str, list[object]] = {}
    stack = [value]
    while stack:
        item = stack.pop()
        if isinstance(item, dict):
            for key, inner in item.items():
                found.setdefault(key, []).append(inner)
                stack.append(inner)
        elif isinstance(item, list):
            stack.extend(item)
    return found


def answer_mismatches(documented: str, body: str) -> list[str]:
    """What the text shows of an answer that the actual answer lacks."""
    while body.startswith("HTTP/"):  # `curl -i`: the headers come first
        body = re.split(r"\r?\n\r?\n", body, maxsplit=1)[-1]
    try:
        actual = fields(json.loads(body))
    except json.JSONDecodeError:
        return [f"the answer is not JSON: {body[:200]!r}"]
    problems = []
    for name, shown in FIELD.findall(documented):
        if name not in actual:
            problems.append(f"no field {name!r}")
        elif name in STABLE_FIELDS and shown and json.loads(shown) not in actual[name]:
            problems.append(f"{name} is {actual[name]}, the text shows {shown}")
    return problems


class ReadmeExamplesTest(unittest.TestCase):
    def test_every_curl_example_runs_as_written(self) -> None:
        folder = Path(tempfile.mkdtemp(prefix="readme-"))
        self.addCleanup(shutil.rmtree, folder, True)
        # As shipped: the share link offers the friend's first-order discount.
        stack = LocalStack(folder / "data", FRIEND_REWARD="first_order", **DEV_KEYS)
        self.addCleanup(stack.kill)
        stack.start()

        work = folder / "work"
        work.mkdir()
        (work / ".local-data").symlink_to(stack.data_dir)
        (work / "tests").symlink_to(ROOT / "tests")
        bin_dir = folder / "bin"
        bin_dir.mkdir()
        wrapper = bin_dir / "curl"
        wrapper.write_text(WRAPPER)
        wrapper.chmod(0o755)
        log = folder / "curl.log"
        log.touch()
        bodies = folder / "bodies"
        bodies.mkdir()
        urls = folder / "urls.log"
        urls.touch()

        examples: list[Command] = []
        script = [
            "set -euo pipefail",
            f"CREATE_URL=http://127.0.0.1:{stack.port}/lambda-url/create-referral/",
            f"REWARD_URL=http://127.0.0.1:{stack.port}/lambda-url/reward-referral/",
        ]
        files = documented_files()
        missing = [str(path.relative_to(ROOT)) for path in files if not path.is_file()]
        self.assertEqual(missing, [], "pages docs/SUMMARY.md lists that do not exist")
        unlisted = sorted(
            str(page.relative_to(ROOT)) for page in (ROOT / "docs").glob("*.md")
            if page != SUMMARY and page not in files
        )
        self.assertEqual(unlisted, [], "pages of docs/ that docs/SUMMARY.md does not list (their examples would not run)")
        for path in files:
            source = str(path.relative_to(ROOT))
            for block in sh_blocks(path.read_text()):
                block_commands = commands(block, source)
                # Blocks without a curl example install, build or deploy: not this test's to run.
                if not any(command.runs_curl for command in block_commands):
                    continue
                for command in block_commands:
                    if command.runs_curl:
                        examples.append(command)
                    script.append(f"export EXAMPLE='{command.where}'")
                    script.append(command.text.replace("127.0.0.1:9000", f"127.0.0.1:{stack.port}"))
        self.assertGreater(len(examples), 25, "the curl examples of the README and the book were found")
        in_readme = sum(1 for command in examples if command.source == "README.md")
        self.assertGreater(in_readme, 20, "the README's walk-through still shows its curl examples")
        pages = {command.source for command in examples} - {"README.md"}
        self.assertGreaterEqual(len(pages), 3, f"the book's pages show curl examples too: {sorted(pages)}")

        real_curl = shutil.which("curl")
        self.assertIsNotNone(real_curl, "curl is installed")
        environment = {
            **os.environ,
            "PATH": f"{bin_dir}:{os.environ.get('PATH', '')}",
            "REAL_CURL": str(real_curl),
            "CURL_LOG": str(log),
            "BODY_DIR": str(bodies),
            "URL_LOG": str(urls),
        }
        run = subprocess.run(
            ["bash", "-c", "\n".join(script)],
            cwd=work,
            env=environment,
            capture_output=True,
            text=True,
            timeout=300,
        )
        transcript = f"stdout:\n{run.stdout[-4000:]}\nstderr:\n{run.stderr[-4000:]}"
        self.assertEqual(run.returncode, 0, f"the documented blocks stopped with an error\n{transcript}")

        statuses: dict[str, list[tuple[str, str, str]]] = {}
        for entry in log.read_text().splitlines():
            example, rc, status, body = entry.split("\t")
            statuses.setdefault(example, []).append((rc, status, body))
        answers_checked = 0
        for command in examples:
            ran = statuses.get(command.where)
            self.assertTrue(ran, f"{command.where} ran no curl:\n{command.text}")
            for rc, status, _ in ran or []:
                self.assertEqual(rc, "0", f"{command.where}: curl failed\n{command.text}\n{transcript}")
                expected = command.expected_status
                ok = int(status) == expected if expected else 200 <= int(status) < 400
                self.assertTrue(ok, f"{command.where} answered {status}:\n{command.text}\n{transcript}")
            if command.answer is not None and ran:
                body_file = ran[-1][2]
                self.assertNotEqual(body_file, "none", f"{command.where} shows an answer it does not read")
                body = Path(body_file).read_text()
                problems = answer_mismatches(command.answer, body)
                self.assertEqual(problems, [], f"{command.where}: the answer differs from the one shown\n{body}")
                answers_checked += 1
        self.assertGreater(answers_checked, 5, "the shown answers were found")
        # A URL the docs build from a variable ending in / and a path starting with / would work
        # on most servers by luck, and not on every one.
        doubled = [
            entry for entry in urls.read_text().splitlines() if "//" in entry.split("\t", 1)[1].split("://", 1)[1]
        ]
        self.assertEqual(doubled, [], "documented examples whose URL has // in its path")


class CommandSplittingTest(unittest.TestCase):
    def test_quotes_continuations_and_comments(self) -> None:
        block = list(enumerate([
            "# a comment",
            "A=1   # set",
            "curl -d '{\"a\": 1,",
            "  \"b\": 2}' x   # 409 refused",
            "curl x \\",
            "  -H 'y'",
            "echo '# not a comment'",
        ], start=1))
        found = commands(block)
        self.assertEqual([c.line for c in found], [2, 3, 5, 7])
        self.assertEqual(found[1].expected_status, 409)
        self.assertTrue(found[2].runs_curl)
        self.assertIsNone(found[2].expected_status)

    def test_answers_and_statuses_shown_below_a_command(self) -> None:
        block = list(enumerate([
            "curl a",
            '# {"status":"sent","n":1,',
            '#  "more":[{"x":2}]}: the rest of the sentence',
            "curl b",
            "# 200",
        ], start=1))
        found = commands(block)
        self.assertEqual(found[0].answer, ' {"status":"sent","n":1,  "more":[{"x":2}]}')
        self.assertEqual(found[1].expected_status, 200)
        self.assertEqual(answer_mismatches(found[0].answer, '{"status":"sent","n":7,"more":[{"x":3}]}'), [])
        self.assertEqual(
            answer_mismatches(found[0].answer, '{"status":"failed","n":1}'),
            ["status is ['failed'], the text shows \"sent\"", "no field 'more'", "no field 'x'"],
        )


if __name__ == "__main__":
    unittest.main()
