"""The ``casetui`` command line.

Only argparse and the standard library load at start-up, so ``casetui --help``
is quick; each command imports what it needs when it runs. Every failure is
reported as one sentence on stderr with a non-zero exit code, never a traceback:

    0  all is well          2  the command line was wrong
    1  something is wrong   3  the vault is open elsewhere
  130  cancelled (Ctrl+C)  70  an unexpected internal error
  141  the output's reader went away (``casetui audit | head``): quietly, as Unix tools do

The parser is built in :mod:`casetui.cli.main` from one ``cmd_*`` module per command
or group of commands; each imports what its command needs only when it runs.
"""

from casetui.cli.main import COMMANDS, build_parser, main
from casetui.cli.prompts import PASSPHRASE_ENV

__all__ = ["COMMANDS", "PASSPHRASE_ENV", "build_parser", "main"]
