"""A customer who is not on file yet, added from the new booking without leaving it."""

from __future__ import annotations

from collections.abc import Callable, Mapping

from PySide6.QtCore import QCoreApplication, Signal
from PySide6.QtWidgets import QFormLayout, QLineEdit, QVBoxLayout, QWidget

from desktop.domain.records import PersonRow
from desktop.domain.validation import email_problem
from desktop.ui.dialogs.form_dialog import FormDialog
from desktop.ui.dialogs.person_form import typed_person_details
from desktop.ui.session import Session
from desktop.ui.widgets.forms import FieldMessage, Form, set_buddy
from desktop.ui.widgets.labels import title_label


def tr(text: str) -> str:
    return QCoreApplication.translate("NewBooking", text)


class NewCustomerDialog(FormDialog[PersonRow]):
    """A customer who is not on file yet, added without leaving the booking."""

    created = Signal(object)  # PersonRow

    def __init__(self, session: Session, initial: str = "", parent: QWidget | None = None):
        super().__init__(parent)
        self.session = session
        self.setObjectName("newCustomerDialog")
        self.setWindowTitle(tr("New customer"))
        self.setMinimumWidth(440)
        layout = QVBoxLayout(self)
        layout.setSpacing(10)
        layout.addWidget(title_label(tr("New customer")))
        form_layout = QFormLayout()
        layout.addLayout(form_layout)
        self.name = QLineEdit()
        self.name.setObjectName("customerName")
        self.email = QLineEdit()
        self.email.setObjectName("customerEmail")
        self.email.setPlaceholderText("name@example.com")
        self.phone = QLineEdit()
        self.phone.setObjectName("customerPhone")
        self.phone.setPlaceholderText(tr("optional, e.g. +44 20 7946 0000"))
        self.buttons = self._ok_cancel_buttons(tr("&Add customer"), "saveCustomer")
        self.form = Form(form_layout, self.save_button, self._problems, self)
        for name, label, editor, required in (
            ("name", tr("&Name"), self.name, True),
            ("email", tr("&E-mail"), self.email, True),
            ("phone", tr("&Phone"), self.phone, False),
        ):
            self.form.add(name, label, editor, required=required)
            set_buddy(form_layout, editor, editor)
        self.message = FieldMessage()
        self.message.setObjectName("customerMessage")
        self.form.general_message(self.message)
        layout.addWidget(self.message)
        layout.addWidget(self.buttons)
        self.save_button.setDefault(True)  # once in the dialog: Enter saves
        QWidget.setTabOrder(self.name, self.email)
        QWidget.setTabOrder(self.email, self.phone)
        self._prefill(initial.strip())
        self.form.revalidate()

    def _prefill(self, text: str) -> None:
        """What was typed into the customer search is most likely the new customer's."""
        if "@" in text:
            self.email.setText(text)
            self.name.setFocus()
        elif text and sum(c.isdigit() for c in text) * 2 >= len(text):
            self.phone.setText(text)
            self.name.setFocus()
        else:
            self.name.setText(text)
            (self.email if text else self.name).setFocus()

    def _discard_question(self) -> str:
        return tr("Discard the new customer?")

    def _problems(self) -> Mapping[str, str]:
        problems: dict[str, str] = {}
        if not self.name.text().strip():
            problems["name"] = tr("Type the customer's name.")
        if email_problem(self.email.text()) is not None:
            problems["email"] = tr("Type an e-mail address such as name@example.com.")
        return problems

    def _save_work(self) -> Callable[[], PersonRow]:
        details = typed_person_details(self.name.text(), self.email.text(), self.phone.text())
        office, actor = self.session.office, self.session.actor
        return lambda: office.customers.create(actor, details)

    def _took(self, person: PersonRow) -> None:
        self.created.emit(person)
        super()._took(person)
