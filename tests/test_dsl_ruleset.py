"""Custom packs beside the built-in one: nothing silently ignored, nothing silently replaced."""

from __future__ import annotations

from pathlib import Path

import pytest

from aimscheck.check import CheckOptions, run_check
from aimscheck.dsl.ruleset import compile_collect, compile_files, rule_files
from aimscheck.errors import AimscheckError, UsageError
from aimscheck.resources import default_pack

BUILTIN = rule_files([default_pack()])
OWN = """\
rule "{id}" {{
  {extra}
  title    "Every AI system in scope names an owner, our way"
  clause   "4.3"
  severity observation
  phase    scope_definition
  for sys in ai_systems where sys.in_scope
  require sys.owner_ref is set
  because "AI system {{sys.id}} has no owner (our rule)"
}}
"""


def pack(tmp_path: Path, rule_id: str, extra: str = "") -> Path:
    folder = tmp_path / "ours"
    folder.mkdir(exist_ok=True)
    (folder / "ours.aims").write_text(OWN.format(id=rule_id, extra=extra))
    return folder


def compile_with_builtin(*extra: Path) -> object:
    files = rule_files(list(extra))
    return compile_files([*BUILTIN, *files], builtin_count=len(BUILTIN))


def test_a_custom_rule_with_its_own_id_runs_beside_the_builtins(tmp_path: Path) -> None:
    ruleset = compile_files([*BUILTIN, pack(tmp_path, "ORG-4.3-01")], builtin_count=len(BUILTIN))
    assert ruleset.get("ORG-4.3-01") is not None and ruleset.get("AIMS-4.3-01") is not None


def test_reusing_a_builtin_id_is_an_error_naming_both_places(tmp_path: Path) -> None:
    with pytest.raises(AimscheckError) as caught:
        compile_files([*BUILTIN, pack(tmp_path, "AIMS-4.3-01")], builtin_count=len(BUILTIN))
    text = caught.value.render()
    assert f"{tmp_path / 'ours' / 'ours.aims'}:1:6: duplicate rule id 'AIMS-4.3-01'" in text
    assert "also at " in text and "clause4.aims" in text
    assert "or add 'overrides' to replace the built-in rule on purpose" in text


def test_overrides_replaces_the_builtin_rule_in_a_check(tmp_path: Path) -> None:
    ours = pack(tmp_path, "AIMS-4.3-02", "overrides")
    ruleset = compile_files([*BUILTIN, ours], builtin_count=len(BUILTIN))
    rule = ruleset.get("AIMS-4.3-02")
    assert rule is not None and rule.info.title.endswith("our way")
    assert len([r for r in ruleset.rules if r.info.id == "AIMS-4.3-02"]) == 1
    report = run_check(
        CheckOptions(
            path=Path("fixtures/pilot"),
            rules=[ours],
            as_of=__import__("datetime").date(2026, 11, 20),
        )
    )
    ran = {r.rule.title for r in report.results if r.rule.id == "AIMS-4.3-02"}
    assert ran == {"Every AI system in scope names an owner, our way"}


def test_overrides_without_a_builtin_of_that_id_is_an_error(tmp_path: Path) -> None:
    with pytest.raises(AimscheckError, match="says 'overrides' but no built-in rule has that id"):
        compile_files(
            [*BUILTIN, pack(tmp_path, "ORG-4.3-09", "overrides")], builtin_count=len(BUILTIN)
        )


def test_two_custom_rules_with_one_id_are_an_error_even_with_overrides(tmp_path: Path) -> None:
    ours = pack(tmp_path, "AIMS-4.3-02", "overrides")
    (ours / "again.aims").write_text(OWN.format(id="AIMS-4.3-02", extra="overrides"))
    with pytest.raises(AimscheckError, match=r"duplicate rule id 'AIMS-4\.3-02'"):
        compile_files([*BUILTIN, ours], builtin_count=len(BUILTIN))


