"""Reading scenarios (YAML files or built-in names) with clear messages for bad input."""

from __future__ import annotations

from importlib import resources
from pathlib import Path

import yaml
from pydantic import ValidationError

from ._schema import Scenario


class ScenarioError(ValueError):
    """A scenario that cannot be used; the message names the field and what is allowed."""


def _format_validation(err: ValidationError, origin: str) -> str:
    lines = [f"invalid scenario {origin}:"]
    for e in err.errors():
        where = ".".join(str(x) for x in e["loc"]) or "(top level)"
        got = e.get("input")
        got_txt = "" if isinstance(got, (dict, list)) else f" (got {got!r})"
        lines.append(f"  {where}: {e['msg']}{got_txt}")
    return "\n".join(lines)


def parse_scenario(data: object, origin: str = "") -> Scenario:
    """Validate a mapping as a :class:`Scenario`; raise :class:`ScenarioError` naming each bad field."""
    if not isinstance(data, dict):
        raise ScenarioError(f"invalid scenario {origin}: the file must contain a mapping of fields, got {type(data).__name__}")
    try:
        return Scenario.model_validate(data)
    except ValidationError as err:
        raise ScenarioError(_format_validation(err, origin)) from None


def load_scenario(path: str | Path) -> Scenario:
    """Read and validate a scenario YAML file."""
    path = Path(path)
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise ScenarioError(f"scenario file not found: {path}") from None
    except UnicodeDecodeError as err:
        raise ScenarioError(f"scenario file {path} is not UTF-8 text ({err.reason} at byte {err.start})") from None
    try:
        data = yaml.safe_load(text)
    except yaml.YAMLError as err:
        raise ScenarioError(f"scenario file {path} is not valid YAML: {err}") from None
    return parse_scenario(data, str(path))


def builtin_names() -> list[str]:
    """Names of the built-in scenarios."""
    files = resources.files(__package__).joinpath("builtin").iterdir()
    return sorted(f.name[:-5] for f in files if f.name.endswith(".yaml"))


def builtin(name: str) -> Scenario:
    """A built-in scenario by name."""
    if name not in builtin_names():
        raise ScenarioError(f"unknown scenario {name!r}; built-in scenarios: {', '.join(builtin_names())}")
    text = resources.files(__package__).joinpath("builtin", f"{name}.yaml").read_text(encoding="utf-8")
    return parse_scenario(yaml.safe_load(text), f"built-in {name!r}")
