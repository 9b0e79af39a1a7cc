"""What the record editors share: a versioned record kept honest against other workstations.

The destination, customer and staff editors each give their fields, their local
checks, their service calls and their messages. They save as every dialog does
(``FormDialog``); here, someone else's newer version, a deleted record and a
lost connection go to the ``EditedRecord``, and a role that may only look gets
the editor read-only.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Mapping, Sequence
from typing import Any, TypeVar

from PySide6.QtCore import QCoreApplication
from PySide6.QtWidgets import QDialogButtonBox, QFormLayout, QPushButton, QWidget

from desktop.domain.errors import DatabaseUnavailable
from desktop.ui.dialogs.edited_record import EditedRecord
from desktop.ui.dialogs.form_dialog import FormDialog
from desktop.ui.errors import describe
from desktop.ui.record_fields import Field
from desktop.ui.session import Session
from desktop.ui.widgets.forms import Form
from desktop.ui.widgets.record_bar import RecordBar

log = logging.getLogger(__name__)

R = TypeVar("R")  # the row record an editor edits


def tr(text: str) -> str:
    return QCoreApplication.translate("RecordEditor", text)


class RecordEditor(FormDialog[R]):
    """A new record, an existing one to edit, or (for roles that may only look) one to see.

    A subclass lays out its fields and its buttons, calls ``_watch_record`` (the line
    under the form, the ``EditedRecord`` and the ``Form``), adds its fields to
    ``self.form`` and ends with ``_show_record``. It provides ``_problems``,
    ``_fill_values``, ``form_values``, ``_show_titles`` and ``_save_work``; the
    messages it wants said differently come from ``_lost_while_creating`` and
    ``_unexpected``.
    """

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

    # -- saving (the flow is FormDialog's) ----------------------------------------------

    def _may_save(self) -> bool:
        return self.can_edit

    def _while_saving(self, busy: bool) -> None:
        if busy:
            self.bar.clear()
        self.record.saving(busy)

    def _took(self, row: R) -> None:
        self.record.saved(row)
        self.row = row
        super()._took(row)

    def _refusal_taken(self, exc: BaseException) -> bool:
        # Someone else's version, a deleted record, a lost connection.
        return self.record.refused(exc, resave=self._submit)

    def _not_saved(self, exc: BaseException) -> None:
        if isinstance(exc, DatabaseUnavailable):  # a new record: no version to check
            self.form.show_general(self._lost_while_creating(describe(exc)[1]))
            return
        super()._not_saved(exc)

    def _saved_after_loss(self, row: R) -> None:
        """The save whose connection died did land: the list hears of it; the form stays."""
        self.saved.emit(row)
        self.close_button.setText(tr("Close"))
        self.form.revalidate()

    # -- closing with something typed --------------------------------------------------

    def _typed_values(self) -> object:
        return self.record.chosen_values(self.form_values())

    def _has_typed(self) -> bool:
        """A record being edited: anything that differs from the version the form is over."""
        if self.row is None:
            return super()._has_typed()
        saved = self.record.chosen_values(self.record.values(self.row))
        return self._typed_values() != saved

    def _discard_question(self) -> str:
        if self.row is None:
            return tr("Discard the new {0}?").format(self.record.noun)
        return tr("Discard your changes to this {0}?").format(self.record.noun)

    def _clear_refusal(self) -> None:
        self.bar.clear()

    def reload(self) -> None:
        """Show the record as it is saved now, with its new version."""
        self.record.reload()

    def _reloaded(self, _row: R) -> None:
        self.form.show_general(None)
        self.form.revalidate()

    # -- the window ----------------------------------------------------------------------

    def _closed(self) -> None:
        self.deleteLater()
