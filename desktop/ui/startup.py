"""The way in: where the database is (first run), the first administrator, signing in."""

from __future__ import annotations

from collections.abc import Mapping

from PySide6.QtCore import QCoreApplication, Qt, Signal
from PySide6.QtWidgets import (
    QButtonGroup,
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QFileDialog,
    QFormLayout,
    QFrame,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPushButton,
    QRadioButton,
    QSpinBox,
    QVBoxLayout,
    QWidget,
)

from desktop import bootstrap
from desktop.config import ServerSettings
from desktop.domain.errors import AuthenticationFailed, BackOfficeError, ValidationError
from desktop.domain.permissions import Actor
from desktop.domain.validation import PASSWORD_MIN
from desktop.ui.errors import describe
from desktop.ui.ops import run_op
from desktop.ui.widgets.forms import FieldMessage, Form
from desktop.version import APP_NAME

SSL_MODES = ("prefer", "require", "verify-ca", "verify-full", "disable")


def tr(text: str) -> str:
    return QCoreApplication.translate("Startup", text)


def _title(text: str) -> QLabel:
    label = QLabel(text)
    label.setObjectName("dialogTitle")
    label.setMinimumWidth(460)  # the dialogs size to their content; keep them comfortably wide
    return label


class ConnectionDialog(QDialog):
    """First run (or "Connection settings…"): the local database, or the shared server."""

    def __init__(self, parent: QWidget | None = None, *, current: ServerSettings | None = None):
        super().__init__(parent)
        self.setObjectName("connectionDialog")
        self.setWindowTitle(tr("Where is the database?"))
        self.setMinimumWidth(520)
        layout = QVBoxLayout(self)
        layout.setSizeConstraint(QVBoxLayout.SizeConstraint.SetMinimumSize)  # grow with messages
        layout.addWidget(_title(tr("Where should Exotic Travel keep its data?")))

        self.local_choice = QRadioButton(tr("Use the local database on this computer"))
        self.local_choice.setObjectName("useLocal")
        local_help = QLabel(
            tr("For a single workstation or a trial. Nothing to set up; data stays here.")
        )
        local_help.setObjectName("hint")
        self.server_choice = QRadioButton(tr("Connect to the shared server"))
        self.server_choice.setObjectName("useServer")
        server_help = QLabel(tr("For an office where several workstations share the bookings."))
        server_help.setObjectName("hint")
        group = QButtonGroup(self)
        group.addButton(self.local_choice)
        group.addButton(self.server_choice)
        for widget in (self.local_choice, local_help, self.server_choice, server_help):
            layout.addWidget(widget)

        self.server_box = QFrame()
        self.server_box.setObjectName("serverBox")
        form_layout = QFormLayout(self.server_box)
        self.host = QLineEdit()
        self.host.setPlaceholderText("db.office.example")
        self.port = QSpinBox()
        self.port.setRange(1, 65535)
        self.port.setValue(5432)
        self.database = QLineEdit("exotic_travel")
        self.user = QLineEdit()
        self.password = QLineEdit()
        self.password.setEchoMode(QLineEdit.EchoMode.Password)
        self.ssl_mode = QComboBox()
        self.ssl_mode.addItems(SSL_MODES)
        ca_row = QWidget()
        ca_layout = QHBoxLayout(ca_row)
        ca_layout.setContentsMargins(0, 0, 0, 0)
        self.ca_file = QLineEdit()
        self.ca_file.setPlaceholderText(tr("CA certificate (for verify-ca / verify-full)"))
        browse = QPushButton(tr("Browse…"))
        browse.clicked.connect(self._browse_ca)
        ca_layout.addWidget(self.ca_file)
        ca_layout.addWidget(browse)

        self.test_button = QPushButton(tr("&Test connection"))
        self.test_button.setObjectName("testConnection")
        self.test_result = QLabel()
        self.test_result.setObjectName("testResult")
        self.test_result.setWordWrap(True)
        self.test_button.clicked.connect(self._test)

        self.buttons = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel
        )
        self.ok_button = self.buttons.button(QDialogButtonBox.StandardButton.Ok)
        self.ok_button.setText(tr("Continue"))
        self.buttons.accepted.connect(self._accept)
        self.buttons.rejected.connect(self.reject)

        self.form = Form(form_layout, self.ok_button, self._problems, self)
        self.form.add("host", tr("Host"), self.host)
        form_layout.addRow(tr("Port"), self.port)
        self.form.add("database", tr("Database"), self.database)
        self.form.add("user", tr("User"), self.user)
        form_layout.addRow(tr("Password"), self.password)
        form_layout.addRow(tr("TLS mode"), self.ssl_mode)
        self.form.add("sslrootcert", tr("CA file"), ca_row)
        form_layout.addRow("", self.test_button)
        form_layout.addRow("", self.test_result)
        layout.addWidget(self.server_box)
        layout.addStretch(1)
        layout.addWidget(self.buttons)

        self.local_choice.toggled.connect(self._choice_changed)
        self.server_choice.toggled.connect(self._choice_changed)
        self.ca_file.textChanged.connect(lambda _text: self.form.revalidate())
        self.ssl_mode.currentIndexChanged.connect(lambda _i: self.form.revalidate())
        if current is not None:
            self._fill(current)
            self.server_choice.setChecked(True)
        else:
            self.local_choice.setChecked(True)
        self._choice_changed()

    def _fill(self, server: ServerSettings) -> None:
        self.host.setText(server.host)
        self.port.setValue(server.port)
        self.database.setText(server.database)
        self.user.setText(server.user)
        self.password.setText(server.password)
        self.ssl_mode.setCurrentText(server.sslmode)
        self.ca_file.setText(server.sslrootcert)

    def _choice_changed(self, *_args: object) -> None:
        self.server_box.setEnabled(self.server_choice.isChecked())
        self.server_box.setVisible(self.server_choice.isChecked())
        self.form.revalidate()
        self.adjustSize()

    def _browse_ca(self) -> None:
        path, _filter = QFileDialog.getOpenFileName(
            self, tr("CA certificate"), "", tr("Certificates (*.crt *.pem *.cer);;All files (*)")
        )
        if path:
            self.ca_file.setText(path)

    def _problems(self) -> Mapping[str, str]:
        if not self.server_choice.isChecked():
            return {}
        problems = {}
        if not self.host.text().strip():
            problems["host"] = tr("Type the server's name or address.")
        if not self.database.text().strip():
            problems["database"] = tr("Type the database's name.")
        if not self.user.text().strip():
            problems["user"] = tr("Type the user name the administrator gave you.")
        if self.ssl_mode.currentText().startswith("verify") and not self.ca_file.text().strip():
            problems["sslrootcert"] = tr("This TLS mode checks the server: choose the CA file.")
        return problems

    def server(self) -> ServerSettings:
        return ServerSettings(
            host=self.host.text().strip(),
            port=self.port.value(),
            database=self.database.text().strip(),
            user=self.user.text().strip(),
            password=self.password.text(),
            sslmode=self.ssl_mode.currentText(),  # type: ignore[arg-type]
            sslrootcert=self.ca_file.text().strip(),
        )

    def _test(self) -> None:
        self.form.touch_all()
        if not self.form.revalidate():
            return
        self.test_button.setEnabled(False)
        self.test_result.setText(tr("Connecting…"))
        server = self.server()

        def done(version: str) -> None:
            self.test_button.setEnabled(True)
            self.test_result.setProperty("state", "ok")
            self.test_result.setText(tr("Connected: {0}.").format(version))
            self._restyle(self.test_result)

        def failed(exc: BaseException) -> None:
            self.test_button.setEnabled(True)
            self.test_result.setProperty("state", "error")
            self.test_result.setText(describe(exc)[1])
            self._restyle(self.test_result)

        run_op(lambda: bootstrap.test_server(server), done, on_failed=failed, busy=True)

    @staticmethod
    def _restyle(widget: QWidget) -> None:
        widget.style().unpolish(widget)
        widget.style().polish(widget)

    def _accept(self) -> None:
        if self.server_choice.isChecked():
            bootstrap.choose_server(self.server())
        else:
            bootstrap.choose_local_database()
        self.accept()


