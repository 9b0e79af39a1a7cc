"""What the record editors share: how a save goes, once, for every editor of a versioned record.

The destination, customer and staff editors each give their fields, their local
checks, their service calls and their messages. Here: Save runs in the
background and keeps everything typed; the service's refusals land under the
fields; someone else's newer version, a deleted record and a lost connection go
to the ``EditedRecord``; a dialog closed while its save is on its way still
reports the save to its page.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Mapping, Sequence
from typing import Any, Generic, TypeVar

import shiboken6
from PySide6.QtCore import QCoreApplication, QEvent, QTimer, Signal
from PySide6.QtWidgets import QDialog, QDialogButtonBox, QFormLayout, QPushButton, QWidget

from desktop.domain.errors import BackOfficeError, DatabaseUnavailable, ValidationError
from desktop.ui.dialogs.conflict import Field
from desktop.ui.errors import describe
from desktop.ui.ops import run_op
from desktop.ui.session import Session
from desktop.ui.widgets.forms import Form
from desktop.ui.widgets.record_watch import EditedRecord, RecordBar

log = logging.getLogger(__name__)

R = TypeVar("R")  # the row record an editor edits


def tr(text: str) -> str:
    return QCoreApplication.translate("RecordEditor", text)


def grow_to_fit(dialog: QDialog) -> None:
    """Taller when a wrapped message appears (layouts do not do it for windows by themselves)."""
    layout = dialog.layout()
    if layout is None or not layout.hasHeightForWidth() or not dialog.isVisible():
        return
    needed = layout.totalHeightForWidth(dialog.width())
    screen = dialog.screen()
    if screen is not None:
        needed = min(needed, screen.availableGeometry().height())
    if needed > dialog.height():
        dialog.resize(dialog.width(), needed)


class FormDialog(QDialog):
    """A dialog around a ``Form`` that grows when messages appear under its fields.

    A top-level window keeps its size when a wrapped message line shows up after it
    opened; without this the layout squeezes the rows into each other.
    """

    buttons: QDialogButtonBox
    save_button: QPushButton
    cancel_button: QPushButton

    def save(self) -> None:
        raise NotImplementedError

    def _add_ok_cancel(self, save_text: str) -> None:
        """OK, saying what it does (it saves), and Cancel."""
        self.buttons = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel
        )
        self.save_button = self.buttons.button(QDialogButtonBox.StandardButton.Ok)
        self.save_button.setObjectName("save")
        self.save_button.setText(save_text)
        self.cancel_button = self.buttons.button(QDialogButtonBox.StandardButton.Cancel)
        self.buttons.accepted.connect(self.save)
        self.buttons.rejected.connect(self.reject)

    def event(self, event: QEvent) -> bool:
        if event.type() == QEvent.Type.LayoutRequest:
            QTimer.singleShot(0, self, self._fit_height)
        return super().event(event)

    def _fit_height(self) -> None:
        layout = self.layout()
        if layout is None:
            return
        if layout.hasHeightForWidth():
            needed = layout.totalHeightForWidth(self.width())
        else:
            needed = layout.totalSizeHint().height()
        if needed > self.height():
            self.resize(self.width(), needed)


class RecordEditor(QDialog, Generic[R]):
    """A new record, an existing one to edit, or (for roles that may only look) one to see.

    A subclass lays out its fields and its buttons, calls ``_watch_record`` (the line
    under the form, the ``EditedRecord`` and the ``Form``), adds its fields to
    ``self.form`` and ends with ``_show_record``. It provides ``_problems``,
    ``_fill_values``, ``form_values``, ``_show_titles`` and ``_save_work``; the
    messages it wants said differently come from ``_lost_while_creating`` and
    ``_unexpected``.
    """

    saved = Signal(object)  # the saved row

    buttons: QDialogButtonBox
    save_button: QPushButton
    close_button: QPushButton
    bar: RecordBar
    record: EditedRecord
    form: Form

    def __init__(
        self, session: Session, row: R | None, parent: QWidget | None, *, can_edit: bool
    ) -> None:
        super().__init__(parent)
        self.session = session
        self.row = row  # None until a new record is saved
        self.can_edit = can_edit
        self._busy = False
        self._delete_when_done = False
        self.finished.connect(self._closed)

    # -- building ----------------------------------------------------------------------

    def _add_buttons(self, save_name: str) -> None:
        """Save, and Cancel (Close for a role that may only look)."""
        self.buttons = QDialogButtonBox()
        self.save_button = self.buttons.addButton(
            tr("Save"), QDialogButtonBox.ButtonRole.AcceptRole
        )
        self.save_button.setObjectName(save_name)
        self.close_button = self.buttons.addButton(QDialogButtonBox.StandardButton.Cancel)
        self.close_button.setObjectName("closeEditor")
        self.save_button.clicked.connect(self._submit)
        self.close_button.clicked.connect(self.reject)

    def _watch_record(
        self,
        form_layout: QFormLayout,
        *,
        name: str,
        table: str,
        noun: str,
        fields: Sequence[Field],
        fetch: Callable[[int], R],
        row_values: Callable[[R], Mapping[str, Any]],
        message_name: str = "fieldError",
    ) -> None:
        """The line under the form (its Reload and Compare named after ``name``), the
        record as other workstations change it, and the form whose Save it guards."""
        self.bar = RecordBar(
            message_name=message_name,
            reload_name=f"reload{name}",
            compare_name=f"compare{name}",
            reload_text=tr("&Reload their version"),
        )
        self.general = self.bar.message
        self.reload_button = self.bar.reload_button
        self.compare_button = self.bar.compare_button
        self.record = EditedRecord(
            self,
            table=table,
            noun=noun,
            fields=fields,
            bar=self.bar,
            fetch=fetch,
            row_values=row_values,
            form_values=self.form_values,
            fill=self._fill_values,
            adopt=self._adopt,
            row=self.row,
        )
        self.form = Form(form_layout, self.save_button, self._problems, self)
        self.form.general_message(self.general)
        self.record.state_changed.connect(self.form.revalidate)
        self.record.reloaded.connect(self._reloaded)
        self.record.saved_after_loss.connect(self._saved_after_loss)

    def _show_record(self, first: QWidget) -> None:
        """Last in the constructor: the row in the form, the titles, and the watch started."""
        if self.row is not None:
            self._fill_values(self.record.values(self.row))
        self._show_titles()
        if not self.can_edit:
            self._make_read_only()
        self.record.can_compare = self.can_edit
        self.record.start_watching()
        self.form.revalidate()
        first.setFocus()

    # -- what each editor provides -------------------------------------------------------

    def _problems(self) -> Mapping[str, str]:
        """What keeps Save off, by field (with ``self.record.problems()``)."""
        raise NotImplementedError

    def _fill_values(self, values: Mapping[str, Any]) -> None:
        """Put values into the form (a row's, or a merge chosen in the conflict dialog)."""
        raise NotImplementedError

    def form_values(self) -> dict[str, Any]:
        """The form as the service would store it, to compare with saved versions."""
        raise NotImplementedError

    def _show_titles(self) -> None:
        """The window title and the heading, for ``self.row`` (None: a new record)."""
        raise NotImplementedError

    def _save_work(self) -> Callable[[], R] | None:
        """The service call that saves, built on the GUI thread from the form (None: none)."""
        raise NotImplementedError

    def _finish_typing(self) -> None:
        """Before Save checks the form: take in what is typed but not yet entered."""

    def _make_read_only(self) -> None:
        """For a role that may only look: no Save, and Cancel becomes Close."""
        self.save_button.setVisible(False)
        self.close_button.setText(tr("Close"))
        self.close_button.setDefault(True)

    def _adopt(self, row: R) -> None:
        """The form's edits are over this version now."""
        self.row = row
        self._show_titles()

    def _lost_while_creating(self, reason: str) -> str:
        """A new record's save lost its connection: it may or may not have been made."""
        return reason

    def _unexpected(self, exc: BaseException) -> None:
        """A failure that is no refusal of the service's: logged, and said under the form."""
        log.error(
            "Saving a %s failed", self.record.noun, exc_info=(type(exc), exc, exc.__traceback__)
        )
        self.form.show_general(describe(exc)[1])

    # -- saving --------------------------------------------------------------------------

    def _set_busy(self, busy: bool) -> None:
        self._busy = busy
        self.form.set_busy(busy)

    def _submit(self) -> None:
        if not self.can_edit or self._busy:
            return
        self._finish_typing()
        self.form.touch_all()
        if not self.form.revalidate():
            return
        work = self._save_work()
        if work is None:
            return
        self.bar.clear()
        self._set_busy(True)
        self.record.saving(True)
        run_op(work, self._saved, parent=self, on_failed=self._refused, busy=True)

    def _saved(self, row: R) -> None:
        if not shiboken6.isValid(self):
            return
        self._set_busy(False)
        self.record.saving(False)
        self.record.saved(row)
        self.row = row
        self.saved.emit(row)
        if self._delete_when_done:
            self.deleteLater()
        else:
            self.accept()

    def _refused(self, exc: BaseException) -> None:
        if not shiboken6.isValid(self):
            return
        self._set_busy(False)
        self.record.saving(False)
        if self._delete_when_done:
            self.deleteLater()
            return
        if isinstance(exc, ValidationError):
            self.form.show_refusal(exc)
            return
        if self.record.refused(exc, resave=self._submit):
            return  # someone else's version, a deleted record, a lost connection
        if isinstance(exc, DatabaseUnavailable):  # a new record: no version to check
            self.form.show_general(self._lost_while_creating(describe(exc)[1]))
            return
        if isinstance(exc, BackOfficeError):
            self.form.show_general(describe(exc)[1])
            return
        self._unexpected(exc)

    def _saved_after_loss(self, row: R) -> None:
        """The save whose connection died did land: the list hears of it; the form stays."""
        self.saved.emit(row)
        self.close_button.setText(tr("Close"))
        self.form.revalidate()

    def reload(self) -> None:
        """Show the record as it is saved now, with its new version."""
        self.record.reload()

    def _reloaded(self, _row: R) -> None:
        self.form.show_general(None)
        self.form.revalidate()

    # -- the window ----------------------------------------------------------------------

    def event(self, event: QEvent) -> bool:
        handled = super().event(event)
        if event.type() == QEvent.Type.LayoutRequest:
            grow_to_fit(self)
        return handled

    def _closed(self, _result: int) -> None:
        # A save on its way still reports to the page; the dialog goes once it has.
        if self._busy:
            self._delete_when_done = True
        else:
            self.deleteLater()
