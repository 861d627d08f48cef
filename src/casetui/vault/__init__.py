"""Keys, age encryption, TinyDB storage, atomic writes, locking and backups.

No Textual here: the command line and the app both sit on top of this layer.
"""
