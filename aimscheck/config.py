"""`aimscheck.yaml`: found beside the export, validated at its lines, turned into settings."""

from __future__ import annotations

import datetime as dt
import difflib
import json
import os
import re
from collections.abc import Callable, Iterable, Iterator, Mapping
from dataclasses import dataclass, field
from functools import partial
from importlib import resources
from pathlib import Path
from typing import TYPE_CHECKING, Any, TypeVar

from aimscheck.errors import AimscheckError, ErrorGroup, UsageError, raise_all
from aimscheck.export.contract import VocabularyExtension
from aimscheck.results import Severity, Waiver
from aimscheck.source import Location
from aimscheck.yamlfile import Path_, YamlDocument, read_yaml

if TYPE_CHECKING:
    from aimscheck.evidence import EvidencePolicy

_T = TypeVar("_T")

CONFIG_NAMES = ("aimscheck.yaml", "aimscheck.yml")
OUTPUT_FORMATS = ("junit", "json", "sarif", "markdown", "html")


@dataclass(frozen=True, slots=True)
class SeverityChange:
    """`rules.severity`: grade a rule differently from its pack, for a stated reason."""

    rule: str
    severity: Severity
    reason: str
    location: Location


@dataclass(frozen=True, slots=True)
class DisabledRule:
    """`rules.disabled`: a rule that does not run, for a stated reason."""

    rule: str
    reason: str
    location: Location


@dataclass(frozen=True)
class Config:
    """The settings of one aimscheck.yaml (or the defaults when there is none)."""

    path: Path | None = None
    default_pack: bool = True
    packs: tuple[Path, ...] = ()
    parameters: Mapping[str, Mapping[str, object]] = field(default_factory=dict)
    parameter_locations: Mapping[tuple[str, str], Location] = field(default_factory=dict)
    severity: tuple[SeverityChange, ...] = ()
    disabled: tuple[DisabledRule, ...] = ()
    fail_on: str | None = None  # None: not set here
    # readiness.systemic_after: a whole number, "never", or None when not set here.
    systemic_after: int | str | None = None
    outputs: Mapping[str, Path] = field(default_factory=dict)
    output_locations: Mapping[str, Location] = field(default_factory=dict)
    baseline: Path | None = None
    waivers: tuple[Waiver, ...] = ()
    waiver_files: tuple[Path, ...] = ()
    vocabulary: tuple[VocabularyExtension, ...] = ()
    # `evidence:`: what counts as proof; None where the file leaves the pack's choice.
    require_sha256: bool | None = None
    uri_counts: bool | None = None
    # `frameworks:`: the views every run shows, and application dates replaced, by date key
    # (keys are checked per framework; only the EU AI Act has dates).
    frameworks: tuple[str, ...] = ()
    framework_dates: Mapping[str, dt.date] = field(default_factory=dict)

    def evidence_policy(self, uri_counts_missing: bool = False) -> EvidencePolicy:
        """The run's proof policy: the built-in pack's choice, this file's settings over it,
        and `--uri-counts-missing` over both."""
        from aimscheck.evidence import EvidencePolicy

        pack = EvidencePolicy()
        return EvidencePolicy(
            pack.require_sha256 if self.require_sha256 is None else self.require_sha256,
            (pack.uri_counts if self.uri_counts is None else self.uri_counts)
            and not uri_counts_missing,
        )


def find_config(export_path: Path) -> Path | None:
    """The aimscheck.yaml at the governance repo root: the export folder, or a file's folder.

    Whatever has the name is the configuration: a pipe or a device there is refused when it is
    read, never skipped; a link leading out of the repo is refused here, before it is opened.
    """
    root = export_path if export_path.is_dir() else export_path.parent
    found = [root / name for name in CONFIG_NAMES if os.path.lexists(root / name)]
    if len(found) > 1:
        raise UsageError(
            f"both {found[0]} and {found[1]} exist", hint="keep one configuration file"
        )
    if found and not _inside(os.path.realpath(found[0]), os.path.realpath(root)):
        raise UsageError(
            f"{found[0]} leads out of the repo through a symbolic link and is refused "
            "(never opened)",
            hint="keep aimscheck.yaml in the repo, or name a configuration of your own: "
            "--config FILE",
        )
    return found[0] if found else None


def load_schema() -> dict[str, Any]:
    """The packaged configuration JSON Schema."""
    text = resources.files("aimscheck.schemas").joinpath("config.schema.json").read_text("utf-8")
    schema: dict[str, Any] = json.loads(text)
    return schema


