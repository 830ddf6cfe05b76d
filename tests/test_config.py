"""aimscheck.yaml: discovery, every setting, and schema errors that name the file and line."""

from __future__ import annotations

import datetime as dt
import json
import os
import textwrap
from pathlib import Path

import jsonschema
import pytest

from aimscheck.config import Config, find_config, load_config, load_schema
from aimscheck.errors import AimscheckError, ErrorGroup, UsageError
from aimscheck.export.contract import VocabularyExtension
from aimscheck.results import Severity
from aimscheck.source import Location

FULL = """\
version: 1
rules:
  default_pack: true
  packs: [rules/custom]
  parameters:
    AIMS-A.5.2-01:
      max_age: 180 days
  severity:
    - rule: AIMS-7.2-02
      severity: major
      reason: Our certification body grades missing competence records as major.
  disabled:
    - rule: AIMS-4.1-05
      reason: Climate change is assessed in the group-wide ISMS.
fail_on: major
outputs:
  junit: reports/aimscheck.xml
  html: reports/readiness.html
baseline: reports/baseline.json
waivers:
  - rule: AIMS-A.7.5-01
    subject: datasets/ds-clickstream
    justification: >-
      Licence under negotiation;
      provenance follows the contract.
    approver: Dana Vance (CRO)
    expires: 2027-01-31
waiver_files: [waivers.yaml]
"""
WAIVER_FILE = """\
version: 1
waivers:
  - rule: AIMS-9.1-01
    justification: Measurement paused during the migration.
    approver: Dana Vance
    expires: "2026-10-31"
"""


def write(folder: Path, text: str, name: str = "aimscheck.yaml") -> Path:
    path = folder / name
    path.write_text(textwrap.dedent(text), encoding="utf-8")
    return path


def problems(path: Path) -> list[AimscheckError]:
    """Every error load_config raises, one or a group."""
    with pytest.raises(AimscheckError) as caught:
        load_config(path)
    error = caught.value
    return list(error.errors) if isinstance(error, ErrorGroup) else [error]


def test_every_setting_is_read_and_paths_are_relative_to_the_file(tmp_path: Path) -> None:
    write(tmp_path, WAIVER_FILE, "waivers.yaml")
    config = load_config(write(tmp_path, FULL))
    assert config.path == tmp_path / "aimscheck.yaml"
    assert config.default_pack is True
    assert config.packs == (tmp_path / "rules/custom",)
    assert config.parameters == {"AIMS-A.5.2-01": {"max_age": "180 days"}}
    assert config.parameter_locations[("AIMS-A.5.2-01", "max_age")].line == 7
    (change,) = config.severity
    assert (change.rule, change.severity, change.location.line) == (
        "AIMS-7.2-02",
        Severity.MAJOR,
        9,
    )
    assert change.reason.startswith("Our certification body")
    (off,) = config.disabled
    assert (off.rule, off.location.line) == ("AIMS-4.1-05", 13)
    assert config.fail_on == "major"
    assert config.outputs == {
        "junit": tmp_path / "reports/aimscheck.xml",
        "html": tmp_path / "reports/readiness.html",
    }
    assert config.baseline == tmp_path / "reports/baseline.json"
    inline, filed = config.waivers
    assert inline.rule == "AIMS-A.7.5-01"
    assert inline.subject == "datasets/ds-clickstream"
    assert inline.justification == "Licence under negotiation; provenance follows the contract."
    assert inline.expires == dt.date(2027, 1, 31)
    assert inline.location is not None and inline.location.line == 21
    assert filed.subject is None  # covers every subject of the rule
    assert filed.expires == dt.date(2026, 10, 31)  # quoted dates work too
    assert filed.location is not None
    assert filed.location.file.endswith("waivers.yaml") and filed.location.line == 3
    assert config.waiver_files == (tmp_path / "waivers.yaml",)


