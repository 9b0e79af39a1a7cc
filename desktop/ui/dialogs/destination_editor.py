"""The destination editor: every field, features as tags, images with thumbnails.

Roles that may not manage destinations get the same dialog read-only. Local
checks mirror the services' rules so Save only lights up for a form the
service will take; whatever the service still refuses lands under its field,
and nothing typed is lost.
"""

from __future__ import annotations

import itertools
import logging
from collections.abc import Callable, Mapping
from decimal import Decimal, InvalidOperation
from typing import Any

import shiboken6
from PySide6.QtCore import QCoreApplication, QLocale, QRegularExpression, Qt, QTimer, Signal
from PySide6.QtGui import QRegularExpressionValidator
from PySide6.QtWidgets import (
    QCheckBox,
    QCompleter,
    QFormLayout,
    QFrame,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPlainTextEdit,
    QScrollArea,
    QSizePolicy,
    QSpinBox,
    QVBoxLayout,
    QWidget,
)

from desktop.domain.changes import Change
from desktop.domain.permissions import Permission
from desktop.domain.records import DestinationRow
from desktop.domain.validation import CITY_MAX, COUNTRY_MAX, NAME_MAX, PRICE_MAX, TEXT_MAX
from desktop.services.destinations import MAX_DURATION_DAYS, MAX_GUESTS, DestinationDraft
from desktop.ui.dialogs.record_editor import RecordEditor
from desktop.ui.formats import days_text, format_money, long_datetime
from desktop.ui.live import current_live
from desktop.ui.ops import run_op
from desktop.ui.record_fields import (
    Field,
    show_images,
    show_list,
    show_money,
    show_text,
    show_yes_no,
)
from desktop.ui.session import Session
from desktop.ui.widgets.count_box import CountBox
from desktop.ui.widgets.forms import FieldRow, set_buddy
from desktop.ui.widgets.images import ImageListEditor
from desktop.ui.widgets.labels import note_label, title_label
from desktop.ui.widgets.tags import TagEditor

log = logging.getLogger(__name__)

MAX_LIST_ENTRIES = 50  # features and images each (the services' limit)
RATING_DELAY_MS = 100  # a review comes as a burst (the review, the rating, the audit entry)
CENTS = Decimal("0.01")
# An amount as typed: digits, then at most two decimals after a point or a comma.
AMOUNT_PATTERN = r"^\s*\d{0,8}([.,]\d{0,2})?\s*$"


def tr(text: str) -> str:
    return QCoreApplication.translate("DestinationEditor", text)


def parse_amount(text: str) -> Decimal | None:
    """``"1250"``, ``"1250.5"``, ``"1250,50"``; None when nothing (or no number) is typed."""
    cleaned = text.strip().replace(",", ".")
    if not cleaned or cleaned == ".":
        return None
    try:
        return Decimal(cleaned)
    except InvalidOperation:
        return None


def amount_validator(parent: QWidget) -> QRegularExpressionValidator:
    return QRegularExpressionValidator(QRegularExpression(AMOUNT_PATTERN), parent)


def _too_long(label: str, length: int, limit: int) -> str:
    return tr("{0} is {1} characters long; at most {2} fit. Shorten it.").format(
        label, QLocale().toString(length), QLocale().toString(limit)
    )


def rating_summary(row: DestinationRow) -> str:
    """ "Rated 4.33 ★ from 3 reviews" or "No reviews yet"."""
    if not row.review_count:
        return tr("No reviews yet")
    rating = QLocale().toString(float(row.rating), "f", 2)
    if row.review_count == 1:
        return tr("Rated {0} ★ from 1 review").format(rating)
    return tr("Rated {0} ★ from {1} reviews").format(rating, QLocale().toString(row.review_count))


def destination_fields() -> list[Field]:
    """The editor's fields as the conflict dialog shows them."""
    return [
        Field("name", tr("Name")),
        Field("description", tr("Description")),
        Field("country", tr("Country")),
        Field("city", tr("City")),
        Field("price", tr("Price per person"), show_money),
        Field("duration", tr("Duration"), days_text),
        Field("max_guests", tr("Maximum guests"), show_text),
        Field("active", tr("Open for booking"), show_yes_no),
        Field("features", tr("Features"), show_list),
        Field("images", tr("Images"), show_images),
    ]


