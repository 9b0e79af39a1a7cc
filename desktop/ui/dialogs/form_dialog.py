"""The one way a dialog saves its form: in the background, once, keeping everything typed.

Every dialog that saves (the record editors, the booking dialogs, the small
customer and password forms) goes through ``FormDialog._submit``:

1. nothing while a save is on its way, or when the dialog may not save;
2. what is typed but not yet entered is taken in and every field is checked:
   nothing is sent while a field shows a problem;
3. the dialog's service call runs off the GUI thread; the form waits, and the
   dialog says what else waits with it (``_while_saving``);
4. a save that went through: ``_took`` (by default ``saved`` carries the result
   and the dialog closes);
5. a refusal: first the dialog's own handling (``_refusal_taken``: someone
   else's version, a lost connection), then the service's field messages under
   their fields, then anything else under the form (``_not_saved``); what was
   typed stays;
6. a dialog closed while its save is on its way still reports the save when it
   answers, and goes then (unless Qt deletes it on close: ``open_dialog`` sets
   ``WA_DeleteOnClose``, and an answer for a deleted dialog is dropped).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Generic, TypeVar

import shiboken6
from PySide6.QtCore import Signal
from PySide6.QtWidgets import QDialogButtonBox, QPushButton, QWidget

from desktop.domain.errors import BackOfficeError, ValidationError
from desktop.ui.dialogs.fitting_dialog import FittingDialog
from desktop.ui.errors import describe, show_error
from desktop.ui.ops import run_op
from desktop.ui.widgets.forms import Form

T = TypeVar("T")  # what a save returns (the saved row)


class FormDialog(FittingDialog, Generic[T]):
    """A dialog around one ``Form``, saved by one service call (the steps above).

    A subclass builds ``self.form`` around ``self.save_button`` and provides
    ``_save_work``; the other hooks have defaults.
    """

    saved = Signal(object)  # what the save returned

    form: Form
    save_button: QPushButton
    cancel_button: QPushButton  # the dialogs built with ``_ok_cancel_buttons``

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._saving = False
        self._closed_while_saving = False
        self.finished.connect(self._finished)

    @property
    def saving(self) -> bool:
        """A save is on its way."""
        return self._saving

    def _ok_cancel_buttons(self, save_text: str, save_name: str) -> QDialogButtonBox:
        """OK, saying what it does (it saves), and Cancel; OK submits the form."""
        buttons = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel
        )
        self.save_button = buttons.button(QDialogButtonBox.StandardButton.Ok)
        self.save_button.setText(save_text)
        self.save_button.setObjectName(save_name)
        self.cancel_button = buttons.button(QDialogButtonBox.StandardButton.Cancel)
        buttons.accepted.connect(self._submit)
        buttons.rejected.connect(self.reject)
        return buttons

    # -- what each dialog provides -----------------------------------------------------

    def _save_work(self) -> Callable[[], T] | None:
        """The service call that saves, built on the GUI thread from the form (None: none)."""
        raise NotImplementedError

    def _may_save(self) -> bool:
        """False when this dialog does not save at all (a role that may only look)."""
        return True

    def _finish_typing(self) -> None:
        """Before the form is checked: take in what is typed but not yet entered."""

    def _while_saving(self, busy: bool) -> None:
        """Around the save: what else starts and ends with it (by default the line under
        the form clears as it starts)."""
        if busy:
            self.form.show_general(None)

    def _took(self, result: T) -> None:
        """The save went through: the page hears of it and the dialog closes."""
        self.saved.emit(result)
        self.accept()

    def _refusal_taken(self, exc: BaseException) -> bool:
        """A refusal this dialog handles itself, before any field message (True: handled)."""
        return False

    def _not_saved(self, exc: BaseException) -> None:
        """A refusal no field owns: the service's message under the form."""
        if isinstance(exc, BackOfficeError):
            self.form.show_general(describe(exc)[1])
        else:
            self._unexpected(exc)

    def _unexpected(self, exc: BaseException) -> None:
        """A failure that is no refusal of the service's: the error dialog (and the log)."""
        show_error(self, exc)

    def _closed(self) -> None:
        """The dialog closed with no save on its way."""

    # -- the flow ----------------------------------------------------------------------

    def _submit(self) -> None:
        if self._saving or not self._may_save():
            return
        self._finish_typing()
        self.form.touch_all()
        if not self.form.revalidate():
            return
        work = self._save_work()
        if work is None:
            return
        self._set_saving(True)
        run_op(work, self._answered, parent=self, on_failed=self._refused, busy=True)

    def _set_saving(self, saving: bool) -> None:
        self._saving = saving
        self.form.set_busy(saving)
        self._while_saving(saving)

    def _answered(self, result: T) -> None:
        if not shiboken6.isValid(self):
            return
        self._set_saving(False)
        if self._closed_while_saving:
            self.saved.emit(result)  # the page still hears of it; the dialog goes
            self.deleteLater()
            return
        self._took(result)

    def _refused(self, exc: BaseException) -> None:
        if not shiboken6.isValid(self):
            return
        self._set_saving(False)
        if self._closed_while_saving:
            self.deleteLater()
            return
        if self._refusal_taken(exc):
            return
        if isinstance(exc, ValidationError):
            self.form.show_refusal(exc)
            return
        self._not_saved(exc)

    def _finished(self, _result: int) -> None:
        if self._saving:
            self._closed_while_saving = True  # it reports once the save answers
        else:
            self._closed()
