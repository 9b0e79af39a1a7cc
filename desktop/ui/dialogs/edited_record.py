"""The versioned record an editor holds, kept honest against other workstations.

It puts together the record's watch, the line under the form, the check after a
lost connection and the conflict dialog, for an editor of one versioned record.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from typing import Any

import shiboken6
from PySide6.QtCore import QCoreApplication, QObject, Qt, Signal
from PySide6.QtWidgets import QDialog, QWidget

from desktop.domain.errors import DatabaseUnavailable, NotFound, StaleVersion
from desktop.ui.dialogs.conflict import ConflictDialog
from desktop.ui.errors import describe
from desktop.ui.live import LiveUpdates, current_live
from desktop.ui.ops import ops
from desktop.ui.record_fields import Field, differing
from desktop.ui.widgets.record_bar import RecordBar
from desktop.ui.widgets.record_watch import OutcomeCheck, RecordWatch

# Quiet re-saves after a conflict that changed nothing the form shows (a password reset,
# a rating recount); after these the person sees the dialog even so.
QUIET_RESAVES = 2


def tr(text: str) -> str:
    return QCoreApplication.translate("EditedRecord", text)


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
