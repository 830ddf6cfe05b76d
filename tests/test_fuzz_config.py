"""Fuzzing the files a repo's owner writes by hand: configuration, waiver files, rule tests.

Whatever they hold (impossible dates, wrong types, tags, anchors and aliases, keys that are not
text, nesting hundreds deep, numbers thousands of digits long), loading them either works or
raises AimscheckError (exit 2) whose every message names the file and line: never another
exception (an "internal error"), never a temporary file the user did not write.
"""

from __future__ import annotations

import functools
import os
import tempfile
import textwrap
from pathlib import Path

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from aimscheck.config import load_config
from aimscheck.dsl.ruleset import RuleSet, compile_files
from aimscheck.errors import AimscheckError, ErrorGroup
from aimscheck.ruletests import run_tests

FUZZ = settings(
    max_examples=int(os.environ.get("AIMSCHECK_FUZZ_EXAMPLES", "25")),
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture],
    derandomize="AIMSCHECK_FUZZ_EXAMPLES" not in os.environ,  # CI: the same examples each run
)

# Values as written in YAML (flow style, one line): plain ones and every oddity seen in the
# wild or in hostile input.
ODD = st.sampled_from(
    [
        "2027-02-30",
        "2026-02-29",
        "'2027-02-30'",
        "2027-13-01",
        "2027-01-31T25:00:00",
        "!!int abc",
        "!!float x",
        "!!timestamp junk",
        "!!bool maybe",
        "!!binary '@@'",
        "!foo bar",
        "!!python/object:os.system x",
        "!!set {a, b}",
        "&a [1, 2]",
        "*a",
        "9" * 5000,
        "-" + "1" * 400,
        "1e999",
        ".inf",
        "-.nan",
        "0x" + "f" * 40,
        "[" * 300 + "]" * 300,
        "{? [1]: 2}",
        "{1: x}",
        "{~: y}",
        "{true: z}",
        "{a: 1, a: 2}",
        "yes",
        "~",
        "''",
        '"\\0"',
        '"a\\nb"',
        "[]",
        "{}",
    ]
)
PLAIN = st.sampled_from(
    ["AIMS-9.3-01", "R-1", "major", "minor", "never", "true", "5", "0", "-1", "x", "2027-01-31"]
)
VALUE = ODD | PLAIN | st.lists(ODD | PLAIN, max_size=3).map(lambda v: "[" + ", ".join(v) + "]")
WAIVER_KEYS = st.sampled_from(["rule", "subject", "justification", "approver", "expires", "xtra"])
CONFIG_KEYS = st.sampled_from(
    ["version", "fail_on", "baseline", "waiver_files", "outputs", "evidence", "vocabulary", "9"]
)


@st.composite
def waiver_list(draw: st.DrawFn) -> str:
    entries = []
    for _ in range(draw(st.integers(0, 3))):
        keys = draw(st.lists(WAIVER_KEYS, min_size=1, max_size=6))
        entries.append("{" + ", ".join(f"{k}: {draw(VALUE)}" for k in keys) + "}")
    return "[" + ", ".join(entries) + "]"


@st.composite
def config_text(draw: st.DrawFn) -> str:
    lines = [f"waivers: {draw(waiver_list())}"]
    for key in draw(st.lists(CONFIG_KEYS, max_size=5)):
        lines.append(f"{key}: {draw(VALUE)}")
    rules = draw(st.sampled_from(["", "severity", "disabled", "parameters", "packs"]))
    if rules:
        lines.append(f"rules: {{{rules}: {draw(VALUE)}}}")
    # Settings of the right shape with odd values: read past the schema, into the settings.
    shaped = [
        "rules: {severity: [{rule: %s, severity: %s, reason: %s}]}",
        "rules: {disabled: [{rule: %s, reason: %s}, {rule: %s, reason: x}]}",
        "rules: {parameters: {%s: {max_age: %s}}, packs: [%s]}",
        "vocabulary: {ai_systems.risk_tier: {values: [%s, %s], reason: %s}}",
        "readiness: {systemic_after: %s}",
        "evidence: {require_sha256: %s, uri_counts: %s}",
        "outputs: {junit: %s, html: %s}",
        "baseline: %s",
    ]
    for template in draw(st.lists(st.sampled_from(shaped), max_size=2, unique=True)):
        lines.append(template % tuple(draw(VALUE) for _ in range(template.count("%s"))))
    return "\n".join(draw(st.permutations(lines)))


