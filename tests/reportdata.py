"""A realistic Report built by hand, with every outcome, for the reporter tests."""

from __future__ import annotations

import dataclasses
from typing import Any

from aimscheck.results import EvidenceCheck, Outcome, Report, Result, RuleInfo, Severity, Subject
from aimscheck.source import Location

MAJOR, MINOR, OBS = Severity.MAJOR, Severity.MINOR, Severity.OBSERVATION
EXPORT = "fixtures/acme-gaps"

SCOPE = RuleInfo(
    "AIMS-4.3-01",
    "The AIMS scope is documented",
    MAJOR,
    "scope_definition",
    ("4.3",),
    (),
    fix="Write scope.statement naming the AI systems and departments in scope.",
)
POLICY = RuleInfo(
    "AIMS-5.2-01",
    "The AI policy is approved by top management",
    MAJOR,
    "scope_definition",
    ("5.2",),
    ("A.2.2",),
    tags=("policy",),
    fix="Attach the signed approval minutes to the AI policy document record.",
)
RISK = RuleInfo(
    "AIMS-6.1.3-02",
    "Every risk above the acceptance threshold has a treatment",
    MAJOR,
    "risk_assessment",
    ("6.1.3",),
    (),
    fix="Add a treatment with at least one implemented control to the risk.",
)
COMPETENCE = RuleInfo(
    "AIMS-7.2-01",
    "AIMS role holders have a current competence record",
    OBS,
    "deployment",
    ("7.2",),
    (),
)
AUDIT = RuleInfo(
    "AIMS-9.2-01",
    "An internal audit was performed in the last 12 months",
    MAJOR,
    "monitoring",
    ("9.2.1", "9.2.2"),
    (),
    fix="Run the internal audit programme and record the report.",
)
CORRECTIVE = RuleInfo(
    "AIMS-10.2-01",
    "Every nonconformity has a corrective action",
    MINOR,
    "certification_preparation",
    ("10.2",),
    (),
)
IMPACT = RuleInfo(
    "AIMS-A.5.2-01",
    "Every in-scope AI system has an approved impact assessment",
    MAJOR,
    "risk_assessment",
    (),
    ("A.5.2", "A.5.3"),
    tags=("impact", "pre-audit"),
    fix="Approve an impact assessment for the system and reference it from ai_system_ref.",
    location=Location("rules/iso42001/a5.aims", 3, 1),
)
VERIFICATION = RuleInfo(
    "AIMS-A.6.2.4-01",
    "AI systems have verification and validation records",
    MINOR,
    "control_design",
    (),
    ("A.6.2.4",),
)
DATA_QUALITY = RuleInfo(
    "AIMS-A.7.4-01",
    "Data quality requirements are defined",
    MINOR,
    "control_design",
    (),
    ("A.7.4",),
)
SUPPLIERS = RuleInfo(
    "AIMS-A.10.3-01",
    "Suppliers of AI components are assessed",
    MINOR,
    "deployment",
    (),
    ("A.10.3",),
    fix="Record a supplier assessment.",
)

# Alphabetical by id, as the engine hands them over (so A.10 sorts before A.5 and 10 before 4).
RULES = (
    CORRECTIVE,
    SCOPE,
    POLICY,
    RISK,
    COMPETENCE,
    AUDIT,
    SUPPLIERS,
    IMPACT,
    VERIFICATION,
    DATA_QUALITY,
)


def at(name: str, line: int) -> Location:
    return Location(f"{EXPORT}/{name}", line)


def sub(collection: str, ident: str | None) -> Subject:
    return Subject(collection, ident)


