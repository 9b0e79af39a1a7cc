"""The Destinations page: the catalogue, searched and filtered by the database."""

from __future__ import annotations

import logging
from collections.abc import Sequence
from decimal import Decimal

from PySide6.QtCore import QCoreApplication, Qt, QTimer
from PySide6.QtWidgets import (
    QComboBox,
    QCompleter,
    QLabel,
    QLineEdit,
    QWidget,
)

from desktop.domain.listing import DestinationFilter, Page, PageRequest, RowCount, Sort
from desktop.domain.permissions import Permission
from desktop.domain.records import DestinationRow
from desktop.services.destinations import Removal
from desktop.ui.dialogs import open_dialog
from desktop.ui.dialogs.destination_editor import amount_validator, parse_amount
from desktop.ui.pages.base import SEARCH_DELAY_MS, ListPage
from desktop.ui.resources import icon
from desktop.ui.session import Session
from desktop.ui.table_model import Column, ColumnKind

log = logging.getLogger(__name__)
K = ColumnKind
MIN_RATINGS = ("4.5", "4", "3", "2", "1")
COLUMN_WIDTHS = {
    "name": 190,
    "country": 130,
    "city": 110,
    "price": 118,
    "duration": 52,
    "max_guests": 96,
    "rating": 72,
    "review_count": 72,
    "active": 90,
}


def tr(text: str) -> str:
    return QCoreApplication.translate("Destinations", text)


