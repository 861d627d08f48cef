"""The domain: records, choices, the needs catalog and the rules.

Pure Python with no I/O and no Textual, so it is quick to import and easy to test.
"""