class FirstAdminDialog(QDialog):
    """The database has no staff account: create the first administrator."""

    created = Signal(object)  # Actor

    def __init__(self, create: object, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("firstAdminDialog")
        self._create = create
        self.setWindowTitle(tr("First administrator"))
        self.setMinimumWidth(460)
        layout = QVBoxLayout(self)
        layout.setSizeConstraint(QVBoxLayout.SizeConstraint.SetMinimumSize)
        layout.addWidget(_title(tr("Create the first administrator")))
        intro = QLabel(
            tr(
                "This database has no staff accounts yet. The administrator creates the "
                "accounts of everyone else."
            )
        )
        intro.setWordWrap(True)
        layout.addWidget(intro)
        form_layout = QFormLayout()
        layout.addLayout(form_layout)
        self.name = QLineEdit()
        self.email = QLineEdit()
        self.password = QLineEdit()
        self.password.setEchoMode(QLineEdit.EchoMode.Password)
        self.repeat = QLineEdit()
        self.repeat.setEchoMode(QLineEdit.EchoMode.Password)
        self.buttons = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel
        )
        self.ok_button = self.buttons.button(QDialogButtonBox.StandardButton.Ok)
        self.ok_button.setText(tr("Create administrator"))
        self.form = Form(form_layout, self.ok_button, self._problems, self)
        self.form.add("name", tr("Name"), self.name)
        self.form.add("email", tr("E-mail"), self.email)
        self.form.add("password", tr("Password"), self.password)
        self.form.add("repeat", tr("Repeat password"), self.repeat)
        self.general = FieldMessage()
        self.form.general_message(self.general)
        layout.addWidget(self.general)
        layout.addWidget(self.buttons)
        self.buttons.accepted.connect(self._submit)
        self.buttons.rejected.connect(self.reject)
        self.form.revalidate()

    def _problems(self) -> Mapping[str, str]:
        problems: dict[str, str] = {}
        if not self.name.text().strip():
            problems["name"] = tr("Type the administrator's name.")
        if "@" not in self.email.text():
            problems["email"] = tr("Type an e-mail address such as name@example.com.")
        if len(self.password.text()) < PASSWORD_MIN:
            problems["password"] = tr("At least {0} characters.").format(PASSWORD_MIN)
        elif self.password.text().strip().lower() == self.email.text().strip().lower():
            problems["password"] = tr("The password must not be the e-mail address.")
        if self.repeat.text() != self.password.text():
            problems["repeat"] = tr("The two passwords differ.")
        return problems

    def _submit(self) -> None:
        self.form.touch_all()
        if not self.form.revalidate():
            return
        self.form.set_busy(True)
        name, email, password = self.name.text(), self.email.text(), self.password.text()

        def done(actor: Actor) -> None:
            self.form.set_busy(False)
            self.actor = actor
            self.created.emit(actor)
            self.accept()

        def failed(exc: BaseException) -> None:
            self.form.set_busy(False)
            if isinstance(exc, ValidationError):
                self.form.show_refusal(exc)
            else:
                self.form.show_general(describe(exc)[1])

        create = self._create
        run_op(lambda: create(name, email, password), done, on_failed=failed, busy=True)  # type: ignore[operator]


