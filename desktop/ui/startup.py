"""The way in: where the database is (first run), the first administrator, signing in,
and what to do when the database cannot be opened."""

from __future__ import annotations

import dataclasses
from collections.abc import Mapping, Sequence
from pathlib import Path

from PySide6.QtCore import QCoreApplication, QLocale, Qt, QUrl, Signal
from PySide6.QtGui import QDesktopServices
from PySide6.QtWidgets import (
    QAbstractButton,
    QButtonGroup,
    QCheckBox,
    QComboBox,
    QDialogButtonBox,
    QFileDialog,
    QFormLayout,
    QFrame,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QMessageBox,
    QPushButton,
    QRadioButton,
    QStyle,
    QVBoxLayout,
    QWidget,
)

from desktop import bootstrap
from desktop.config import ServerSettings
from desktop.domain.errors import (
    AuthenticationFailed,
    BackOfficeError,
    StartupError,
    ValidationError,
    WayOut,
)
from desktop.domain.permissions import Actor
from desktop.domain.validation import email_problem, password_problem
from desktop.ui.dialogs.fitting_dialog import FittingDialog
from desktop.ui.errors import describe, explanation
from desktop.ui.ops import run_op
from desktop.ui.widgets.count_box import CountBox
from desktop.ui.widgets.forms import FieldMessage, Form
from desktop.version import APP_NAME

SSL_MODES = ("prefer", "require", "verify-ca", "verify-full", "disable")
PORTS = (1, 65535)


def tr(text: str) -> str:
    return QCoreApplication.translate("Startup", text)


def _enter_never_cancels(buttons: QDialogButtonBox, *others: QPushButton) -> None:
    """Only the dialog's own button answers Enter.

    A button that takes the focus (Cancel, once the busy OK button lets go of it)
    would otherwise become the default: Enter after a failed attempt cancelled
    the dialog.
    """
    cancel = buttons.button(QDialogButtonBox.StandardButton.Cancel)
    for button in (cancel, *others):
        if button is not None:
            button.setAutoDefault(False)


def _title(text: str) -> QLabel:
    label = QLabel(text)
    label.setObjectName("dialogTitle")
    label.setMinimumWidth(460)  # the dialogs size to their content; keep them comfortably wide
    return label


