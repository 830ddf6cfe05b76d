"""The compiler's checks before a rule runs: closed vocabularies wherever a word is written,
parameters and arithmetic typed, each mistake reported at the text to fix (exit 2)."""

from __future__ import annotations

from pathlib import Path

import click
from click.testing import CliRunner

from aimscheck.cli import EXIT_ERROR, EXIT_OK, main
from aimscheck.commands import lint as lint_command


def lint(
    tmp_path: Path,
    lines: str,
    head: str = "for ia in impact_assessments",
    config: Path | None = None,
) -> tuple[int, str]:
    """`aimscheck lint --no-default-rules` on one rule whose body is `lines` (from line 8)."""
    (tmp_path / "org.aims").write_text(
        'rule "ORG-6.1.4-01" {\n  title "t"\n  clause "6.1.4"\n  severity minor\n'
        f"  phase risk_assessment\n  {head}\n  # the lines under test\n{lines}\n}}\n"
    )
    group = click.Group()
    group.add_command(lint_command.command)
    result = CliRunner().invoke(
        group,
        [
            "lint",
            "--no-default-rules",
            *(["--config", str(config)] if config else []),
            str(tmp_path / "org.aims"),
        ],
        catch_exceptions=False,
    )
    return result.exit_code, result.output.replace(str(tmp_path) + "/", "")


def errors(output: str) -> list[str]:
    """Each error as `file:line:col: message | hint`."""
    found: list[str] = []
    for line in output.splitlines():
        if ": error: " in line:
            found.append(line.replace(": error: ", ": "))
        elif line.startswith("  hint: ") and found:
            found[-1] += " | " + line.removeprefix("  hint: ")
    return found


TYPO = "did you mean 'approved'? (one of: draft, approved, superseded)"


def test_a_misspelt_word_is_reported_wherever_it_reaches_a_closed_vocabulary(
    tmp_path: Path,
) -> None:
    code, out = lint(
        tmp_path,
        '  param wanted = "aproved"\n'  # 8: a parameter compared with the field
        '  let same = "aproved"\n'  # 9: a let
        '  require ia.status in ["approved", "aproved"] because "x"\n'  # 10: a list
        '  require ia.status not in ["draft", "aprovd"] because "x"\n'  # 11: not in
        '  require ia.status == wanted or ia.status == same because "x"\n'
        '  require coalesce(ia.status, "drft") != "draft" because "x"\n'  # 13: coalesce
        '  require "aproved" == ia.status because "x"\n'  # 14: on the left
        '  require exists s in ["aproved"] where ia.status == s because "x"\n'  # 15
        '  require organization.ai_roles == ["providr"] because "x"',  # 16: lists compared
    )
    assert code == EXIT_ERROR
    assert errors(out) == [
        f"org.aims:8:18: 'aproved' is not one of the values this field takes | {TYPO}",
        f"org.aims:9:14: 'aproved' is not one of the values this field takes | {TYPO}",
        f"org.aims:10:37: 'aproved' is not one of the values this field takes | {TYPO}",
        f"org.aims:11:38: 'aprovd' is not one of the values this field takes | {TYPO}",
        "org.aims:13:31: 'drft' is not one of the values this field takes "
        "| did you mean 'draft'? (one of: draft, approved, superseded)",
        f"org.aims:14:11: 'aproved' is not one of the values this field takes | {TYPO}",
        f"org.aims:15:24: 'aproved' is not one of the values this field takes | {TYPO}",
        "org.aims:16:37: 'providr' is not one of the values this field takes | did you mean "
        "'provider'? (one of: provider, developer, deployer, user, customer, partner)",
    ]


def test_words_of_the_vocabulary_and_texts_built_at_run_time_are_not_reported(
    tmp_path: Path,
) -> None:
    code, out = lint(
        tmp_path,
        '  param wanted = ["approved", "draft"]\n'
        '  let prefix = "appr"\n'
        '  require ia.status in wanted because "x"\n'
        '  require ia.status == prefix + "oved" because "x"\n'
        '  require coalesce(ia.status, "draft") == "approved" because "x"\n'
        '  require ia.status in ["superseded"] or ia.status == lower("DRAFT") because "x"',
    )
    assert (code, errors(out)) == (EXIT_OK, [])


def test_a_duration_or_a_date_written_as_text_is_an_error_at_the_text_with_the_fix(
    tmp_path: Path,
) -> None:
    code, out = lint(
        tmp_path,
        '  param window = "30 days"\n'  # 8: used as a duration below
        '  require age(ia.approved_at) <= window because "x"\n'
        '  require ia.approved_at >= today - "12 months" because "x"\n'  # 10
        '  require ia.approved_at > "2026-01-31" because "x"\n'  # 11
        '  require age("2026-01-31") <= 30 days because "x"',  # 12
    )
    assert code == EXIT_ERROR
    assert errors(out) == [
        "org.aims:8:18: '30 days' is text, not a duration | write 30 days without quotes",
        "org.aims:10:37: '12 months' is text, not a duration | write 12 months without quotes",
        "org.aims:11:28: '2026-01-31' is text, not a date | write 2026-01-31 without quotes",
        "org.aims:12:15: '2026-01-31' is text, not a date | write 2026-01-31 without quotes",
    ]