def validate(doc: YamlDocument, definition: str | None = None) -> None:
    """Raise every schema problem of `doc`, each at its line (`definition`: a `$defs` entry)."""
    raise_all([error for _, error in schema_problems(doc, definition)])


def schema_problems(
    doc: YamlDocument, definition: str | None = None
) -> list[tuple[Path_, AimscheckError]]:
    """Every schema problem of `doc` with the path it is about, each said once, in order."""
    import jsonschema_rs

    schema = load_schema()
    if definition is not None:
        schema = {"$defs": schema["$defs"], **schema["$defs"][definition]}
    data = as_json(doc.data)
    # jsonschema-rs answers yes or no in microseconds; jsonschema (60 ms to import) explains.
    if jsonschema_rs.Draft202012Validator(schema).is_valid(data):
        return []
    import jsonschema

    validator = jsonschema.Draft202012Validator(schema)
    found: dict[tuple[Path_, str], AimscheckError] = {}
    for error in validator.iter_errors(data):
        for path, message in _describe(error):
            if any(path[: len(refused)] == refused for refused in doc.refused):
                continue  # a value the reader refused, at its line: one mistake, one message
            text = f"{_json_path(path)}: {message}"
            hint = _LIST_HINTS.get(path, "") if error.validator == "type" else ""
            found.setdefault((path, text), UsageError(text, doc.at(path), hint=hint))
    ordered = sorted(found.items(), key=lambda item: item[1].sort_key())
    return [(path, error) for (path, _), error in ordered]


def as_json(value: Any) -> Any:
    """The data as JSON sees it (and the schema checked it): YAML dates and times become ISO
    text, so that a setting the schema takes as text is text (`baseline: 2027-01-31`)."""
    if isinstance(value, dict):
        return {k: as_json(v) for k, v in value.items()}
    if isinstance(value, list):
        return [as_json(v) for v in value]
    if isinstance(value, dt.date):  # datetime too
        return value.isoformat()
    return value


# How a setting that takes a list is written: the fix for a single value given instead.
_LIST_HINTS: dict[Path_, str] = {
    ("rules", "packs"): "a list of folders or .aims files, e.g. packs: [rules]",
    ("rules", "builtin_packs"): "a list of pack names, e.g. builtin_packs: [eu-ai-act]",
    ("waiver_files",): "a list of files, e.g. waiver_files: [waivers.yaml]",
    ("frameworks", "views"): "a list of framework names, e.g. views: [eu-ai-act]",
}

_TYPES = {"string": "text", "number": "a number", "boolean": "true or false"}
_TYPES |= {"array": "a list", "object": "a mapping", "integer": "a whole number"}


def _describe(error: Any) -> Iterator[tuple[Path_, str]]:
    path: Path_ = tuple(error.absolute_path)
    kind, expected, value = error.validator, error.validator_value, error.instance
    if kind == "required":
        for name in expected:
            if isinstance(value, dict) and name not in value:
                yield path, f"missing required field '{name}'"
    elif kind == "additionalProperties" and isinstance(value, dict):
        known = list(error.schema.get("properties", {}))
        for name in value:
            if name not in known:
                close = difflib.get_close_matches(name, known, n=1, cutoff=0.6)
                guess = f"did you mean '{close[0]}'? " if close else ""
                yield (*path, name), f"unknown setting '{name}': {guess}known: {', '.join(known)}"
    elif kind == "type":
        names = [expected] if isinstance(expected, str) else list(expected)
        yield path, f"expected {' or '.join(_TYPES.get(n, n) for n in names)}, got {_show(value)}"
    elif kind == "enum":
        choices = [str(choice) for choice in expected]
        close = difflib.get_close_matches(str(value), choices, n=1, cutoff=0.6)
        guess = f": did you mean '{close[0]}'?" if close and isinstance(value, str) else ""
        yield path, f"must be one of: {', '.join(choices)} (got {_show(value)}){guess}"
    elif kind == "const":
        yield path, f"must be {_show(expected)}, got {_show(value)}"
    elif kind == "pattern" and "[0-9]{4}" in str(expected):
        yield path, f"expected a date YYYY-MM-DD, got {_show(value)}"
    elif kind in ("minLength", "pattern"):
        yield (
            path,
            "must not be empty"
            if kind == "minLength" or not value.strip()
            else (f"must be one word without spaces, got {_show(value)}"),
        )
    elif kind == "minProperties":
        yield path, "give at least one entry"
    elif kind == "minItems":
        yield path, "give at least one value"
    else:
        yield path, str(error.message)


