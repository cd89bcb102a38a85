"""Renders the vocabulary as the addon module's `lib/Vocabulary.php`: one class of constants.

Every upper-case name of `bridge.vocabulary` that is a string, a tuple of strings or a frozenset
of strings becomes a constant of the same name; tuples keep their order, frozensets are sorted.
"""

from __future__ import annotations

from pathlib import Path

import bridge.vocabulary as vocabulary

PHP_PATH = Path("whmcs_hooks/modules/addons/privacy_bridge/lib/Vocabulary.php")
REPOSITORY = Path(__file__).resolve().parents[2]
COMMAND = "python -m bridge.vocabulary --php"

Value = str | tuple[str, ...]


def constants() -> dict[str, Value]:
    """The vocabulary's names and values, in the order the module defines them."""
    out: dict[str, Value] = {}
    for name, value in vars(vocabulary).items():
        if not name.isupper() or name.startswith("_"):
            continue
        if isinstance(value, frozenset):
            value = tuple(sorted(value))
        if isinstance(value, str) or (isinstance(value, tuple) and all(isinstance(v, str) for v in value)):
            out[name] = value
    return out


def _string(text: str) -> str:
    return "'" + text.replace("\\", "\\\\").replace("'", "\\'") + "'"


def _array(name: str, items: tuple[str, ...], width: int = 100) -> str:
    inline = "[" + ", ".join(_string(i) for i in items) + "]"
    if len(f"    const {name} = {inline};") <= width:
        return inline
    lines, line = [], ""
    for item in (_string(i) + "," for i in items):
        if line and len("        " + line + " " + item) > width:
            lines.append(line)
            line = item
        else:
            line = f"{line} {item}" if line else item
    if line:
        lines.append(line)
    return "[\n" + "".join(f"        {text}\n" for text in lines) + "    ]"


def render() -> str:
    body = []
    for name, value in constants().items():
        shown = _string(value) if isinstance(value, str) else _array(name, value)
        body.append(f"    const {name} = {shown};")
    return (
        "<?php\n\n"
        "namespace WHMCS\\Module\\Addon\\PrivacyBridge;\n\n"
        "/**\n"
        " * The WHMCS vocabulary the module shares with the bridge: field names by category, hook\n"
        " * names and form names. Generated from bridge/vocabulary by `" + COMMAND + "`;\n"
        " * do not edit by hand (docs/vocabulary.md).\n"
        " */\n"
        "final class Vocabulary\n"
        "{\n" + "\n".join(body) + "\n}\n"
    )


def check(path: Path) -> str | None:
    """None when the file on disk is what `render()` gives, else the one-line reason."""
    try:
        current = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        return f"{path} is missing: run `{COMMAND}`"
    if current != render():
        return f"{path} is out of date with bridge/vocabulary: run `{COMMAND}`"
    return None
