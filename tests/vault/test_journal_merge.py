"""The merge of format 4, as a property: any order of the same changes gives the same vault.

Two or three devices edit, remove and sync at random. Then every change made is
applied again, in many random orders (only causal order is kept, as the journal
does), and by joining partial states as snapshots do. All must agree, and no
edit to a field may be lost: it is shown, kept as a conflict, replaced by an edit
made after it, or its record was removed.
"""

from __future__ import annotations

import random
from dataclasses import dataclass, field

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from casetui.vault.journal.hlc import Clock, Stamp
from casetui.vault.journal.merge_state import Change, MergeState, RecordChange

DEVICES = ("dev0aaaa", "dev1bbbb", "dev2cccc")
RECORDS = ("cl_a", "cl_b", "cl_c")
FIELDS = ("name", "pronouns", "notes")


@dataclass
class Device:
    name: str
    clock: Clock
    state: MergeState = field(default_factory=MergeState)


class World:
    def __init__(self, devices: int) -> None:
        self.now = [1_800_000_000_000]
        self.devices = [
            Device(name, Clock(name, now=lambda: self.now[0])) for name in DEVICES[:devices]
        ]
        self.log: list[Change] = []
        #: (change, table, record, field) for every field edit made.
        self.edits: list[tuple[Change, str, str, str]] = []

    def tick(self, step: int) -> None:
        self.now[0] += step  # 0 often: stamps within one millisecond

    def edit(self, d: int, record: str, name: str, value: str) -> None:
        dev = self.devices[d]
        over = {name: dev.state.over("clients", record, name)}
        self._make(dev, records=(RecordChange("clients", record, {name: value}, (), over),))
        self.edits.append((self.log[-1], "clients", record, name))

    def remove(self, d: int, record: str) -> None:
        dev = self.devices[d]
        if dev.state.row("clients", record) is None:
            return
        self._make(dev, gone=(("clients", record, False),))

    def _make(self, dev: Device, records: tuple[RecordChange, ...] = (), gone=()) -> None:  # type: ignore[no-untyped-def]
        counter = dev.state.vector.get(dev.name, 0) + 1
        context = {k: v for k, v in dev.state.vector.items() if k != dev.name}
        change = Change(dev.name, counter, dev.clock.tick().text(), context, records, gone)
        dev.state.apply(change)
        self.log.append(change)

    def sync(self, src: int, dst: int) -> None:
        """``dst`` receives every change ``src`` has applied (in any order; causal delivery)."""
        have = self.devices[src].state.vector
        known = [c for c in self.log if c.counter <= have.get(c.device, 0)]
        target = self.devices[dst]
        apply_in_causal_order(target.state, known, random.Random(src * 7 + dst))
        for c in known:
            target.clock.observe(Stamp.parse(c.stamp))


def apply_in_causal_order(state: MergeState, changes: list[Change], rng: random.Random) -> None:
    pending = list(changes)
    rng.shuffle(pending)
    progress = True
    while pending and progress:
        progress = False
        rest = []
        for change in pending:
            status = state.status(change)
            if status == "ready":
                state.apply(change)
                progress = True
            elif status == "waiting":
                rest.append(change)
        pending = rest
    assert not pending, "every change made must become applicable"


def summary(state: MergeState) -> tuple[object, ...]:
    rows = sorted((rid, sorted(row.items())) for rid, row in state.rows("clients"))
    gone = sorted(rid for rid, _t in state.gone("clients"))
    conflicts = sorted(
        (rid, name, tuple((v.value, v.stamp) for v in versions))
        for _t, rid, name, versions in state.conflicts()
    )
    return rows, gone, conflicts, sorted(state.vector.items())


operation = st.one_of(
    st.tuples(
        st.just("edit"),
        st.integers(0, 2),
        st.sampled_from(RECORDS),
        st.sampled_from(FIELDS),
        st.text(alphabet="abcxyz", min_size=1, max_size=3),
    ),
    st.tuples(st.just("remove"), st.integers(0, 2), st.sampled_from(RECORDS)),
    st.tuples(st.just("sync"), st.integers(0, 2), st.integers(0, 2)),
    st.tuples(st.just("tick"), st.integers(0, 3)),
)


def play(devices: int, ops: list[tuple[object, ...]]) -> World:
    world = World(devices)
    for op in ops:
        kind = op[0]
        if kind == "edit":
            _k, d, record, name, value = op
            world.edit(int(d) % devices, str(record), str(name), str(value))  # type: ignore[call-overload]
        elif kind == "remove":
            world.remove(int(op[1]) % devices, str(op[2]))  # type: ignore[call-overload]
        elif kind == "sync":
            world.sync(int(op[1]) % devices, int(op[2]) % devices)  # type: ignore[call-overload]
        else:
            world.tick(int(op[1]))  # type: ignore[call-overload]
    return world