class ConnectionDialog(FittingDialog):
    """First run (or "Connection settings…"): the local database, or the shared server.

    It opens on what is saved. For a shared server, Continue waits for a passed
    "Test connection" of the values as they are, or for the person to tick
    "use these settings anyway" after a failed one.
    """

    def __init__(
        self,
        parent: QWidget | None = None,
        *,
        current: ServerSettings | None = None,
        chosen_by: str | None = None,
    ):
        super().__init__(parent)
        self._current = current
        # The values of the last passed and the last failed test, and what each test said.
        self._passed: tuple[ServerSettings, str] | None = None
        self._failed: tuple[ServerSettings, str] | None = None
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
        if chosen_by:
            note = QLabel(
                tr(
                    "While {0} is given, it chooses the database: these settings are saved "
                    "for the starts without it."
                ).format(chosen_by)
            )
            note.setObjectName("overrideNote")
            note.setWordWrap(True)
            layout.addWidget(note)

        self.server_box = QFrame()
        self.server_box.setObjectName("serverBox")
        form_layout = QFormLayout(self.server_box)
        self.host = QLineEdit()
        self.host.setPlaceholderText("db.office.example")
        self.port = CountBox(limit=PORTS[1])  # 0 or 70000 typed is said, not corrected
        self.port.setObjectName("port")
        self.port.setValue(5432)
        self.port.setMinimumWidth(100)
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
        self.test_result.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.test_button.clicked.connect(self._test)
        self.use_anyway = QCheckBox(tr("Use these settings anyway"))
        self.use_anyway.setObjectName("useAnyway")
        self.use_anyway.setToolTip(
            tr("For a server that is not running yet: Continue saves the settings untested.")
        )
        self.use_anyway.setVisible(False)
        self.use_anyway.toggled.connect(lambda _on: self._update_continue())

        self.buttons = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel
        )
        self.ok_button = self.buttons.button(QDialogButtonBox.StandardButton.Ok)
        self.ok_button.setText(tr("Continue"))
        self.buttons.accepted.connect(self._accept)
        self.buttons.rejected.connect(self.reject)
        _enter_never_cancels(self.buttons, self.test_button, browse)
        self.problem = FieldMessage()
        self.problem.setObjectName("connectionProblem")

        # The form's own button is "Test connection": it needs the fields filled in.
        # Continue follows the test (``_update_continue``).
        self.form = Form(form_layout, self.test_button, self._problems, self)
        # Every field in the Form: each keeps its message line, so the rows are evenly spaced.
        self.form.add("host", tr("Host"), self.host, required=True)
        self.form.add("port", tr("Port"), self.port, required=True)
        self.form.add("database", tr("Database"), self.database, required=True)
        self.form.add("user", tr("User"), self.user, required=True)
        self.form.add("password", tr("Password"), self.password, required=False)
        self.form.add("sslmode", tr("TLS mode"), self.ssl_mode, required=False)
        self.form.add("sslrootcert", tr("CA file"), ca_row, required=False)
        # In a column of its own, so the Form's "still needed" line sits right above it.
        test_box = QWidget()
        test_column = QVBoxLayout(test_box)
        test_column.setContentsMargins(0, 0, 0, 0)
        test_column.addWidget(self.test_button)
        form_layout.addRow("", test_box)
        form_layout.addRow("", self.test_result)
        form_layout.addRow("", self.use_anyway)
        layout.addWidget(self.server_box)
        layout.addStretch(1)
        layout.addWidget(self.problem)
        layout.addWidget(self.buttons)

        self.local_choice.toggled.connect(self._choice_changed)
        self.server_choice.toggled.connect(self._choice_changed)
        self.ca_file.textChanged.connect(lambda _text: self.form.revalidate())
        self.ssl_mode.currentIndexChanged.connect(lambda _i: self.form.revalidate())
        for line in (self.host, self.database, self.user, self.password, self.ca_file):
            line.textChanged.connect(self._values_changed)
        self.port.textChanged.connect(self._values_changed)
        self.ssl_mode.currentIndexChanged.connect(self._values_changed)
        if current is not None:
            self._fill(current)
            self.server_choice.setChecked(True)
        else:
            self.local_choice.setChecked(True)
        self._values_changed()
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
        self.problem.show_problem(None)
        self.form.revalidate()
        self._update_continue()
        self.fit(shrink=True)  # the server's fields come or go: the height follows

    def _values_changed(self, *_args: object) -> None:
        """Typing after a test: its verdict holds only for the values it tested."""
        values = self.server()
        if self._passed is not None and values == self._passed[0]:
            self._show_result(self._passed[1], "ok")
        elif self._failed is not None and values == self._failed[0]:
            self._show_result(self._failed[1], "error")
        else:
            self._show_result(tr("Test the connection before you continue."), "hint")
        failed = self._failed is not None and values == self._failed[0]
        if not failed:
            self.use_anyway.setChecked(False)
        self.use_anyway.setVisible(failed)
        self._update_continue()

    def _update_continue(self) -> None:
        if not self.server_choice.isChecked():
            self.ok_button.setEnabled(True)
            self.ok_button.setToolTip("")
            return
        values = self.server()
        passed = self._passed is not None and values == self._passed[0]
        failed = self._failed is not None and values == self._failed[0]
        tested = passed or (failed and self.use_anyway.isChecked())
        self.ok_button.setEnabled(tested and not self._problems())
        self.ok_button.setToolTip("" if tested else tr("Test the connection first."))

    def _show_result(self, text: str, state: str) -> None:
        self.test_result.setText(text)
        self.test_result.setProperty("state", state)
        self._restyle(self.test_result)

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
        if self.port.is_empty():
            problems["port"] = tr("Type the server's port; PostgreSQL's own is 5432.")
        elif not PORTS[0] <= self.port.value() <= PORTS[1]:
            problems["port"] = tr("{0} is no port: a port is a number from {1} to {2}.").format(
                QLocale().toString(self.port.value()), PORTS[0], PORTS[1]
            )
        if not self.user.text().strip():
            problems["user"] = tr("Type the user name the administrator gave you.")
        if self.ssl_mode.currentText().startswith("verify") and not self.ca_file.text().strip():
            problems["sslrootcert"] = tr("This TLS mode checks the server: choose the CA file.")
        return problems

    def server(self) -> ServerSettings:
        """The typed values; what the dialog does not show (a pooler) stays as saved."""
        typed = ServerSettings(
            host=self.host.text().strip(),
            port=self.port.value(),
            database=self.database.text().strip(),
            user=self.user.text().strip(),
            password=self.password.text(),
            sslmode=self.ssl_mode.currentText(),  # type: ignore[arg-type]
            sslrootcert=self.ca_file.text().strip(),
        )
        if self._current is None:
            return typed
        return dataclasses.replace(
            typed, pooler=self._current.pooler, direct_port=self._current.direct_port
        )

    def _test(self) -> None:
        self.form.touch_all()
        if not self.form.revalidate():
            return
        self.form.set_busy(True)
        self._show_result(tr("Connecting…"), "hint")
        server = self.server()

        def done(version: str) -> None:
            self._passed = (server, tr("Connected: {0}.").format(version))
            self._tested()

        def failed(exc: BaseException) -> None:
            self._failed = (server, describe(exc)[1])
            self.use_anyway.setChecked(False)
            self._tested()

        run_op(
            lambda: bootstrap.test_server(server), done, parent=self, on_failed=failed, busy=True
        )

    def _tested(self) -> None:
        self.form.set_busy(False)
        self._values_changed()
        if self.ok_button.isEnabled():
            self.ok_button.setFocus()
        else:
            self.test_button.setFocus()  # where it was, not on whatever took it meanwhile

    @staticmethod
    def _restyle(widget: QWidget) -> None:
        widget.style().unpolish(widget)
        widget.style().polish(widget)

    def _accept(self) -> None:
        if not self.ok_button.isEnabled():
            return  # Enter in a field while the test has not passed
        try:
            if self.server_choice.isChecked():
                bootstrap.choose_server(self.server())
            else:
                bootstrap.choose_local_database()
        except StartupError as exc:  # the settings folder cannot be written, the disk is full
            self.problem.show_problem(explanation(exc))
            return
        self.accept()


