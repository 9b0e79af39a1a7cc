"""Full garbage collections wait for a quiet moment, not for the heap to grow."""

from __future__ import annotations

import gc
from collections.abc import Iterator

import pytest
from PySide6.QtWidgets import QApplication

from desktop.ui import quiet_gc
from desktop.ui.quiet_gc import QuietCollector


@pytest.fixture
def full_collections() -> Iterator[list[int]]:
    """Counts the full (generation 2) collections that start while the test runs."""
    seen: list[int] = []

    def note(phase: str, info: dict[str, int]) -> None:
        if phase == "start" and info.get("generation") == 2:
            seen.append(1)

    gc.callbacks.append(note)
    yield seen
    gc.callbacks.remove(note)


class Node:
    def __init__(self) -> None:
        self.me = self  # a cycle: only a collection frees it


def test_the_application_hands_full_collections_to_its_collector(qapp: QApplication) -> None:
    collector = qapp.findChild(QuietCollector, "quietCollector")
    assert collector is not None
    assert gc.get_threshold()[2] >= 1_000_000  # no automatic full collection


def test_no_full_collection_while_the_heap_grows(
    qapp: QApplication, full_collections: list[int]
) -> None:
    held = [[Node() for _ in range(1_000)] for _ in range(300)]  # like rows streaming in
    assert full_collections == []
    assert len(held) == 300


def test_a_busy_window_postpones_the_collection_and_a_quiet_one_runs_it(
    qapp: QApplication, full_collections: list[int]
) -> None:
    collector = qapp.findChild(QuietCollector, "quietCollector")
    assert collector is not None
    for _ in range(1_000):
        Node()  # cyclic garbage
    gc.collect(1)  # a young collection, as the allocations would have run
    assert gc.get_count()[2] > 0

    quiet_gc.note_activity()  # a scroll just now
    collector.tick()
    assert full_collections == []

    collector.quiet_s = 0.0
    try:
        collector.tick()
    finally:
        collector.quiet_s = 1.0
    assert full_collections == [1]