def test_a_rules_folder_without_rule_files_is_an_error_not_a_silent_no_op(tmp_path: Path) -> None:
    (tmp_path / "ours").mkdir()
    (tmp_path / "ours" / "rule.txt").write_text("rule")
    with pytest.raises(UsageError, match=r"no rule files \(\*\.aims\) in"):
        rule_files([tmp_path / "ours"])
    with pytest.raises(UsageError, match="rule path not found"):
        rule_files([tmp_path / "nowhere"])


def test_every_error_of_every_file_is_collected(tmp_path: Path) -> None:
    folder = tmp_path / "ours"
    folder.mkdir()
    (folder / "a.aims").write_text(OWN.format(id="ORG-1", extra="").replace("owner_ref", "ownr"))
    (folder / "b.aims").write_text(OWN.format(id="ORG-2", extra="").replace("require", "requre"))
    ruleset, errors = compile_collect([folder])
    assert [(e.location.file.rsplit("/", 1)[1], e.message) for e in errors if e.location] == [
        ("a.aims", "unknown field 'ownr'"),
        ("b.aims", "unknown keyword 'requre' in a rule"),
    ]
    assert ruleset.get("ORG-1") is not None  # it compiled: lint can still warn about it


def test_a_syntax_error_in_a_statement_does_not_hide_the_others_in_its_rule(
    tmp_path: Path,
) -> None:
    text = OWN.format(id="ORG-1", extra="").replace(
        "  require sys.owner_ref is set\n",
        "  let owner = sys.owner_ref ==\n  require owner is set and sys.nme is set\n",
    )
    (tmp_path / "r.aims").write_text(text)
    _, errors = compile_collect([tmp_path / "r.aims"])
    assert [e.message for e in errors] == [
        "the statement ends after '==' before it is complete",
        "unknown field 'nme'",
    ]  # and no "unknown name 'owner'": the let lost to the first error is not blamed again


# ---- only if: a subject the data does not let a rule judge -----------------------------------

ONLY_IF = """\
rule "ORG-9.1-01" {
  title    "Every metric with a direction for its limit has a result"
  clause   "9.1"
  severity minor
  phase    monitoring

  for m in metrics
  only if m.lower_limit is set or m.upper_limit is set
  because "Metric {m.id} ({m.name}) gives no direction for its limit: a breach cannot be judged"
  require m.results is not empty
  because "Metric {m.id} has no result"
}
"""


def test_a_check_reports_the_only_if_message_for_a_subject_it_cannot_judge(
    tmp_path: Path,
) -> None:
    (tmp_path / "org.aims").write_text(ONLY_IF)
    repo = tmp_path / "repo"
    repo.mkdir()
    (repo / "aims.yaml").write_text(
        'schema_version: "1"\norganization: {name: Org}\nmetrics:\n'
        "  - {id: m-auc, name: AUC, threshold: 0.8}\n"
        "  - {id: m-err, name: Error rate, upper_limit: 0.05}\n"
        "  - {id: m-rec, name: Recall, lower_limit: 0.9,\n"
        "     results: [{at: 2026-10-01, value: 0.95}]}\n"
    )
    report = run_check(
        CheckOptions(
            path=repo,
            rules=[tmp_path / "org.aims"],
            default_rules=False,
            as_of=__import__("datetime").date(2026, 11, 20),
        )
    )
    assert [(str(r.subject), r.outcome.value, r.message) for r in report.results] == [
        (
            "metrics/m-auc",
            "not_applicable",
            "Metric m-auc (AUC) gives no direction for its limit: a breach cannot be judged",
        ),
        ("metrics/m-err", "nonconformity", "Metric m-err has no result"),
        ("metrics/m-rec", "pass", ""),
    ]


# ---- custom fields: closed vocabularies and references -----------------------------------------

