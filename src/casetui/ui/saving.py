"""Saving the vault after a change: the save worker and what the status line says."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class SaveState:
    ok: bool
    text: str
