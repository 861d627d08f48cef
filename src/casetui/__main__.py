import sys

from casetui.cli import main

sys.exit(main())
