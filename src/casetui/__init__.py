"""casetui: private, offline case management in the terminal."""

__version__ = "0.1.0"
