"""Yes-or-no environment variables: the same words everywhere, and any other word is an error."""

from __future__ import annotations

import pytest
from click.testing import CliRunner

from aimscheck.cli import EXIT_ERROR, main
from aimscheck.envflags import flag, word
from aimscheck.errors import UsageError


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        (None, None),
        ("", None),
        ("   ", None),
        ("1", True),
        ("true", True),
        (" Yes ", True),
        ("ON", True),
        ("0", False),
        ("False", False),
        ("no", False),
        ("off\n", False),
    ],
)
def test_the_words_for_on_and_off(text: str | None, expected: bool | None) -> None:
    assert word(text) is expected


@pytest.mark.parametrize("text", ["2", "maybe", "y", "enabled", "true-ish"])
def test_any_other_word_is_refused(text: str) -> None:
    with pytest.raises(ValueError):
        word(text)


def test_a_switch_is_off_unless_turned_on() -> None:
    assert flag("AIMSCHECK_NO_CACHE", {}) is False
    assert flag("AIMSCHECK_NO_CACHE", {"AIMSCHECK_NO_CACHE": "false"}) is False
    assert flag("AIMSCHECK_NO_CACHE", {"AIMSCHECK_NO_CACHE": "True"}) is True


def test_a_long_bad_value_is_shown_cut() -> None:
    with pytest.raises(UsageError) as caught:
        flag("AIMSCHECK_DEBUG", {"AIMSCHECK_DEBUG": "x" * 1000})
    assert caught.value.message == (
        f"the environment variable AIMSCHECK_DEBUG is '{'x' * 20}…', which is neither on nor off"
    )


@pytest.mark.parametrize("name", ["AIMSCHECK_NO_CACHE", "AIMSCHECK_DEBUG"])
def test_a_bad_switch_stops_every_command_with_exit_2(name: str) -> None:
    result = CliRunner().invoke(main, ["rules"], env={name: "sometimes"})
    assert result.exit_code == EXIT_ERROR
    assert result.stderr == (
        f"aimscheck: error:\nthe environment variable {name} is 'sometimes', which is neither "
        "on nor off\n  hint: set it to one of 1, true, yes, on (on) or 0, false, no, off (off), "
        "or leave it empty\n"
    )
    assert result.stdout == ""


def test_aimscheck_debug_off_keeps_internal_errors_to_one_message(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    def broken(*args: object, **kwargs: object) -> None:
        raise KeyError("boom")

    monkeypatch.setattr("aimscheck.rulelist.select", broken)
    for value, raises in (("false", False), ("0", False), ("", False), ("yes", True)):
        result = CliRunner().invoke(main, ["rules"], env={"AIMSCHECK_DEBUG": value})
        assert isinstance(result.exception, KeyError) is raises, value
        if not raises:
            assert result.exit_code == EXIT_ERROR
            assert result.stderr.startswith("aimscheck: error: internal error (KeyError: 'boom')")
