"""``casetui config``: where your settings are kept."""

from __future__ import annotations

import argparse

from casetui.cli.parsing import CliParser


def add_parser(commands: argparse._SubParsersAction[CliParser]) -> None:
    commands.add_parser(
        "config",
        help="show where your settings are kept",
        description=(
            "Show where your settings file is. If you do not have one yet, casetui writes "
            "one with the defaults and a note beside each setting, so you can change the "
            "theme or your keys in any text editor. Any problems in the file are listed."
        ),
        epilog="Set CASETUI_CONFIG to the path of a file to keep your settings somewhere else.",
    )


def run(args: argparse.Namespace) -> int:
    from casetui.config import config_path, load_settings, write_defaults

    path = config_path()
    if write_defaults(path):
        print(f"Wrote the default settings to {path}.")
    else:
        print(f"Your settings are in {path}.")
    _settings, notices = load_settings(path)
    for notice in notices:
        print(f"  Note: {notice}")
    return 0
