"""The template passes each function exactly what it reads.

Which variables a function reads, and which it requires, comes from the configuration table of
docs/configuration.md, which the Rust tests generate from the functions' settings structs (so it is the code's
word, not a second list): every variable the template sets on a function must be one that
function reads, and every variable it requires must be set.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

_BEGIN = "<!-- begin configuration"
_END = "<!-- end configuration -->"


@dataclass(frozen=True)
class Variable:
    name: str
    readers: frozenset[str]  # function names, or {"*"} for every function
    required: bool


def read_table(document: Path) -> dict[str, Variable]:
    text = document.read_text()
    start = text.index(_BEGIN)
    table = text[start : text.index(_END, start)]
    variables = {}
    for line in table.splitlines():
        cells = [cell.strip() for cell in line.strip().strip("|").split("|")]
        match = re.fullmatch(r"`([A-Z0-9_]+)`", cells[0]) if cells else None
        if not match or len(cells) < 3:
            continue
        readers = (
            frozenset({"*"})
            if cells[1] == "every function"
            else frozenset(name.strip() for name in cells[1].split(","))
        )
        variables[match[1]] = Variable(match[1], readers, cells[2] == "yes")
    if not variables:
        raise ValueError(f"no configuration table between the markers in {document}")
    return variables


def reads(variable: Variable, function: str) -> bool:
    return "*" in variable.readers or function in variable.readers


def mismatches(function: str, environment: set[str], table: dict[str, Variable]) -> list[str]:
    """What is wrong with the variables the template gives `function`; empty when nothing is."""
    found = []
    for name in sorted(environment):
        if name not in table or not reads(table[name], function):
            found.append(f"{function} is given {name}, which it does not read")
    for variable in table.values():
        if variable.required and reads(variable, function) and variable.name not in environment:
            found.append(f"{function} requires {variable.name}, which the template does not set")
    return found
