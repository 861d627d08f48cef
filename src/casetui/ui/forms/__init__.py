"""Forms and dialogs: the form screen, its fields for each record, and the questions.

Screens and panes open these; nothing here imports a screen or a pane, so the
arrows point one way (screens → panes → forms).
"""
