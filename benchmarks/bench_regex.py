"""RE2's slowest searches measured against what `matches` charges for them (issue 16).

Run: python benchmarks/bench_regex.py [--length 100000] [--runs 2] [--no-scenario]

Part 1. For each adversarial pattern (counted repetition nested in groups, patterns that blow
the DFA up so that RE2 falls back to simulating the NFA, large alternations, Unicode classes,
`.` over multi-byte text) and each subject (one alphabet, `--length` characters: by default
max_regex_subject), compiles the pattern as `matches` does (aimscheck/dsl/regex.py: 1 MB, no
captures) and times one search, the best of `--runs` (noise from the machine is not the
pattern's cost). Prints the slowest searches with the budget steps aimscheck charges for them
(`Regex.cost`), the microseconds per charged step (the model holds while the worst stays at or
below STEP_SECONDS), and RE2's worst rate in program instructions per byte per microsecond.

Part 2. The attack of issue 16 end to end: ten rules, each `require not (sys.name matches P)`
with an adversarial P, as one `aimscheck check` process, over three AI systems with names of
100,000, 20,000 and 5,000 characters, then over thirty names of 5,000 characters (each search
affordable, so that the rule and run budgets, not the names, end the work: the slowest case).
Prints the time and outcomes: each rule ends with an error result (its budget could not pay
for a further search) or a result per subject, in a few seconds.
"""

from __future__ import annotations

import argparse
import json
import random
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from aimscheck.dsl.regex import PER_BYTE, STEP_WORK, Regex, RegexError, compile_regex  # noqa: E402

STEP_SECONDS = 0.5e-6  # what one evaluation step costs, about: a regex step must cost no more

# Each family, with a pattern of at most max_regex_pattern (1,000) characters.
PATTERNS = {
    "counted groups": [
        "([a!]*a){1000}[xy]",
        "(.{0,100}){10}xyz",
        "(.{0,80}[^a]){12}q",
        "(.*a){100}x",
        "(a?){500}a{490}",
    ],
    "DFA blow-up": [
        "(a|b)*a(a|b){12}c",
        "(a|b)*a(a|b){20}c",
        "(a|b)*a(a|b){100}c",
        "[ab]*a[ab]{60}c",
        "\\w*a\\w{100}!",
        "(\\w|\\W)*a(\\w|\\W){100}!",
        ".*a.{200}z",
        "[^z]*a[^z]{300}z",
        "(?s)(.)*a(.){200}$",
    ],
    "alternations": [
        "(" + "|".join(f"w{i:03d}" for i in range(190)) + ")x",
        "(?i)(?:" + "|".join(f"{w}{i}" for i, w in enumerate(["ab", "ba", "aab"] * 60)) + ").{50}z",
    ],
    "Unicode classes": [
        "(?s).{900}z",
        "\\pL*a\\pL{50}!",
        "[\\p{L}\\p{N}]{30}!",
        "(?i)[a-zа-я]*а[a-zа-я]{100}q",
        "(\\pL|\\pN|\\p{Greek}|\\p{Han}|\\p{Cyrillic}){20}$",
    ],
}


def subjects(length: int) -> dict[str, str]:
    rng = random.Random(16)

    def mix(chars: str) -> str:
        return "".join(rng.choice(chars) for _ in range(length))

    return {
        "a": "a" * length,
        "ab": mix("ab"),
        "a!": mix("a!"),
        "letters": mix("abcdefghijklmnopqrstuvwxyz "),
        "cyrillic": mix("абвгдежзийклмнопрстуфхцчшщ"),
        "han": "".join(chr(rng.randint(0x4E00, 0x9FFF)) for _ in range(length)),
        "emoji": "".join(chr(rng.randint(0x1F600, 0x1F64F)) for _ in range(length)),
        "mixed": mix("aб中😀 !"),
    }


@dataclass(frozen=True)
class Search:
    family: str
    pattern: str
    subject: str
    size: int  # instructions: max(forward, reverse program)
    nbytes: int
    seconds: float
    steps: int  # what aimscheck charges

    @property
    def per_step(self) -> float:
        return self.seconds / self.steps

    @property
    def rate(self) -> float:
        """Program instructions x bytes per microsecond: RE2's speed on this search."""
        return self.size * self.nbytes / (self.seconds * 1e6)


def measure(length: int, runs: int) -> list[Search]:
    texts = subjects(length)
    out: list[Search] = []
    for family, patterns in PATTERNS.items():
        for pattern in patterns:
            try:
                regex: Regex = compile_regex(pattern)
            except RegexError as exc:
                print(f"  refused when the rule is read: {pattern[:40]}: {exc}")
                continue
            for name, text in texts.items():
                best = float("inf")
                for _ in range(runs):
                    started = time.perf_counter()
                    regex._compiled.search(text)
                    best = min(best, time.perf_counter() - started)
                nbytes = len(text.encode())
                out.append(
                    Search(family, pattern, name, regex.size, nbytes, best, regex.cost(text))
                )
    return out