def dominated_by_later(world: World, edit: tuple[Change, str, str, str]) -> bool:
    change, table, record, name = edit
    for other, t, r, n in world.edits:
        if (t, r, n) != (table, record, name) or other is change:
            continue
        saw = other.context.get(change.device, 0) >= change.counter or (
            other.device == change.device and other.counter > change.counter
        )
        if saw:
            return True
    return False


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(devices=st.sampled_from([2, 3]), ops=st.lists(operation, max_size=40), seed=st.integers())
def test_any_order_of_the_same_changes_gives_the_same_vault(
    devices: int, ops: list[tuple[object, ...]], seed: int
) -> None:
    world = play(devices, ops)
    rng = random.Random(seed)
    results = set()
    states = []
    for _ in range(4):
        state = MergeState()
        apply_in_causal_order(state, world.log, rng)
        results.add(repr(summary(state)))
        states.append(state)
    assert len(results) == 1
    # Every device, once it has everything, agrees too.
    for d in range(devices):
        for s in range(devices):
            world.sync(s, d)
    for dev in world.devices:
        assert repr(summary(dev.state)) in results

    final = states[0]
    for edit in world.edits:
        change, table, record, name = edit
        if final.row(table, record) is None:
            continue  # removed: a removal wins
        rec = final.record(table, record)
        assert rec is not None
        live = {v.dot for v in rec.versions(name)}
        assert change.dot in live or dominated_by_later(world, edit), (
            f"the edit of {record}.{name} by {change.dot} was lost"
        )


@settings(max_examples=200, deadline=None)
@given(devices=st.sampled_from([2, 3]), ops=st.lists(operation, max_size=40), seed=st.integers())
def test_joining_partial_states_as_snapshots_do_gives_the_same_vault(
    devices: int, ops: list[tuple[object, ...]], seed: int
) -> None:
    world = play(devices, ops)
    rng = random.Random(seed)
    full = MergeState()
    apply_in_causal_order(full, world.log, rng)
    # Each device's own state (causally complete) stands in for a snapshot it wrote.
    for order in (world.devices, world.devices[::-1]):
        joined = MergeState()
        for dev in order:
            joined.join(dev.state)
        rest = [c for c in world.log if c.counter > joined.vector.get(c.device, 0)]
        apply_in_causal_order(joined, rest, rng)
        assert summary(joined) == summary(full)


def test_a_snapshot_that_has_not_seen_a_replacement_does_not_bring_back_the_old_value() -> None:
    world = World(2)
    world.edit(1, "cl_a", "name", "Bo")
    world.sync(1, 0)
    world.tick(2)
    world.edit(0, "cl_a", "name", "Beau")  # replaces Bo; device 1 has not heard yet
    for first, second in ((0, 1), (1, 0)):
        joined = MergeState()
        joined.join(world.devices[first].state)
        joined.join(world.devices[second].state)
        assert joined.row("clients", "cl_a") == {"name": "Beau"}
        assert list(joined.conflicts()) == []


def test_two_devices_editing_different_fields_of_one_record_keep_both() -> None:
    world = World(2)
    world.edit(0, "cl_a", "name", "Ama")
    world.sync(0, 1)
    world.tick(1)
    world.edit(0, "cl_a", "pronouns", "she/her")
    world.edit(1, "cl_a", "notes", "prefers mornings")
    world.sync(0, 1)
    world.sync(1, 0)
    for dev in world.devices:
        assert dev.state.row("clients", "cl_a") == {
            "name": "Ama",
            "pronouns": "she/her",
            "notes": "prefers mornings",
        }
        assert list(dev.state.conflicts()) == []


def test_the_same_field_edited_on_two_devices_shows_one_and_keeps_the_other() -> None:
    world = World(2)
    world.edit(0, "cl_a", "name", "Ama")
    world.sync(0, 1)
    world.tick(5)
    world.edit(0, "cl_a", "name", "Amara")
    world.tick(5)
    world.edit(1, "cl_a", "name", "Ami")  # later stamp: shown
    world.sync(0, 1)
    world.sync(1, 0)
    for dev in world.devices:
        assert dev.state.row("clients", "cl_a") == {"name": "Ami"}
        [(_t, _r, name, versions)] = dev.state.conflicts()
        assert name == "name"
        assert [v.value for v in versions] == ["Ami", "Amara"]
    # Choosing one replaces both versions, on every device.
    dev0 = world.devices[0]
    over = {"name": dev0.state.over("clients", "cl_a", "name")}
    world._make(dev0, records=(RecordChange("clients", "cl_a", {"name": "Amara"}, (), over),))
    world.sync(0, 1)
    for dev in world.devices:
        assert dev.state.row("clients", "cl_a") == {"name": "Amara"}
        assert list(dev.state.conflicts()) == []


def test_a_removal_wins_over_an_edit_made_at_the_same_time_and_after() -> None:
    world = World(2)
    world.edit(0, "cl_a", "name", "Ama")
    world.sync(0, 1)
    world.remove(0, "cl_a")
    world.tick(10)
    world.edit(1, "cl_a", "notes", "later edit, not yet told of the removal")
    world.sync(0, 1)
    world.sync(1, 0)
    for dev in world.devices:
        assert dev.state.row("clients", "cl_a") is None
