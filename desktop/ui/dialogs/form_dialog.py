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

Around the save:

- a refusal of what was sent (an overlap, a rule) goes from the line under the
  form once a field changes: it spoke of values that are no longer there;
- Escape, Cancel or the window's close button on a form that holds something
  typed asks first ("Discard the new customer?"); a form as it opened (or put
  back as it was) closes at once.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Generic, TypeVar

import shiboken6
from PySide6.QtCore import QCoreApplication, Signal
from PySide6.QtGui import QShowEvent
from PySide6.QtWidgets import QDialogButtonBox, QMessageBox, QPushButton, QWidget

from desktop.domain.errors import BackOfficeError, DatabaseUnavailable, ValidationError
from desktop.ui.dialogs.fitting_dialog import FittingDialog
from desktop.ui.errors import describe, show_error
from desktop.ui.ops import run_op
from desktop.ui.widgets.forms import Form

T = TypeVar("T")  # what a save returns (the saved row)


def tr(text: str) -> str:
    return QCoreApplication.translate("FormDialog", text)


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
        self._opened_with: object | None = None  # what the form held as it opened
        self._refusal_shown = ""  # a refusal of the values sent, until a field changes
        self._watching_edits = False
        self.discard_question: QMessageBox | None = None
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

    def _typed_values(self) -> object:
        """What the form holds, to compare with what it held as it opened."""
        return self.form.values()

    def _has_typed(self) -> bool:
        """Something typed would be lost by closing now."""
        if self._opened_with is None:
            return False
        return self._typed_values() != self._opened_with

    def _discard_question(self) -> str:
        """What closing would throw away, as a question ("Discard the new customer?")."""
        return tr("Discard what you typed?")

    def _clear_refusal(self) -> None:
        """The refusal under the form goes (a field changed since it was said)."""
        self.form.show_general(None)

    # -- the flow ----------------------------------------------------------------------

    def _submit(self) -> None:
        if self._saving or not self._may_save():
            return
        self.form.take_typing()
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
            self._remember_refusal(exc)
            return
        self._not_saved(exc)
        self._remember_refusal(exc)

    # -- closing with something typed --------------------------------------------------

    def showEvent(self, event: QShowEvent) -> None:
        super().showEvent(event)
        if self._opened_with is None:
            self._opened_with = self._typed_values()

    def reject(self) -> None:
        """Escape, Cancel, the close button: first ask when something typed would be lost."""
        if self.discard_question is not None:
            return  # the question is open already
        save = getattr(self, "save_button", None)
        nothing_to_save = save is None or save.isHidden()
        if self._saving or nothing_to_save or not self._has_typed():
            super().reject()
            return
        self._ask_before_discarding()

    def _ask_before_discarding(self) -> None:
        box = QMessageBox(self)
        box.setObjectName("discardQuestion")
        box.setIcon(QMessageBox.Icon.Question)
        box.setWindowTitle(self.windowTitle())
        box.setText(self._discard_question())
        box.setInformativeText(tr("What you typed here is not saved."))
        discard = box.addButton(tr("&Discard"), QMessageBox.ButtonRole.DestructiveRole)
        discard.setObjectName("discardTyped")
        keep = box.addButton(tr("&Keep editing"), QMessageBox.ButtonRole.RejectRole)
        keep.setObjectName("keepEditing")
        box.setDefaultButton(keep)  # Enter or Escape keeps what was typed
        box.setEscapeButton(keep)
        self.discard_question = box

        def answered(_result: int) -> None:
            chosen = box.clickedButton()
            self.discard_question = None
            box.deleteLater()
            if chosen is discard:
                super(FormDialog, self).reject()

        box.finished.connect(answered)
        box.open()

    # -- a refusal of values no longer there ---------------------------------------------

    def _remember_refusal(self, exc: BaseException) -> None:
        """A refusal of what was sent stays on screen until a field changes."""
        if not isinstance(exc, BackOfficeError) or isinstance(exc, DatabaseUnavailable):
            return
        self._refusal_shown = self.form.general_text()
        if self._refusal_shown and not self._watching_edits:
            self._watching_edits = True
            self.form.edited.connect(self._edited_after_refusal)

    def _edited_after_refusal(self, _field: str) -> None:
        self._watching_edits = False
        self.form.edited.disconnect(self._edited_after_refusal)
        shown, self._refusal_shown = self._refusal_shown, ""
        if shown and self.form.general_text() == shown:
            self._clear_refusal()

    def _finished(self, _result: int) -> None:
        if self._saving:
            self._closed_while_saving = True  # it reports once the save answers
        else:
            self._closed()
