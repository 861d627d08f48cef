"""Vault format 4: a folder of small age-encrypted files that any file-sync tool can carry.

See ``ARCHITECTURE.md`` ("The journal") for the files, the merge and compaction.
"""
