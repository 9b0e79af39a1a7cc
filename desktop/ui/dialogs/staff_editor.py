"""Staff accounts: the editor (new or existing member) and the password reset."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

from PySide6.QtCore import QCoreApplication
from PySide6.QtWidgets import (
    QComboBox,
    QDialogButtonBox,
    QFormLayout,
    QLabel,
    QLineEdit,
    QVBoxLayout,
    QWidget,
)

from desktop.domain.enums import Role
from desktop.domain.permissions import ROLE_LABELS, STAFF_ROLES
from desktop.domain.records import PersonRow
from desktop.domain.validation import (
    EMAIL_MAX,
    NAME_MAX,
    PASSWORD_MIN,
    PHONE_MAX,
    email_problem,
    password_problem,
    phone_problem,
)
from desktop.services.people import PersonDetails
from desktop.ui.dialogs.form_dialog import FormDialog
from desktop.ui.dialogs.password import password_edit
from desktop.ui.dialogs.person_form import (
    fill_person,
    person_fields,
    person_values,
    typed_person_details,
    typed_person_values,
)
from desktop.ui.dialogs.record_editor import RecordEditor
from desktop.ui.errors import show_error
from desktop.ui.record_fields import Field, show_choice
from desktop.ui.session import Session
from desktop.ui.widgets.forms import FieldMessage, Form
from desktop.ui.widgets.labels import title_label


def tr(text: str) -> str:
    return QCoreApplication.translate("StaffEditor", text)


# What each role may do, in a line, beside the role's choice.
ROLE_HINTS: dict[Role, str] = {
    Role.ADMIN: "Everything, including staff accounts and the audit log.",
    Role.MODERATOR: "Bookings, destinations, moderating reviews and the audit log.",
    Role.AGENT: "Bookings, customers and reviews at the counter.",
}


def staff_fields() -> list[Field]:
    return [*person_fields(), Field("role", tr("Role"), show_choice(ROLE_LABELS))]


def staff_values(row: PersonRow) -> dict[str, Any]:
    return {**person_values(row), "role": row.role}


def password_problems(password: str, repeat: str, email: str, field: str) -> dict[str, str]:
    """The domain's password rule as the person types (the service asks it again), and the
    repeat, which only the form has."""
    problems: dict[str, str] = {}
    if (problem := password_problem(password, email=email)) is not None:
        problems[field] = problem
    if repeat != password:
        problems["repeat"] = tr("The two passwords differ.")
    return problems


class StaffEditor(RecordEditor[PersonRow]):
    """A new staff member (with the first password), or an existing one's details and role."""

    def __init__(
        self, session: Session, person: PersonRow | None, parent: QWidget | None = None
    ) -> None:
        # Only administrators open it: the Staff page is theirs alone.
        super().__init__(session, person, parent, can_edit=True)
        self.setObjectName("staffEditor")
        self.setMinimumWidth(520)
        layout = QVBoxLayout(self)
        self.heading = title_label("")
        layout.addWidget(self.heading)
        form_layout = QFormLayout()
        form_layout.setFieldGrowthPolicy(QFormLayout.FieldGrowthPolicy.AllNonFixedFieldsGrow)
        layout.addLayout(form_layout)

        self.name = QLineEdit()
        self.name.setObjectName("name")
        self.name.setMaxLength(NAME_MAX)
        self.email = QLineEdit()
        self.email.setObjectName("email")
        self.email.setMaxLength(EMAIL_MAX)
        self.email.setPlaceholderText("name@example.com")
        self.phone = QLineEdit()
        self.phone.setObjectName("phone")
        self.phone.setMaxLength(PHONE_MAX)
        self.phone.setPlaceholderText(tr("optional"))
        self.role = QComboBox()
        self.role.setObjectName("role")
        for role in STAFF_ROLES:
            self.role.addItem(tr(ROLE_LABELS[role]), role.value)
        self.role_hint = QLabel()
        self.role_hint.setObjectName("hint")
        self.role_hint.setWordWrap(True)

        self.buttons = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Save | QDialogButtonBox.StandardButton.Cancel
        )
        self.save_button = self.buttons.button(QDialogButtonBox.StandardButton.Save)
        self.save_button.setObjectName("save")
        if person is None:
            self.save_button.setText(tr("Create staff member"))
        self.close_button = self.buttons.button(QDialogButtonBox.StandardButton.Cancel)
        self._watch_record(
            form_layout,
            name="Staff",
            message_name="editorMessage",
            table="users",
            noun=tr("staff member"),
            fields=staff_fields(),
            fetch=lambda ident: session.office.staff.get(session.actor, ident),
            row_values=staff_values,
        )
        self.form.add("name", tr("&Name"), self.name, required=True)
        self.form.add("email", tr("&E-mail"), self.email, required=True)
        self.form.add("phone", tr("&Phone"), self.phone, required=False)
        self.form.add("role", tr("&Role"), self.role)
        role_box = self.role.parentWidget()
        role_layout = role_box.layout() if role_box is not None else None
        if role_layout is not None:
            role_layout.addWidget(self.role_hint)  # under the role and its message
        self.password: QLineEdit | None = None
        self.repeat: QLineEdit | None = None
        if person is None:
            self.password = password_edit("password")
            self.repeat = password_edit("repeat")
            self.form.add("password", tr("First &password"), self.password, required=True)
            self.form.add("repeat", tr("Repeat pass&word"), self.repeat, required=True)
            note = QLabel(
                tr(
                    "At least {0} characters. Tell it to the new member in person; they can "
                    "change it under File > Change my password."
                ).format(PASSWORD_MIN)
            )
            note.setObjectName("hint")
            note.setWordWrap(True)
            form_layout.addRow("", note)

        layout.addWidget(self.bar)
        layout.addStretch(1)
        layout.addWidget(self.buttons)
        self.buttons.accepted.connect(self._submit)
        self.buttons.rejected.connect(self.reject)
        self.role.currentIndexChanged.connect(self._show_role_hint)

        if person is None:
            self.role.setCurrentIndex(self.role.findData(Role.AGENT.value))
        self._show_record(self.name)
        self._show_role_hint()

    @property
    def person(self) -> PersonRow | None:
        """The staff member as last saved or read (None until a new one is saved)."""
        return self.row

    def _show_titles(self) -> None:
        if self.person is None:
            self.setWindowTitle(tr("New staff member"))
            self.heading.setText(tr("New staff member"))
        else:
            self.setWindowTitle(tr("Edit staff member — {0}").format(self.person.name))
            self.heading.setText(self.person.name)

    def _fill_values(self, values: Mapping[str, Any]) -> None:
        fill_person(self, values)
        role = values["role"]
        code = role.value if isinstance(role, Role) else str(role)
        self.role.setCurrentIndex(max(0, self.role.findData(code)))

    def form_values(self) -> dict[str, Any]:
        values = typed_person_values(self.name.text(), self.email.text(), self.phone.text())
        return {**values, "role": self.chosen_role()}

    def chosen_role(self) -> Role | None:
        code = self.role.currentData()
        return Role(code) if code else None

    def _show_role_hint(self, *_args: object) -> None:
        role = self.chosen_role()
        self.role_hint.setText(tr(ROLE_HINTS[role]) if role in ROLE_HINTS else "")

    def _problems(self) -> Mapping[str, str]:
        problems: dict[str, str] = self.record.problems()
        if not self.name.text().strip():
            problems["name"] = tr("Type the staff member's name.")
        email = self.email.text().strip()
        if not email:
            problems["email"] = tr("Type the staff member's e-mail address.")
        elif (problem := email_problem(email)) is not None:
            problems["email"] = problem  # the domain's words, as the service would say
        if (problem := phone_problem(self.phone.text())) is not None:
            problems["phone"] = problem
        if self.chosen_role() not in STAFF_ROLES:
            problems["role"] = tr("Choose Administrator, Moderator or Counter agent.")
        if self.password is not None and self.repeat is not None:
            problems.update(
                password_problems(self.password.text(), self.repeat.text(), email, "password")
            )
        return problems

    def details(self) -> PersonDetails:
        return typed_person_details(self.name.text(), self.email.text(), self.phone.text())

    def _save_work(self) -> Callable[[], PersonRow] | None:
        office, actor = self.session.office, self.session.actor
        details, role = self.details(), self.chosen_role()
        if role is None:
            return None
        person = self.person
        if person is None:
            password = self.password.text() if self.password is not None else ""
            return lambda: office.staff.create(actor, details, role, password)
        return lambda: office.staff.update(actor, person.id, person.version, details, role)

    def _unexpected(self, exc: BaseException) -> None:
        show_error(self, exc)


