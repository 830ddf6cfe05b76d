"""Broken and hostile rule packs: a located error (exit 2) or an error result, in seconds."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import pytest
from hostiledata import AS_OF, ROOT, check, process, repo, rules, run, write

from aimscheck.cli import EXIT_ERROR, EXIT_FINDINGS, EXIT_OK

HEAD = """\
rule "T-1" {
  title "t"
  clause "4.3"
  severity minor
  phase scope_definition
  for sys in ai_systems
"""


def rule(*body: str, fields: str = "") -> str:
    """A rule file: `fields` declarations, then one rule over ai_systems with `body` lines."""
    return fields + HEAD + "".join(f"  {line}\n" for line in body) + "}\n"


# name → (the statement, the error's line:column, the error's first line)
STATIC: dict[str, tuple[str, str, str]] = {
    "unterminated string": (
        'require sys.name == "abc',
        "7:23",
        'unterminated text: close it with " on the same line',
    ),
    "missing operand": (
        "require sys.name ==",
        "7:20",
        "the statement ends after '==': expected a value, a name or '('",
    ),
    "stray character": ("require sys.name @ 1", "7:20", "'@' has no meaning in a rule"),
    "unclosed bracket": ("require (sys.name is set", "7:11", "'(' is never closed"),
    "quantifier after an operator": (
        "require true and exists x in risks where x.id == sys.id",
        "7:20",
        "'exists' cannot follow an operator without parentheses",
    ),
    "empty message hole": (
        'require sys.name is set because "no {} here"',
        "7:40",
        "empty '{}' in a message: put an expression inside, or write \\{ for a literal brace",
    ),
    "unknown name": ("require nope is set", "7:11", "unknown name 'nope'"),
    "unknown function": ("require lenn(sys.name) > 0", "7:11", "unknown function 'lenn'"),
    "unknown field": ("require sys.nmae is set", "7:15", "unknown field 'nmae'"),
    "wrong argument count": (
        "require len(sys.name, 1) > 0",
        "7:11",
        "len() takes 1 argument(s), got 2",
    ),
    "impossible date": ("require 2026-02-30 < today", "7:11", "'2026-02-30' is not a valid date"),
    "comparison across types": ("require sys.name > 3", "7:11", "cannot order text with a number"),
    "quantifier over text": (
        "require exists x in sys.name where x == 1",
        "7:27",
        "'exists' needs a list or collection, not text",
    ),
    "not a condition": (
        "require sys.name",
        "7:15",
        "a condition must be true or false, but this is text",
    ),
    "backreference": (
        'require sys.name matches "(a)\\\\1"',
        "7:28",
        "bad regular expression: invalid escape sequence",
    ),
    "lookahead": (
        'require sys.name matches "a(?=b)"',
        "7:28",
        "bad regular expression: invalid perl operator",
    ),
    "pattern too long": (
        'require sys.name matches "' + "a" * 1001 + '"',
        "7:28",
        "bad regular expression: pattern longer than 1000 characters (max_regex_pattern, "
        "set by AIMSCHECK_MAX_REGEX_PATTERN or --limit max_regex_pattern=N)",
    ),
}


@pytest.fixture
def export(tmp_path: Path) -> Path:
    return repo(tmp_path / "repo")


@pytest.mark.parametrize("name", list(STATIC))
def test_each_broken_rule_gets_a_located_error(name: str, tmp_path: Path, export: Path) -> None:
    statement, where, message = STATIC[name]
    pack = rules(tmp_path, rule(statement))
    result = check(export, pack)
    assert result.exit_code == EXIT_ERROR, result.output
    lines = result.stderr.removeprefix("aimscheck: error:").strip().splitlines()
    assert lines[0] == f"{pack / 'pack.aims'}:{where}: {message}"
    assert "Traceback" not in result.output


def test_a_rule_file_that_is_not_text(tmp_path: Path, export: Path) -> None:
    pack = tmp_path / "rules"
    write(pack, {"pack.aims": b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR"})
    result = check(export, pack)
    assert result.exit_code == EXIT_ERROR
    assert f"{pack / 'pack.aims'}:1: cannot read rule file" in result.stderr


# ---- rules that parse but cannot be evaluated: an `error` result, never a crash or a hang


def results(export: Path, pack: Path, env: dict[str, str] | None = None) -> list[dict[str, Any]]:
    """The non-pass results of `check --format json`, after checking the run ended well."""
    started = time.perf_counter()
    result = run(
        "check", export, "--no-default-rules", "--rules", pack, *AS_OF, "--format", "json", env=env
    )
    assert time.perf_counter() - started < 30
    assert result.exit_code in (EXIT_OK, EXIT_FINDINGS), result.output
    report: dict[str, Any] = json.loads(result.stdout)
    out: list[dict[str, Any]] = report["results"]
    return out


def only_message(found: list[dict[str, Any]]) -> str:
    assert [r["outcome"] for r in found] == ["error"], found
    message: str = found[0]["message"]
    return message


def test_division_by_zero(tmp_path: Path, export: Path) -> None:
    pack = rules(tmp_path, rule("require len(sys.id) / (len(sys.id) - 2) > 1"))
    assert only_message(results(export, pack)) == "could not evaluate: division by zero"


def test_a_comparison_across_types_in_the_data(tmp_path: Path, export: Path) -> None:
    write(export, {"ai_systems/s1.yaml": "id: s1\nin_scope: true\nname: S\nscore: high\n"})
    # A declared field is validated with the export (issue 14): `sys["score"]` is not declared.
    pack = rules(tmp_path, rule('require sys["score"] > 3'))
    assert only_message(results(export, pack)) == (
        "could not evaluate: cannot compare text (high) with a number (3)"
    )


def test_a_quantifier_over_a_value_that_is_not_a_list(tmp_path: Path, export: Path) -> None:
    write(export, {"ai_systems/s1.yaml": "id: s1\nin_scope: true\nname: S\ntags: ops\n"})
    pack = rules(tmp_path, rule('require exists t in sys["tags"] where t == "a"'))
    assert only_message(results(export, pack)) == (
        "could not evaluate: 'exists' needs a list or collection, got 'ops'"
    )


def test_missing_fields_everywhere_are_missing_not_errors(tmp_path: Path, export: Path) -> None:
    pack = rules(
        tmp_path,
        rule(
            "let owner = sys.owner_ref -> people",
            "require owner.name is missing and owner.department is missing",
            "require sys.human_oversight.mode is missing and not (sys.human_oversight is set)",
            "require not (exists r in risks where r.treatment.due < today)",
            "require len(sys.model_refs) == 0 and first(sys.model_refs) is missing",
            'require latest(audits, "held_at") is missing and max(pluck(audits, "x")) is missing',
            "require sys.deployed_at + 30 days is missing and age(sys.deployed_at) is missing",
            'require sys.risk_tier not in ["high"] and sys.risk_tier != "high"',
        ),
    )
    assert results(export, pack) == []


BOMB = "require " + "all a in ai_systems: " * 40 + "a.id is set"  # 3 systems: 3**40 steps


def three_systems(tmp_path: Path) -> Path:
    extra = {f"ai_systems__s{i}.yaml": f"id: s{i}\nin_scope: true\nname: S\n" for i in range(2, 4)}
    return repo(tmp_path / "repo", **extra)


def test_nested_quantifiers_stop_at_the_rule_budget(tmp_path: Path) -> None:
    export = three_systems(tmp_path)
    found = results(export, rules(tmp_path, rule(BOMB)), {"AIMSCHECK_MAX_RULE_STEPS": "50000"})
    assert [(r["outcome"], r["subject"]["id"]) for r in found] == [("error", "s1")]
    assert found[0]["message"] == (
        "evaluation stopped after 50,060 steps, the budget of one rule (max_rule_steps): "
        "a quantifier over a collection inside another one compares every record with every "
        "other; join on a field instead (exists b in risks where b.id == a.risk_ref), or if the "
        "input is genuine, raise the limit: AIMSCHECK_MAX_RULE_STEPS=N or "
        "--limit max_rule_steps=N; 2 more subject(s) were not evaluated"
    )


def test_the_default_budget_ends_a_runaway_rule_in_seconds(tmp_path: Path) -> None:
    export = three_systems(tmp_path)
    pack = rules(tmp_path, rule(BOMB))
    started = time.perf_counter()
    proc = process(
        "check", export, "--no-default-rules", "--rules", pack, *AS_OF, "--format", "json"
    )
    assert time.perf_counter() - started < 30
    assert proc.returncode == EXIT_FINDINGS, proc.stderr
    assert proc.stderr == ""
    [error] = json.loads(proc.stdout)["results"]
    assert error["message"].startswith("evaluation stopped after 1,000,060 steps")


def test_the_run_budget_bounds_many_costly_rules(tmp_path: Path, export: Path) -> None:
    costly = "".join(
        rule(
            "require all a in annex_a_controls: all b in annex_a_controls: "
            "all c in annex_a_controls: a.id is set"
        ).replace('"T-1"', f'"T-{i}"')
        for i in range(5)
    )
    env = {"AIMSCHECK_MAX_RULE_STEPS": "2000", "AIMSCHECK_MAX_RUN_STEPS": "3000"}
    found = results(export, rules(tmp_path, costly), env)
    assert [(r["rule"], r["outcome"]) for r in found] == [(f"T-{i}", "error") for i in range(5)]
    assert found[0]["message"].startswith(
        "evaluation stopped after 2,020 steps, the budget of one rule"
    )
    assert found[1]["message"].startswith(
        "evaluation stopped after 1,180 steps, the budget of all rules together (max_run_steps)"
    )
    assert found[4]["message"].startswith(
        "evaluation stopped after 0 steps, the budget of all rules"
    )


def test_texts_cannot_double_without_end(tmp_path: Path, export: Path) -> None:
    lets = [f"let t{i} = t{i - 1} + t{i - 1}" for i in range(1, 60)]
    pack = rules(tmp_path, rule("let t0 = sys.name", *lets, "require len(t59) > 0"))
    assert only_message(results(export, pack)) == (
        "could not evaluate: joining texts of 917504 and 917504 characters passes the 1000000 "
        "characters a text may have (max_text); if the input is genuine, raise the limit: "
        "AIMSCHECK_MAX_TEXT=N or --limit max_text=N"
    )


def test_numbers_cannot_grow_without_end(tmp_path: Path, export: Path) -> None:
    lets = [f"let n{i} = n{i - 1} * n{i - 1}" for i in range(1, 60)]
    pack = rules(tmp_path, rule("let n0 = len(sys.id) + 1", *lets, "require n59 > 0"))
    assert only_message(results(export, pack)) == (
        "could not evaluate: number too large: the result has more than 300 digits"
    )


def test_catastrophic_backtracking_patterns_run_in_linear_time(
    tmp_path: Path, export: Path
) -> None:
    # With Python's `re`, `(a+)+$` on this name takes longer than the universe is old.
    write(export, {"ai_systems/s1.yaml": f"id: s1\nin_scope: true\nname: {'a' * 5000}!\n"})
    patterns = ["(a+)+$", "(a|aa)+$", "^(a*)*$", "^(a|a?)+$", "(.*a){20}$"]
    pack = rules(tmp_path, rule(*(f'require not (sys.name matches "{p}")' for p in patterns)))
    started = time.perf_counter()
    assert results(export, pack) == []
    assert time.perf_counter() - started < 10


def test_matches_refuses_text_past_its_limit(tmp_path: Path, export: Path) -> None:
    write(export, {"ai_systems/s1.yaml": f"id: s1\nin_scope: true\nname: {'a' * 100_001}\n"})
    pack = rules(tmp_path, rule('require sys.name matches "^a+$"'))
    assert only_message(results(export, pack)) == (
        "could not evaluate: text of 100001 characters is longer than 'matches' reads (100000, "
        "max_regex_subject); if the input is genuine, raise the limit: "
        "AIMSCHECK_MAX_REGEX_SUBJECT=N or --limit max_regex_subject=N"
    )


def test_costly_searches_are_charged_to_the_budget(tmp_path: Path, export: Path) -> None:
    # RE2 never backtracks, but a large automaton over long text is slow: it is paid for.
    write(export, {"ai_systems/s1.yaml": f"id: s1\nin_scope: true\nname: {'ab' * 40_000}\n"})
    pack = rules(tmp_path, rule('require not (sys.name matches "(.{0,100}){10}xyz")'))
    found = results(export, pack, {"AIMSCHECK_MAX_RULE_STEPS": "100000"})
    assert only_message(found).startswith("evaluation stopped after 100,020 steps")


def test_a_search_its_budget_cannot_pay_for_is_never_started(tmp_path: Path, export: Path) -> None:
    # Issue 16: RE2 runs this pattern at about 155 instructions x bytes per microsecond, two
    # seconds on this name. Charged at that worst case before it starts, it never does.
    write(export, {"ai_systems/s1.yaml": f"id: s1\nin_scope: true\nname: {'a' * 100_000}\n"})
    pack = rules(tmp_path, rule('require not (sys.name matches "([a!]*a){1000}[xy]")'))
    assert only_message(results(export, pack)) == (
        "evaluation stopped after 1,000,020 steps, the budget of one rule (max_rule_steps): "
        "searching 100,000 characters with '([a!]*a){1000}[xy]' (3,005 instructions) costs "
        "6,110,001 steps at RE2's worst; a pattern with fewer counted repetitions (such as "
        "{1000} or .{0,100}) or a shorter text costs less, or if the input is genuine, raise "
        "the limit: AIMSCHECK_MAX_RULE_STEPS=N or --limit max_rule_steps=N"
    )


def test_a_search_is_charged_by_the_bytes_re2_reads() -> None:
    from aimscheck.dsl.regex import compile_regex

    regex = compile_regex("(.{0,100}){10}xyz")
    assert regex.cost("é" * 1000) == regex.cost("e" * 2000) > regex.cost("e" * 1000)
    assert regex.cost("😀" * 1000) == regex.cost("e" * 4000)
    assert regex.cost("") == 1


def test_a_pattern_past_re2s_memory_is_refused_with_what_to_do(
    tmp_path: Path, export: Path
) -> None:
    pack = rules(tmp_path, rule('require sys.name matches "[\\\\p{L}\\\\p{N}]{300}!"'))
    result = check(export, pack)
    assert result.exit_code == EXIT_ERROR
    assert error_lines(result.stderr) == [
        f"{pack / 'pack.aims'}:7:28: bad regular expression: pattern too large - compile failed",
        '    require sys.name matches "[\\\\p{L}\\\\p{N}]{300}!"',
        "                             ^^^^^^^^^^^^^^^^^^^^^^",
        "  hint: the pattern's program passes RE2's memory of 1 MB: repeat less, and count "
        "lengths with len() instead (^[\\\\p{L} ]+$ and len(x) <= 300, not ^[\\\\p{L} ]{1,300}$)",
    ]


# ---- what the rule parser must bound (dsl/parser.py, dsl/ruleset.py: see docs/security.md)


def test_deeply_nested_expressions_end_with_exit_2(tmp_path: Path, export: Path) -> None:
    for statement in (
        "require " + "not " * 5000 + "true",
        "require " + "[" * 5000 + "]" * 5000 + " is set",
    ):
        pack = rules(tmp_path, rule(statement))
        result = check(export, pack)
        assert result.exit_code == EXIT_ERROR
        assert "Traceback" not in result.output


def error_lines(result_stderr: str) -> list[str]:
    return result_stderr.removeprefix("aimscheck: error:").strip().splitlines()


DEPTH_HINT = (
    "  hint: if the input is genuine, raise the limit: AIMSCHECK_MAX_RULE_DEPTH=N or "
    "--limit max_rule_depth=N"
)


def test_deeply_nested_expressions_are_refused_where_they_start(
    tmp_path: Path, export: Path
) -> None:
    pack = rules(tmp_path, rule("require " + "not " * 5000 + "true"))
    result = check(export, pack)
    assert result.exit_code == EXIT_ERROR
    # The 101st `not`, the first level past the limit: 11 + 100 * 4 = column 411.
    assert error_lines(result.stderr) == [
        f"{pack / 'pack.aims'}:7:411: expression nested more than 100 levels deep "
        "(max_rule_depth): rules need a few levels; split this one into steps with let",
        "  …not not not not not not not not not not not not not not not not not not not not not "
        "not not not not not not not not not …",
        "  " + " " * 61 + "^",
        DEPTH_HINT,
    ]


@pytest.mark.parametrize(
    ("statement", "where"),
    [
        ("require " + "[" * 5000 + "]" * 5000 + " is set", "7:110"),  # `is` is a level too
        ("require sys.id" + ".x" * 5000 + " is set", "7:11"),  # field steps: the first `sys`
        ("require " + " and ".join(["sys.id is set"] * 200), "7:11"),  # a chain of `and`
        ("require " + "-" * 5000 + "1 < 0", "7:110"),
        ('require sys.id is set because "{' + "not " * 5000 + 'true}"', "7:435"),  # a hole
    ],
)
def test_every_kind_of_nesting_is_bounded(
    statement: str, where: str, tmp_path: Path, export: Path
) -> None:
    pack = rules(tmp_path, rule(statement))
    result = check(export, pack)
    assert result.exit_code == EXIT_ERROR
    assert error_lines(result.stderr)[0].startswith(f"{pack / 'pack.aims'}:{where}: expression")
    assert "(max_rule_depth)" in result.stderr


def test_nesting_at_the_limit_is_read(tmp_path: Path, export: Path) -> None:
    # 97 `not`, the `is missing`, the field step and the name: 100 levels, the default limit.
    deep = "not " * 97 + "(sys.name is missing)"
    pack = rules(tmp_path, rule(f"require {deep}", f'because "{{{deep}}}"'))
    assert results(export, pack) == []
    one_less = check(export, pack, "--limit", "max_rule_depth=99")
    assert "expression nested more than 99 levels deep" in one_less.stderr


def test_the_limit_can_be_lowered_and_raised(tmp_path: Path, export: Path) -> None:
    pack = rules(tmp_path, rule("require not not not sys.name is missing"))  # 6 levels
    lowered = check(export, pack, "--limit", "max_rule_depth=5")
    assert lowered.exit_code == EXIT_ERROR
    assert "expression nested more than 5 levels deep (max_rule_depth)" in lowered.stderr
    assert check(export, pack, "--limit", "max_rule_depth=6").exit_code == EXIT_OK
    # A parse kept in the cache under the default limit is not taken under a lower one.
    assert check(export, pack).exit_code == EXIT_OK
    assert check(export, pack, "--limit", "max_rule_depth=5").exit_code == EXIT_ERROR


def test_a_limit_raised_past_what_python_can_read_is_still_an_error(
    tmp_path: Path, export: Path
) -> None:
    pack = rules(tmp_path, rule("require " + "not " * 5000 + "true"))
    result = check(export, pack, "--limit", "max_rule_depth=100000")
    assert result.exit_code == EXIT_ERROR
    assert error_lines(result.stderr)[0] == (
        f"{pack / 'pack.aims'}:1:1: expression nested too deeply for Python to read "
        "(max_rule_depth is 100000): split it into steps with let"
    )
    assert "Traceback" not in result.output


def test_huge_rule_files_are_refused_before_parsing(tmp_path: Path, export: Path) -> None:
    many = "".join(rule("require sys.id is set").replace('"T-1"', f'"T-{i}"') for i in range(200))
    pack = rules(tmp_path, many)  # about 30 kB: over a 10 kB limit
    result = run(
        "check",
        export,
        "--no-default-rules",
        "--rules",
        pack,
        *AS_OF,
        env={"AIMSCHECK_MAX_RULE_FILE_MB": "0.01"},
    )
    assert result.exit_code == EXIT_ERROR
    assert error_lines(result.stderr) == [
        f"{pack / 'pack.aims'}:1: the rule file is larger than 0.01 MB (max_rule_file_mb): "
        "split it into several .aims files",
        "  hint: if the input is genuine, raise the limit: AIMSCHECK_MAX_RULE_FILE_MB=N or "
        "--limit max_rule_file_mb=N",
    ]


def test_a_file_of_broken_rules_is_answered_in_seconds(tmp_path: Path, export: Path) -> None:
    broken = "".join(f'rule "B-{i}" {{\n  title "t"\n  require (\n}}\n' for i in range(1000))
    pack = rules(tmp_path, broken)
    proc = process(
        "check", export, "--no-default-rules", "--rules", pack, "--as-of", "2026-11-20", timeout=10
    )
    assert proc.returncode == EXIT_ERROR
    assert "Traceback" not in proc.stderr
    lines = proc.stderr.splitlines()
    reported = [line for line in lines if line.startswith(str(pack / "pack.aims"))]
    assert len(reported) == 51  # the first 50 errors, then where reading stopped
    assert reported[0] == f"{pack / 'pack.aims'}:3:11: '(' is never closed"
    assert reported[49] == f"{pack / 'pack.aims'}:199:11: '(' is never closed"
    assert reported[50] == (
        f"{pack / 'pack.aims'}:203:11: more than 50 syntax errors in this file: "
        "reading stopped, and further errors were not reported"
    )
    assert lines[-1] == "  hint: fix the errors above and run again"


def test_recovery_reads_the_rules_around_many_errors_in_linear_time() -> None:
    from aimscheck.dsl import parser

    good = rule("require sys.id is set")
    bad = rule("require (")
    text = "".join((bad if i % 2 else good).replace('"T-1"', f'"T-{i}"') for i in range(80))
    parsed = parser.parse_recovering(text * 10, "pack.aims")  # 400 errors: stops at 50
    assert len(parsed.errors) == 51
    assert parsed.file.rules == ()  # a file read only in part gives no rule
    parsed = parser.parse_recovering(text, "pack.aims")  # 40 errors, all reported
    assert len(parsed.errors) == 40
    assert [r.id for r in parsed.file.rules] == [f"T-{i}" for i in range(80)]
    assert all(len(r.body) == (0 if i % 2 else 1) for i, r in enumerate(parsed.file.rules))


def test_a_named_pipe_is_refused_not_waited_for(tmp_path: Path, export: Path) -> None:
    if not hasattr(os, "mkfifo"):
        pytest.skip("no named pipes on this system")
    pack = rules(tmp_path)
    os.mkfifo(pack / "x.aims")
    for target in (pack, pack / "x.aims"):
        proc = process("check", export, "--no-default-rules", "--rules", target, *AS_OF, timeout=20)
        assert proc.returncode == EXIT_ERROR
        assert error_lines(proc.stderr) == [
            f"{pack / 'x.aims'}:1: the rule file is not a regular file (a device, pipe or socket)",
            "  hint: remove it, or rename it so that it does not end in .aims",
        ]
    commands: list[tuple[str | Path, ...]] = [
        ("lint", pack, "--no-default-rules"),
        ("fmt", "--check", pack),
        ("test", pack, "--no-default-rules"),
    ]
    for command in commands:
        proc = process(*command, timeout=20)
        assert proc.returncode == EXIT_ERROR, command
        assert "x.aims:1: the rule file is not a regular file" in proc.stderr, command


# ---- messages are bounded while they are built (values.show, message templates, cli.fail)


def capped(*args: str | Path, memory_gb: float = 1) -> subprocess.CompletedProcess[str]:
    """A real process whose address space is capped: what it would build past that fails."""
    resource = pytest.importorskip("resource")

    def cap() -> None:
        limit = int(memory_gb * 2**30)
        resource.setrlimit(resource.RLIMIT_AS, (limit, limit))

    env = {**os.environ, "PYTHONPATH": str(ROOT), "AIMSCHECK_NO_CACHE": "1"}
    return subprocess.run(
        [sys.executable, "-m", "aimscheck", *map(str, args)],
        capture_output=True,
        text=True,
        timeout=60,
        env=env,
        preexec_fn=cap,
    )


def test_a_message_repeating_a_long_field_is_cut_while_it_is_built(tmp_path: Path) -> None:
    # 30,000 times a name of 100,000 characters would be a 3 GB message: the process may use 1.
    export = repo(tmp_path / "repo")
    write(export, {"ai_systems/s1.yaml": f"id: s1\nin_scope: true\nname: {'a' * 100_000}\n"})
    because = 'because "' + "{x}" * 30_000 + '"'
    pack = rules(tmp_path, rule("let x = sys.name", "require sys.name is missing", because))
    proc = capped(
        "check", export, "--no-default-rules", "--rules", pack, *AS_OF, "--format", "json"
    )
    assert proc.returncode == EXIT_FINDINGS, proc.stderr[:500]
    [found] = json.loads(proc.stdout)["results"]
    # Each value at 500 characters (max_message_value), the message at 2,000 (max_message).
    assert found["message"] == ("a" * 499 + "…") * 4


def test_a_megabyte_name_in_a_repeated_message_ends_with_findings(tmp_path: Path) -> None:
    export = repo(tmp_path / "repo")
    write(export, {"ai_systems/s1.yaml": f"id: s1\nin_scope: true\nname: {'n' * 2**20}\n"})
    because = 'because "name: {sys.name}' + "{sys.name}" * 3_000 + '"'
    pack = rules(tmp_path, rule("require sys.name is missing", because))
    proc = capped(
        "check", export, "--no-default-rules", "--rules", pack, *AS_OF, "--format", "json"
    )
    assert proc.returncode == EXIT_FINDINGS, proc.stderr[:500]
    [found] = json.loads(proc.stdout)["results"]
    assert found["message"] == "name: " + "n" * 499 + "…" + ("n" * 499 + "…") * 2 + "n" * 493 + "…"


def test_message_limits_can_be_set(tmp_path: Path, export: Path) -> None:
    write(export, {"ai_systems/s1.yaml": "id: s1\nin_scope: true\nname: Scoring engine\n"})
    pack = rules(tmp_path, rule("require sys.name is missing", 'because "{sys.name} ({sys.id})"'))
    env = {"AIMSCHECK_MAX_MESSAGE_VALUE": "5", "AIMSCHECK_MAX_MESSAGE": "9"}
    [found] = results(export, pack, env)
    assert found["message"] == "Scor… (s…"  # "Scor…" then " (s1)": 10 characters, cut to 9
    [found] = results(export, pack)
    assert found["message"] == "Scoring engine (s1)"


def test_a_long_list_in_a_message_is_shown_from_its_start() -> None:
    from aimscheck.values import show

    ids = [f"risk-{i}" for i in range(1_000_000)]
    shown = show(ids, 40)
    assert shown == "risk-0, risk-1, risk-2, risk-3, risk-4,…"
    assert len(shown) == 40
    assert show([[ids[:3], 2**5000, {"id": "s" * 50}], True], 60) == (
        "risk-0, risk-1, risk-2, a number of about 1506 digits, ssss…"
    )
    assert show("x" * 10, 10) == "x" * 10 and show("x" * 11, 10) == "x" * 9 + "…"


def test_an_error_message_is_never_empty_nor_huge(capsys: pytest.CaptureFixture[str]) -> None:
    from aimscheck.cli import fail

    for error, expected in [
        (
            MemoryError(),
            "out of memory: this run needs more memory than the process may use; "
            "give it more, or lower the limits of docs/security.md (such as max_export_mb) to "
            "fail earlier",
        ),
        (ValueError(), "ValueError without a message; please report it"),
        (ValueError("   "), "ValueError without a message; please report it"),
        (OSError("x" * 2**20), "x" * 2000 + "…"),
    ]:
        with pytest.raises(SystemExit) as caught:
            fail(error)
        assert caught.value.code == EXIT_ERROR
        assert capsys.readouterr().err == f"aimscheck: error: {expected}\n"
