"""The customer editor: name, e-mail and phone, checked as they are typed.

The service has the last word (an e-mail another person already uses is
refused under the e-mail field); roles that may only look get it read-only.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Mapping
from typing import Any

import shiboken6
from PySide6.QtCore import QCoreApplication, QEvent, QLocale, Signal
from PySide6.QtWidgets import (
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QLabel,
    QLineEdit,
    QVBoxLayout,
    QWidget,
)

from desktop.domain.errors import BackOfficeError, Conflict, DatabaseUnavailable, ValidationError
from desktop.domain.permissions import Permission
from desktop.domain.records import PersonRow
from desktop.domain.validation import EMAIL_MAX, NAME_MAX, PHONE_MAX
from desktop.services.people import PersonDetails
from desktop.ui.dialogs.conflict import Field
from desktop.ui.dialogs.destination_editor import grow_to_fit
from desktop.ui.errors import describe
from desktop.ui.ops import run_op
from desktop.ui.session import Session
from desktop.ui.table_model import format_datetime
from desktop.ui.widgets.forms import Form
from desktop.ui.widgets.record_watch import EditedRecord, RecordBar

log = logging.getLogger(__name__)

# The shapes the services accept (desktop.domain.validation), checked here as the person types.
EMAIL_SHAPE = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")
PHONE_SHAPE = re.compile(r"^\+?[0-9 ()./-]{5,20}$")


def tr(text: str) -> str:
    return QCoreApplication.translate("CustomerEditor", text)


def person_fields() -> list[Field]:
    """A person's fields as the conflict dialog shows them."""
    return [Field("name", tr("Name")), Field("email", tr("E-mail")), Field("phone", tr("Phone"))]


def person_values(row: PersonRow) -> dict[str, Any]:
    return {"name": row.name, "email": row.email, "phone": row.phone or None}


def typed_person_values(name: str, email: str, phone: str) -> dict[str, Any]:
    """What a person form holds, cleaned as the service cleans it (e-mail in lower case)."""
    return {
        "name": name.strip(),
        "email": email.strip().lower(),
        "phone": phone.strip() or None,
    }


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

        self.bar = RecordBar(
            message_name="fieldError",
            reload_name="reloadCustomer",
            compare_name="compareCustomer",
            reload_text=tr("&Reload their version"),
        )
        self.general = self.bar.message
        self.reload_button = self.bar.reload_button
        self.compare_button = self.bar.compare_button
        self.record = EditedRecord(
            self,
            table="users",
            noun=tr("customer"),
            fields=person_fields(),
            bar=self.bar,
            fetch=lambda ident: session.office.customers.get(session.actor, ident),
            row_values=person_values,
            form_values=self.form_values,
            fill=self._fill_values,
            adopt=self._adopt,
            row=customer,
        )
        self.form = Form(form_layout, self.save_button, self._problems, self)
        self.form.add("name", tr("&Name"), self.name)
        self.form.add("email", tr("&E-mail"), self.email)
        self.form.add("phone", tr("&Phone"), self.phone)

        self.form.general_message(self.general)
        self.record.state_changed.connect(self.form.revalidate)
        self.record.reloaded.connect(self._reloaded)
        self.record.saved_after_loss.connect(self._saved_after_loss)
        layout.addWidget(self.bar)
        layout.addStretch(1)
        layout.addWidget(self.buttons)
        self.save_button.setDefault(True)  # once in the dialog: Enter saves
        QWidget.setTabOrder(self.name, self.email)
        QWidget.setTabOrder(self.email, self.phone)
        QWidget.setTabOrder(self.phone, self.reload_button)
        QWidget.setTabOrder(self.reload_button, self.compare_button)
        QWidget.setTabOrder(self.compare_button, self.save_button)

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
        self.record.can_compare = self.can_edit
        self.record.start_watching()
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
        self._fill_values(person_values(row))

    def _fill_values(self, values: Mapping[str, Any]) -> None:
        self.name.setText(values["name"] or "")
        self.email.setText(values["email"] or "")
        self.phone.setText(values["phone"] or "")

    def form_values(self) -> dict[str, Any]:
        return typed_person_values(self.name.text(), self.email.text(), self.phone.text())

    def _adopt(self, row: PersonRow) -> None:
        self.customer = row
        self._show_titles()

    def _problems(self) -> Mapping[str, str]:
        problems: dict[str, str] = self.record.problems()
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

        self.bar.clear()
        self._set_busy(True)
        self.record.saving(True)
        run_op(work, self._saved, parent=self, on_failed=self._refused, busy=True)

    def _saved(self, row: PersonRow) -> None:
        if not shiboken6.isValid(self):
            return
        self._set_busy(False)
        self.record.saving(False)
        self.record.saved(row)
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
        self.record.saving(False)
        if self._delete_when_done:
            self.deleteLater()
            return
        if isinstance(exc, ValidationError):
            self.form.show_refusal(exc)
            return
        if self.record.refused(exc, resave=self._submit):
            return  # someone else's version, a deleted record, a lost connection
        if isinstance(exc, DatabaseUnavailable):  # a new customer: no version to check
            self.form.show_general(
                tr(
                    "{0} What you typed is kept. Search the list for the e-mail before saving "
                    "again: the customer may be there already."
                ).format(describe(exc)[1])
            )
            return
        if isinstance(exc, Conflict):
            self.form.show_general(exc.message)
            return
        if not isinstance(exc, BackOfficeError):
            log.error("Saving a customer failed", exc_info=(type(exc), exc, exc.__traceback__))
        self.form.show_general(describe(exc)[1])

    def _saved_after_loss(self, row: PersonRow) -> None:
        """The save whose connection died did land: the list hears of it; the form stays."""
        self.saved.emit(row)
        self.close_button.setText(tr("Close"))
        self.form.revalidate()

    def reload(self) -> None:
        self.record.reload()

    def _reloaded(self, _row: PersonRow) -> None:
        self.form.show_general(None)
        self.form.revalidate()

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