def test_an_empty_file_means_the_defaults(tmp_path: Path) -> None:
    config = load_config(write(tmp_path, "# nothing configured yet\n"))
    assert config == Config(path=tmp_path / "aimscheck.yaml")


def test_found_beside_the_export_folder_or_file(tmp_path: Path) -> None:
    assert find_config(tmp_path) is None
    path = write(tmp_path, "fail_on: major\n")
    assert find_config(tmp_path) == path
    assert find_config(tmp_path / "export.yaml") == path  # a one-file export: its folder


def test_two_config_files_are_refused(tmp_path: Path) -> None:
    write(tmp_path, "fail_on: major\n")
    write(tmp_path, "fail_on: minor\n", "aimscheck.yml")
    with pytest.raises(UsageError, match=r"both .* exist"):
        find_config(tmp_path)


def test_unknown_setting_names_the_line_and_suggests(tmp_path: Path) -> None:
    path = write(tmp_path, "version: 1\nfail-on: major\n")
    (error,) = problems(path)
    assert error.location is not None and error.location.line == 2
    assert "unknown setting 'fail-on'" in error.message
    assert "did you mean 'fail_on'?" in error.message
    assert error.render().startswith(f"{error.location.file}:2: $['fail-on']: unknown setting")


def test_all_problems_are_reported_in_line_order(tmp_path: Path) -> None:
    path = write(
        tmp_path,
        """\
        fail_on: sometimes
        rules:
          disabled:
            - rule: AIMS-4.1-05
        waivers:
          - rule: AIMS-9.1-01
            justification: "   "
            approver: Dana
            expires: 31/01/2027
          - rule: AIMS-9.1-02
            justification: Paused.
            expires: 2027-01-31
        """,
    )
    found = [(e.location.line if e.location else 0, e.message) for e in problems(path)]
    assert found == [
        (1, '$.fail_on: must be one of: major, minor, observation, never (got "sometimes")'),
        (4, "$.rules.disabled[0]: missing required field 'reason'"),
        (7, "$.waivers[0].justification: must not be empty"),
        (9, '$.waivers[0].expires: expected a date YYYY-MM-DD, got "31/01/2027"'),
        (10, "$.waivers[1]: missing required field 'approver'"),
    ]


def test_an_impossible_date_is_refused_at_its_line(tmp_path: Path) -> None:
    text = (
        "waivers:\n  - rule: R\n    justification: x\n    approver: y\n    expires: '2027-02-30'\n"
    )
    (error,) = problems(write(tmp_path, text))
    assert error.location is not None and error.location.line == 5
    assert error.message == '$.waivers[0].expires: not a real date: "2027-02-30"'
    assert error.hint == "write a day that exists, as YYYY-MM-DD"


def test_a_date_and_time_is_not_an_expiry_day(tmp_path: Path) -> None:
    text = (
        "waivers:\n  - rule: R\n    justification: x\n    approver: y\n"
        "    expires: 2027-01-31T12:00:00\n"
    )
    (error,) = problems(write(tmp_path, text))
    assert "expected a date YYYY-MM-DD" in error.message


def test_duplicate_keys_are_refused(tmp_path: Path) -> None:
    (error,) = problems(write(tmp_path, "fail_on: major\nfail_on: minor\n"))
    assert error.location is not None and error.location.line == 2
    assert "duplicate key 'fail_on' (first at line 1)" in error.message


def test_broken_yaml_names_the_line(tmp_path: Path) -> None:
    (error,) = problems(write(tmp_path, "rules:\n  disabled: [\n    - x\n"))
    assert error.location is not None and error.location.line >= 2
    assert error.message.startswith("invalid YAML in configuration")


def test_the_same_rule_twice_in_a_list_is_refused(tmp_path: Path) -> None:
    text = "rules:\n  disabled:\n    - {rule: R-1, reason: one}\n    - {rule: R-1, reason: two}\n"
    (error,) = problems(write(tmp_path, text))
    assert error.location is not None and error.location.line == 4
    assert error.message == "$.rules.disabled[1]: names rule R-1 twice (first at line 3)"


