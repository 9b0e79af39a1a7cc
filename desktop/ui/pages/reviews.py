"""The Reviews page: what customers said about their stays; moderation and helpful votes."""

from __future__ import annotations

from collections.abc import Sequence

from PySide6.QtCore import QCoreApplication, QLocale, QModelIndex, QPersistentModelIndex
from PySide6.QtGui import QColor, QPalette
from PySide6.QtWidgets import (
    QComboBox,
    QStyledItemDelegate,
    QStyleOptionViewItem,
    QWidget,
)

from desktop.domain.listing import (
    Page,
    PageRequest,
    ReviewFilter,
    RowCount,
    Sort,
)
from desktop.domain.permissions import Permission
from desktop.domain.records import DestinationRow, ReviewRow
from desktop.ui.dialogs import open_dialog
from desktop.ui.dialogs.record_review import RecordedReview, rating_news, review_news
from desktop.ui.dialogs.review_view import MAX_STARS, stars
from desktop.ui.pages.base import ListPage
from desktop.ui.resources import icon
from desktop.ui.session import Session
from desktop.ui.table_model import Column, ColumnKind
from desktop.ui.widgets.destination_filter import DestinationFilterBox

K = ColumnKind
Index = QModelIndex | QPersistentModelIndex


def tr(text: str) -> str:
    return QCoreApplication.translate("Reviews", text)


def first_line(comment: str | None) -> str:
    """The comment's first non-empty line, with "…" when more follows."""
    lines = [line.strip() for line in (comment or "").splitlines() if line.strip()]
    if not lines:
        return ""
    return lines[0] + (" …" if len(lines) > 1 else "")


RATING_COLUMN = 2
STAR_COLOR = QColor("#b45309")  # amber, readable on white and on the selection tint


class StarDelegate(QStyledItemDelegate):
    """The rating column's stars in amber."""

    def initStyleOption(self, option: QStyleOptionViewItem, index: Index) -> None:
        super().initStyleOption(option, index)
        for group in (QPalette.ColorGroup.Active, QPalette.ColorGroup.Inactive):
            option.palette.setColor(group, QPalette.ColorRole.Text, STAR_COLOR)
            option.palette.setColor(group, QPalette.ColorRole.HighlightedText, STAR_COLOR)