def _show(value: object) -> str:
    if isinstance(value, dict | list):
        return "a mapping" if isinstance(value, dict) else "a list"
    text = json.dumps(value, ensure_ascii=False, default=str)
    return text if len(text) <= 60 else text[:57] + "..."


def _json_path(path: Path_) -> str:
    from aimscheck.export.schema import json_path

    return json_path(path)


def load_config(path: Path) -> Config:
    """Read and validate an aimscheck.yaml; every problem is a UsageError at its line, all
    of them raised together (the waiver files' too), each once."""
    config, errors = read_config(path)
    raise_all(errors)
    return config


def read_config(path: Path) -> tuple[Config, list[AimscheckError]]:
    """An aimscheck.yaml as far as it is sound, and every problem of it, each once: a setting
    refused is left at its default, so that what the rules say of the others can still be told
    in the same run (`check.settings_problems`)."""
    from aimscheck.waivers import load_waiver_file, parse_waivers

    doc = read_yaml(path, "configuration", collect=True)
    errors: list[AimscheckError] = list(doc.problems)
    if doc.data is None:
        return Config(path=path), errors
    problems = schema_problems(doc)
    errors += [error for _, error in problems]
    # A setting the schema refused is not read further (its shape is unknown): the settings
    # beside it still are, so that one run reports every mistake of the file.
    bad = [where for where, _ in problems] + list(doc.refused)

    def sound(*key: str | int) -> bool:
        return not any(where[: len(key)] == key or key[: len(where)] == where for where in bad)

    def attempt(key: tuple[str | int, ...] | None, read: Callable[[], _T], default: _T) -> _T:
        if key is not None and not sound(*key):
            return default
        try:
            return read()
        except AimscheckError as exc:
            errors.extend(exc.errors if isinstance(exc, ErrorGroup) else [exc])
            return default

    data: dict[str, Any] = as_json(doc.data) if isinstance(doc.data, dict) else {}
    base = path.parent
    rules: dict[str, Any] = data.get("rules", {}) if sound("rules") else {}
    parameters: dict[str, dict[str, object]] = {}
    if sound("rules", "parameters"):
        # Values as written (a date stays a date): the rule's parameter type converts them.
        given = doc.data.get("rules", {}).get("parameters", {})
        parameters = {rule: dict(values) for rule, values in given.items()}
    locations = {
        (rule, name): doc.at(("rules", "parameters", rule, name))
        for rule, values in parameters.items()
        for name in values
    }
    severity: tuple[SeverityChange, ...] = ()
    if sound("rules", "severity"):
        severity = tuple(
            SeverityChange(
                e["rule"],
                Severity(e["severity"]),
                e["reason"].strip(),
                doc.at(("rules", "severity", i)),
            )
            for i, e in enumerate(rules.get("severity", []))
        )
    disabled: tuple[DisabledRule, ...] = ()
    if sound("rules", "disabled"):
        disabled = tuple(
            DisabledRule(e["rule"], e["reason"].strip(), doc.at(("rules", "disabled", i)))
            for i, e in enumerate(rules.get("disabled", []))
        )
    errors += _twice([(c.rule, c.location) for c in severity], ("rules", "severity"))
    errors += _twice([(d.rule, d.location) for d in disabled], ("rules", "disabled"))
    no_extensions: tuple[VocabularyExtension, ...] = ()
    vocabulary = attempt(
        ("vocabulary",), lambda: _vocabulary(doc, data.get("vocabulary", {})), no_extensions
    )
    inside = _Repo(doc, base)
    packs: tuple[Path, ...] = ()
    if sound("rules", "builtin_packs"):
        # Shipped opt-in packs, by name (the schema lists the names): rules/<name> of aimscheck.
        from aimscheck.resources import rules_root

        packs = tuple(rules_root() / name for name in rules.get("builtin_packs", []))
    if sound("rules", "packs"):
        packs += inside.paths(
            ("rules", "packs"), rules.get("packs", []), "a rule pack", _WIDEN_PACKS
        )
    files: tuple[Path, ...] = ()
    if sound("waiver_files"):
        files = inside.paths(
            ("waiver_files",), data.get("waiver_files", []), "a waiver file", _WIDEN
        )
    baseline: tuple[Path, ...] = ()
    if sound("baseline"):
        baseline = inside.paths(("baseline",), [data["baseline"]] if "baseline" in data else [])
    outputs: dict[str, Path] = {}
    if sound("outputs"):
        outputs = {
            name: inside.report(name, path) for name, path in data.get("outputs", {}).items()
        }
    errors += inside.errors
    systemic = attempt(
        ("readiness",), lambda: _systemic_after(doc, data.get("readiness", {})), None
    )
    evidence: dict[str, bool] = data.get("evidence", {}) if sound("evidence") else {}
    views: list[str] = data.get("frameworks", {}).get("views", []) if sound("frameworks") else []
    framework_dates: dict[str, dt.date] = {}
    if sound("frameworks", "dates"):
        dates = data.get("frameworks", {}).get("dates", {})
        framework_dates = attempt(None, lambda: _framework_dates(doc, dates), framework_dates)
    waivers: tuple[Waiver, ...] = ()
    if sound("waivers") or all(len(where) > 1 for where in bad if where[:1] == ("waivers",)):
        refused = {w[1] for w in bad if w[:1] == ("waivers",) and isinstance(w[1], int)}
        waivers = attempt(None, partial(parse_waivers, doc, ("waivers",), refused), waivers)
    named = data.get("waiver_files", []) if files else []
    for file in files:
        before = len(errors)
        waivers += attempt(None, partial(load_waiver_file, file), waivers[:0])
        for error in errors[before:]:  # a file not found: said at the line that names it
            if error.location is None:
                index = next((i for i, n in enumerate(named) if base / n == file), 0)
                error.location = doc.at(("waiver_files", index))
    config = Config(
        path=path,
        default_pack=rules.get("default_pack", True),
        packs=packs,
        parameters=parameters,
        parameter_locations=locations,
        severity=severity,
        disabled=disabled,
        fail_on=data.get("fail_on") if sound("fail_on") else None,
        systemic_after=systemic,
        outputs=outputs,
        output_locations={name: doc.at(("outputs", name)) for name in outputs},
        baseline=baseline[0] if baseline else None,
        waivers=waivers,
        waiver_files=files,
        vocabulary=vocabulary,
        require_sha256=evidence.get("require_sha256"),
        uri_counts=evidence.get("uri_counts"),
        frameworks=tuple(views),
        framework_dates=framework_dates,
    )
    return config, _once(errors)


