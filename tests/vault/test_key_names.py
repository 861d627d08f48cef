"""Key names that could pass for other names are refused by ``casetui recipients add``.

A key's name is how a person decides who can open the vault, so a name with a
character that does not show, a word written in two alphabets, or a name that
looks the same as one already on the list is refused, and nothing changes.
Names in any one alphabet, with accents and marks, are still welcome.
"""

from __future__ import annotations

import hashlib
from pathlib import Path

import pyrage
import pytest

from casetui.vault.document import OWN_KEY_NAME
from tests.conftest import VaultFiles, copy_vault, run_casetui

pytestmark = pytest.mark.usefixtures("home")


def fresh_public() -> str:
    return str(pyrage.x25519.Identity.generate().to_public())


def add(files: VaultFiles, name: str, home: Path) -> tuple[int, str]:
    result = run_casetui(
        "recipients",
        "add",
        fresh_public(),
        "--name",
        name,
        "--vault",
        files.vault,
        "--identity",
        files.identity_file,
        home=home,
    )
    return result.returncode, result.stderr


def fingerprint(vault: Path) -> str:
    """One hash over every file of a vault folder: their names and their bytes."""
    digest = hashlib.sha256()
    for file in sorted(p for p in vault.rglob("*") if p.is_file()):
        digest.update(str(file.relative_to(vault)).encode() + b"\0")
        digest.update(hashlib.sha256(file.read_bytes()).digest())
    return digest.hexdigest()


def names(files: VaultFiles) -> list[str]:
    with files.open(writable=False) as vault:
        return [r.name for r in vault.recipients]


@pytest.fixture(scope="module")
def with_bob(template_vault: VaultFiles, tmp_path_factory: pytest.TempPathFactory) -> VaultFiles:
    """One vault with two team keys for every refusal (a refusal changes nothing)."""
    files = copy_vault(template_vault, tmp_path_factory.mktemp("team") / "vault")
    for name in TEAM:
        code, err = add(files, name, tmp_path_factory.mktemp("home"))
        assert code == 0, err
    return files


TEAM = ["Bob Smith", "Al Moreno"]


REFUSED = {
    "zero-width space": ("Bob\u200bSmith", "does not show (U+200B)"),
    "zero-width joiner": ("Sam\u200dOkafor", "does not show (U+200D)"),
    "left-to-right mark": ("\u200eSam Okafor", "does not show (U+200E)"),
    "byte-order mark": ("Sam Okafor\ufeff", "does not show (U+FEFF)"),
    "soft hyphen": ("Sam\u00adOkafor", "does not show (U+00AD)"),
    "tag letter": ("Sam\U000e0041 Okafor", "does not show (U+E0041)"),
    "variation selector": ("Sam\ufe0f Okafor", "does not show (U+FE0F)"),
    "Hangul filler": ("Sam\u3164Okafor", "does not show (U+3164)"),
    "private use": ("Sam\ue000", "does not show (U+E000)"),
    "Cyrillic o in a Latin word": ("B\u043eb Smith", "mixes Latin and Cyrillic letters"),
    "Greek omicron in a Latin word": ("Sam Okaf\u03bfr", "mixes Latin and Greek letters"),
    "the own key's name with a Cyrillic i": ("th\u0456s vault", "mixes Latin and Cyrillic"),
    "all-Cyrillic look-alike": ("\u0412\u041e\u0412 Smith", "looks the same as 'Bob Smith'"),
    "full-width letters": ("\uff22\uff4f\uff42 Smith", "looks the same as 'Bob Smith'"),
    "Greek capitals": ("\u0392\u039f\u0392 SMITH", "looks the same as 'Bob Smith'"),
    "capital I for small l": ("AI Moreno", "looks the same as 'Al Moreno'"),
    "digit zero for o": ("B0b Smith", "looks the same as 'Bob Smith'"),
}


@pytest.mark.parametrize("case", list(REFUSED))
def test_a_name_that_could_pass_for_another_is_refused(
    with_bob: VaultFiles, home: Path, case: str
) -> None:
    name, fragment = REFUSED[case]
    before = fingerprint(with_bob.vault)
    code, err = add(with_bob, name, home)
    assert code == 1, err
    lines = err.strip().splitlines()
    assert len(lines) == 1, err
    assert lines[0].startswith("casetui: "), err
    assert lines[0].endswith("."), err
    assert fragment in lines[0], err
    assert fingerprint(with_bob.vault) == before
    assert names(with_bob) == [OWN_KEY_NAME, *TEAM]


def test_names_in_any_one_alphabet_are_welcome(vault_files: VaultFiles, home: Path) -> None:
    welcome = [
        "Zoë Nguyễn",
        "Анна Smith",  # words in different alphabets are fine; letters within one are not
        "Ναταλία Παππά",
        "山田 たろう",
        "Keʻala Kahananui",
        "मानसी ज्योति",
        "O'Brien-Núñez",
    ]
    for name in welcome:
        code, err = add(vault_files, name, home)
        assert code == 0, (name, err)
    assert names(vault_files) == [OWN_KEY_NAME, *welcome]


def test_the_checks_themselves() -> None:
    from casetui.core.lookalikes import hidden_character, looks_alike, mixed_scripts

    assert hidden_character("Plain Name") is None
    assert hidden_character("a\u2060b") == "U+2060"
    assert mixed_scripts("Анна Smith") is None
    assert mixed_scripts("Ann\u0430") == ("LATIN", "CYRILLIC")
    assert mixed_scripts("やまだ太郎") is None  # Japanese mixes its own scripts
    assert looks_alike("ВОВ", "Bob")
    assert looks_alike("𝐁𝐨𝐛", "bob")
    assert looks_alike("Al", "AI")
    assert looks_alike("SMITH", "Smith")
    assert not looks_alike("Ali", "All")
    assert not looks_alike("José", "Jose")