def test_values_added_to_a_vocabulary_keep_their_reason_and_line(tmp_path: Path) -> None:
    text = """\
        version: 1
        vocabulary:
          ai_systems.risk_tier:
            values: [very_high]
            reason: " Risk policy POL-7 grades systems on five tiers "
          impact_assessments.impacts.severity: {values: [severe, extreme], reason: POL-7}
        """
    config = load_config(write(tmp_path, text))
    file = str(tmp_path / "aimscheck.yaml")
    assert config.vocabulary == (
        VocabularyExtension(
            ("ai_systems", "risk_tier"),
            ("very_high",),
            "Risk policy POL-7 grades systems on five tiers",
            Location(file, 3),
        ),
        VocabularyExtension(
            ("impact_assessments", "impacts", "severity"),
            ("severe", "extreme"),
            "POL-7",
            Location(file, 6),
        ),
    )
    assert Config().vocabulary == ()


def test_a_vocabulary_entry_is_checked_at_its_lines(tmp_path: Path) -> None:
    path = write(
        tmp_path,
        """\
        vocabulary:
          ai_systems.risk_tiers:
            values: [very_high]
            reason: POL-7
          ai_systems.name:
            values: [x]
            reason: POL-7
          organization.ai_roles:
            values:
              - importer
              - provider
              - importer
            reason: EU AI Act roles
        """,
    )
    found = [(e.location.line if e.location else 0, e.render()) for e in problems(path)]
    file = str(tmp_path / "aimscheck.yaml")
    # The hint lists every field of ai_systems with a closed vocabulary: the export's own list.
    hint = found[1][1].split("\n  hint: ")[1]
    assert hint.startswith(
        "the fields of ai_systems with one: ai_systems.lifecycle_stage, ai_systems.org_role, "
        "ai_systems.risk_tier, "
    )
    assert "ai_systems.human_oversight.mode" in hint and "ai_systems.name" not in hint
    assert found == [
        (
            2,
            f"{file}:2: $.vocabulary['ai_systems.risk_tiers']: not a field of the export with a "
            "closed vocabulary\n  hint: did you mean ai_systems.risk_tier?",
        ),
        (
            5,
            f"{file}:5: $.vocabulary['ai_systems.name']: not a field of the export with a closed "
            f"vocabulary\n  hint: {hint}",
        ),
        (
            11,
            f"{file}:11: $.vocabulary['organization.ai_roles'].values[1]: organization.ai_roles "
            'already accepts "provider": remove it from values',
        ),
        (
            12,
            f"{file}:12: $.vocabulary['organization.ai_roles'].values[2]: \"importer\" is given "
            "twice for organization.ai_roles",
        ),
    ]


def test_a_vocabulary_entry_needs_values_and_a_reason(tmp_path: Path) -> None:
    path = write(
        tmp_path,
        """\
        vocabulary:
          ai_systems.risk_tier: {values: [], reason: POL-7}
          incidents.severity: {values: [sev1, 2], reason: "  "}
          concerns.status: {values: [escalated]}
        """,
    )
    found = [(e.location.line if e.location else 0, e.message) for e in problems(path)]
    assert found == [
        (2, "$.vocabulary['ai_systems.risk_tier'].values: give at least one value"),
        (3, "$.vocabulary['incidents.severity'].values[1]: expected text, got 2"),
        (3, "$.vocabulary['incidents.severity'].reason: must not be empty"),
        (4, "$.vocabulary['concerns.status']: missing required field 'reason'"),
    ]


def test_a_missing_waiver_file_is_named(tmp_path: Path) -> None:
    (error,) = problems(write(tmp_path, "waiver_files: [nowhere.yaml]\n"))
    assert "waiver file not found" in error.message and "nowhere.yaml" in error.message