class DestinationsPage(ListPage[DestinationRow, DestinationFilter]):
    title = "Destinations"
    list_name = "destinations"
    icon_name = "destinations"

    def __init__(self, session: Session, parent: QWidget | None = None) -> None:
        self._cities: dict[str, str] = {}  # casefolded -> as spelt in the catalogue
        super().__init__(session, parent)
        self._load_choices()

    def column_widths(self) -> dict[str, int]:
        return COLUMN_WIDTHS

    # -- the list --------------------------------------------------------------------

    def live_tables(self) -> frozenset[str]:
        return frozenset({"destinations"})

    def columns(self) -> Sequence[Column[DestinationRow]]:
        return [
            Column("name", tr("Name"), lambda d: d.name),
            Column("country", tr("Country"), lambda d: d.country),
            Column("city", tr("City"), lambda d: d.city),
            Column("price", tr("Price / person"), lambda d: d.price, K.MONEY),
            Column("duration", tr("Days"), lambda d: d.duration, K.NUMBER),
            Column("max_guests", tr("Max guests"), lambda d: d.max_guests, K.NUMBER),
            # No reviews yet reads as blank rather than as a rating of 0.
            Column(
                "rating", tr("Rating"), lambda d: d.rating if d.review_count else None, K.RATING
            ),
            Column("review_count", tr("Reviews"), lambda d: d.review_count, K.NUMBER),
            Column("active", tr("Status"), lambda d: "active" if d.active else "inactive", K.BADGE),
            Column("updated_at", tr("Updated"), lambda d: d.updated_at, K.DATETIME),
        ]

    def default_sort(self) -> Sort:
        return Sort("name")

    def nouns(self) -> tuple[str, str]:
        return tr("destination"), tr("destinations")

    def search_hint(self) -> str:
        return tr("Search names and descriptions (Ctrl+F)")

    def build_filters(self) -> None:
        self._typing = QTimer(self)
        self._typing.setSingleShot(True)
        self._typing.setInterval(SEARCH_DELAY_MS)
        self._typing.timeout.connect(self.requery)

        self.country = QComboBox()
        self.country.setObjectName("countryFilter")
        self.country.setMinimumWidth(150)
        self.country.setMaxVisibleItems(20)
        self.country.addItem(tr("All countries"), "")
        self.add_filter(self.country)

        self.city = QLineEdit()
        self.city.setObjectName("cityFilter")
        self.city.setPlaceholderText(tr("City"))
        self.city.setClearButtonEnabled(True)
        self.city.setFixedWidth(130)
        self.city.textChanged.connect(lambda _text: self._typing.start())
        self.city.returnPressed.connect(self.requery)
        self.filter_bar.addWidget(self.city)

        self.price_min = QLineEdit()
        self.price_min.setObjectName("priceMin")
        self.price_min.setPlaceholderText(tr("from $"))
        self.price_max = QLineEdit()
        self.price_max.setObjectName("priceMax")
        self.price_max.setPlaceholderText(tr("to $"))
        price_label = QLabel(tr("Price"))
        price_label.setBuddy(self.price_min)
        self.filter_bar.addWidget(price_label)
        for edit in (self.price_min, self.price_max):
            edit.setValidator(amount_validator(edit))
            edit.setFixedWidth(80)
            edit.setClearButtonEnabled(True)
            edit.textChanged.connect(lambda _text: self._typing.start())
            edit.returnPressed.connect(self.requery)
            self.filter_bar.addWidget(edit)

        self.rating = QComboBox()
        self.rating.setObjectName("ratingFilter")
        self.rating.addItem(tr("Any rating"), None)
        for value in MIN_RATINGS:
            self.rating.addItem(tr("{0} ★ and up").format(value), Decimal(value))
        self.add_filter(self.rating)

        self.active = QComboBox()
        self.active.setObjectName("activeFilter")
        self.active.addItem(tr("Active and inactive"), None)
        self.active.addItem(tr("Active"), True)
        self.active.addItem(tr("Inactive"), False)
        self.add_filter(self.active)

    def _load_choices(self) -> None:
        """The countries for the filter, and the catalogue's cities for completing the city."""
        office, actor = self.session.office, self.session.actor

        def fetch() -> tuple[list[str], list[str]]:
            countries = office.destinations.countries(actor)
            cities: set[str] = set()
            request = PageRequest(Sort("city"), limit=1000)
            while True:
                page = office.destinations.page(actor, DestinationFilter(), request)
                cities.update(row.city for row in page.rows)
                if page.next is None:
                    return countries, sorted(cities)
                request = PageRequest(Sort("city"), after=page.next, limit=1000)

        def fill(result: tuple[list[str], list[str]]) -> None:
            countries, cities = result
            chosen = self.country.currentData()
            self.country.blockSignals(True)
            while self.country.count() > 1:
                self.country.removeItem(1)
            for country in countries:
                self.country.addItem(country, country)
            index = self.country.findData(chosen)
            self.country.setCurrentIndex(max(index, 0))
            self.country.blockSignals(False)
            if index < 0 and chosen:
                self.requery()  # the chosen country is gone from the catalogue
            self._cities = {city.casefold(): city for city in cities}
            completer = QCompleter(cities, self.city)
            completer.setCaseSensitivity(Qt.CaseSensitivity.CaseInsensitive)
            completer.setFilterMode(Qt.MatchFlag.MatchContains)
            self.city.setCompleter(completer)

        self.run(fetch, fill, busy=False)

    def current_filter(self) -> DestinationFilter:
        city = self.city.text().strip()
        return DestinationFilter(
            text=self.search.text(),
            country=self.country.currentData() or "",
            # The database matches the city exactly; "male" finds "Malé" as the list spells it.
            city=self._cities.get(city.casefold(), city),
            price_min=parse_amount(self.price_min.text()),
            price_max=parse_amount(self.price_max.text()),
            min_rating=self.rating.currentData(),
            active=self.active.currentData(),
        )

    def requery(self) -> None:
        self._typing.stop()
        super().requery()
        low = parse_amount(self.price_min.text())
        high = parse_amount(self.price_max.text())
        if low is not None and high is not None and low > high:
            self.problem_label.setText(
                tr("The lowest price is above the highest, so nothing can match.")
            )

    def fetch_page(self, f: DestinationFilter, request: PageRequest) -> Page[DestinationRow]:
        return self.session.office.destinations.page(self.session.actor, f, request)

    def count_rows(self, f: DestinationFilter) -> RowCount:
        return self.session.office.destinations.count(self.session.actor, f)

    # -- actions -------------------------------------------------------------------

    def build_actions(self) -> None:
        can_manage = self.session.can(Permission.MANAGE_DESTINATIONS)
        self.add_record_actions(
            "Destination", tr("&New destination…"), self.new_destination, can_manage=can_manage
        )
        self.toggle_action = self.add_action(
            tr("&Deactivate"),
            self.toggle_active,
            icon=icon("deactivate"),
            needs_row=True,
            name="toggleActive",
        )
        self.remove_action = self.add_action(
            tr("&Remove…"),
            self.remove,
            icon=icon("remove"),
            needs_row=True,
            name="removeDestination",
        )
        for action in (self.toggle_action, self.remove_action):
            action.setVisible(can_manage)
        self.update_actions()

    def update_actions(self) -> None:
        row = self.selected()
        for action in (self.edit_action, self.open_action, self.toggle_action, self.remove_action):
            action.setEnabled(row is not None)
        if row is not None and not row.active:
            self.toggle_action.setText(tr("&Activate"))
            self.toggle_action.setIcon(icon("activate"))
            self.toggle_action.setToolTip(tr("Open {0} for booking again").format(row.name))
        else:
            self.toggle_action.setText(tr("&Deactivate"))
            self.toggle_action.setIcon(icon("deactivate"))
            self.toggle_action.setToolTip(
                tr("Stop selling {0}; its bookings stay").format(row.name)
                if row is not None
                else tr("Stop selling the selected destination; its bookings stay")
            )

    def open_row(self, row: DestinationRow) -> None:
        from desktop.ui.dialogs.destination_editor import DestinationEditor

        dialog = DestinationEditor(self.session, row, self)
        dialog.saved.connect(self._edited)
        open_dialog(dialog)

    def new_destination(self) -> None:
        from desktop.ui.dialogs.destination_editor import DestinationEditor

        dialog = DestinationEditor(self.session, None, self)
        dialog.saved.connect(self._created)
        open_dialog(dialog)

    def _created(self, row: DestinationRow) -> None:
        self.tell(tr("{0} was added to the catalogue.").format(row.name))
        self.reload_selecting(row.id)  # the new row shows selected: the actions are for it
        self._load_choices()

    def _edited(self, row: DestinationRow) -> None:
        self.row_saved(row)
        self._load_choices()

    def toggle_active(self) -> None:
        row = self.selected()
        if row is None:
            return
        office, actor = self.session.office, self.session.actor

        def done(saved: DestinationRow) -> None:
            self.row_saved(saved)
            if saved.active:
                self.tell(tr("{0} is active again: it can be booked.").format(saved.name))
            else:
                self.tell(
                    tr(
                        "{0} is now inactive: it can no longer be booked; its bookings stay."
                    ).format(saved.name)
                )

        self.run(
            lambda: office.destinations.set_active(actor, row.id, row.version, not row.active),
            done,
        )

    def remove(self) -> None:
        row = self.selected()
        if row is None:
            return
        self.ask_before(
            lambda: self._remove(row),
            name="confirmRemove",
            title=tr("Remove destination"),
            question=tr("Remove {0}?").format(row.name),
            consequence=tr(
                "A destination nobody has booked is deleted for good. One with bookings is "
                "kept for their sake and deactivated instead: it can no longer be booked."
            ),
            button=tr("Remove"),
            button_name="confirmRemoveButton",
        )

    def _remove(self, row: DestinationRow) -> None:
        office, actor = self.session.office, self.session.actor

        def work() -> tuple[Removal, DestinationRow | None]:
            outcome = office.destinations.remove(actor, row.id, row.version)
            if outcome is Removal.DELETED:
                return outcome, None
            return outcome, office.destinations.get(actor, row.id)

        def done(result: tuple[Removal, DestinationRow | None]) -> None:
            outcome, kept = result
            if outcome is Removal.DELETED or kept is None:
                self.tell(tr("{0} was deleted: nobody had booked it.").format(row.name))
                self.refresh()
                self._load_choices()
                return
            self.row_saved(kept)
            self.tell(
                tr(
                    "{0} has bookings, so it was not deleted: it was deactivated instead. "
                    "It stays on its bookings but can no longer be booked."
                ).format(row.name)
            )

        self.run(work, done)
