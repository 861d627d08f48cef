"""What casetui does, as functions over a repository, shared by the app and the command line.

The layer between the screens and the commands above, and the storage below:
a screen or a command calls a service; the service reads and writes through
:class:`casetui.vault.repository.Repository`.
"""
