"""New passphrases: guessable ones are refused, long phrases of ordinary words pass.

The judgement follows NIST SP 800-63B: a minimum length, no composition rules, and
a refusal of common passwords and of the words a guesser tries first (the app's
name, the person's name, the login name, the vault's file name).
"""

from __future__ import annotations

import getpass
import subprocess
import sys
import time
from pathlib import Path

import pytest

from casetui.core.passphrase import MIN_LENGTH, assess
from casetui.ui.app import CaseApp
from casetui.ui.screens.unlock import SetupScreen
from tests.cli.test_cli import assert_one_sentence_error
from tests.conftest import PASSPHRASE, run_casetui
from tests.ui.test_ui_flows import type_into, wait_for

WEAK = ["P@ssw0rd", "Password1!", "abcd1234", "12341234", "casetui123", "letmein123"]

GOOD = [
    PASSPHRASE,  # the test suite's own
    "correct horse battery staple",
    "copper heron willow twelve",
    "marmalade violin harbour nine",
    "a different fine passphrase",
    "benchmark only passphrase",
    "tidy lantern orchard seventeen pebble",
]


@pytest.mark.parametrize("passphrase", WEAK)
def test_common_and_patterned_passwords_are_refused(passphrase: str) -> None:
    verdict = assess(passphrase)
    assert not verdict.acceptable
    assert verdict.strength == "too weak"
    assert verdict.hint.endswith(".")
    assert "unrelated words" in verdict.hint


@pytest.mark.parametrize("passphrase", GOOD)
def test_long_phrases_of_ordinary_words_are_accepted(passphrase: str) -> None:
    verdict = assess(passphrase, ["Robin Testwell", "vault"])
    assert verdict.acceptable
    assert verdict.strength == "strong"


def test_no_symbol_or_capital_is_required() -> None:
    # Length over composition: plain lowercase words are fine, symbols do not rescue a
    # common password.
    assert assess("lantern orchard pebble meadow").acceptable
    assert not assess("P@$$w0rd!").acceptable


def test_too_short_is_refused_before_anything_else() -> None:
    verdict = assess("x7#kP2!")
    assert len("x7#kP2!") < MIN_LENGTH
    assert not verdict.acceptable
    assert f"at least {MIN_LENGTH} characters" in verdict.hint


def test_the_owner_name_and_vault_name_count_against_a_passphrase() -> None:
    assert assess("GraceFernwood99").acceptable  # fine for anyone else
    verdict = assess("GraceFernwood99", ["Grace Fernwood"])
    assert not verdict.acceptable
    assert "name someone could guess" in verdict.hint
    assert assess("mysafehouse42").acceptable
    assert not assess("mysafehouse42", ["mysafehouse"]).acceptable


def test_the_login_name_counts_against_a_passphrase(monkeypatch: pytest.MonkeyPatch) -> None:
    assert assess("Quillonmarsh7").acceptable
    monkeypatch.setattr(getpass, "getuser", lambda: "quillonmarsh")
    assert not assess("Quillonmarsh7").acceptable


def test_a_very_long_passphrase_is_judged_quickly() -> None:
    # Only the first characters go to the estimator, whose time grows with length.
    started = time.perf_counter()
    verdict = assess("4@8(3!|1|0$57+2%" * 1000)
    assert time.perf_counter() - started < 2
    assert verdict.strength in ("too weak", "fair", "strong")
    assert not assess("a" * 10_000).acceptable  # a repeat is still a repeat


def test_the_estimator_is_not_loaded_by_help_or_by_importing() -> None:
    probe = (
        "import sys, runpy\n"
        "import casetui.core.passphrase\n"
        "sys.argv = ['casetui', '--help']\n"
        "try:\n"
        "    runpy.run_module('casetui', run_name='__main__')\n"
        "except SystemExit:\n"
        "    pass\n"
        "print('LOADED=' + str('zxcvbn' in sys.modules))\n"
    )
    result = subprocess.run(
        [sys.executable, "-c", probe], capture_output=True, text=True, check=True
    )
    assert result.stdout.strip().endswith("LOADED=False")


def test_init_refuses_a_common_password(home: Path, tmp_path: Path) -> None:
    result = run_casetui(
        "init", "--vault", tmp_path / "v.age", home=home, env={"CASETUI_PASSPHRASE": "Password1!"}
    )
    assert_one_sentence_error(result, "too weak")
    assert not (tmp_path / "v.age").exists()


def test_init_refuses_a_passphrase_made_of_the_owner_name(home: Path, tmp_path: Path) -> None:
    vault = tmp_path / "v.age"
    result = run_casetui(
        "init",
        "--vault",
        vault,
        "--name",
        "Grace Fernwood",
        home=home,
        env={"CASETUI_PASSPHRASE": "GraceFernwood99"},
    )
    assert_one_sentence_error(result, "too weak", "name someone could guess")
    assert not vault.exists()


def _strength(app: CaseApp) -> str:
    return str(app.screen.query_one("#strength").render()).lower()


async def test_the_first_run_screen_judges_the_passphrase_as_it_is_typed(
    tmp_path: Path,
) -> None:
    path = tmp_path / "vault" / "vault.age"
    app = CaseApp(path)
    async with app.run_test(size=(100, 30)) as pilot:
        await wait_for(pilot, lambda: isinstance(app.screen, SetupScreen))
        await type_into(pilot, "#name", "Grace Fernwood")
        for weak in ("P@ssw0rd", "casetui123", "GraceFernwood99"):
            await type_into(pilot, "#passphrase", weak)
            await wait_for(pilot, lambda: "too weak" in _strength(app))
        await type_into(pilot, "#passphrase", "correct horse battery staple")
        await wait_for(pilot, lambda: "strong" in _strength(app))
        # The name changing changes the judgement of the same passphrase.
        await type_into(pilot, "#passphrase", "GraceFernwood99")
        await wait_for(pilot, lambda: "too weak" in _strength(app))
        await type_into(pilot, "#name", "Sam Rivera")
        await wait_for(pilot, lambda: "strong" in _strength(app))
        # Creating with a refused passphrase says why and writes nothing.
        await type_into(pilot, "#passphrase", "letmein123")
        await type_into(pilot, "#again", "letmein123")
        await pilot.press("enter")
        await wait_for(
            pilot, lambda: "unrelated words" in str(app.screen.query_one("#problem").render())
        )
        assert not path.exists()
        await pilot.press("ctrl+q")
