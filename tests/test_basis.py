"""A rule's basis: ISO ids or a framework tag (`eu-ai-act:26(6)`), checked when rules compile."""

from __future__ import annotations

from pathlib import Path

import pytest

from aimscheck.basis import framework_of, frameworks_of, tag_problem
from aimscheck.dsl.ruleset import compile_collect
from aimscheck.frameworks import REGISTRY

RULE = """rule "ORG-1" {{
  title    "Every system has an owner"
  severity minor
  phase    deployment
  {basis}
  for sys in ai_systems
  require sys.owner_ref is set
  because "AI system {{sys.id}} has no owner"
}}
"""


def errors_of(tmp_path: Path, basis: str) -> list[str]:
    path = tmp_path / "org.aims"
    path.write_text(RULE.format(basis=basis), encoding="utf-8")
    _, errors = compile_collect([path])
    return [
        f"{e.location.line}:{e.location.column}: {e.message} | {e.hint}"
        for e in errors
        if e.location is not None
    ]


@pytest.mark.parametrize(
    "basis",
    [
        'clause "4.2"',
        'control "A.6.2.8"',
        'tags "eu-ai-act:26(6)"',
        'tags "logging", "eu-ai-act:73"',
        'tags "nist-ai-rmf:GOVERN 1.1"',
        'clause "4.2"\n  tags "eu-ai-act:4"',
    ],
)
def test_a_rule_needs_an_iso_id_or_a_known_framework_tag(tmp_path: Path, basis: str) -> None:
    assert errors_of(tmp_path, basis) == []


def test_a_rule_with_neither_is_an_error_naming_both_ways(tmp_path: Path) -> None:
    expected = (
        "1:6: rule ORG-1 names no clause, control or framework tag "
        '| add: clause "6.1.2" and/or control "A.5.2", or a tag "eu-ai-act:26(6)"'
    )
    assert errors_of(tmp_path, 'tags "logging"') == [expected]
    # A tag naming no known framework gives no basis either.
    assert errors_of(tmp_path, 'tags "eu-ai-akt:26(6)"') == [
        expected,
        "5:8: unknown framework 'eu-ai-akt' in tag 'eu-ai-akt:26(6)' "
        "| did you mean 'eu-ai-act'? (a tag '<framework>:<id>' names the rule's basis)",
    ]


def test_a_colon_tag_of_another_scheme_is_a_free_label(tmp_path: Path) -> None:
    assert tag_problem("owasp:llm01") is None
    assert errors_of(tmp_path, 'clause "4.2"\n  tags "owasp:llm01", "team:privacy"') == []


def test_an_unknown_article_or_subcategory_is_an_error_at_the_tag(tmp_path: Path) -> None:
    assert errors_of(tmp_path, 'tags "eu-ai-act:26(13)", "eu-ai-act:4(1)"') == [
        "5:8: tag 'eu-ai-act:26(13)': Art. 26 has 12 paragraphs, so '26(13)' names none "
        "| did you mean '26(3)'?",
        "5:28: tag 'eu-ai-act:4(1)': Art. 4 has no numbered paragraphs, so '4(1)' names none "
        "| did you mean '4'?",
    ]
    assert errors_of(tmp_path, 'clause "4.2"\n  tags "nist-ai-rmf:GOVERN 1.8"') == [
        "6:8: tag 'nist-ai-rmf:GOVERN 1.8': 'GOVERN 1.8' is not a NIST AI RMF 1.0 subcategory "
        "| did you mean 'GOVERN 1.7'?"
    ]


def test_framework_tags_are_read_by_name() -> None:
    assert framework_of("eu-ai-act:26(6)") == "eu-ai-act"
    assert framework_of("eu-ai-act") is None  # a plain tag
    assert framework_of("owasp:llm01") is None
    assert frameworks_of(["logging", "eu-ai-act:19", "nist-ai-rmf:MAP 1.5", "eu-ai-act:4"]) == (
        "eu-ai-act",
        "nist-ai-rmf",
    )
    assert tag_problem("logging") is None
    # Every registered framework's tags are checked against canonical ids.
    assert {name for name in REGISTRY if tag_problem(f"{name}:no such id") is None} == set()
