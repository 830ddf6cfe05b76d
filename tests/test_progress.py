"""Progress: a status line for a person at a terminal, nothing in CI, pipes or with --quiet."""

from __future__ import annotations

import io

import pytest

from aimscheck.progress import DELAY, Progress, in_ci, wanted


class Terminal(io.StringIO):
    def isatty(self) -> bool:
        return True


class Clock:
    def __init__(self) -> None:
        self.now = 100.0

    def __call__(self) -> float:
        return self.now


@pytest.mark.parametrize(
    ("environ", "expected"),
    [
        ({}, False),
        ({"CI": "true"}, True),
        ({"CI": "1"}, True),
        ({"CI": "false"}, False),
        ({"CI": "false", "GITLAB_CI": "true"}, True),
        ({"GITHUB_ACTIONS": "true"}, True),
        ({"JENKINS_URL": "https://ci.example/"}, True),  # Jenkins sets no CI variable
        ({"BUILD_NUMBER": "17"}, True),
        ({"TF_BUILD": "True"}, True),  # Azure DevOps
        ({"CI": ""}, False),
        ({"CI": " Off "}, False),  # the words of every yes-or-no variable (envflags.py)
        ({"CI": "no", "GITHUB_ACTIONS": "true"}, True),
        ({"CI": "woodpecker"}, True),  # the CI service's variable: any other value is CI
    ],
)
def test_ci_is_recognised(environ: dict[str, str], expected: bool) -> None:
    assert in_ci(environ) is expected


def test_only_a_person_at_a_terminal_gets_progress() -> None:
    assert wanted(Terminal(), {}, quiet=False)
    assert not wanted(Terminal(), {}, quiet=True)
    assert not wanted(Terminal(), {"CI": "true"}, quiet=False)
    assert not wanted(Terminal(), {"TERM": "dumb"}, quiet=False)
    assert not wanted(io.StringIO(), {}, quiet=False)  # a pipe or a file


def test_a_short_run_shows_nothing() -> None:
    stream, clock = Terminal(), Clock()
    progress = Progress(stream, enabled=True, clock=clock)
    progress.stage("loading rules")
    progress.step(1, 80, "evaluating rules", "AIMS-4.1-01")
    clock.now += DELAY / 2
    progress.step(2, 80, "evaluating rules")
    progress.close()
    assert stream.getvalue() == ""


def test_a_long_run_redraws_one_line_and_wipes_it() -> None:
    stream, clock = Terminal(), Clock()
    progress = Progress(stream, enabled=True, clock=clock)
    clock.now += DELAY
    progress.step(34, 80, "evaluating rules", "AIMS-6.1.3-02")
    clock.now += 0.01
    progress.step(35, 80, "evaluating rules", "AIMS-6.1.3-03")  # throttled: not drawn
    clock.now += 0.2
    progress.stage("writing reports")
    shown = stream.getvalue()
    assert shown.startswith("\raimscheck: evaluating rules 34/80 (42%) AIMS-6.1.3-02")
    assert "35/80" not in shown
    assert "\n" not in shown  # one line, redrawn in place
    last = shown.rsplit("\r", 1)[1]
    assert last.rstrip() == "aimscheck: writing reports"
    assert len(last) == len("aimscheck: evaluating rules 34/80 (42%) AIMS-6.1.3-02")
    progress.close()
    wiped = stream.getvalue()[len(shown) :]
    assert wiped == "\r" + " " * len(last.rstrip()) + "\r"


def test_a_disabled_progress_never_writes() -> None:
    stream, clock = Terminal(), Clock()
    progress = Progress(stream, enabled=False, clock=clock)
    clock.now += 60
    progress.stage("loading the export")
    progress.step(1, 2, "evaluating rules")
    progress.close()
    assert stream.getvalue() == ""


def test_lines_fit_a_narrow_terminal() -> None:
    stream, clock = Terminal(), Clock()
    progress = Progress(stream, enabled=True, clock=clock)
    clock.now += DELAY
    progress.step(1, 2, "evaluating rules", "X" * 200)
    assert len(stream.getvalue()) == 1 + 79