def _once(errors: list[AimscheckError]) -> list[AimscheckError]:
    """Each problem once (the same message at the same place), in the order of the file."""
    seen: dict[tuple[object, ...], AimscheckError] = {}
    for error in errors:
        seen.setdefault((*error.sort_key(), error.message), error)
    return sorted(seen.values(), key=lambda e: e.sort_key())


def systemic_threshold(value: object) -> int | str | None:
    """`readiness.systemic_after` or `--systemic-after` as a setting: a whole number of 2 or
    more, or "never"; None for anything else (the caller says where it was given)."""
    if value == "never":
        return "never"
    if isinstance(value, str) and value.strip().isdigit():
        value = int(value)
    if isinstance(value, int) and not isinstance(value, bool) and value >= 2:
        return value
    return None


def _systemic_after(doc: YamlDocument, readiness: dict[str, Any]) -> int | str | None:
    if "systemic_after" not in readiness:
        return None
    value = readiness["systemic_after"]
    found = systemic_threshold(value)
    if found is None:
        raise UsageError(
            f"$.readiness.systemic_after: must be a whole number of 2 or more, or never "
            f"(got {_show(value)})",
            doc.at(("readiness", "systemic_after")),
            hint="one finding is not a pattern: 5 is the usual threshold",
        )
    return found


_WIDEN = "keep it in the repo, or name a configuration of your own: --config FILE"
_WIDEN_PACKS = "keep it in the repo, or name a pack outside it on the command line: --rules PATH"
_WIDEN_BASELINE = "keep it in the repo, or name one outside it on the command line: --baseline FILE"


