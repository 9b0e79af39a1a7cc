"""A list's destination filter: "All destinations", then every destination by name."""

from __future__ import annotations

from PySide6.QtCore import QCoreApplication
from PySide6.QtWidgets import QComboBox, QWidget

from desktop.domain.permissions import Permission
from desktop.domain.records import DestinationRow
from desktop.ui.ops import run_op
from desktop.ui.session import Session


def tr(text: str) -> str:
    return QCoreApplication.translate("DestinationFilter", text)


class DestinationFilterBox(QComboBox):
    """Choose one destination to list by; ``currentData()`` is its id (None: all of them).

    The names come from the reference cache in a worker, so opening a page costs no
    query while nothing has changed. They are read once the list's first rows are in
    (or when the box is opened first), so the two never compete. A role that may
    not see destinations gets "All destinations" alone.
    """

    def __init__(self, session: Session, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.session = session
        self.setObjectName("destinationFilter")
        self.addItem(tr("All destinations"), None)
        self._asked = False

    def showPopup(self) -> None:
        self.load()
        super().showPopup()

    def load(self) -> None:
        """Add the destinations once they are read (the first call only)."""
        office, actor = self.session.office, self.session.actor
        if self._asked or not actor.can(Permission.VIEW_DESTINATIONS):
            return
        self._asked = True

        def fetch() -> list[DestinationRow]:
            return office.reference.destinations(actor)  # cached while changes are heard

        def fill(rows: list[DestinationRow]) -> None:
            self.blockSignals(True)  # adding items is no filter change
            for row in rows:
                self.addItem(row.name, row.id)
            self.blockSignals(False)

        run_op(fetch, fill, parent=self)