class ResetPasswordDialog(FormDialog[PersonRow]):
    """A new password for a staff member who forgot theirs; ``saved`` carries the person."""

    def __init__(self, session: Session, person: PersonRow, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.session = session
        self.person = person
        self.setObjectName("resetPasswordDialog")
        self.setWindowTitle(tr("Reset password — {0}").format(person.name))
        self.setMinimumWidth(480)
        layout = QVBoxLayout(self)
        layout.addWidget(title_label(tr("A new password for {0}").format(person.name)))
        intro = QLabel(
            tr(
                "From now on {0} signs in as {1} with this password; the old one stops "
                "working. Tell it to them in person: they can change it under File > Change "
                "my password."
            ).format(person.name, person.email)
        )
        intro.setWordWrap(True)
        layout.addWidget(intro)
        form_layout = QFormLayout()
        form_layout.setFieldGrowthPolicy(QFormLayout.FieldGrowthPolicy.AllNonFixedFieldsGrow)
        layout.addLayout(form_layout)
        self.password = password_edit("password")
        self.repeat = password_edit("repeat")
        self.buttons = self._ok_cancel_buttons(tr("Reset password"), "save")
        self.form = Form(form_layout, self.save_button, self._problems, self)
        self.form.add("password", tr("New &password"), self.password, required=True)
        self.form.add("repeat", tr("Repeat pass&word"), self.repeat, required=True)
        self.general = FieldMessage()
        self.general.setObjectName("editorMessage")
        self.form.general_message(self.general)
        layout.addWidget(self.general)
        layout.addWidget(self.buttons)
        self.password.setFocus()
        self.form.revalidate()

    def _problems(self) -> Mapping[str, str]:
        return password_problems(
            self.password.text(), self.repeat.text(), self.person.email, "password"
        )

    def _discard_question(self) -> str:
        return tr("Close without resetting the password of {0}?").format(self.person.name)

    def _save_work(self) -> Callable[[], PersonRow]:
        """Resets the password; ``saved`` then carries the person whose password it is."""
        office, actor = self.session.office, self.session.actor
        person, password = self.person, self.password.text()

        def work() -> PersonRow:
            office.staff.reset_password(actor, person.id, password)
            return person

        return work