def _unique(items: tuple[str, ...] | list[str]) -> tuple[str, ...]:
    """Trimmed, non-empty, first of each: as the service keeps a list."""
    return tuple(dict.fromkeys(item.strip() for item in items if item.strip()))


def destination_values(row: DestinationRow) -> dict[str, object]:
    return {
        "name": row.name,
        "description": row.description,
        "country": row.country,
        "city": row.city,
        "price": row.price.quantize(CENTS),
        "duration": row.duration,
        "max_guests": row.max_guests,
        "active": row.active,
        "features": tuple(row.features),
        "images": tuple(row.images),
    }


class PriceField(QWidget):
    """The amount and its currency; ``changed`` lets the form watch it."""

    changed = Signal()

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.edit = QLineEdit()
        self.edit.setObjectName("price")
        self.edit.setValidator(amount_validator(self.edit))
        self.edit.setPlaceholderText(tr("e.g. 1250.00"))
        self.edit.setMaximumWidth(180)
        self.edit.textChanged.connect(lambda _text: self.changed.emit())
        layout = QHBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.edit)
        layout.addWidget(QLabel(tr("US dollars per person")))
        layout.addStretch(1)

    def setFocus(self, reason: Qt.FocusReason = Qt.FocusReason.OtherFocusReason) -> None:
        """Focus goes to the amount (no focus proxy: a proxy would pull Tab out of order)."""
        self.edit.setFocus(reason)