class _Repo:
    """The files aimscheck.yaml names, each kept inside the repo (the folder of the file).

    Whoever can change the repo writes this file, so none of its paths may lead out of the
    repo: absolute paths, `..` and symbolic links leading out are refused by their path, before
    anything is opened (as proof paths are), at the line that names them. Reaching further is
    the command line's to decide (`--rules`, `--baseline`, report options, `--config`).
    """

    def __init__(self, doc: YamlDocument, base: Path) -> None:
        self.doc, self.base, self.real = doc, base, os.path.realpath(base)
        self.errors: list[AimscheckError] = []

    def paths(
        self, key: Path_, given: list[str], what: str = "a baseline", widen: str = _WIDEN_BASELINE
    ) -> tuple[Path, ...]:
        """One setting's paths, each inside the repo (the others noted as errors)."""
        out: list[Path] = []
        for index, text in enumerate(given):
            at = key if key == ("baseline",) else (*key, index)
            why = self.outside(text)
            if why is None:
                out.append(self.base / text)
                continue
            message = f"{why} and is refused (never opened): {what} named in the configuration"
            self.refuse(at, f"{message} must be inside the repo", widen)
        return tuple(out)

    def report(self, name: str, text: str) -> Path:
        """Where the `name` report of `outputs:` goes: inside the repo's working tree."""
        why = self.outside(text)
        if why is None and ".git" in {part.lower() for part in _SEPARATORS.split(text)}:
            why = f"the path {text} is inside .git, git's own folder"
        if why is not None:
            self.refuse(
                ("outputs", name),
                f"{why}: a report named in the configuration is written inside the repo's "
                "working tree",
                f"write it outside the repo from the command line: --{name} FILE",
            )
        return self.base / text

    def outside(self, text: str) -> str | None:
        """Why a path of this file does not stay inside the repo, or None."""
        from aimscheck.evidence import refused_path

        why = refused_path(text)
        if why is not None:
            return f"the path {text} {why}"
        if not _inside(os.path.realpath(self.base / text), self.real):
            return f"{text} leads out of the repo through a symbolic link"
        return None

    def refuse(self, key: Path_, message: str, hint: str) -> None:
        self.errors.append(UsageError(f"{_json_path(key)}: {message}", self.doc.at(key), hint=hint))


_SEPARATORS = re.compile(r"[\\/]")


def _inside(real: str, real_root: str) -> bool:
    from aimscheck.evidence import inside

    return inside(real, real_root)


def _framework_dates(doc: YamlDocument, given: dict[str, Any]) -> dict[str, dt.date]:
    """`frameworks.dates`: each a real day under a date key of a known framework, or an error
    at its line with the key meant (all of them at once)."""
    from aimscheck.frameworks import REGISTRY
    from aimscheck.frameworks.dates import unknown_date

    out: dict[str, dt.date] = {}
    errors: list[AimscheckError] = []
    for name, dates in given.items():
        if name not in REGISTRY:
            close = difflib.get_close_matches(name, sorted(REGISTRY), n=1, cutoff=0.5)
            known = ", ".join(sorted(REGISTRY))
            errors.append(
                UsageError(
                    f"{_json_path(('frameworks', 'dates', name))}: unknown framework '{name}'",
                    doc.at(("frameworks", "dates", name)),
                    hint=f"did you mean '{close[0]}'?" if close else f"give one of {known}",
                )
            )
            continue
        for key, text in dates.items():
            at = ("frameworks", "dates", name, key)
            problem = unknown_date(name, key)
            if problem is not None:
                message, hint = problem
                errors.append(UsageError(f"{_json_path(at)}: {message}", doc.at(at), hint=hint))
                continue
            try:
                out[key] = dt.date.fromisoformat(text)
            except ValueError:
                errors.append(
                    UsageError(
                        f'{_json_path(at)}: not a real date: "{text}"',
                        doc.at(at),
                        hint="write a day that exists, as YYYY-MM-DD",
                    )
                )
    raise_all(errors)
    return out