def test_a_waiver_file_is_validated_with_its_own_lines(tmp_path: Path) -> None:
    write(tmp_path, "waivers:\n  - rule: R\n    approver: y\n    expires: 2027-01-01\n", "w.yaml")
    (error,) = problems(write(tmp_path, "waiver_files: [w.yaml]\n"))
    assert error.location is not None
    assert error.location.file.endswith("w.yaml") and error.location.line == 2
    assert "missing required field 'justification'" in error.message


def test_the_schema_is_valid_draft_2020_12() -> None:
    schema = load_schema()
    jsonschema.Draft202012Validator.check_schema(schema)
    assert schema["$schema"] == "https://json-schema.org/draft/2020-12/schema"


def test_the_documented_example_is_valid(tmp_path: Path) -> None:
    """docs/ci.md shows a full aimscheck.yaml: it must load."""
    doc = (Path(__file__).parent.parent / "docs" / "ci.md").read_text(encoding="utf-8")
    block = doc.split("```yaml\n# aimscheck.yaml")[1].split("```")[0]
    (tmp_path / "rules" / "org").mkdir(parents=True)
    write(tmp_path, json.dumps({"waivers": []}), "waivers.yaml")
    config = load_config(write(tmp_path, "# aimscheck.yaml" + block))
    assert config.waivers and config.severity and config.disabled and config.vocabulary
    assert config.frameworks == ("eu-ai-act",)
    assert config.framework_dates == {"high_risk_annex_iii": dt.date(2027, 12, 2)}


# ---- paths named by the file stay inside the repo (docs/security.md, threat model)


def test_paths_inside_the_repo_are_kept_with_their_lines(tmp_path: Path) -> None:
    (tmp_path / "real-rules").mkdir()
    (tmp_path / "rules").symlink_to(tmp_path / "real-rules")  # a link that stays inside
    config = load_config(
        write(tmp_path, "rules: {packs: [rules]}\noutputs:\n  junit: reports/r.xml\n")
    )
    assert config.packs == (tmp_path / "rules",)
    assert config.outputs == {"junit": tmp_path / "reports/r.xml"}
    assert config.output_locations == {"junit": Location(str(tmp_path / "aimscheck.yaml"), 3)}


def test_every_path_leading_out_is_refused_at_once(tmp_path: Path) -> None:
    repo = tmp_path / "repo"
    repo.mkdir()
    (repo / "out").symlink_to(tmp_path)
    text = """\
    rules: {packs: [/etc/rules, out/rules]}
    waiver_files: [../w.yaml]
    baseline: C:/b.json
    outputs: {json: .GIT/x.json, html: out/r.html}
    """
    found = [(e.location.line if e.location else 0, e.message) for e in problems(write(repo, text))]
    assert found == [
        (1, "$.rules.packs[0]: the path /etc/rules is absolute and is refused (never opened): "
            "a rule pack named in the configuration must be inside the repo"),
        (1, "$.rules.packs[1]: out/rules leads out of the repo through a symbolic link and is "
            "refused (never opened): a rule pack named in the configuration must be inside the "
            "repo"),
        (2, "$.waiver_files[0]: the path ../w.yaml contains '..' and is refused (never opened): "
            "a waiver file named in the configuration must be inside the repo"),
        (3, "$.baseline: the path C:/b.json is absolute and is refused (never opened): a "
            "baseline named in the configuration must be inside the repo"),
        (4, "$.outputs.json: the path .GIT/x.json is inside .git, git's own folder: a report "
            "named in the configuration is written inside the repo's working tree"),
        (4, "$.outputs.html: out/r.html leads out of the repo through a symbolic link: a report "
            "named in the configuration is written inside the repo's working tree"),
    ]  # fmt: skip


