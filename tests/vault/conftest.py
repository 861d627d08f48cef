"""Fixtures for the tests of the vault: its file, keys, backups, lock and audit trail.

These tests need no fixture of their own; the shared ones (a copied template vault,
``vault_files``, ``vault``) are in ``tests/conftest.py``.
"""
