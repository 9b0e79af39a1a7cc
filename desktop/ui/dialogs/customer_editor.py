"""The customer editor: name, e-mail and phone, checked as they are typed.

The service has the last word (an e-mail another person already uses is
refused under the e-mail field); roles that may only look get it read-only.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

from PySide6.QtCore import QCoreApplication, QLocale
from PySide6.QtWidgets import (
    QFormLayout,
    QLabel,
    QLineEdit,
    QVBoxLayout,
    QWidget,
)

from desktop.domain.permissions import Permission
from desktop.domain.records import PersonRow
from desktop.domain.validation import NAME_MAX, email_problem, phone_problem
from desktop.services.people import PersonDetails
from desktop.ui.dialogs.person_form import (
    fill_person,
    person_fields,
    person_values,
    typed_person_details,
    typed_person_values,
)
from desktop.ui.dialogs.record_editor import RecordEditor
from desktop.ui.formats import long_datetime
from desktop.ui.session import Session
from desktop.ui.widgets.labels import title_label


def tr(text: str) -> str:
    return QCoreApplication.translate("CustomerEditor", text)


class CustomerEditor(RecordEditor[PersonRow]):
    """Create or edit one customer (or look at one, for roles that cannot manage them)."""

    def __init__(
        self, session: Session, customer: PersonRow | None, parent: QWidget | None = None
    ) -> None:
        super().__init__(
            session, customer, parent, can_edit=session.can(Permission.MANAGE_CUSTOMERS)
        )
        self.setObjectName("customerEditor")
        self.setMinimumWidth(520)

        layout = QVBoxLayout(self)
        self.heading = title_label("")
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

        self._add_buttons("saveCustomer")
        self._watch_record(
            form_layout,
            name="Customer",
            table="users",
            noun=tr("customer"),
            fields=person_fields(),
            fetch=lambda ident: session.office.customers.get(session.actor, ident),
            row_values=person_values,
        )
        self.form.add("name", tr("&Name"), self.name, required=True)
        self.form.add("email", tr("&E-mail"), self.email, required=True)
        self.form.add("phone", tr("&Phone"), self.phone, required=False)

        layout.addWidget(self.bar)
        layout.addStretch(1)
        layout.addWidget(self.buttons)
        self.save_button.setDefault(True)  # once in the dialog: Enter saves
        QWidget.setTabOrder(self.name, self.email)
        QWidget.setTabOrder(self.email, self.phone)
        QWidget.setTabOrder(self.phone, self.reload_button)
        QWidget.setTabOrder(self.reload_button, self.compare_button)
        QWidget.setTabOrder(self.compare_button, self.save_button)
        self._show_record(self.name)

    @property
    def customer(self) -> PersonRow | None:
        """The customer as last saved or read (None until a new one is saved)."""
        return self.row

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
            parts.append(tr("since {0}").format(long_datetime(row.created_at)))
        self.summary.setText(" · ".join(parts))

    def _make_read_only(self) -> None:
        for edit in (self.name, self.email, self.phone):
            edit.setReadOnly(True)
        super()._make_read_only()

    def _fill_values(self, values: Mapping[str, Any]) -> None:
        fill_person(self, values)

    def form_values(self) -> dict[str, Any]:
        return typed_person_values(self.name.text(), self.email.text(), self.phone.text())

    def _problems(self) -> Mapping[str, str]:
        problems: dict[str, str] = self.record.problems()
        name = self.name.text().strip()
        if not name:
            problems["name"] = tr("Type the customer's name.")
        elif len(name) > NAME_MAX:
            problems["name"] = tr("The name is {0} characters long; at most {1} fit.").format(
                QLocale().toString(len(name)), NAME_MAX
            )
        # The e-mail and phone rules are the domain's, said in its words (as the service would).
        email = self.email.text().strip()
        if not email:
            problems["email"] = tr("Type the customer's e-mail address.")
        elif (problem := email_problem(email)) is not None:
            problems["email"] = problem
        if (problem := phone_problem(self.phone.text())) is not None:
            problems["phone"] = problem
        return problems

    def details(self) -> PersonDetails:
        return typed_person_details(self.name.text(), self.email.text(), self.phone.text())

    # -- saving --------------------------------------------------------------------

    def _save_work(self) -> Callable[[], PersonRow]:
        details = self.details()
        office, actor = self.session.office, self.session.actor
        current = self.customer

        def work() -> PersonRow:
            if current is None:
                return office.customers.create(actor, details)
            return office.customers.update(actor, current.id, current.version, details)

        return work

    def _lost_while_creating(self, reason: str) -> str:
        return tr(
            "{0} What you typed is kept. Search the list for the e-mail before saving "
            "again: the customer may be there already."
        ).format(reason)