FIELDS = """\
field people.status: one of "active", "on_leave", "left"
field datasets.documentation_ref: ref documents
field datasets.documentation_refs: list of ref documents
field datasets.proof_refs: list of ref evidence
field datasets.business_unit: string
"""
RULE = """\
rule "ORG-{n}" {{
  title    "t"
  clause   "7.2"
  severity minor
  phase    monitoring
  for x in {collection}
  require {condition}
  because "x"
}}
"""


def declared(tmp_path: Path, fields: str, *rules: tuple[str, str]) -> tuple[Path, str]:
    text = fields + "".join(
        RULE.format(n=i, collection=coll, condition=cond) for i, (coll, cond) in enumerate(rules)
    )
    path = tmp_path / "org.aims"
    path.write_text(text)
    return path, str(path)


def errors_of(path: Path, **kwargs: object) -> list[str]:
    _, errors = compile_collect([path], **kwargs)  # type: ignore[arg-type]
    return [f"{e.location}: {e.message} | {e.hint}" for e in errors]


def test_declared_vocabularies_and_references_are_checked_as_the_schemas_are(
    tmp_path: Path,
) -> None:
    path, at = declared(
        tmp_path,
        FIELDS,
        ("people", 'x.status == "activ"'),
        ("people", 'x.status in ["active", "gone"]'),
        ("people", 'x.status != "left"'),
        ("datasets", "x.documentation_ref -> people is set"),
        ("datasets", "all d in x.documentation_refs: d -> documents is set"),
        ("datasets", "all d in x.documentation_refs: d -> risks is set"),
        ("datasets", "x.proof_refs -> documents is not empty and x.proof_refs -> evidence is set"),
        ("datasets", "x.proof_refs -> controls is set"),
    )
    assert errors_of(path) == [
        f"{at}:12:23: 'activ' is not one of the values this field takes "
        "| did you mean 'active'? (one of: active, on_leave, left)",
        f"{at}:21:34: 'gone' is not one of the values this field takes "
        "| use one of: active, on_leave, left",
        f"{at}:39:34: this reference points at documents, not people | write -> documents",
        f"{at}:57:47: this reference points at documents, not risks | write -> documents",
        f"{at}:75:27: this reference points at evidence, not controls | write -> evidence",
    ]


def test_mistakes_in_field_declarations_are_errors_at_their_place(tmp_path: Path) -> None:
    path, at = declared(
        tmp_path,
        "field datasets.owner: ref peple\n"
        "field datasets.kind: text\n"
        'field datasets.grade: one of "a", "b", "a"\n'
        "field datasets.docs: list of ref documnets\n"
        'field people.status: one of "active", "left"\n'
        'field people.status: one of "active", "gone"\n'
        'field people.status: one of "active", "left"\n'  # the same again: one field
        "field datasets.license: ref documents\n",
    )
    assert errors_of(path) == [
        f"{at}:1:27: 'peple' is not a collection of the export | did you mean 'people'?",
        f"{at}:2:22: unknown field type 'text' | text is declared as: string",
        f'{at}:3:23: "a" is listed twice | list each value once',
        f"{at}:4:34: 'documnets' is not a collection of the export | did you mean 'documents'?",
        f"{at}:6:1: 'people.status' is declared again, differently: also at {at}:5:1 "
        "| keep one declaration of the field",
        f"{at}:8:1: 'datasets.license' is already a field of the export schema "
        "| remove the declaration",
    ]


def test_the_rule_set_lists_each_declared_field_for_export_validation(tmp_path: Path) -> None:
    from aimscheck.export.contract import DeclaredField
    from aimscheck.source import Location

    path, at = declared(tmp_path, FIELDS + "field people.hired_at: date\n")
    again = tmp_path / "again.aims"
    again.write_text('field people.status: one of "active", "on_leave", "left"\n')
    ruleset = compile_files([path, again])
    assert ruleset.declared_fields == (
        DeclaredField(
            ("people", "status"), "string", Location(at, 1, 1), ("active", "on_leave", "left")
        ),
        DeclaredField(
            ("datasets", "documentation_ref"), "string", Location(at, 2, 1), (), "documents"
        ),
        DeclaredField(
            ("datasets", "documentation_refs"), "list", Location(at, 3, 1), (), "documents"
        ),
        DeclaredField(("datasets", "proof_refs"), "list", Location(at, 4, 1), (), "evidence"),
        DeclaredField(("datasets", "business_unit"), "string", Location(at, 5, 1)),
        DeclaredField(("people", "hired_at"), "date", Location(at, 6, 1)),
    )
    assert ruleset.custom_date_fields == (("people", "hired_at"),)