def test_whatever_bears_the_name_is_the_configuration(tmp_path: Path) -> None:
    """A pipe is returned, to be refused when read (never skipped as if absent); a link out
    of the repo is refused before it is opened."""
    if hasattr(os, "mkfifo"):
        os.mkfifo(tmp_path / "aimscheck.yaml")
        assert find_config(tmp_path) == tmp_path / "aimscheck.yaml"
        (tmp_path / "aimscheck.yaml").unlink()
    (tmp_path / "repo").mkdir()
    (tmp_path / "repo" / "aimscheck.yml").symlink_to(write(tmp_path, "fail_on: major\n"))
    with pytest.raises(UsageError) as caught:
        find_config(tmp_path / "repo")
    assert caught.value.message == (
        f"{tmp_path / 'repo' / 'aimscheck.yml'} leads out of the repo through a symbolic link "
        "and is refused (never opened)"
    )


# ---- one run says every mistake of the file and its waiver files, each once


def test_every_mistake_of_the_file_and_its_waiver_files_in_one_run(tmp_path: Path) -> None:
    write(
        tmp_path,
        """\
        version: 1
        waivers:
          - {rule: R-2, justification: x, approver: y, expires: 2027-02-30}
          - {rule: 5, justification: !!int abc, approver: y, expires: 2027-01-01}
        """,
        "w.yaml",
    )
    path = write(
        tmp_path,
        """\
        version: 1
        fail_on: minr
        rules:
          severity:
            - {rule: R-1, severity: mjor, reason: x}
        outputs:
          junt: x.xml
        waivers:
          - {rule: R-1, justification: x, approver: y, expires: 2027-02-30}
          - {rule: R-1, justification: x, expires: 2027-02-01}
        waiver_files: [w.yaml]
        readiness: {systemic_after: 1}
        evidence: {require_sha256: yes please}
        """,
    )
    found = [
        (Path(e.location.file).name, e.location.line, e.message) if e.location else ("", 0, "")
        for e in problems(path)
    ]
    assert found == [
        (
            "aimscheck.yaml",
            2,
            '$.fail_on: must be one of: major, minor, observation, never (got "minr"): '
            "did you mean 'minor'?",
        ),
        (
            "aimscheck.yaml",
            5,
            '$.rules.severity[0].severity: must be one of: major, minor, observation (got "mjor"): '
            "did you mean 'major'?",
        ),
        (
            "aimscheck.yaml",
            7,
            "$.outputs.junt: unknown setting 'junt': did you mean 'junit'? known: junit, json, "
            "sarif, markdown, html",
        ),
        ("aimscheck.yaml", 9, '$.waivers[0].expires: not a real date: "2027-02-30"'),
        ("aimscheck.yaml", 10, "$.waivers[1]: missing required field 'approver'"),
        (
            "aimscheck.yaml",
            12,
            "$.readiness.systemic_after: must be a whole number of 2 or more, or never (got 1)",
        ),
        (
            "aimscheck.yaml",
            13,
            '$.evidence.require_sha256: expected true or false, got "yes please"',
        ),
        ("w.yaml", 3, '$.waivers[0].expires: not a real date: "2027-02-30"'),
        ("w.yaml", 4, "$.waivers[1].rule: expected text, got 5"),
        ("w.yaml", 4, "'abc' cannot be read as !!int"),
    ]


@pytest.mark.parametrize(
    ("settings", "flag", "policy"),
    [
        ("", False, (False, True)),
        ("evidence: {require_sha256: true}\n", False, (True, True)),
        ("evidence: {uri_counts: false}\n", False, (False, False)),
        ("evidence: {uri_counts: true, require_sha256: false}\n", True, (False, False)),
    ],
)
def test_the_evidence_policy_is_the_packs_under_the_file_under_the_flag(
    tmp_path: Path, settings: str, flag: bool, policy: tuple[bool, bool]
) -> None:
    config = load_config(write(tmp_path, "version: 1\n" + settings))
    found = config.evidence_policy(uri_counts_missing=flag)
    assert (found.require_sha256, found.uri_counts) == policy


