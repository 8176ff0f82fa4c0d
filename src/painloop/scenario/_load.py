"""Reading scenarios (YAML files or built-in names) with clear messages for bad input."""

from __future__ import annotations

from importlib import resources
from pathlib import Path

import yaml
from pydantic import ValidationError

from ..errors import PainloopInputError
from ._schema import CAUSE_TAGS, Scenario


class ScenarioError(PainloopInputError):
    """A scenario that cannot be used; the message names the field and what is allowed."""


def _format_validation(err: ValidationError, origin: str) -> str:
    lines = [f"invalid scenario {origin}:"]
    for e in err.errors():
        loc = [x for i, x in enumerate(e["loc"]) if not (i == 1 and e["loc"][0] == "cause" and x in CAUSE_TAGS)]
        if loc[:2] == ["cause", "causes"]:
            loc = [f"cause[{loc[2]}]", *loc[3:]] if len(loc) > 2 else ["cause"]
        where = ".".join(str(x) for x in loc) or "(top level)"
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
    except IsADirectoryError:
        raise ScenarioError(f"scenario file {path} is a directory; give the path of a YAML file") from None
    except OSError as err:
        raise ScenarioError(f"scenario file {path} cannot be read ({err.strerror or err})") from None
    except UnicodeDecodeError as err:
        raise ScenarioError(f"scenario file {path} is not UTF-8 text ({err.reason} at byte {err.start})") from None
    data = safe_yaml(text, f"scenario file {path}", ScenarioError)
    return parse_scenario(data, str(path))


MAX_YAML_BYTES = 1_000_000
"""Largest scenario or design file read, bytes (assumption: real ones are a few kB; bounds parse time)."""


def safe_yaml(text: str, origin: str, error: type[Exception]) -> object:
    """Parse YAML text, turning every failure (syntax, size, nesting, aliases) into ``error`` naming ``origin``."""
    if len(text) > MAX_YAML_BYTES:
        raise error(f"{origin} is {len(text)} characters long; the limit is {MAX_YAML_BYTES} (assumption: real "
                    f"files are a few kB)")
    try:
        return yaml.safe_load(text)
    except yaml.YAMLError as err:
        raise error(f"{origin} is not valid YAML: {err}") from None
    except RecursionError:
        raise error(f"{origin} is nested too deeply to be a scenario or design") from None
    except (ValueError, TypeError, OverflowError) as err:  # e.g. a date out of range, unhashable keys
        raise error(f"{origin} cannot be read as YAML: {err}") from None


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