RESULTS = (
    Result(SCOPE, Outcome.PASS),
    Result(
        POLICY,
        Outcome.MISSING_EVIDENCE,
        sub("policies", "POL-1"),
        at("policies.yaml", 4),
        "Approval minutes DOC-9 for policy POL-1 cannot be found",
        (
            EvidenceCheck(
                "DOC-9",
                "file_not_found",
                "no such file",
                "documents/DOC-9",
                "evidence/pol-1-minutes.pdf",
            ),
        ),
    ),
    Result(RISK, Outcome.PASS, sub("risks", "R-1"), at("risks.yaml", 2)),
    Result(RISK, Outcome.PASS, sub("risks", "R-2"), at("risks.yaml", 14)),
    Result(
        RISK,
        Outcome.NONCONFORMITY,
        sub("risks", "R-7"),
        at("risks.yaml", 40),
        "Risk R-7 scores 16 above the threshold 12 but has no treatment",
    ),
    Result(COMPETENCE, Outcome.PASS, sub("people", "P-1"), at("people.yaml", 1)),
    Result(
        COMPETENCE,
        Outcome.OBSERVATION,  # a failing rule graded observation
        sub("people", "P-3"),
        at("people.yaml", 9),
        "Jürgen Müller (P-3) holds role aims_owner without a current competence record",
    ),
    Result(AUDIT, Outcome.ERROR, None, None, "cannot compare date with string 'last spring'"),
    Result(
        IMPACT,
        Outcome.NONCONFORMITY,
        sub("ai_systems", "credit-scoring"),
        at("ai_systems.yaml", 12),
        "AI system credit-scoring (Credit scoring) has no approved impact assessment",
    ),
    Result(IMPACT, Outcome.PASS, sub("ai_systems", "chatbot"), at("ai_systems.yaml", 1)),
    Result(
        IMPACT,
        Outcome.MISSING_EVIDENCE,
        sub("ai_systems", "fraud-detection"),
        at("ai_systems.yaml", 30),
        "The impact assessment IA-4 of fraud-detection has expired evidence",
        (
            EvidenceCheck("EV-4", "ok", "", "evidence/EV-4", "evidence/ia-4.pdf"),
            EvidenceCheck(
                "EV-5",
                "expired",
                "expired on 2025-12-31",
                "evidence/EV-5",
                "evidence/ia-4-signoff.pdf",
            ),
        ),
    ),
    Result(VERIFICATION, Outcome.PASS, sub("ai_systems", "chatbot"), at("ai_systems.yaml", 1)),
    Result(
        VERIFICATION,
        Outcome.WAIVED,
        sub("ai_systems", "credit-scoring"),
        at("ai_systems.yaml", 12),
        "until 2026-06-30: revalidation is scheduled after the Q2 retraining",
        raw_outcome=Outcome.NONCONFORMITY,
    ),
    Result(
        DATA_QUALITY,
        Outcome.NOT_APPLICABLE,
        sub("ai_systems", "chatbot"),
        at("ai_systems.yaml", 1),
        "A.7.4 is excluded in the SoA: no training data is used",
    ),
    Result(
        DATA_QUALITY,
        Outcome.NOT_APPLICABLE,
        sub("ai_systems", "credit-scoring"),
        at("ai_systems.yaml", 12),
        "A.7.4 is excluded in the SoA: no training data is used",
    ),
    Result(SUPPLIERS, Outcome.PASS, sub("suppliers", "S-1"), at("suppliers.yaml", 1)),
    Result(
        SUPPLIERS,
        Outcome.NONCONFORMITY,
        sub("suppliers", "S-2"),
        at("suppliers.yaml", 8),
        "Supplier S-2 (ModelHub) has no assessment",
    ),
)


REPORT = Report(
    as_of="2026-03-01",
    export_path=EXPORT,
    export_digest="sha256:9f2c4e1d",
    rules=RULES,
    results=RESULTS,
    pack_version="iso42001-2023.1",
    fail_on=Severity.MINOR,
    tool_version="0.1.0",
)


def make_report(**changes: Any) -> Report:
    """The sample report; keyword arguments replace fields (e.g. `fail_on=None`)."""
    return dataclasses.replace(REPORT, **changes)


# The expected numbers, worked out by hand from the data above.
COUNTS = {
    "pass": 7,
    "nonconformity": 3,
    "missing_evidence": 2,
    "observation": 1,
    "not_applicable": 2,
    "waived": 1,
    "error": 1,
}
FINDINGS_BY_SEVERITY = {"major": 5, "minor": 1, "observation": 1}
FAILING_AT_MINOR = 6
OPEN_MAJORS = 4