class FirstAdminDialog(FittingDialog):
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
        _enter_never_cancels(self.buttons)
        self.form = Form(form_layout, self.ok_button, self._problems, self)
        self.form.add("name", tr("Name"), self.name, required=True)
        self.form.add("email", tr("E-mail"), self.email, required=True)
        self.form.add("password", tr("Password"), self.password, required=True)
        self.form.add("repeat", tr("Repeat password"), self.repeat, required=True)
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
        # The domain's e-mail and password rules, in its words: the service asks them again.
        email = self.email.text().strip()
        if not email:
            problems["email"] = tr("Type an e-mail address such as name@example.com.")
        elif (problem := email_problem(email)) is not None:
            problems["email"] = problem
        if (problem := password_problem(self.password.text(), email=email)) is not None:
            problems["password"] = problem
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


class SignInDialog(FittingDialog):
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
        _enter_never_cancels(self.buttons)
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


class StartupFailedDialog(FittingDialog):
    """The database could not be opened: what happened, what to do, and the ways out.

    ``choice`` is the way out the person took (Quit when the dialog is closed). "Show
    log folder" opens the folder and leaves the dialog open; "Reset saved settings…"
    asks first.
    """

    def __init__(
        self,
        error: BaseException,
        ways_out: Sequence[WayOut],
        *,
        log_folder: Path | None,
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self.setObjectName("startupFailed")
        self.choice = WayOut.QUIT
        self._log_folder = log_folder
        title, _text = describe(error)
        self.setWindowTitle(title)
        self.setMinimumWidth(520)
        layout = QVBoxLayout(self)
        layout.setSizeConstraint(QVBoxLayout.SizeConstraint.SetMinimumSize)
        heading = QHBoxLayout()
        icon = QLabel()
        size = self.style().pixelMetric(QStyle.PixelMetric.PM_MessageBoxIconSize)
        icon.setPixmap(
            self.style().standardIcon(QStyle.StandardPixmap.SP_MessageBoxWarning).pixmap(size)
        )
        icon.setAlignment(Qt.AlignmentFlag.AlignTop)
        heading.addWidget(icon)
        heading.addWidget(_title(title), 1)
        layout.addLayout(heading)

        if isinstance(error, BackOfficeError):
            message, fix = error.message, error.fix
        else:
            message, fix = _text, None
        self.message = self._paragraph(message, "failureMessage")
        layout.addWidget(self.message)
        self.fix = self._paragraph(fix or "", "failureFix")
        self.fix.setVisible(bool(fix))
        layout.addWidget(self.fix)
        self.note = self._paragraph("", "failureNote")
        self.note.setVisible(False)
        layout.addWidget(self.note)
        layout.addSpacing(8)

        self.buttons = QDialogButtonBox()
        self.way_buttons: dict[WayOut, QPushButton] = {}
        offered = [way for way in ways_out if way is not WayOut.QUIT]
        if log_folder is None:
            offered = [way for way in offered if way is not WayOut.LOG_FOLDER]
        for way in [*offered, WayOut.QUIT]:
            text, role, name = _way_button(way)
            button = self.buttons.addButton(text, role)
            button.setObjectName(name)
            button.setAutoDefault(False)
            self.way_buttons[way] = button
        first = self.way_buttons[offered[0] if offered else WayOut.QUIT]
        first.setDefault(True)
        first.setFocus()
        self.buttons.clicked.connect(self._clicked)
        layout.addWidget(self.buttons)

    @staticmethod
    def _paragraph(text: str, name: str) -> QLabel:
        label = QLabel(text)
        label.setObjectName(name)
        label.setWordWrap(True)
        label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        return label

    def _clicked(self, button: QAbstractButton) -> None:
        way = next(way for way, shown in self.way_buttons.items() if shown is button)
        if way is WayOut.LOG_FOLDER:
            self._open_log_folder()
        elif way is WayOut.RESET_SETTINGS:
            self._confirm_reset()
        elif way is WayOut.QUIT:
            self.reject()
        else:
            self.choice = way
            self.accept()

    def _open_log_folder(self) -> None:
        folder = self._log_folder
        if folder is None:
            return
        if QDesktopServices.openUrl(QUrl.fromLocalFile(str(folder))):
            self._say(tr("The log folder is open: {0}").format(folder))
        else:
            self._say(tr("The log folder could not be opened here; it is {0}").format(folder))

    def _say(self, text: str) -> None:
        self.note.setText(text)
        self.note.setVisible(True)

    def _confirm_reset(self) -> None:
        box = QMessageBox(
            QMessageBox.Icon.Question,
            tr("Reset saved settings"),
            tr(
                "Forget the saved connection settings and choose the database again? The "
                "old file is kept beside it (with .old at the end of its name)."
            ),
            QMessageBox.StandardButton.Cancel,
            self,
        )
        box.setObjectName("confirmReset")
        box.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        reset = box.addButton(tr("Reset"), QMessageBox.ButtonRole.DestructiveRole)
        box.setDefaultButton(QMessageBox.StandardButton.Cancel)

        def answered(_result: int) -> None:
            if box.clickedButton() is reset:
                self.choice = WayOut.RESET_SETTINGS
                self.accept()

        box.finished.connect(answered)
        box.open()

    def reject(self) -> None:
        """Closed, Escape or Quit: the person quits."""
        self.choice = WayOut.QUIT
        super().reject()


def _way_button(way: WayOut) -> tuple[str, QDialogButtonBox.ButtonRole, str]:
    """A way out's button: its text, its place (role) and its object name.

    The ways between "Try again" and "Quit" share one role, so they stay in the order
    the failure lists them, whatever the platform's button order.
    """
    role = QDialogButtonBox.ButtonRole
    return {
        WayOut.TRY_AGAIN: (tr("Try again"), role.AcceptRole, "tryAgain"),
        WayOut.CONNECTION_SETTINGS: (
            tr("Connection settings…"),
            role.ActionRole,
            "connectionSettings",
        ),
        WayOut.RESET_SETTINGS: (tr("Reset saved settings…"), role.ActionRole, "resetSettings"),
        WayOut.LOG_FOLDER: (tr("Show log folder"), role.ActionRole, "logFolder"),
        WayOut.QUIT: (tr("Quit"), role.RejectRole, "quit"),
    }[way]
