"""Fixtures for the tests of the use cases: printouts, the calendar, imports, readiness.

These tests need no fixture of their own; the shared ones are in ``tests/conftest.py``.
"""
