"""Clients from a spreadsheet (CSV), and the caseload as CSV.

Reading happens in three steps, each pure:
:func:`~casetui.core.sheets.read.decode` turns the file's bytes into text,
:func:`~casetui.core.sheets.read.read_sheet` splits it into a header and rows
(each row knows the physical line it starts on, counting line breaks inside
quoted cells), and :func:`~casetui.core.sheets.plan.plan_sheet` checks every row
against a :class:`~casetui.core.sheets.mapping.SheetMapping` and the vault's
records. Every problem in every row is collected, so one run lists them all.

The rules:

- **Duplicates.** A row whose preferred name and intake date match a client
  already in the vault (ignoring case and spacing) is skipped and reported, so
  importing the same sheet twice adds nothing the second time. Two rows of the
  same sheet that match each other are a problem: casetui cannot tell whether
  they are one person or two.
- **Case managers.** A name is matched to a case manager in the vault, ignoring
  case and spacing. A name that matches none is a problem, unless the mapping
  says ``create_missing = true``: then each such name is added as a case
  manager, once. A row with no case manager gets the mapping's ``default``,
  else the vault's own case manager (its owner).
- **Blank cells** take the field's usual value (status active, check-in every
  14 days, no to every yes/no question, not engaged with the legal system),
  except the preferred name and intake date, which every row must have.

Cells that a spreadsheet would run as a formula (starting with ``=``, ``+``,
``-``, ``@``, a tab or a carriage return) are written with a ``'`` in front
(:func:`~casetui.core.formats.protect_cell`); reading undoes exactly that
(:func:`~casetui.core.formats.unprotect_cell`), so a caseload survives the trip
out and back unchanged.
"""
