"""An open record and the other workstations: told when it changes, merged on a conflict,
checked after a lost connection.

- ``RecordWatch`` hears the database's change notices for one row, reads the row
  again in the background and says when its version moved past the editor's (so
  the editor's own save never sets it off), or when the row was deleted.
- ``RecordBar`` is the inline line under a form: a refusal, a notice
  ("Someone else changed this … just now") and its Reload and Compare buttons.
- ``OutcomeCheck`` answers "did the save that lost its connection land?": it
  waits for the database, reads, and says which.
- ``EditedRecord`` puts the three and the conflict dialog together for an editor
  of one versioned record.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Mapping, Sequence
from typing import Any

import shiboken6
from PySide6.QtCore import QCoreApplication, QObject, Qt, QTimer, Signal
from PySide6.QtWidgets import QDialog, QFrame, QHBoxLayout, QPushButton, QWidget

from desktop.domain.changes import Change
from desktop.domain.errors import DatabaseUnavailable, NotFound, StaleVersion
from desktop.ui.dialogs.conflict import ConflictDialog, Field, differing
from desktop.ui.errors import describe
from desktop.ui.live import LiveUpdates, connection, current_live
from desktop.ui.ops import ops
from desktop.ui.widgets.colors import ERROR_COLOR, OK_COLOR
from desktop.ui.widgets.forms import FieldMessage

log = logging.getLogger(__name__)

CHANGE_DELAY_MS = 100  # a save arrives as a burst (the row, its audit entry): read once
RETRY_MS = 2000  # while the database is still unreachable, ask again this often
# Quiet re-saves after a conflict that changed nothing the form shows (a password reset,
# a rating recount); after these the person sees the dialog even so.
QUIET_RESAVES = 2
NOTICE_COLOR = "#78350f"
NOTICE_STYLE = (
    "QFrame#{0} {{ background: #fef3c7; border: 1px solid #f59e0b; border-radius: 4px; }}"
)


def tr(text: str) -> str:
    return QCoreApplication.translate("RecordWatch", text)


class RecordWatch(QObject):
    """One record, as other workstations change it.

    ``fetch_current`` runs in a worker (the service's ``get``); ``current_version``
    is the version the editor holds now. A change whose row carries another
    version is told once through ``changed_elsewhere``; a row that is gone
    (``NotFound``) through ``deleted_elsewhere``. While ``hold()`` is on (the
    editor is saving), changes wait: the editor's own save is never news.
    """

    changed_elsewhere = Signal(object)  # the row as it is now
    deleted_elsewhere = Signal()

    def __init__(
        self,
        live: LiveUpdates | None,
        table: str,
        record_id: int,
        fetch_current: Callable[[], Any],
        current_version: Callable[[], str | None],
        *,
        parent: QObject | None = None,
    ) -> None:
        super().__init__(parent)
        self.table = table
        self.record_id = record_id
        self._fetch = fetch_current
        self._version = current_version
        self._held = False
        self._missed = False  # a change came while held
        self._fetching = False
        self._again = False  # a change came while reading
        self._told: str | None = None
        self.gone = False
        self._timer = QTimer(self)
        self._timer.setSingleShot(True)
        self._timer.setInterval(CHANGE_DELAY_MS)
        self._timer.timeout.connect(self.check)
        self._live = live
        self._stopped = live is None
        if live is not None:
            # Bound methods: Qt disconnects them when the watch (its dialog) is deleted.
            live.changed.connect(self._on_change)
            live.reconnected.connect(self.check)  # notices sent while away are lost
        if isinstance(parent, QDialog):
            parent.finished.connect(lambda _result: self.stop())

    def stop(self) -> None:
        """No longer watched (its dialog closed): nothing more is read."""
        if self._stopped:
            return
        self._stopped = True
        self._timer.stop()
        live = self._live
        if live is not None and shiboken6.isValid(live):
            live.changed.disconnect(self._on_change)
            live.reconnected.disconnect(self.check)

    def _on_change(self, change: Change) -> None:
        if change.table != self.table or self.gone or self._stopped:
            return
        if change.bulk is None and (change.id != self.record_id or change.op == "INSERT"):
            return  # another row, or the commit that created this one (old news)
        if self._held:
            self._missed = True
            return
        self._timer.start()

    def hold(self) -> None:
        """The editor is saving: its own change is not news."""
        self._held = True

    def release(self) -> None:
        """Saving is over: look again if anything came meanwhile."""
        self._held = False
        if self._missed and not self._stopped:
            self._missed = False
            self._timer.start()

    def saving(self, busy: bool) -> None:
        """Around the editor's save: held while it runs, released when it is over."""
        if busy:
            self.hold()
        else:
            self.release()

    def check(self) -> None:
        """Read the record now and compare its version."""
        if self.gone or self._stopped:
            return
        if self._held:
            self._missed = True
            return
        if self._fetching:
            self._again = True
            return
        self._fetching = True
        ops().run(self._fetch, self._fetched, self._failed, owner=self)

    def _fetched(self, row: Any) -> None:
        self._fetching = False
        if self._again:
            self._again = False
            self._timer.start()
        if self._stopped:
            return
        if self._held:  # a save began meanwhile: this may be it; look once it is over
            self._missed = True
            return
        version = getattr(row, "version", None)
        if version is None or version in (self._version(), self._told):
            return
        self._told = version
        self.changed_elsewhere.emit(row)

    def _failed(self, exc: BaseException) -> None:
        self._fetching = False
        if isinstance(exc, NotFound):
            self.gone = True
            self.deleted_elsewhere.emit()
            return
        # Unreachable: ``reconnected`` brings a fresh look when it is back.
        log.info("Could not read %s %s again: %s", self.table, self.record_id, exc)
        if self._again:
            self._again = False
            self._timer.start()


class RecordBar(QFrame):
    """What happened to the save or the record, inline; Reload and Compare when they help."""

    reload_requested = Signal()
    compare_requested = Signal()

    def __init__(
        self,
        parent: QWidget | None = None,
        *,
        message_name: str = "recordMessage",
        reload_name: str = "reloadRecord",
        compare_name: str = "compareRecord",
        reload_text: str | None = None,
        reload_tip: str | None = None,
    ) -> None:
        super().__init__(parent)
        self.setObjectName("recordBar")
        self._layout = QHBoxLayout(self)
        self._layout.setContentsMargins(0, 0, 0, 0)
        self._layout.setSpacing(8)
        self.message = FieldMessage()
        self.message.setObjectName(message_name)
        self._layout.addWidget(self.message, 1)
        self.reload_button = QPushButton(reload_text or tr("&Reload"))
        self.reload_button.setObjectName(reload_name)
        self.reload_button.setToolTip(
            reload_tip or tr("Show it as saved now (what you typed here is replaced)")
        )
        self.compare_button = QPushButton(tr("Com&pare…"))
        self.compare_button.setObjectName(compare_name)
        self.compare_button.setToolTip(
            tr("Their version and yours side by side: choose what to keep, field by field")
        )
        for button in (self.reload_button, self.compare_button):
            button.setAutoDefault(False)
            button.setVisible(False)
            self._layout.addWidget(button, 0, Qt.AlignmentFlag.AlignTop)
        self.reload_button.clicked.connect(self.reload_requested.emit)
        self.compare_button.clicked.connect(self.compare_requested.emit)
        self.notice = False

    def _paint(self, color: str, *, notice: bool) -> None:
        self.notice = notice
        self.message.setStyleSheet(f"color: {color};")
        if notice:
            self.setStyleSheet(NOTICE_STYLE.format(self.objectName()))
            self._layout.setContentsMargins(10, 6, 6, 6)
        else:
            self.setStyleSheet("")
            self._layout.setContentsMargins(0, 0, 0, 0)

    def show_problem(
        self,
        text: str | None,
        *,
        reload: bool = False,
        compare: bool = False,
        error: bool = True,
    ) -> None:
        """A refusal (red) or a plain outcome (green), in the line under the form."""
        self.message.show_problem(text)
        self._paint(ERROR_COLOR if error else OK_COLOR, notice=False)
        self.reload_button.setVisible(reload)
        self.compare_button.setVisible(compare)

    def show_notice(self, text: str, *, reload: bool = False, compare: bool = False) -> None:
        """News about the record itself (changed or deleted elsewhere, a save being checked)."""
        self.message.show_problem(text)
        self._paint(NOTICE_COLOR, notice=True)
        self.reload_button.setVisible(reload)
        self.compare_button.setVisible(compare)

    def clear(self) -> None:
        self.show_problem(None)

    def text(self) -> str:
        return "" if self.message.isHidden() else self.message.text()


class OutcomeCheck(QObject):
    """Whether a save whose connection died landed: wait for the database, read, say which.

    ``fetch`` runs in a worker once the connection is back (at once when nothing says
    it is down, and every few seconds while it stays unreachable); ``matches`` tells,
    from what it read, whether the save is in the database.
    """

    landed = Signal(object)  # what the database holds: the save is in it
    not_landed = Signal(object)  # what the database holds (or None): it is not
    failed = Signal(object)  # another answer (the record is gone, permission)

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._fetch: Callable[[], Any] | None = None
        self._matches: Callable[[Any], bool] = bool
        self._running = False
        self.active = False
        self._timer = QTimer(self)
        self._timer.setSingleShot(True)
        self._timer.setInterval(RETRY_MS)
        self._timer.timeout.connect(self._try)
        connection().online_changed.connect(self._online_changed)
        if isinstance(parent, QDialog):
            parent.finished.connect(lambda _result: self.cancel())

    def start(self, fetch: Callable[[], Any], matches: Callable[[Any], bool]) -> None:
        self._fetch, self._matches = fetch, matches
        self.active = True
        self._try()

    def cancel(self) -> None:
        self.active = False
        self._timer.stop()

    def _online_changed(self, online: bool) -> None:
        if online:
            self._try()

    def _try(self) -> None:
        if not self.active or self._running or self._fetch is None:
            return
        if not connection().online:
            return  # online_changed brings us back
        self._running = True
        ops().run(self._fetch, self._answer, self._no_answer, owner=self)

    def _answer(self, row: Any) -> None:
        self._running = False
        if not self.active:
            return
        self.cancel()
        if self._matches(row):
            self.landed.emit(row)
        else:
            self.not_landed.emit(row)

    def _no_answer(self, exc: BaseException) -> None:
        self._running = False
        if not self.active:
            return
        if isinstance(exc, DatabaseUnavailable):
            self._timer.start()
            return
        self.cancel()
        self.failed.emit(exc)


class EditedRecord(QObject):
    """The versioned record an editor holds, kept honest against other workstations.

    The editor gives its fields and four small functions: ``row_values(row)`` and
    ``form_values()`` (comparable values by field key, cleaned as the service cleans
    them), ``fill(values)`` (put values into the form) and ``adopt(row)`` (take a row
    as the one the form's edits are over: its version, the titles). Then:

    - a change elsewhere shows a notice with Reload and Compare (nothing typed is
      replaced until the person clicks);
    - a save refused as stale opens the conflict dialog; its merge is saved over
      the version saved now, so a further conflict opens it again;
    - a save whose connection died is checked once the database answers.
    """

    state_changed = Signal()  # saving became possible or impossible: revalidate
    reloaded = Signal(object)  # the form shows this row now (after Reload)
    saved_after_loss = Signal(object)  # a save whose connection died did land

    def __init__(
        self,
        owner: QWidget,
        *,
        table: str,
        noun: str,
        fields: Sequence[Field],
        bar: RecordBar,
        fetch: Callable[[int], Any],
        row_values: Callable[[Any], Mapping[str, Any]],
        form_values: Callable[[], Mapping[str, Any]],
        fill: Callable[[Mapping[str, Any]], None],
        adopt: Callable[[Any], None],
        row: Any | None,
        connect_bar: bool = True,
    ) -> None:
        super().__init__(owner)
        self.owner = owner
        self.table = table
        self.noun = noun
        self.fields = list(fields)
        self.bar = bar
        self._fetch = fetch
        self._row_values = row_values
        self._form_values = form_values
        self._fill = fill
        self._adopt = adopt
        self.row = row
        self.gone = False
        self.can_compare = True  # False for a read-only view: only Reload makes sense
        self.pending: Any | None = None  # a newer version, told but not reloaded
        self.dialog: ConflictDialog | None = None
        self.watch: RecordWatch | None = None
        self._attempted: dict[str, Any] | None = None
        self._generation = 0  # a reload or a new save makes older answers moot
        self._quiet_resaves = 0
        self.check = OutcomeCheck(self)
        self.check.landed.connect(self._landed)
        self.check.not_landed.connect(self._not_landed)
        self.check.failed.connect(self._check_failed)
        if isinstance(owner, QDialog):
            owner.finished.connect(lambda _result: self._closed())
        if connect_bar:  # else the editor routes Reload and Compare itself
            bar.reload_requested.connect(self.reload)
            bar.compare_requested.connect(self.compare)

    def _closed(self) -> None:
        """The editor closed: nothing more to watch or check."""
        if self.watch is not None:
            self.watch.stop()
        self.check.cancel()
        self._close_dialog()

    # -- values ------------------------------------------------------------------------

    def values(self, row: Any) -> dict[str, Any]:
        return dict(self._row_values(row))

    def chosen_values(self, values: Mapping[str, Any]) -> dict[str, Any]:
        """Only what the form edits (not the context fields)."""
        return {f.key: values.get(f.key) for f in self.fields if f.choosable}

    def changed_labels(self, row: Any) -> list[str]:
        if self.row is None:
            return []
        keys = differing(self.fields, self.values(self.row), self.values(row))
        return [f.label.replace("&", "") for f in self.fields if f.key in keys]

    # -- watching ----------------------------------------------------------------------

    def start_watching(self, live: LiveUpdates | None = None) -> None:
        """Listen for other workstations' saves of this record (when the window listens)."""
        if self.row is None or self.watch is not None:
            return
        live = live or current_live(self.owner)
        if live is None:
            return
        record_id = self.row.id
        fetch = self._fetch
        self.watch = RecordWatch(
            live,
            self.table,
            record_id,
            lambda: fetch(record_id),
            lambda: self.row.version if self.row is not None else None,
            parent=self,
        )
        self.watch.changed_elsewhere.connect(self._changed_elsewhere)
        self.watch.deleted_elsewhere.connect(self.mark_gone)

    def _changed_elsewhere(self, row: Any) -> None:
        if self.row is None or self.gone:
            return
        changed = self.changed_labels(row)
        if not changed:
            # A new version with nothing the form shows (a password reset, a rating
            # recount): take it quietly, so the next save is not refused for it.
            self.row = row
            self._adopt(row)
            return
        self.pending = row
        self.bar.show_notice(
            tr("Someone else changed this {0} just now ({1}).").format(
                self.noun, ", ".join(changed)
            ),
            reload=True,
            compare=self.can_compare,
        )

    def mark_gone(self) -> None:
        """The record was deleted: say so; Save stays off."""
        self.gone = True
        self.pending = None
        self._close_dialog()
        self.bar.show_notice(
            tr(
                "Someone else deleted this {0} just now, so it can no longer be saved. "
                "Close this window; what you typed is still here to copy."
            ).format(self.noun)
        )
        self.state_changed.emit()

    def problems(self) -> dict[str, str]:
        """What keeps Save off (the editor's form adds these to its own problems)."""
        if self.gone:
            return {"record": tr("This {0} was deleted.").format(self.noun)}
        if self.check.active:
            return {"record": tr("Checking whether the last save landed.")}
        return {}

    # -- saving ------------------------------------------------------------------------

    def saving(self, busy: bool) -> None:
        """Around each save: the values tried are kept, and the watch waits."""
        if busy:
            self._generation += 1
            self._close_dialog()
            self._attempted = self.chosen_values(self._form_values())
            if self.watch is not None:
                self.watch.hold()
        elif self.watch is not None:
            self.watch.release()

    def saved(self, row: Any) -> None:
        """A save went through: this is the version the form holds now."""
        self.row = row
        self.pending = None
        self._quiet_resaves = 0

    def refused(self, exc: BaseException, resave: Callable[[], None]) -> bool:
        """A save was refused: handle what concerns the record; False for anything else."""
        if self.row is None:
            return False
        if isinstance(exc, StaleVersion):
            self.conflict(resave)
            return True
        if isinstance(exc, NotFound):
            self.mark_gone()
            return True
        if isinstance(exc, DatabaseUnavailable):
            self.check_outcome()
            return True
        return False

    # -- conflicts ---------------------------------------------------------------------

    def conflict(self, resave: Callable[[], None]) -> None:
        """A save hit someone else's newer version: read it, and let the person choose."""
        generation = self._generation
        self.bar.show_problem(
            tr(
                "Someone else changed this {0} while you were editing it, so nothing was "
                "saved. Looking at what they changed…"
            ).format(self.noun)
        )

        def got(current: Any) -> None:
            if generation != self._generation:
                return
            if not self.changed_labels(current) and self._quiet_resaves < QUIET_RESAVES:
                self._quiet_resaves += 1
                self.row = current
                self._adopt(current)
                self.bar.clear()
                resave()
                return
            self.pending = current
            self.bar.show_problem(
                tr(
                    "Someone else changed this {0} while you were editing it, so nothing was "
                    "saved. Choose what to keep in the window that opened, or reload their "
                    "version (what you typed here is replaced)."
                ).format(self.noun),
                reload=True,
                compare=True,
            )
            self._open_dialog(current, saving=True, resave=resave)

        self._read(got, generation)

    def compare(self) -> None:
        """Their version and the form side by side; the choices go into the form."""
        generation = self._generation
        if self.pending is not None:
            self._open_dialog(self.pending, saving=False, resave=None)
            return
        self._read(lambda row: self._open_dialog(row, saving=False, resave=None), generation)

    def _open_dialog(
        self, current: Any, *, saving: bool, resave: Callable[[], None] | None
    ) -> None:
        if self.row is None:
            return
        self._close_dialog()
        dialog = ConflictDialog(
            self.fields,
            mine=self._form_values(),
            theirs=self.values(current),
            original=self.values(self.row),
            noun=self.noun,
            saving=saving,
            parent=self.owner,
        )
        dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)

        def resolved(merged: dict[str, Any]) -> None:
            self.dialog = None
            self._quiet_resaves = 0
            self.row = current
            self.pending = None
            self._fill(self.chosen_values(merged))
            self._adopt(current)
            if resave is not None:
                self.bar.clear()
                resave()  # over the version saved now: checked against it again
            else:
                self.bar.show_problem(
                    tr(
                        "Their version is taken into the form with the values you chose. "
                        "Save to keep them."
                    ),
                    error=False,
                )

        dialog.resolved.connect(resolved)
        dialog.rejected.connect(self._dialog_cancelled)
        self.dialog = dialog
        dialog.open()

    def _dialog_cancelled(self) -> None:
        self.dialog = None

    def _close_dialog(self) -> None:
        dialog, self.dialog = self.dialog, None
        if dialog is not None and shiboken6.isValid(dialog):
            dialog.rejected.disconnect(self._dialog_cancelled)
            dialog.close()

    # -- reloading ---------------------------------------------------------------------

    def reload(self) -> None:
        """Show the record as saved now; what was typed gives way (the person asked)."""
        self._generation += 1
        self._close_dialog()
        if self.pending is not None:
            self._show(self.pending)
            return
        self.bar.reload_button.setEnabled(False)
        self._read(self._show, self._generation)

    def _show(self, row: Any) -> None:
        self.bar.reload_button.setEnabled(True)
        self.row = row
        self.pending = None
        self._quiet_resaves = 0
        self._fill(self.chosen_values(self.values(row)))
        self._adopt(row)
        self.bar.clear()
        self.reloaded.emit(row)

    def _read(self, done: Callable[[Any], None], generation: int) -> None:
        if self.row is None:
            return
        record_id, fetch = self.row.id, self._fetch

        def answer(row: Any) -> None:
            if generation == self._generation:
                done(row)

        def failed(exc: BaseException) -> None:
            self.bar.reload_button.setEnabled(True)
            if generation != self._generation:
                return
            if isinstance(exc, NotFound):
                self.mark_gone()
                return
            self.bar.show_problem(describe(exc)[1], reload=True)

        ops().run(lambda: fetch(record_id), answer, failed, owner=self)

    # -- a save whose connection died ----------------------------------------------------

    def check_outcome(self) -> None:
        """Once the database answers: does the record hold what the person tried to save?"""
        if self.row is None or self._attempted is None:
            return
        attempted = self._attempted
        record_id, fetch = self.row.id, self._fetch
        if self.watch is not None:
            self.watch.hold()
        self.bar.show_notice(
            tr(
                "The connection was lost while saving; checking whether your changes were "
                "saved… What you typed is kept."
            )
        )
        self.check.start(
            lambda: fetch(record_id),
            lambda row: self.chosen_values(self.values(row)) == attempted,
        )
        self.state_changed.emit()

    def _landed(self, row: Any) -> None:
        if self.watch is not None:
            self.watch.release()
        self.saved(row)
        self._adopt(row)
        self.bar.show_problem(
            tr("It was saved: the {0} holds your changes.").format(self.noun), error=False
        )
        self.state_changed.emit()
        self.saved_after_loss.emit(row)

    def _not_landed(self, _row: Any) -> None:
        if self.watch is not None:
            self.watch.release()
        self.bar.show_problem(
            tr("It was not saved. What you typed is still here: press Save again.")
        )
        self.state_changed.emit()

    def _check_failed(self, exc: BaseException) -> None:
        if self.watch is not None:
            self.watch.release()
        if isinstance(exc, NotFound):
            self.mark_gone()
            return
        self.bar.show_problem(describe(exc)[1])
        self.state_changed.emit()
