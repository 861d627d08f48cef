"""Files shipped with casetui: the sample caseload and the themes.

In a wheel they sit inside the package (``casetui/sample_data``,
``casetui/themes``); in a source checkout they are the top-level folders of the
repository. Both are found the same way.
"""

from __future__ import annotations

from pathlib import Path

_PACKAGE = Path(__file__).resolve().parent


def resource_dir(name: str) -> Path:
    """The folder of shipped ``name`` files ("sample_data" or "themes")."""
    for candidate in (_PACKAGE / name, _PACKAGE.parent.parent / name):
        if candidate.is_dir():
            return candidate
    raise FileNotFoundError(f"casetui's {name} folder is missing from this installation")


def sample_caseload() -> Path:
    """The fictional caseload used by the demo, the tests and the trainers."""
    return resource_dir("sample_data") / "caseload.json"
