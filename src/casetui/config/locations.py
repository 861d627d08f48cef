"""Where casetui keeps things: the settings file, the vault and the user's themes.

Paths come from platformdirs (which honours ``XDG_CONFIG_HOME`` and friends),
with environment overrides: ``CASETUI_VAULT`` for the vault and
``CASETUI_CONFIG`` for the settings file. platformdirs is imported on use, so
``casetui --help`` stays quick.
"""

from __future__ import annotations

import os
from pathlib import Path

APP_NAME = "casetui"
VAULT_ENV = "CASETUI_VAULT"
CONFIG_ENV = "CASETUI_CONFIG"
DEFAULT_VAULT_NAME = "vault.age"
CONFIG_FILE_NAME = "config.toml"
THEMES_DIR_NAME = "themes"


def data_dir() -> Path:
    import platformdirs

    return Path(platformdirs.user_data_dir(APP_NAME, appauthor=False))


def default_vault_path() -> Path:
    """``$CASETUI_VAULT`` if set, else ``vault.age`` in the user data folder."""
    override = os.environ.get(VAULT_ENV)
    if override:
        return Path(override).expanduser()
    return data_dir() / DEFAULT_VAULT_NAME


def config_dir() -> Path:
    """The user's casetui settings folder (``$XDG_CONFIG_HOME/casetui`` on Linux)."""
    import platformdirs

    return platformdirs.user_config_path(APP_NAME, appauthor=False)


def config_path() -> Path:
    """``$CASETUI_CONFIG`` if set, else ``config.toml`` in the settings folder."""
    override = os.environ.get(CONFIG_ENV)
    if override:
        return Path(override).expanduser()
    return config_dir() / CONFIG_FILE_NAME


def user_themes_dir() -> Path:
    """Where the user may put their own theme files (``*.toml``)."""
    return config_dir() / THEMES_DIR_NAME
