"""The interface's imports point one way: the app imports the screens, never back."""

from __future__ import annotations

import itertools

import grimp
import pytest

#: Screens any screen may open: dialogs and forms that import no screen back.
LEAF_DIALOGS = {
    "casetui.ui.forms.confirm",
    "casetui.ui.forms.form",
    "casetui.ui.forms.choice",
}


@pytest.fixture(scope="module")
def graph() -> grimp.ImportGraph:
    return grimp.build_graph("casetui")


def outside_the_tabs(graph: grimp.ImportGraph) -> list[str]:
    return sorted(
        m
        for m in graph.modules
        if m.startswith("casetui.ui") and not m.startswith("casetui.ui.panes")
    )


def test_only_the_launcher_imports_the_app(graph: grimp.ImportGraph) -> None:
    importers = {
        m
        for m in graph.find_modules_that_directly_import("casetui.ui.app")
        if not m.startswith("casetui.ui.panes")
    }
    assert importers == {"casetui.ui.launch"}


def test_screens_do_not_import_other_screens(graph: grimp.ImportGraph) -> None:
    screens = [m for m in graph.modules if m.startswith("casetui.ui.screens.")]
    found = [
        (screen, imported)
        for screen in screens
        for imported in graph.find_modules_directly_imported_by(screen)
        if imported.startswith("casetui.ui.screens.") and imported not in LEAF_DIALOGS
    ]
    assert found == []


def test_no_import_cycle_between_interface_modules() -> None:
    graph = grimp.build_graph("casetui")  # its own: the tabs are taken out of it
    tabs = [m for m in graph.modules if m.startswith("casetui.ui.panes")]
    for tab in tabs:
        graph.remove_module(tab)
    cycles = [
        (a, b)
        for a, b in itertools.combinations(outside_the_tabs(graph), 2)
        if graph.find_shortest_chain(a, b) and graph.find_shortest_chain(b, a)
    ]
    assert cycles == []