# ---- the organisation's vocabulary -----------------------------------------------------------


def test_values_the_organisation_adds_to_a_vocabulary_are_accepted_in_its_rules(
    tmp_path: Path,
) -> None:
    from aimscheck.export.contract import VocabularyExtension
    from aimscheck.export.fields import export_type
    from aimscheck.source import Location

    path, at = declared(
        tmp_path,
        "",
        ("ai_systems", 'x.risk_tier == "very_high"'),
        ("ai_systems", 'x.human_oversight.mode in ["human_in_the_loop", "four_eyes"]'),
        ("organization", 'x.ai_roles == ["provider"]'),
    )
    assert errors_of(path) == [
        f"{at}:7:26: 'very_high' is not one of the values this field takes "
        "| did you mean 'high'? (one of: low, medium, high, critical)",
        f"{at}:16:59: 'four_eyes' is not one of the values this field takes "
        "| use one of: human_in_the_loop, human_on_the_loop, human_in_command, none",
    ]
    where = Location("aimscheck.yaml", 3, 5)
    vocabulary = (
        VocabularyExtension(("ai_systems", "risk_tier"), ("very_high",), "POL-7", where),
        VocabularyExtension(("ai_systems", "human_oversight", "mode"), ("four_eyes",), "", where),
    )
    assert errors_of(path, vocabulary=vocabulary) == []
    assert compile_files([path], vocabulary=vocabulary).get("ORG-0") is not None
    # the schema's own type, shared by every run, is left as it was
    tier = export_type().fields["ai_systems"].item.fields["risk_tier"]  # type: ignore[union-attr]
    assert tier.enum == ("low", "medium", "high", "critical")


def test_the_item_latest_or_first_picks_keeps_its_type(tmp_path: Path) -> None:
    path, at = declared(
        tmp_path,
        "",
        ("metrics", 'latest(x.results, "at").vlaue > 0'),
        ("management_reviews", 'first(x.inputs_covered) == "audit_result"'),
        ("metrics", 'latest(x.results, "at").value > 0'),
    )
    assert errors_of(path) == [
        f"{at}:7:35: unknown field 'vlaue' | did you mean 'value'?",
        f"{at}:16:38: 'audit_result' is not one of the values this field takes "
        "| did you mean 'audit_results'? (one of: prior_actions, context_changes, "
        "interested_party_needs, nonconformity_trends, monitoring_results, audit_results, "
        "improvement_opportunities)",
    ]


def test_a_duplicate_id_is_blamed_on_the_copy_loaded_later_naming_the_first(
    tmp_path: Path,
) -> None:
    first, later = tmp_path / "z-pack", tmp_path / "a-pack"  # loaded in the order given
    for folder, names in ((first, ("b.aims", "c.aims")), (later, ("a.aims",))):
        folder.mkdir()
        for name in names:
            (folder / name).write_text(OWN.format(id="ORG-4.3-01", extra=""))
    _, errors = compile_collect(rule_files([first, later]))
    assert sorted((str(e.location), e.message) for e in errors) == [  # sorted by place
        (f"{later}/a.aims:1:6", f"duplicate rule id 'ORG-4.3-01': also at {first}/b.aims:1:6"),
        (f"{first}/c.aims:1:6", f"duplicate rule id 'ORG-4.3-01': also at {first}/b.aims:1:6"),
    ]
