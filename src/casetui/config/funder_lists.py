"""A state's own wording of the funders' lists: ``funder_categories.toml`` beside
``config.toml``, read when a funder's report or the profile form needs the lists.

The file is optional. Each list it has replaces the PMT's (see
``core/funder_catalog.py``); the others stay. For example::

    [[gender_identity]]
    code = "woman"
    label = "Woman or girl"
    report = "Female"
"""

from __future__ import annotations

import tomllib
from pathlib import Path

from casetui.config.locations import config_path
from casetui.core.funder_catalog import DEFAULT_CATALOG, Catalog, CatalogError, catalog_from

FILE_NAME = "funder_categories.toml"


def lists_path() -> Path:
    return config_path().parent / FILE_NAME


def load_catalog(path: Path | None = None) -> Catalog:
    """The lists in use: the PMT's, with any the file replaces.

    Raises CatalogError (one sentence, naming the file) when the file cannot be used;
    a report is better refused than filed with the wrong categories.
    """
    path = lists_path() if path is None else path
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        return DEFAULT_CATALOG
    except (OSError, UnicodeDecodeError) as error:
        raise CatalogError(f"{path} cannot be read ({type(error).__name__}).") from None
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as error:
        raise CatalogError(f"{path} is not valid TOML ({error}).") from None
    return catalog_from(data, str(path))


def catalog_or_standard(path: Path | None = None) -> tuple[Catalog, str]:
    """The lists in use, or the PMT's when the agency's file cannot be used, with the
    sentence that says why ("" when all is well): for screens and imports, which
    carry on and say so, where a report refuses (see :func:`load_catalog`)."""
    try:
        return load_catalog(path), ""
    except CatalogError as error:
        return DEFAULT_CATALOG, str(error)