class DestinationEditor(RecordEditor[DestinationRow]):
    """Create or edit one destination (or look at it, for roles that cannot manage)."""

    def __init__(
        self, session: Session, destination: DestinationRow | None, parent: QWidget | None = None
    ) -> None:
        super().__init__(
            session, destination, parent, can_edit=session.can(Permission.MANAGE_DESTINATIONS)
        )
        self.setObjectName("destinationEditor")
        self.setMinimumWidth(640)
        screen = self.screen()
        room = screen.availableGeometry().height() - 80 if screen is not None else 860
        self.resize(720, max(480, min(860, room)))  # the form scrolls on small screens

        layout = QVBoxLayout(self)
        layout.setSpacing(8)
        self.heading = title_label("")
        layout.addWidget(self.heading)
        self.summary = QLabel()
        self.summary.setObjectName("destinationSummary")
        self.summary.setWordWrap(True)
        layout.addWidget(self.summary)

        body = QWidget()
        form_layout = QFormLayout(body)
        form_layout.setFieldGrowthPolicy(QFormLayout.FieldGrowthPolicy.AllNonFixedFieldsGrow)
        form_layout.setLabelAlignment(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignTop)
        form_layout.setContentsMargins(0, 0, 8, 0)
        scroll = QScrollArea()
        scroll.setObjectName("destinationForm")
        scroll.setWidgetResizable(True)
        scroll.setFrameShape(QFrame.Shape.NoFrame)
        scroll.setFocusPolicy(Qt.FocusPolicy.NoFocus)  # Tab goes to the fields, not the pane
        scroll.setWidget(body)
        layout.addWidget(scroll, 1)

        self.name = QLineEdit()
        self.name.setObjectName("name")
        self.name.setPlaceholderText(tr("e.g. Lagoon Villas"))
        self.description = QPlainTextEdit()
        self.description.setObjectName("description")
        self.description.setPlaceholderText(tr("What makes this trip special: a few sentences."))
        self.description.setTabChangesFocus(True)
        self.description.setFixedHeight(self.fontMetrics().lineSpacing() * 5 + 14)
        self.description.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Fixed)
        self.country = QLineEdit()
        self.country.setObjectName("country")
        self.country.setMaxLength(COUNTRY_MAX * 2)  # longer is refused inline, not cut off
        self.city = QLineEdit()
        self.city.setObjectName("city")
        self.city.setMaxLength(CITY_MAX * 2)
        self.price_field = PriceField()
        self.price = self.price_field.edit
        # Any number may be typed (0, -3, 400): the form says what is wrong, Save waits.
        self.duration = CountBox(limit=MAX_DURATION_DAYS)
        self.duration.setObjectName("duration")
        self.duration.setValue(7)
        self.duration.setMinimumWidth(80)
        self.duration.setAlignment(Qt.AlignmentFlag.AlignRight)
        self.duration_note = note_label("durationNote")
        self.duration_note.setText(
            tr("days ({0} at most)").format(QLocale().toString(MAX_DURATION_DAYS))
        )
        self.duration_row = FieldRow(self.duration, self.duration_note)
        self.max_guests = CountBox(limit=MAX_GUESTS)
        self.max_guests.setObjectName("maxGuests")
        self.max_guests.setValue(2)
        self.max_guests.setMinimumWidth(80)
        self.max_guests.setAlignment(Qt.AlignmentFlag.AlignRight)
        self.max_guests_note = note_label("maxGuestsNote")
        self.max_guests_note.setText(
            tr("guests ({0} at most)").format(QLocale().toString(MAX_GUESTS))
        )
        self.max_guests_row = FieldRow(self.max_guests, self.max_guests_note)
        self.active = QCheckBox(tr("Open for booking"))
        self.active.setObjectName("active")
        self.active.setChecked(True)
        self.features = TagEditor(placeholder=tr("Type a feature and press Enter"))
        self.features.setObjectName("features")
        self.images = ImageListEditor(session)
        self.images.setObjectName("images")

        self._add_buttons("saveDestination")
        self._watch_record(
            form_layout,
            name="Destination",
            table="destinations",
            noun=tr("destination"),
            fields=destination_fields(),
            fetch=lambda ident: session.office.destinations.get(session.actor, ident),
            row_values=destination_values,
        )
        # Marked required from the start, whether the form opens empty or filled in.
        self.form.add("name", tr("&Name"), self.name, required=True)
        self.form.add("description", tr("&Description"), self.description, required=True)
        self.form.add("country", tr("C&ountry"), self.country, required=True)
        self.form.add("city", tr("C&ity"), self.city, required=True)
        self.form.add("price", tr("&Price"), self.price_field, required=True)
        self.form.add("duration", tr("D&uration"), self.duration_row)
        set_buddy(form_layout, self.duration_row, self.duration)
        self.form.add("max_guests", tr("&Maximum guests"), self.max_guests_row)
        set_buddy(form_layout, self.max_guests_row, self.max_guests)
        form_layout.addRow("", self.active)
        self.form.add("features", tr("&Features"), self.features, required=False)
        self.form.add("images", tr("Ima&ges"), self.images, required=False)

        layout.addWidget(self.bar)
        layout.addWidget(self.buttons)
        self.save_button.setDefault(True)  # once in the dialog: Enter saves

        chain: list[QWidget] = [
            self.name,
            self.description,
            self.country,
            self.city,
            self.price,
            self.duration,
            self.max_guests,
            self.active,
            self.features.input,
            *self.images.tab_chain(),
            self.reload_button,
            self.compare_button,
            self.save_button,
            self.close_button,
        ]
        for first, second in itertools.pairwise(chain):
            QWidget.setTabOrder(first, second)

        self._show_record(self.name)
        if self.can_edit:
            self._load_countries()
        self._follow_rating()

    @property
    def destination(self) -> DestinationRow | None:
        """The destination as last saved or read (None until a new one is saved)."""
        return self.row

    # -- the form ------------------------------------------------------------------

    def _show_titles(self) -> None:
        row = self.destination
        if row is None:
            self.setWindowTitle(tr("New destination"))
            self.heading.setText(tr("New destination"))
            self.summary.setText(
                tr("Customers see the name, description and pictures; the price is per person.")
            )
            return
        if self.can_edit:
            self.setWindowTitle(tr("Edit destination — {0}").format(row.name))
        else:
            self.setWindowTitle(tr("Destination — {0}").format(row.name))
        self.heading.setText(row.name)
        parts = [
            tr("{0}, {1}").format(row.city, row.country),
            rating_summary(row),
        ]
        if not row.active:
            parts.append(tr("not open for booking"))
        if row.updated_at is not None:
            parts.append(tr("last changed {0}").format(long_datetime(row.updated_at)))
        self.summary.setText(" · ".join(parts))

    def _fill_values(self, values: Mapping[str, Any]) -> None:
        """Put values into the form (a row's, or a merge chosen in the conflict dialog)."""
        self.name.setText(values["name"])
        self.description.setPlainText(values["description"])
        self.country.setText(values["country"])
        self.city.setText(values["city"])
        price = values["price"]
        self.price.setText(f"{price:.2f}" if isinstance(price, Decimal) else "")
        self.duration.setValue(values["duration"])  # as saved: a value out of range is said
        self.max_guests.setValue(values["max_guests"])
        self.active.setChecked(bool(values["active"]))
        self.features.set_tags(list(values["features"]))
        self.images.set_images(list(values["images"]))

    def form_values(self) -> dict[str, Any]:
        """The form as the service would store it, to compare with saved versions."""
        price = parse_amount(self.price.text())
        return {
            "name": self.name.text().strip(),
            "description": self.description.toPlainText().strip(),
            "country": self.country.text().strip(),
            "city": self.city.text().strip(),
            "price": price.quantize(CENTS) if price is not None and price.is_finite() else None,
            "duration": self.duration.value(),
            "max_guests": self.max_guests.value(),
            "active": self.active.isChecked(),
            "features": _unique(self.features.tags()),
            "images": _unique(self.images.images()),
        }

    def _adopt(self, row: DestinationRow) -> None:
        super()._adopt(row)
        if not self.can_edit:
            self.summary.setText(
                self.summary.text() + "\n" + tr("Only moderators and administrators change it.")
            )

    def _make_read_only(self) -> None:
        for edit in (self.name, self.country, self.city, self.price):
            edit.setReadOnly(True)
        self.description.setReadOnly(True)
        for spin in (self.duration, self.max_guests):
            spin.setReadOnly(True)
            spin.setButtonSymbols(QSpinBox.ButtonSymbols.NoButtons)
        self.active.setEnabled(False)
        self.features.set_read_only(True)
        self.images.set_read_only(True)
        super()._make_read_only()
        if self.destination is not None:
            self.summary.setText(
                self.summary.text() + "\n" + tr("Only moderators and administrators change it.")
            )

    # -- the rating, which the database keeps -------------------------------------

    def _follow_rating(self) -> None:
        """Show the rating as reviews come and go (on any workstation).

        The database's trigger rewrites the rating whenever a review is recorded or
        deleted. It is no edit of anyone's (the version leaves it out, so the record's
        watch stays quiet), yet the summary must not show a stale average.
        """
        live = current_live(self)
        if live is None or self.row is None:
            return
        self._rating_timer = QTimer(self)
        self._rating_timer.setSingleShot(True)
        self._rating_timer.setInterval(RATING_DELAY_MS)
        self._rating_timer.timeout.connect(self._read_rating)
        # Bound methods: Qt disconnects them when the editor is deleted.
        live.changed.connect(self._rating_may_have_changed)
        live.reconnected.connect(self._rating_timer.start)

    def _rating_may_have_changed(self, change: Change) -> None:
        row = self.row
        if row is None or change.table != "destinations":
            return
        if change.bulk is not None or (change.id == row.id and change.op == "UPDATE"):
            self._rating_timer.start()

    def _read_rating(self) -> None:
        row = self.row
        if row is None:
            return
        office, actor, ident = self.session.office, self.session.actor, row.id
        run_op(
            lambda: office.destinations.get(actor, ident),
            self._rating_read,
            parent=self,
            on_failed=lambda exc: log.info("Could not read the rating again: %s", exc),
        )

    def _rating_read(self, fresh: DestinationRow) -> None:
        current = self.row
        if current is None or fresh.id != current.id or fresh.version != current.version:
            return  # someone's edit: the record's watch tells of it, with Reload
        if (fresh.rating, fresh.review_count) == (current.rating, current.review_count):
            return
        self.record.row = fresh  # the same version: nothing the form edits has changed
        self._adopt(fresh)

    def _load_countries(self) -> None:
        office, actor = self.session.office, self.session.actor

        def fill(countries: list[str]) -> None:
            if not shiboken6.isValid(self):
                return
            completer = QCompleter(countries, self.country)
            completer.setCaseSensitivity(Qt.CaseSensitivity.CaseInsensitive)
            completer.setFilterMode(Qt.MatchFlag.MatchContains)
            self.country.setCompleter(completer)

        # No completion is no loss: failures stay quiet (the save would report a lost connection).
        run_op(
            lambda: office.destinations.countries(actor),
            fill,
            on_failed=lambda exc: log.info("No country list: %s", exc),
        )

    def _problems(self) -> Mapping[str, str]:
        problems: dict[str, str] = self.record.problems()

        def text(name: str, value: str, label: str, limit: int, missing: str) -> None:
            value = value.strip()
            if not value:
                problems[name] = missing
            elif len(value) > limit:
                problems[name] = _too_long(label, len(value), limit)

        text("name", self.name.text(), tr("The name"), NAME_MAX, tr("Type the destination's name."))
        text(
            "description",
            self.description.toPlainText(),
            tr("The description"),
            TEXT_MAX,
            tr("Describe the trip in a few sentences."),
        )
        text(
            "country", self.country.text(), tr("The country"), COUNTRY_MAX, tr("Type the country.")
        )
        text("city", self.city.text(), tr("The city"), CITY_MAX, tr("Type the city."))
        problems.update(self._count_problems())
        price = parse_amount(self.price.text())
        if price is None:
            problems["price"] = tr("Type the price per person, such as 1250.00.")
        elif price <= 0:
            problems["price"] = tr("The price must be more than 0.")
        elif price > PRICE_MAX:
            problems["price"] = tr("The price can be at most {0}.").format(format_money(PRICE_MAX))
        if len(self.features.tags()) > MAX_LIST_ENTRIES:
            problems["features"] = tr("At most {0} features; remove some.").format(MAX_LIST_ENTRIES)
        if len(self.images.images()) > MAX_LIST_ENTRIES:
            problems["images"] = tr("At most {0} images; remove some.").format(MAX_LIST_ENTRIES)
        elif self.images.storing:
            problems["images"] = tr("Storing the pictures in the database…")
        return problems

    def _count_problems(self) -> dict[str, str]:
        """Duration and maximum guests as typed: what is wrong is said, never corrected."""
        problems: dict[str, str] = {}
        locale = QLocale()
        days = self.duration.value()
        if self.duration.is_empty():
            problems["duration"] = tr("Type how many days the trip lasts.")
        elif days < 1:
            problems["duration"] = tr(
                "{0} days cannot be a trip: it lasts at least 1 day. Type how many days it lasts."
            ).format(locale.toString(days))
        elif days > MAX_DURATION_DAYS:
            problems["duration"] = tr("{0} days is too long: a trip lasts at most {1}.").format(
                locale.toString(days), days_text(MAX_DURATION_DAYS)
            )
        guests = self.max_guests.value()
        if self.max_guests.is_empty():
            problems["max_guests"] = tr("Type how many guests the trip takes at most.")
        elif guests < 1:
            problems["max_guests"] = tr(
                "{0} guests cannot be the most it takes: at least 1 travels. "
                "Type how many guests it takes."
            ).format(locale.toString(guests))
        elif guests > MAX_GUESTS:
            problems["max_guests"] = tr(
                "{0} guests are too many: at most {1} can be booked."
            ).format(locale.toString(guests), locale.toString(MAX_GUESTS))
        return problems

    def draft(self) -> DestinationDraft:
        price = parse_amount(self.price.text())
        return DestinationDraft(
            name=self.name.text().strip(),
            description=self.description.toPlainText().strip(),
            country=self.country.text().strip(),
            city=self.city.text().strip(),
            price=price if price is not None else "",
            duration=self.duration.value(),
            max_guests=self.max_guests.value(),
            images=tuple(self.images.images()),
            features=tuple(self.features.tags()),
            active=self.active.isChecked(),
        )

    # -- saving --------------------------------------------------------------------

    def _finish_typing(self) -> None:
        self.features.commit_pending()

    def _save_work(self) -> Callable[[], DestinationRow]:
        draft = self.draft()
        office, actor = self.session.office, self.session.actor
        current = self.destination

        def work() -> DestinationRow:
            if current is None:
                return office.destinations.create(actor, draft)
            return office.destinations.update(actor, current.id, current.version, draft)

        return work

    def _lost_while_creating(self, reason: str) -> str:
        return tr(
            "{0} What you typed is kept. Look in the list before saving again: "
            "the destination may be there already."
        ).format(reason)

    def _reloaded(self, _row: DestinationRow) -> None:
        self.form.show_general(None)
        self.summary.setText(
            self.summary.text() + "\n" + tr("Reloaded: this is the version saved now.")
        )
        self.form.revalidate()
