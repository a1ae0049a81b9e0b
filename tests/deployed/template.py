"""Reading infra/template.yaml and making the one rewrite the deployed-stack test allows.

The test deploys the template as it is, except that each function's ``CodeUri`` (a source folder
that ``sam build`` would compile) becomes an S3 zip of that function's host build. The rewrite is
textual, so comments, order and every other byte stay as written, and ``rewrite_code_uris``
proves that no other line changed.
"""

from __future__ import annotations

import copy
import re
from dataclasses import dataclass
from typing import Any

import yaml

SERVERLESS_FUNCTION = "AWS::Serverless::Function"
_CODE_URI_LINE = re.compile(r"^(?P<indent>\s*)CodeUri: (?P<value>\S+)\s*$")


class _TemplateLoader(yaml.SafeLoader):
    """A YAML loader that understands CloudFormation's short-form intrinsics (!Ref, !Sub, ...)."""


def _intrinsic(loader: yaml.SafeLoader, suffix: str, node: yaml.Node) -> dict[str, Any]:
    value: Any
    if isinstance(node, yaml.ScalarNode):
        value = loader.construct_scalar(node)
    elif isinstance(node, yaml.SequenceNode):
        value = loader.construct_sequence(node, deep=True)
    elif isinstance(node, yaml.MappingNode):
        value = loader.construct_mapping(node, deep=True)
    else:
        raise yaml.constructor.ConstructorError(None, None, f"unexpected node for !{suffix}", node.start_mark)
    if suffix == "GetAtt" and isinstance(value, str):
        value = value.split(".", 1)
    return {"Ref" if suffix == "Ref" else f"Fn::{suffix}": value}


_TemplateLoader.add_multi_constructor("!", _intrinsic)


def parse(text: str) -> dict[str, Any]:
    return yaml.load(text, Loader=_TemplateLoader)


@dataclass(frozen=True)
class Function:
    logical_id: str
    binary: str
    code_uri: str


def functions(template: dict[str, Any]) -> list[Function]:
    """Every SAM function with the binary its build method compiles."""
    found = []
    for logical_id, resource in template["Resources"].items():
        if resource.get("Type") != SERVERLESS_FUNCTION:
            continue
        binary = resource.get("Metadata", {}).get("BuildProperties", {}).get("Binary")
        if not binary:
            raise ValueError(f"{logical_id} names no Metadata.BuildProperties.Binary")
        found.append(Function(logical_id, binary, resource["Properties"]["CodeUri"]))
    return found


def required_parameters(template: dict[str, Any]) -> list[str]:
    """Parameters without a default: a deployment must supply them."""
    return [name for name, spec in template.get("Parameters", {}).items() if "Default" not in spec]


def rewrite_code_uris(text: str, location: dict[str, str]) -> str:
    """Points each function's CodeUri at ``location[old CodeUri]``; nothing else may change."""
    template = parse(text)
    expected = {f.code_uri for f in functions(template)}
    if set(location) != expected:
        raise ValueError(f"code locations for {sorted(location)}, template has {sorted(expected)}")

    rewritten_lines = []
    replaced = set()
    for line in text.splitlines(keepends=True):
        match = _CODE_URI_LINE.match(line.rstrip("\n"))
        if match and match["value"] in location:
            replaced.add(match["value"])
            rewritten_lines.append(f"{match['indent']}CodeUri: {location[match['value']]}\n")
        else:
            rewritten_lines.append(line)
    rewritten = "".join(rewritten_lines)

    if replaced != expected:
        raise ValueError(f"CodeUri lines not found for {sorted(expected - replaced)}")
    _assert_only_code_uris_differ(template, parse(rewritten))
    return rewritten


def _assert_only_code_uris_differ(original: dict[str, Any], rewritten: dict[str, Any]) -> None:
    def without_code_uris(template: dict[str, Any]) -> dict[str, Any]:
        stripped = copy.deepcopy(template)
        for resource in stripped["Resources"].values():
            if resource.get("Type") == SERVERLESS_FUNCTION:
                resource["Properties"].pop("CodeUri")
        return stripped

    if without_code_uris(original) != without_code_uris(rewritten):
        raise AssertionError("the rewrite changed more than CodeUri")