class ReviewsPage(ListPage[ReviewRow, ReviewFilter]):
    title = "Reviews"
    list_name = "reviews"
    icon_name = "reviews"

    def __init__(self, session: Session, parent: QWidget | None = None) -> None:
        super().__init__(session, parent)
        self._stars = StarDelegate(self.view)
        self.view.setItemDelegateForColumn(RATING_COLUMN, self._stars)

    def column_widths(self) -> dict[str, int]:
        keys = [column.key for column in self.model.columns]
        return dict(zip(keys, (190, 150, 90, 340, 72, 72), strict=False))

    def live_tables(self) -> frozenset[str]:
        return frozenset({"reviews", "users", "destinations"})

    def columns(self) -> Sequence[Column[ReviewRow]]:
        return [
            Column("destination_name", tr("Destination"), lambda r: r.destination_name),
            Column("customer_name", tr("Customer"), lambda r: r.customer_name),
            Column("rating", tr("Rating"), lambda r: stars(r.rating)),
            Column("comment", tr("Comment"), lambda r: first_line(r.comment), sortable=False),
            Column("helpful_count", tr("Helpful"), lambda r: r.helpful_count, K.NUMBER),
            Column(
                "booking_id",
                tr("Booking"),
                lambda r: f"#{r.booking_id}" if r.booking_id else "",
                sortable=False,
            ),
            Column("created_at", tr("Written"), lambda r: r.created_at, K.DATETIME),
        ]

    def default_sort(self) -> Sort:
        return Sort("created_at", descending=True)

    def nouns(self) -> tuple[str, str]:
        return tr("review"), tr("reviews")

    def search_hint(self) -> str:
        return tr("Search the comments (Ctrl+F)")

    def build_filters(self) -> None:
        self.rating = QComboBox()
        self.rating.setObjectName("ratingFilter")
        self.rating.addItem(tr("All ratings"), None)
        for value in range(MAX_STARS, 0, -1):
            self.rating.addItem(stars(value), value)
        self.add_filter(self.rating)
        self.destination = DestinationFilterBox(self.session)
        self.destination.setMinimumWidth(200)
        self.destination.setMaxVisibleItems(20)
        self.add_filter(self.destination)
        self.model.reset_done.connect(self.destination.load)  # the list's rows first

    def current_filter(self) -> ReviewFilter:
        rating = self.rating.currentData()
        return ReviewFilter(
            destination_id=self.destination.currentData(),
            ratings=frozenset({rating}) if rating else frozenset(),
            text=self.search.text(),
        )

    def fetch_page(self, f: ReviewFilter, request: PageRequest) -> Page[ReviewRow]:
        return self.session.office.reviews.page(self.session.actor, f, request)

    def count_rows(self, f: ReviewFilter) -> RowCount:
        return self.session.office.reviews.count(self.session.actor, f)

    # -- actions -------------------------------------------------------------------

    def build_actions(self) -> None:
        self.record_action = self.add_action(
            tr("&Record review…"), self.record_review, icon=icon("new"), name="recordReview"
        )
        self.record_action.setVisible(self.session.can(Permission.RECORD_REVIEWS))
        self.add_open_action("Review")
        self.helpful_action = self.add_action(
            tr("Mark &helpful"),
            self.mark_helpful,
            icon=icon("helpful"),
            needs_row=True,
            name="markHelpful",
        )
        self.delete_action = self.add_action(
            tr("&Delete review…"),
            self.delete_review,
            icon=icon("delete"),
            needs_row=True,
            name="deleteReview",
        )
        self.helpful_action.setVisible(self.session.can(Permission.RECORD_REVIEWS))
        self.delete_action.setVisible(self.session.can(Permission.MODERATE_REVIEWS))
        self.update_actions()

    def update_actions(self) -> None:
        row = self.selected()
        for action in (self.open_action, self.helpful_action, self.delete_action):
            action.setEnabled(row is not None)
        if row is not None and row.voted_by_me:  # one vote per person: the list knows whose
            self.set_action(
                self.helpful_action, False, tr("You marked this review helpful already.")
            )

    def record_review(self) -> None:
        """A customer's review of a completed stay; the list and the rating follow."""
        from desktop.ui.dialogs.record_review import RecordReviewDialog

        dialog = RecordReviewDialog(self.session, self)
        dialog.saved.connect(self._review_recorded)
        open_dialog(dialog)

    def _review_recorded(self, recorded: RecordedReview) -> None:
        self.tell(review_news(recorded))
        self.refresh()

    def open_row(self, row: ReviewRow) -> None:
        from desktop.ui.dialogs.review_view import ReviewDialog

        open_dialog(ReviewDialog(row, self))

    def mark_helpful(self) -> None:
        row = self.selected()
        if row is None:
            return
        office, actor = self.session.office, self.session.actor

        def work() -> ReviewRow:
            office.reviews.mark_helpful(actor, row.id)
            return office.reviews.get(actor, row.id)

        def done(saved: ReviewRow) -> None:
            self.row_saved(saved)
            self.tell(
                tr("Marked helpful: {0} found this review of {1} helpful.").format(
                    tr("1 person")
                    if saved.helpful_count == 1
                    else tr("{0} people").format(QLocale().toString(saved.helpful_count)),
                    saved.destination_name,
                )
            )

        self.run(work, done)

    def delete_review(self) -> None:
        row = self.selected()
        if row is None:
            return
        self.ask_before(
            lambda: self._delete(row),
            name="confirmDelete",
            title=tr("Delete review"),
            question=tr("Delete {0}'s {1}-star review of {2}?").format(
                row.customer_name, row.rating, row.destination_name
            ),
            consequence=tr(
                "It is deleted for good, and the destination's rating is worked out again."
            ),
            button=tr("Delete"),
            button_name="confirmDeleteButton",
        )

    def _delete(self, row: ReviewRow) -> None:
        office, actor = self.session.office, self.session.actor

        def work() -> DestinationRow:
            office.reviews.delete(actor, row.id)
            return office.destinations.get(actor, row.destination_id)

        def done(destination: DestinationRow) -> None:
            self.tell(tr("Review deleted. {0}").format(rating_news(destination)))
            self.refresh()

        self.run(work, done)