class SignInDialog(QDialog):
    """E-mail and password, and which server and database they are for."""

    def __init__(
        self,
        sign_in: object,
        connection: bootstrap.Connection,
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self.setObjectName("signInDialog")
        self._sign_in = sign_in
        self.actor: Actor | None = None
        self.change_connection = False
        self.setWindowTitle(tr("Sign in"))
        self.setMinimumWidth(420)
        layout = QVBoxLayout(self)
        layout.setSizeConstraint(QVBoxLayout.SizeConstraint.SetMinimumSize)
        layout.addWidget(_title(APP_NAME))
        where = QLabel(
            tr("Server: {0}\nDatabase: {1}").format(connection.server, connection.database)
        )
        where.setObjectName("connectionInfo")
        where.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        layout.addWidget(where)
        form_layout = QFormLayout()
        layout.addLayout(form_layout)
        self.email = QLineEdit()
        self.email.setObjectName("email")
        self.password = QLineEdit()
        self.password.setObjectName("password")
        self.password.setEchoMode(QLineEdit.EchoMode.Password)
        self.buttons = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel
        )
        self.ok_button = self.buttons.button(QDialogButtonBox.StandardButton.Ok)
        self.ok_button.setText(tr("Sign in"))
        self.ok_button.setObjectName("signIn")
        settings_button = self.buttons.addButton(
            tr("Connection settings…"), QDialogButtonBox.ButtonRole.ResetRole
        )
        settings_button.clicked.connect(self._change_connection)
        self.form = Form(form_layout, self.ok_button, self._problems, self)
        self.form.add("email", tr("E-mail"), self.email)
        self.form.add("password", tr("Password"), self.password)
        self.message = FieldMessage()
        self.message.setObjectName("signInMessage")
        self.form.general_message(self.message)
        layout.addWidget(self.message)
        layout.addWidget(self.buttons)
        self.buttons.accepted.connect(self._submit)
        self.buttons.rejected.connect(self.reject)
        self.form.revalidate()

    def _problems(self) -> Mapping[str, str]:
        problems = {}
        if not self.email.text().strip():
            problems["email"] = tr("Type your e-mail address.")
        if not self.password.text():
            problems["password"] = tr("Type your password.")
        return problems

    def _change_connection(self) -> None:
        self.change_connection = True
        self.reject()

    def _submit(self) -> None:
        if not self.form.revalidate():
            return
        self.form.set_busy(True)
        self.form.show_general(None)
        email, password = self.email.text(), self.password.text()

        def done(actor: Actor) -> None:
            self.form.set_busy(False)
            self.actor = actor
            self.accept()

        def failed(exc: BaseException) -> None:
            self.form.set_busy(False)
            self.password.clear()
            self.password.setFocus()
            if isinstance(exc, AuthenticationFailed | BackOfficeError):
                self.form.show_general(exc.message)
            else:
                self.form.show_general(describe(exc)[1])

        sign_in = self._sign_in
        run_op(lambda: sign_in(email, password), done, on_failed=failed, busy=True)  # type: ignore[operator]