def report(found: list[Search]) -> None:
    print(f"\nslowest searches (of {len(found)}), with what aimscheck charges:")
    print(f"{'seconds':>8} {'steps':>12} {'us/step':>8} {'instr.':>7}  subject   pattern")
    for s in sorted(found, key=lambda s: s.seconds, reverse=True)[:15]:
        print(
            f"{s.seconds:8.3f} {s.steps:12,} {s.per_step * 1e6:8.3f} {s.size:7,}  "
            f"{s.subject:9} {s.pattern[:50]}"
        )
    worst = max(found, key=lambda s: s.per_step)
    slowest = min((s for s in found if s.size >= 1000), key=lambda s: s.rate)
    print(
        f"\nworst time per charged step: {worst.per_step * 1e6:.3f} us "
        f"({worst.pattern[:40]} on {worst.subject}; target <= {STEP_SECONDS * 1e6} us)"
    )
    print(
        f"RE2's slowest rate on programs of 1,000+ instructions: {slowest.rate:.0f} "
        f"instructions x bytes per us ({slowest.pattern[:40]} on {slowest.subject}, "
        f"{slowest.seconds:.2f} s)"
    )
    small = max((s for s in found if s.size < 1000), key=lambda s: s.seconds / s.nbytes)
    print(
        f"slowest per byte on programs under 1,000 instructions: "
        f"{small.seconds / small.nbytes * 1e6:.3f} us ({small.pattern[:40]}, "
        f"{small.size} instructions, on {small.subject})"
    )
    print(f"model: steps = 1 + bytes x (instructions + {PER_BYTE}) / {STEP_WORK}")
    if worst.per_step > STEP_SECONDS:
        print("THE MODEL UNDERCHARGES on this machine: lower STEP_WORK or raise PER_BYTE")


RULE = """rule "R-{i}" {{
  title "t"
  clause "4.3"
  severity minor
  phase scope_definition
  for sys in ai_systems
  require not (sys.name matches "{pattern}")
}}
"""
SCENARIO = [
    "([a!]*a){1000}[xy]",
    "(.{0,100}){10}xyz",
    "(.{0,80}[^a]){12}q",
    "(.*a){100}x",
    "(a|b)*a(a|b){20}c",
    "[ab]*a[ab]{60}c",
    "(?s).{900}z",
    ".*a.{200}z",
    "(\\\\w|\\\\W)*a(\\\\w|\\\\W){100}!",
    "[^z]*a[^z]{300}z",
]


def scenario(names: list[int]) -> None:
    """Ten adversarial rules over AI systems with names of these lengths, as one process."""
    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp) / "repo"
        (root / "ai_systems").mkdir(parents=True)
        (root / "aims.yaml").write_text('schema_version: "1"\norganization: {name: Acme}\n')
        rng = random.Random(7)
        for i, length in enumerate(names):
            name = "".join(rng.choice("a!") for _ in range(length))
            (root / "ai_systems" / f"s{i:02}.yaml").write_text(
                f'id: s{i:02}\nin_scope: true\nname: "{name}"\n'
            )
        pack = Path(tmp) / "pack.aims"
        pack.write_text("".join(RULE.format(i=i, pattern=p) for i, p in enumerate(SCENARIO)))
        command = [
            sys.executable, "-m", "aimscheck", "check", str(root), "--no-default-rules",
            "--rules", str(pack), "--as-of", "2026-11-20", "--format", "json",
        ]  # fmt: skip
        started = time.perf_counter()
        proc = subprocess.run(command, capture_output=True, text=True, cwd=ROOT)
        took = time.perf_counter() - started
        if proc.returncode not in (0, 1):
            raise SystemExit(f"aimscheck failed ({proc.returncode}): {proc.stderr[-2000:]}")
        results = json.loads(proc.stdout)["results"]
        outcomes: dict[str, int] = {}
        for result in results:
            outcomes[result["outcome"]] = outcomes.get(result["outcome"], 0) + 1
        shown = ", ".join(f"{n:,}" for n in sorted(set(names), reverse=True))
        print(
            f"ten adversarial rules, {len(names)} names of {shown} characters: {took:.2f} s, "
            f"exit {proc.returncode}, results {outcomes}"
        )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--length", type=int, default=100_000, help="characters per subject")
    parser.add_argument("--runs", type=int, default=2, help="searches timed (the best is kept)")
    parser.add_argument("--no-scenario", action="store_true", help="skip part 2")
    args = parser.parse_args()
    print(f"RE2 worst cases, subjects of {args.length:,} characters, best of {args.runs}")
    report(measure(args.length, args.runs))
    if not args.no_scenario:
        print()
        scenario([100_000, 20_000, 5_000])  # as in issue 16: the long names are refused at once
        scenario([5_000] * 30)  # each search affordable: the budgets, not the names, end it


if __name__ == "__main__":
    main()
