"""The line under a form: why a save was refused, or news about the record, with Reload
and Compare when they help."""

from __future__ import annotations

from PySide6.QtCore import QCoreApplication, Qt, Signal
from PySide6.QtWidgets import QFrame, QHBoxLayout, QPushButton, QWidget

from desktop.domain.errors import DatabaseUnavailable, StaleVersion
from desktop.ui.errors import describe
from desktop.ui.widgets.colors import ERROR_COLOR, OK_COLOR, paint
from desktop.ui.widgets.forms import FieldMessage

NOTICE_COLOR = "#78350f"
NOTICE_STYLE = (
    "QFrame#{0} {{ background: #fef3c7; border: 1px solid #f59e0b; border-radius: 4px; }}"
)


def tr(text: str) -> str:
    return QCoreApplication.translate("RecordBar", text)


class RecordBar(QFrame):
    """What happened to the save or the record, inline; Reload and Compare when they help."""

    reload_requested = Signal()
    compare_requested = Signal()

    def __init__(
        self,
        parent: QWidget | None = None,
        *,
        message_name: str = "recordMessage",
        reload_name: str = "reloadRecord",
        compare_name: str = "compareRecord",
        reload_text: str | None = None,
        reload_tip: str | None = None,
    ) -> None:
        super().__init__(parent)
        self.setObjectName("recordBar")
        self._layout = QHBoxLayout(self)
        self._layout.setContentsMargins(0, 0, 0, 0)
        self._layout.setSpacing(8)
        self.message = FieldMessage()
        self.message.setObjectName(message_name)
        self._layout.addWidget(self.message, 1)
        self.reload_button = QPushButton(reload_text or tr("&Reload"))
        self.reload_button.setObjectName(reload_name)
        self.reload_button.setToolTip(
            reload_tip or tr("Show it as saved now (what you typed here is replaced)")
        )
        self.compare_button = QPushButton(tr("Com&pare…"))
        self.compare_button.setObjectName(compare_name)
        self.compare_button.setToolTip(
            tr("Their version and yours side by side: choose what to keep, field by field")
        )
        for button in (self.reload_button, self.compare_button):
            button.setAutoDefault(False)
            button.setVisible(False)
            self._layout.addWidget(button, 0, Qt.AlignmentFlag.AlignTop)
        self.reload_button.clicked.connect(self.reload_requested.emit)
        self.compare_button.clicked.connect(self.compare_requested.emit)
        self.notice = False

    def _paint(self, color: str, *, notice: bool) -> None:
        self.notice = notice
        self.message.setStyleSheet(f"color: {color};")
        if notice:
            self.setStyleSheet(NOTICE_STYLE.format(self.objectName()))
            self._layout.setContentsMargins(10, 6, 6, 6)
        else:
            self.setStyleSheet("")
            self._layout.setContentsMargins(0, 0, 0, 0)

    def show_problem(
        self,
        text: str | None,
        *,
        reload: bool = False,
        compare: bool = False,
        error: bool = True,
    ) -> None:
        """A refusal (red) or a plain outcome (green), in the line under the form."""
        self.message.show_problem(text)
        self._paint(ERROR_COLOR if error else OK_COLOR, notice=False)
        self.reload_button.setVisible(reload)
        self.compare_button.setVisible(compare)

    def show_notice(self, text: str, *, reload: bool = False, compare: bool = False) -> None:
        """News about the record itself (changed or deleted elsewhere, a save being checked)."""
        self.message.show_problem(text)
        self._paint(NOTICE_COLOR, notice=True)
        self.reload_button.setVisible(reload)
        self.compare_button.setVisible(compare)

    def clear(self) -> None:
        self.show_problem(None)

    def text(self) -> str:
        return "" if self.message.isHidden() else self.message.text()


def is_stale(exc: BaseException) -> bool:
    """A refusal because someone else changed the row since it was read (not an overlap)."""
    return isinstance(exc, StaleVersion)


class ProblemBar(RecordBar):
    """Why a save was refused, inline; "Reload" when someone else changed the booking.

    The booking dialogs' ``RecordBar``: the same line tells that another
    workstation changed the booking while the dialog was open.
    """

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(
            parent,
            message_name="problemMessage",
            reload_name="reloadBooking",
            compare_name="compareBooking",
            reload_text=tr("Re&load"),
            reload_tip=tr("Show the booking as it is now (what you typed is lost)"),
        )
        paint(self.message, ERROR_COLOR)

    def refusal(self, exc: BaseException) -> None:
        """Show a refusal that no single field owns."""
        text = describe(exc)[1]
        if isinstance(exc, DatabaseUnavailable):
            text = tr("{0} Nothing you typed was lost: try again when it is back.").format(text)
        self.show_problem(text, reload=is_stale(exc))