def test_arithmetic_on_values_it_cannot_combine_is_an_error_before_the_rule_runs(
    tmp_path: Path,
) -> None:
    code, out = lint(
        tmp_path,
        "  param limit = 365\n"
        '  require ia.approved_at + 3 >= today because "x"\n'  # 9: date + number
        '  require age(ia.approved_at) <= limit because "x"\n'  # 10: told at the param (8)
        '  require 12 months + today > ia.approved_at because "x"\n'  # 11
        '  require len(ia.id) * ia.status == 2 because "x"\n'  # 12
        '  require -ia.approved_at < today because "x"\n'  # 13
        '  require days_between(ia.id, today) < 3 because "x"',  # 14
    )
    assert code == EXIT_ERROR
    assert errors(out) == [
        "org.aims:8:17: '365' is a number, not a duration: it is used as one "
        "| write 365 days (or 365 months, …): a duration is a number and a unit",
        "org.aims:9:11: cannot apply '+' to a date and a number "
        "| a date plus a duration: write today + 30 days",
        "org.aims:11:11: cannot apply '+' to a duration and a date "
        "| write the date first: today + 30 days",
        "org.aims:12:11: cannot apply '*' to a number and text "
        "| texts are not numbers: compare them, or count them with len()",
        "org.aims:13:11: cannot negate a date | only a number has a minus sign",
        "org.aims:14:24: days_between() needs a date here, not text",
    ]


def test_calendar_arithmetic_and_month_counts_type_check(tmp_path: Path) -> None:
    code, out = lint(
        tmp_path,
        "  param window = 12 months\n"
        '  require age(ia.approved_at) <= window because "x"\n'
        '  require ia.approved_at + 1 year >= today - 2 weeks because "x"\n'
        '  require months_between(ia.approved_at, today) < 12 because "x"\n'
        '  require today - ia.approved_at <= 6 months * 2 because "x"',
    )
    assert (code, errors(out)) == (EXIT_OK, [])


def test_a_configured_parameter_outside_the_vocabulary_it_is_compared_with_is_an_error(
    tmp_path: Path,
) -> None:
    (tmp_path / "rules").mkdir()
    (tmp_path / "rules" / "org.aims").write_text(
        'rule "ORG-6.1.4-01" {\n  title "t"\n  clause "6.1.4"\n  severity minor\n'
        '  phase risk_assessment\n  param wanted = ["approved"]\n'
        "  for ia in impact_assessments\n  require ia.status in wanted\n}\n"
    )
    (tmp_path / "aims.yaml").write_text(
        "schema_version: '1'\norganization: {name: Org}\nimpact_assessments: []\n"
    )
    (tmp_path / "aimscheck.yaml").write_text(
        "rules:\n  packs: [rules]\n  parameters:\n    ORG-6.1.4-01: {wanted: [approved, aproved]}\n"
    )
    result = CliRunner().invoke(main, ["check", str(tmp_path), "--no-default-rules"])
    assert result.exit_code == EXIT_ERROR
    assert result.output.replace(str(tmp_path) + "/", "").splitlines()[-2:] == [
        "aimscheck.yaml:4: parameter wanted of rule ORG-6.1.4-01 is compared with a closed "
        "vocabulary, which has no 'aproved'",
        "  hint: did you mean 'approved'?",
    ]


def test_lint_accepts_the_words_a_configuration_adds_to_a_vocabulary(tmp_path: Path) -> None:
    (tmp_path / "aimscheck.yaml").write_text(
        "vocabulary:\n  impact_assessments.status:\n    values: [verified]\n"
        "    reason: Our policy POL-3 has a verification step\n"
    )
    body = '  require ia.status in ["approved", "verified"] because "x"'
    code, out = lint(tmp_path, body)
    assert code == EXIT_ERROR
    assert errors(out) == [
        "org.aims:8:37: 'verified' is not one of the values this field takes "
        "| use one of: draft, approved, superseded",
    ]
    code, out = lint(tmp_path, body, config=tmp_path / "aimscheck.yaml")
    assert (code, errors(out)) == (EXIT_OK, [])


def test_a_parameter_used_as_a_duration_but_given_a_bare_number_is_told_at_its_number(
    tmp_path: Path,
) -> None:
    code, out = lint(
        tmp_path,
        "  param window = 14\n"  # 8: used twice as a duration below, told once
        '  require age(ia.approved_at) <= window because "x"\n'
        '  require ia.approved_at >= today - window because "x"',
    )
    assert code == EXIT_ERROR
    assert errors(out) == [
        "org.aims:8:18: '14' is a number, not a duration: it is used as one "
        "| write 14 days (or 14 months, …): a duration is a number and a unit",
    ]


def test_a_number_parameter_used_as_a_number_is_no_error(tmp_path: Path) -> None:
    code, out = lint(
        tmp_path,
        "  param factor = 2\n"
        '  require age(ia.approved_at) <= 30 days * factor because "x"\n'
        '  require len(ia.id) < factor * 10 because "x"',
    )
    assert errors(out) == []
    assert code == EXIT_OK


def test_a_duration_in_words_or_not_a_duration_at_all_in_quotes_gets_the_duration_fix(
    tmp_path: Path,
) -> None:
    code, out = lint(
        tmp_path,
        '  require ia.approved_at >= today - "a month" because "x"\n'  # 8
        '  require ia.approved_at >= today - "soon" because "x"',  # 9
    )
    assert code == EXIT_ERROR
    assert errors(out) == [
        "org.aims:8:37: 'a month' is text, not a duration | write 1 month without quotes",
        "org.aims:9:29: cannot apply '-' to a date and text "
        "| a duration is a number and a unit, without quotes: 30 days, 1 month",
    ]
