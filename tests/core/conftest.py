"""Fixtures for the tests of the pure rules: records, schedules, Today, statistics.

These tests need no fixture of their own; the shared ones are in ``tests/conftest.py``.
"""