def _vocabulary(doc: YamlDocument, entries: dict[str, Any]) -> tuple[VocabularyExtension, ...]:
    """`vocabulary:` entries, each naming a closed vocabulary of the export and adding values
    to it; a field without one, or a value it already has, is an error at its line."""
    from aimscheck.export.contract import vocabularies
    from aimscheck.export.fields import load_schema as export_schema

    known = {
        ".".join(path): (path, values) for path, values in vocabularies(export_schema()).items()
    }
    out: list[VocabularyExtension] = []
    errors: list[AimscheckError] = []
    for name, entry in entries.items():
        where = doc.at(("vocabulary", name))
        if name not in known:
            message = (
                f"{_json_path(('vocabulary', name))}: not a field of the export with a closed "
                "vocabulary"
            )
            errors.append(UsageError(message, where, hint=_vocabulary_hint(name, list(known))))
            continue
        path, allowed = known[name]
        added: list[str] = []
        for index, value in enumerate(entry["values"]):
            at = doc.at(("vocabulary", name, "values", index))
            head = _json_path(("vocabulary", name, "values", index))
            if value in allowed:
                message = f'{head}: {name} already accepts "{value}": remove it from values'
                errors.append(UsageError(message, at))
            elif value in added:
                errors.append(UsageError(f'{head}: "{value}" is given twice for {name}', at))
            elif (same := _spelt_alike(value, allowed)) is not None:
                # `High` or `very high` beside `high`, `very_high`: the same word, miswritten,
                # would never match what the export's records say.
                message = f'{head}: "{value}" is how {name} already spells "{same}"'
                hint = f'did you mean "{same}"? It is accepted already: remove it from values'
                errors.append(UsageError(message, at, hint=hint))
            else:
                added.append(value)
        out.append(VocabularyExtension(path, tuple(added), entry["reason"].strip(), where))
    raise_all(errors)
    return tuple(out)


def _spelt_alike(value: str, allowed: Iterable[str]) -> str | None:
    """The accepted value `value` differs from only by case, spaces, hyphens or underscores."""
    key = re.sub(r"[\s_-]+", "", value).casefold()
    return next((a for a in allowed if re.sub(r"[\s_-]+", "", a).casefold() == key), None)


def _vocabulary_hint(name: str, known: list[str]) -> str:
    close = difflib.get_close_matches(name, known, n=1, cutoff=0.8)
    if close:
        return f"did you mean {close[0]}?"
    head = name.split(".", 1)[0]
    mine = [field for field in known if field.split(".", 1)[0] == head]
    if mine:
        return f"the fields of {head} with one: {', '.join(mine)}"
    return "the field reference in docs/export.md says which fields have one (one of ...)"


def _twice(entries: list[tuple[str, Location]], key: Path_) -> list[AimscheckError]:
    seen: dict[str, Location] = {}
    errors: list[AimscheckError] = []
    for index, (rule, location) in enumerate(entries):
        if rule in seen:
            message = (
                f"{_json_path((*key, index))}: names rule {rule} twice "
                f"(first at line {seen[rule].line})"
            )
            errors.append(UsageError(message, location, hint="keep one entry per rule"))
        seen.setdefault(rule, location)
    return errors


def rule_problems(config: Config, ruleset: Any, types: bool = False) -> list[AimscheckError]:
    """What the file says of rules the loaded ones contradict, all at once, each at its line:
    a rule id no loaded rule has (in `parameters`, `severity`, `disabled`), a parameter a rule
    does not have, and (with `types`, against rules compiled without the file's values) a value
    of the wrong type."""
    from aimscheck.dsl.diagnose import suggest
    from aimscheck.dsl.ruleset import param_value
    from aimscheck.dsl.written import check_param_words

    known = {info.id for info in ruleset.infos}
    errors: list[AimscheckError] = []

    def unknown(rule: str, where: Location, setting: str) -> None:
        close = difflib.get_close_matches(rule, sorted(known), n=1, cutoff=0.8)
        errors.append(
            UsageError(
                f"{setting} names rule {rule}, which is not loaded",
                where,
                hint=f"did you mean {close[0]}?"
                if close
                else "check the rule id against the packs",
            )
        )

    reported: set[str] = set()
    for (rule, name), where in config.parameter_locations.items():
        compiled = ruleset.get(rule)
        if compiled is None:
            if rule not in reported:
                reported.add(rule)
                unknown(rule, config.parameter_locations[(rule, name)], "rules.parameters")
            continue
        if name not in compiled.params:
            hint = suggest(name, compiled.params)
            errors.append(UsageError(f"rule {rule} has no parameter '{name}'", where, hint=hint))
        elif types:
            try:
                param_value(compiled.params[name], config.parameters[rule][name], name, rule)
                words = compiled.param_words.get(name, ())
                check_param_words(rule, name, config.parameters[rule][name], words)
            except AimscheckError as exc:
                errors.append(UsageError(exc.message, where, hint=exc.hint))
    for change in config.severity:
        if change.rule not in known:
            unknown(change.rule, change.location, "rules.severity")
    for off in config.disabled:
        if off.rule not in known:
            unknown(off.rule, off.location, "rules.disabled")
    return errors
