"""The customer editor: name, e-mail and phone, checked as they are typed.

The service has the last word (an e-mail another person already uses is
refused under the e-mail field); roles that may only look get it read-only.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Mapping

import shiboken6
from PySide6.QtCore import QCoreApplication, QEvent, QLocale, Qt, Signal
from PySide6.QtWidgets import (
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from desktop.domain.errors import BackOfficeError, Conflict, ValidationError
from desktop.domain.permissions import Permission
from desktop.domain.records import PersonRow
from desktop.domain.validation import EMAIL_MAX, NAME_MAX, PHONE_MAX
from desktop.services.people import PersonDetails
from desktop.ui.dialogs.destination_editor import grow_to_fit
from desktop.ui.errors import describe
from desktop.ui.ops import run_op
from desktop.ui.session import Session
from desktop.ui.table_model import format_datetime
from desktop.ui.widgets.forms import FieldMessage, Form

log = logging.getLogger(__name__)

# The shapes the services accept (desktop.domain.validation), checked here as the person types.
EMAIL_SHAPE = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")
PHONE_SHAPE = re.compile(r"^\+?[0-9 ()./-]{5,20}$")


def tr(text: str) -> str:
    return QCoreApplication.translate("CustomerEditor", text)


class CustomerEditor(QDialog):
    """Create or edit one customer (or look at one, for roles that cannot manage them)."""

    saved = Signal(object)  # the saved PersonRow

    def __init__(
        self, session: Session, customer: PersonRow | None, parent: QWidget | None = None
    ) -> None:
        super().__init__(parent)
        self.session = session
        self.customer = customer
        self.can_edit = session.can(Permission.MANAGE_CUSTOMERS)
        self._busy = False
        self._delete_when_done = False
        self.setObjectName("customerEditor")
        self.setMinimumWidth(520)

        layout = QVBoxLayout(self)
        self.heading = QLabel()
        self.heading.setObjectName("dialogTitle")
        layout.addWidget(self.heading)
        self.summary = QLabel()
        self.summary.setObjectName("customerSummary")
        self.summary.setWordWrap(True)
        layout.addWidget(self.summary)
        form_layout = QFormLayout()
        form_layout.setFieldGrowthPolicy(QFormLayout.FieldGrowthPolicy.AllNonFixedFieldsGrow)
        layout.addLayout(form_layout)

        self.name = QLineEdit()
        self.name.setObjectName("name")
        self.email = QLineEdit()
        self.email.setObjectName("email")
        self.email.setPlaceholderText(tr("name@example.com"))
        self.phone = QLineEdit()
        self.phone.setObjectName("phone")
        self.phone.setPlaceholderText(tr("Optional, e.g. +44 20 7946 0000"))

        self.buttons = QDialogButtonBox()
        self.save_button = self.buttons.addButton(
            tr("Save"), QDialogButtonBox.ButtonRole.AcceptRole
        )
        self.save_button.setObjectName("saveCustomer")
        self.close_button = self.buttons.addButton(QDialogButtonBox.StandardButton.Cancel)
        self.close_button.setObjectName("closeEditor")
        self.save_button.clicked.connect(self._submit)
        self.close_button.clicked.connect(self.reject)

        self.form = Form(form_layout, self.save_button, self._problems, self)
        self.form.add("name", tr("&Name"), self.name)
        self.form.add("email", tr("&E-mail"), self.email)
        self.form.add("phone", tr("&Phone"), self.phone)

        self.general = FieldMessage()
        self.form.general_message(self.general)
        self.reload_button = QPushButton(tr("&Reload their version"))
        self.reload_button.setObjectName("reloadCustomer")
        self.reload_button.setAutoDefault(False)
        self.reload_button.setVisible(False)
        self.reload_button.clicked.connect(self.reload)
        message_row = QHBoxLayout()
        message_row.addWidget(self.general, 1)
        message_row.addWidget(self.reload_button, 0, Qt.AlignmentFlag.AlignTop)
        layout.addLayout(message_row)
        layout.addStretch(1)
        layout.addWidget(self.buttons)
        self.save_button.setDefault(True)  # once in the dialog: Enter saves
        QWidget.setTabOrder(self.name, self.email)
        QWidget.setTabOrder(self.email, self.phone)
        QWidget.setTabOrder(self.phone, self.save_button)

        self.finished.connect(self._closed)
        if customer is not None:
            self._fill(customer)
        self._show_titles()
        if not self.can_edit:
            for edit in (self.name, self.email, self.phone):
                edit.setReadOnly(True)
            self.save_button.setVisible(False)
            self.close_button.setText(tr("Close"))
            self.close_button.setDefault(True)
        self.form.revalidate()
        self.name.setFocus()

    def _show_titles(self) -> None:
        row = self.customer
        if row is None:
            self.setWindowTitle(tr("New customer"))
            self.heading.setText(tr("New customer"))
            self.summary.setText(tr("Customers book at the counter; they do not sign in."))
            return
        self.setWindowTitle(
            (tr("Edit customer — {0}") if self.can_edit else tr("Customer — {0}")).format(row.name)
        )
        self.heading.setText(row.name)
        parts = [tr("Customer #{0}").format(row.id)]
        if row.created_at is not None:
            parts.append(tr("since {0}").format(format_datetime(row.created_at)))
        self.summary.setText(" · ".join(parts))

    def _fill(self, row: PersonRow) -> None:
        self.name.setText(row.name)
        self.email.setText(row.email)
        self.phone.setText(row.phone or "")

    def _problems(self) -> Mapping[str, str]:
        problems: dict[str, str] = {}
        name = self.name.text().strip()
        if not name:
            problems["name"] = tr("Type the customer's name.")
        elif len(name) > NAME_MAX:
            problems["name"] = tr("The name is {0} characters long; at most {1} fit.").format(
                QLocale().toString(len(name)), NAME_MAX
            )
        email = self.email.text().strip()
        if not email:
            problems["email"] = tr("Type the customer's e-mail address.")
        elif len(email) > EMAIL_MAX:
            problems["email"] = tr("At most {0} characters.").format(EMAIL_MAX)
        elif not EMAIL_SHAPE.match(email):
            problems["email"] = tr("An e-mail address looks like name@example.com.")
        phone = self.phone.text().strip()
        if len(phone) > PHONE_MAX:
            problems["phone"] = tr("At most {0} characters.").format(PHONE_MAX)
        elif phone and not PHONE_SHAPE.match(phone):
            problems["phone"] = tr(
                "Digits, spaces and + ( ) - . / only, 5 to 20 of them; or leave it empty."
            )
        return problems

    def details(self) -> PersonDetails:
        return PersonDetails(
            name=self.name.text().strip(),
            email=self.email.text().strip(),
            phone=self.phone.text().strip() or None,
        )

    # -- saving --------------------------------------------------------------------

    def _set_busy(self, busy: bool) -> None:
        self._busy = busy
        self.form.set_busy(busy)

    def _submit(self) -> None:
        if not self.can_edit or self._busy:
            return
        self.form.touch_all()
        if not self.form.revalidate():
            return
        details = self.details()
        office, actor = self.session.office, self.session.actor
        current = self.customer

        def work() -> PersonRow:
            if current is None:
                return office.customers.create(actor, details)
            return office.customers.update(actor, current.id, current.version, details)

        self.reload_button.setVisible(False)
        self.form.show_general(None)
        self._set_busy(True)
        run_op(work, self._saved, parent=self, on_failed=self._refused, busy=True)

    def _saved(self, row: PersonRow) -> None:
        if not shiboken6.isValid(self):
            return
        self._set_busy(False)
        self.customer = row
        self.saved.emit(row)
        if self._delete_when_done:
            self.deleteLater()
        else:
            self.accept()

    def _refused(self, exc: BaseException) -> None:
        if not shiboken6.isValid(self):
            return
        self._set_busy(False)
        if self._delete_when_done:
            self.deleteLater()
            return
        if isinstance(exc, ValidationError):
            self.form.show_refusal(exc)
            return
        if isinstance(exc, Conflict) and self.customer is not None:
            self.form.show_general(
                tr(
                    "Someone else changed this customer while you were editing, so nothing "
                    "was saved. Reload their version (what you typed here is replaced), then "
                    "make your changes again."
                )
            )
            self.reload_button.setVisible(True)
            return
        if not isinstance(exc, BackOfficeError):
            log.error("Saving a customer failed", exc_info=(type(exc), exc, exc.__traceback__))
        self.form.show_general(describe(exc)[1])

    def reload(self) -> None:
        current = self.customer
        if current is None:
            return
        office, actor = self.session.office, self.session.actor
        self.reload_button.setEnabled(False)

        def done(row: PersonRow) -> None:
            if not shiboken6.isValid(self):
                return
            self.reload_button.setEnabled(True)
            self.reload_button.setVisible(False)
            self.customer = row
            self._fill(row)
            self._show_titles()
            self.form.show_general(None)
            self.form.revalidate()

        def failed(exc: BaseException) -> None:
            if not shiboken6.isValid(self):
                return
            self.reload_button.setEnabled(True)
            self.form.show_general(describe(exc)[1])

        run_op(
            lambda: office.customers.get(actor, current.id),
            done,
            parent=self,
            on_failed=failed,
            busy=True,
        )

    def event(self, event: QEvent) -> bool:
        handled = super().event(event)
        if event.type() == QEvent.Type.LayoutRequest:
            grow_to_fit(self)
        return handled

    def _closed(self, _result: int) -> None:
        if self._busy:
            self._delete_when_done = True
        else:
            self.deleteLater()
