"""Fixtures for the tests that run the ``casetui`` command.

These tests need no fixture of their own; the shared ones (``run_casetui``,
``clean_env``, ``home``) are in ``tests/conftest.py``.
"""