def test_every_rule_setting_the_loaded_rules_contradict_is_told_in_one_run(
    tmp_path: Path,
) -> None:
    from click.testing import CliRunner

    from aimscheck.cli import EXIT_ERROR, main

    root = tmp_path / "repo"
    root.mkdir()
    (root / "aims.yaml").write_text("schema_version: '1'\norganization: {name: Org}\n")
    write(
        root,
        """\
        version: 1
        rules:
          parameters:
            AIMS-A.5.2-01:
              max_age: true
              max_agee: 3 days
            AIMS-9.3-1:
              x: 1
          severity:
            - {rule: AIMS-4.1-5, severity: minor, reason: x}
          disabled:
            - {rule: AIMS-6.1.3-3, reason: x}
        """,
    )
    result = CliRunner().invoke(main, ["check", str(root), "--as-of", "2026-11-20"])
    assert result.exit_code == EXIT_ERROR
    file = root / "aimscheck.yaml"
    assert result.stderr.removeprefix("aimscheck: error:\n").splitlines() == [
        f"{file}:5: parameter max_age of rule AIMS-A.5.2-01 takes a duration such as 90 days, "
        "got True",
        "  hint: a duration is a number and a unit: 30 days, 6 months, 1 year",
        f"{file}:6: rule AIMS-A.5.2-01 has no parameter 'max_agee'",
        "  hint: did you mean 'max_age'?",
        f"{file}:8: rules.parameters names rule AIMS-9.3-1, which is not loaded",
        "  hint: did you mean AIMS-9.3-01?",
        f"{file}:10: rules.severity names rule AIMS-4.1-5, which is not loaded",
        "  hint: did you mean AIMS-4.1-05?",
        f"{file}:12: rules.disabled names rule AIMS-6.1.3-3, which is not loaded",
        "  hint: did you mean AIMS-6.1.3-03?",
    ]


def test_a_vocabulary_value_spelt_like_an_accepted_one_is_refused(tmp_path: Path) -> None:
    path = write(
        tmp_path,
        """\
        vocabulary:
          ai_systems.risk_tier:
            values: [very_high, High, Critical ]
            reason: POL-7
        """,
    )
    assert [
        (e.location.line if e.location else 0, e.render().split(": ", 1)[1]) for e in problems(path)
    ] == [
        (
            3,
            "$.vocabulary['ai_systems.risk_tier'].values[1]: "
            '"High" is how ai_systems.risk_tier already spells "high"\n'
            '  hint: did you mean "high"? It is accepted already: remove it from values',
        ),
        (
            3,
            "$.vocabulary['ai_systems.risk_tier'].values[2]: "
            '"Critical" is how ai_systems.risk_tier already spells "critical"\n'
            '  hint: did you mean "critical"? It is accepted already: remove it from values',
        ),
    ]


@pytest.mark.parametrize(
    ("setting", "shown", "hint"),
    [
        (
            "rules:\n  packs: 5\n",
            "$.rules.packs",
            "a list of folders or .aims files, e.g. packs: [rules]",
        ),
        (
            "waiver_files: 5\n",
            "$.waiver_files",
            "a list of files, e.g. waiver_files: [waivers.yaml]",
        ),
    ],
)
def test_a_single_value_where_a_list_is_wanted_gets_the_fix(
    tmp_path: Path, setting: str, shown: str, hint: str
) -> None:
    path = write(tmp_path, f"version: 1\n{setting}")
    (error,) = problems(path)
    assert error.render().splitlines() == [
        f"{path}:{setting.count(chr(10)) + 1}: {shown}: expected a list, got 5",
        f"  hint: {hint}",
    ]
    from click.testing import CliRunner

    from aimscheck.cli import EXIT_ERROR, main

    export = Path(__file__).parent.parent / "fixtures" / "conforming"
    result = CliRunner().invoke(main, ["check", str(export), "--config", str(path)])
    assert result.exit_code == EXIT_ERROR
    assert result.output.splitlines()[1:] == error.render().splitlines()


