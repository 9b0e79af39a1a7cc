"""Changing one's own password (File > Change my password…)."""

from __future__ import annotations

from collections.abc import Callable, Mapping

from PySide6.QtCore import QCoreApplication, Signal
from PySide6.QtWidgets import (
    QFormLayout,
    QLabel,
    QLineEdit,
    QVBoxLayout,
    QWidget,
)

from desktop.domain.errors import AuthenticationFailed, ValidationError
from desktop.domain.validation import PASSWORD_MAX, PASSWORD_MIN, new_password_problem
from desktop.ui.dialogs.form_dialog import FormDialog
from desktop.ui.session import Session
from desktop.ui.widgets.forms import FieldMessage, Form
from desktop.ui.widgets.labels import title_label


def tr(text: str) -> str:
    return QCoreApplication.translate("ChangePassword", text)


def password_edit(name: str) -> QLineEdit:
    """A password field: the characters hidden, no longer than the service takes."""
    edit = QLineEdit()
    edit.setObjectName(name)
    edit.setEchoMode(QLineEdit.EchoMode.Password)
    edit.setMaxLength(PASSWORD_MAX)
    return edit


class ChangePasswordDialog(FormDialog[None]):
    """The current password, then the new one twice; a wrong current one changes nothing."""

    changed = Signal()

    def __init__(self, session: Session, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.session = session
        self.setObjectName("changePasswordDialog")
        self.setWindowTitle(tr("Change my password"))
        self.setMinimumWidth(460)
        layout = QVBoxLayout(self)
        heading = title_label(tr("Change my password"))
        layout.addWidget(heading)
        account = QLabel(
            tr("For {0} ({1}). You stay signed in.").format(session.actor.name, session.actor.email)
        )
        account.setObjectName("hint")
        account.setWordWrap(True)
        layout.addWidget(account)
        self.fields = QWidget()
        self.fields.setObjectName("passwordFields")
        form_layout = QFormLayout(self.fields)
        form_layout.setContentsMargins(0, 0, 0, 0)
        form_layout.setFieldGrowthPolicy(QFormLayout.FieldGrowthPolicy.AllNonFixedFieldsGrow)
        layout.addWidget(self.fields)
        self.current = password_edit("currentPassword")
        self.new_password = password_edit("newPassword")
        self.repeat = password_edit("repeatPassword")
        self.buttons = self._ok_cancel_buttons(tr("Change password"), "save")
        self.form = Form(form_layout, self.save_button, self._problems, self)
        self.form.add("current", tr("&Current password"), self.current, required=True)
        self.form.add("new_password", tr("&New password"), self.new_password, required=True)
        self.form.add("repeat", tr("&Repeat new password"), self.repeat, required=True)
        hint = QLabel(tr("At least {0} characters, not your e-mail address.").format(PASSWORD_MIN))
        hint.setObjectName("hint")
        hint.setWordWrap(True)
        form_layout.addRow("", hint)
        self.message = FieldMessage()
        self.message.setObjectName("passwordMessage")
        self.form.general_message(self.message)
        layout.addWidget(self.message)
        self.done_label = QLabel()
        self.done_label.setObjectName("passwordChanged")
        self.done_label.setWordWrap(True)
        self.done_label.setVisible(False)
        layout.addWidget(self.done_label)
        layout.addWidget(self.buttons)
        self.current.setFocus()
        self.form.revalidate()

    def _problems(self) -> Mapping[str, str]:
        problems: dict[str, str] = {}
        current, new = self.current.text(), self.new_password.text()
        if not current:
            problems["current"] = tr("Type the password you signed in with.")
        # The domain's rule, in its words: the service asks it again.
        email = self.session.actor.email
        if (problem := new_password_problem(current, new, email=email)) is not None:
            problems["new_password"] = problem
        if self.repeat.text() != new:
            problems["repeat"] = tr("The two new passwords differ.")
        return problems

    def _discard_question(self) -> str:
        return tr("Close without changing your password?")

    def _save_work(self) -> Callable[[], None]:
        office, actor = self.session.office, self.session.actor
        current, new = self.current.text(), self.new_password.text()
        return lambda: office.auth.change_own_password(actor, current, new)

    def _took(self, _result: None) -> None:
        """Said in the dialog, which stays open with one button to close it."""
        self._show_done()
        self.changed.emit()

    def _refusal_taken(self, exc: BaseException) -> bool:
        if not isinstance(exc, AuthenticationFailed):
            return False
        # Under the field that was wrong; the new password stays as typed.
        self.form.show_refusal(ValidationError({"current": exc.message}))
        self.current.selectAll()
        return True

    def _show_done(self) -> None:
        """Say so in the dialog: the fields go (emptied), one button closes."""
        for edit in (self.current, self.new_password, self.repeat):
            edit.blockSignals(True)
            edit.clear()
            edit.blockSignals(False)
        self.fields.setVisible(False)
        self.save_button.setVisible(False)
        self.cancel_button.setText(tr("Close"))
        self.cancel_button.setFocus()
        self.done_label.setText(
            tr("Your password is changed. Use the new one the next time you sign in.")
        )
        self.done_label.setVisible(True)