def located(error: AimscheckError, allowed: set[str]) -> bool:
    """Every message of `error` names one of the `allowed` files and a line."""
    inner = error.errors if isinstance(error, ErrorGroup) else [error]
    return all(
        e.location is not None
        and os.path.realpath(e.location.file) in allowed
        and e.location.line >= 1
        for e in inner
    )


@FUZZ
@given(config=config_text(), waivers=waiver_list())
def test_a_fuzzed_configuration_loads_or_says_where_it_is_wrong(config: str, waivers: str) -> None:
    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp)
        (root / "w.yaml").write_text(f"version: 1\nwaivers: {waivers}\n", encoding="utf-8")
        path = root / "aimscheck.yaml"
        path.write_text(config + "\nwaiver_files: [w.yaml]\n", encoding="utf-8")
        allowed = {os.path.realpath(path), os.path.realpath(root / "w.yaml")}
        try:
            load_config(path)
        except AimscheckError as exc:
            assert located(exc, allowed), exc.render()


RULE = """\
rule "ORG-1" {
  title    "Every review has a date after the policy"
  clause   "9.3"
  severity minor
  phase    monitoring
  for r in management_reviews
  require r.held_at > 2025-01-01
  evidence r.minutes_ref
}
"""


@functools.cache
def ruleset() -> tuple[Path, RuleSet]:
    folder = Path(tempfile.mkdtemp(prefix="fuzz-rules-"))
    (folder / "org.aims").write_text(RULE, encoding="utf-8")
    return folder, compile_files([folder / "org.aims"])


EXPECT = st.sampled_from(
    [
        "nonconformity",
        "pass",
        "{outcome: missing_evidence, failed: [2], reasons: [file_not_found]}",
        "{outcome: pass, message: x}",
        "{outcome: nonconformity, failed: [9]}",
        "{outcome: nonconformity, failed: ['r.held_at > 2025-01-01']}",
        "{outcome: nonconformity, message_matches: '(a'}",
        "{outcome: pass, reasons: [nope]}",
        "{outcom: pass}",
    ]
)


@st.composite
def rule_test_file(draw: st.DrawFn) -> str:
    review = ", ".join(
        f"{k}: {draw(VALUE)}"
        for k in draw(st.lists(st.sampled_from(["id", "held_at", "minutes_ref", "q"]), max_size=4))
    )
    files = draw(st.sampled_from(["", "files: {m.md: x}", "files: {'': x}", "files: {m.md/x: y}"]))
    return textwrap.dedent(
        f"""\
        as_of: {draw(PLAIN | ODD)}
        {files}
        cases:
          - name: a
            rule: {draw(st.sampled_from(["ORG-1", "ORG-2", "[1]"]))}
            export:
              management_reviews: [{{id: MR-1, held_at: 2026-01-01}}, {{{review}}}]
            expect: {{management_reviews/MR-1: {draw(EXPECT)}}}
        """
    )


@FUZZ
@given(text=rule_test_file())
def test_a_fuzzed_rule_test_runs_or_says_where_it_is_wrong(text: str) -> None:
    folder, rules = ruleset()
    path = folder / "org.tests.yaml"
    path.write_text(text, encoding="utf-8")
    try:
        run_tests([folder], rules)
    except AimscheckError as exc:
        assert located(exc, {os.path.realpath(path)}), exc.render()