def test_frameworks_selects_views_and_replaces_application_dates(tmp_path: Path) -> None:
    text = (
        "frameworks:\n  views: [eu-ai-act, nist-ai-rmf]\n"
        "  dates:\n    eu-ai-act:\n      high_risk_annex_iii: 2026-08-02\n"
        "      high_risk_annex_i: '2027-08-02'\n"
    )
    config = load_config(write(tmp_path, text))
    assert config.frameworks == ("eu-ai-act", "nist-ai-rmf")
    assert config.framework_dates == {
        "high_risk_annex_iii": dt.date(2026, 8, 2),
        "high_risk_annex_i": dt.date(2027, 8, 2),
    }


def test_framework_dates_are_checked_at_their_lines_all_at_once(tmp_path: Path) -> None:
    text = (
        "frameworks:\n  views: [eu-ai-akt]\n  dates:\n    eu-ai-act:\n"
        "      high_risk_anex_iii: 2027-12-02\n      high_risk_annex_i: 2028-02-30\n"
        "    nist-ai-rfm: {general: 2026-01-01}\n"
    )
    found = problems(write(tmp_path, text))
    assert [(e.location.line if e.location else 0, e.message, e.hint) for e in found] == [
        (
            2,
            '$.frameworks.views[0]: must be one of: eu-ai-act, nist-ai-rmf (got "eu-ai-akt"): '
            "did you mean 'eu-ai-act'?",
            "",
        ),
        (
            5,
            "$.frameworks.dates['eu-ai-act'].high_risk_anex_iii: eu-ai-act has no application date "
            "'high_risk_anex_iii' (its dates: general, general_purpose_models, "
            "high_risk_annex_i, high_risk_annex_iii, prohibitions)",
            "did you mean 'high_risk_annex_iii'?",
        ),
        (
            6,
            "$.frameworks.dates['eu-ai-act'].high_risk_annex_i: not a real date: \"2028-02-30\"",
            "write a day that exists, as YYYY-MM-DD",
        ),
        (
            7,
            "$.frameworks.dates['nist-ai-rfm']: unknown framework 'nist-ai-rfm'",
            "did you mean 'nist-ai-rmf'?",
        ),
    ]


def test_the_schema_lists_every_registered_framework() -> None:
    from aimscheck.frameworks import REGISTRY

    views = load_schema()["properties"]["frameworks"]["properties"]["views"]["items"]["enum"]
    assert views == sorted(REGISTRY)


@pytest.mark.parametrize("command", ["check", "lint"])
def test_a_refused_setting_and_a_rule_setting_the_rules_contradict_are_told_in_one_run(
    tmp_path: Path, command: str
) -> None:
    """A waiver's impossible date (refused by the file's own checks) does not hide a misspelt
    parameter (found only against the rules): `check` and `lint --config` tell both at once."""
    from click.testing import CliRunner

    from aimscheck.cli import EXIT_ERROR, main

    root = tmp_path / "repo"
    root.mkdir()
    (root / "aims.yaml").write_text("schema_version: '1'\norganization: {name: Org}\n")
    write(
        root,
        """\
        version: 1
        rules:
          parameters:
            AIMS-A.5.2-01:
              max_agee: 3 days
        waivers:
          - {rule: AIMS-4.1-05, justification: x, approver: y, expires: 2027-02-30}
        """,
    )
    file = root / "aimscheck.yaml"
    args = {
        "check": ["check", str(root), "--as-of", "2026-11-20"],
        "lint": ["lint", "--config", str(file)],
    }[command]
    result = CliRunner().invoke(main, args)
    assert result.exit_code == EXIT_ERROR
    assert result.stderr.removeprefix("aimscheck: error:\n").splitlines() == [
        f"{file}:5: rule AIMS-A.5.2-01 has no parameter 'max_agee'",
        "  hint: did you mean 'max_age'?",
        f'{file}:7: $.waivers[0].expires: not a real date: "2027-02-30"',
        "  hint: write a day that exists, as YYYY-MM-DD",
    ]
