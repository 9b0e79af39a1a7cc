"""Recording a customer's review of a completed stay: stars and a comment, once per stay.

Opened from the Reviews page (search the customer, then pick one of their
completed stays not yet reviewed) or from a completed booking on the Bookings
page (customer and stay filled in). The service decides (a completed booking
of that customer, one review per stay, 1 to 5 stars); the form only keeps
Save off until it could agree. The destination's rating is the database's
(its trigger), so the answer carries the destination as it is now.
"""

from __future__ import annotations

import itertools
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass

from PySide6.QtCore import QCoreApplication, QLocale, Qt
from PySide6.QtWidgets import (
    QComboBox,
    QFormLayout,
    QLabel,
    QPlainTextEdit,
    QVBoxLayout,
    QWidget,
)

from desktop.domain.enums import BookingStatus
from desktop.domain.listing import BookingFilter, PageRequest, PersonFilter, ReviewFilter, Sort
from desktop.domain.records import BookingRow, DestinationRow, PersonRow, ReviewRow
from desktop.domain.validation import TEXT_MAX
from desktop.services.reviews import NewReview
from desktop.ui.dialogs.form_dialog import FormDialog
from desktop.ui.errors import describe
from desktop.ui.formats import date_range, guests_text
from desktop.ui.ops import run_op
from desktop.ui.session import Session
from desktop.ui.widgets.colors import ERROR_COLOR, MUTED_COLOR, paint
from desktop.ui.widgets.forms import FieldMessage, FieldRow, Form, set_buddy
from desktop.ui.widgets.labels import note_label, title_label
from desktop.ui.widgets.search_picker import SearchPicker
from desktop.ui.widgets.star_rating import StarRating, rating_words

CUSTOMER_RESULTS = 20
STAYS_LIMIT = 1000  # a customer's completed stays (and reviews) read at once
BOOKING_ROLE = Qt.ItemDataRole.UserRole + 1  # a stay item's BookingRow


def tr(text: str) -> str:
    return QCoreApplication.translate("RecordReview", text)


@dataclass(frozen=True)
class RecordedReview:
    """What a save returns: the review, and its destination with the new average."""

    review: ReviewRow
    destination: DestinationRow


def rating_news(destination: DestinationRow) -> str:
    """ "Lagoon Villas is now rated 4.33 from 3 reviews." """
    if not destination.review_count:
        return tr("{0} has no reviews now.").format(destination.name)
    rating = QLocale().toString(float(destination.rating), "f", 2)
    if destination.review_count == 1:
        return tr("{0} is now rated {1} from 1 review.").format(destination.name, rating)
    return tr("{0} is now rated {1} from {2} reviews.").format(
        destination.name, rating, QLocale().toString(destination.review_count)
    )


def review_news(recorded: RecordedReview) -> str:
    """What the page says once a review is recorded."""
    return tr("Review recorded: {0} stars from {1}. {2}").format(
        recorded.review.rating, recorded.review.customer_name, rating_news(recorded.destination)
    )


def stay_text(booking: BookingRow) -> str:
    """The stay as the list of stays shows it: where, when, how many, which booking."""
    return tr("{0} · {1} · {2} · booking #{3}").format(
        booking.destination_name,
        date_range(booking.start_date, booking.end_date),
        guests_text(booking.guests),
        booking.id,
    )


def describe_customer(person: PersonRow) -> tuple[str, str]:
    return person.name, "  ·  ".join(part for part in (person.email, person.phone) if part)


class RecordReviewDialog(FormDialog[RecordedReview]):
    """Customer, stay, stars and comment; saved once through the review service."""

    def __init__(
        self,
        session: Session,
        parent: QWidget | None = None,
        *,
        booking: BookingRow | None = None,
    ) -> None:
        super().__init__(parent)
        self.session = session
        self.booking = booking  # the stay it was opened for (from the Bookings page)
        self._customer_id: int | None = booking.customer_id if booking is not None else None
        self._customer_name = booking.customer_name if booking is not None else ""
        self._stays_loading = False
        self._stays_problem = ""  # why no stay can be chosen (none left, or a failed read)
        self._opened_stay_taken = False  # the booking it was opened for has a review already
        self._generation = 0  # a newer customer makes older stay lists moot
        self.setObjectName("recordReviewDialog")
        self.setWindowTitle(tr("Record review"))
        self.setMinimumWidth(620)

        layout = QVBoxLayout(self)
        layout.setSpacing(10)
        layout.addWidget(title_label(tr("Record review")))
        intro = note_label("reviewIntro")
        intro.setWordWrap(True)
        intro.setText(
            tr(
                "What the customer thought of a completed stay. Each stay is reviewed once; "
                "the destination's rating follows at once."
            )
        )
        layout.addWidget(intro)
        form_layout = QFormLayout()
        form_layout.setHorizontalSpacing(14)
        form_layout.setVerticalSpacing(6)
        form_layout.setFieldGrowthPolicy(QFormLayout.FieldGrowthPolicy.AllNonFixedFieldsGrow)
        layout.addLayout(form_layout)

        self.buttons = self._ok_cancel_buttons(tr("&Save review"), "saveReview")
        self.form = Form(form_layout, self.save_button, self._problems, self)

        self.customer: SearchPicker | None = None
        self.customer_label: QLabel | None = None
        if booking is None:
            self.customer = SearchPicker(
                "customer",
                placeholder=tr("Search by name, e-mail or phone…"),
                query=self._customer_query,
                describe=describe_customer,
                no_match=lambda text: tr("No customer matches “{0}”.").format(text),
                change_text=tr("C&hange…"),
            )
            self.form.add("customer", tr("&Customer"), self.customer)
            self.customer.set_label(set_buddy(form_layout, self.customer, self.customer.search))
            self.customer.chosen_changed.connect(self._customer_chosen)
            self.customer.picked.connect(self._customer_picked)
        else:
            self.customer_label = QLabel(booking.customer_name)
            self.customer_label.setObjectName("reviewCustomer")
            paint(self.customer_label, None, bold=True)
            self.form.add("customer", tr("Customer"), self.customer_label)

        self.stay = QComboBox()
        self.stay.setObjectName("reviewStay")
        self.stay.setMinimumContentsLength(40)
        self.stay.setSizeAdjustPolicy(
            QComboBox.SizeAdjustPolicy.AdjustToMinimumContentsLengthWithIcon
        )
        self.form.add("booking", tr("&Stay"), self.stay)
        self.stay_note = note_label("reviewStayNote")
        self.stay_note.setWordWrap(True)
        form_layout.addRow("", self.stay_note)

        self.rating = StarRating()
        self.rating.setObjectName("reviewRating")
        self.rating_caption = QLabel(rating_words(0))
        self.rating_caption.setObjectName("reviewRatingWords")
        rating_row = FieldRow(self.rating, self.rating_caption)
        self.rating.changed.connect(rating_row.changed)
        self.rating.changed.connect(self._rating_changed)
        self.form.add("rating", tr("&Rating"), rating_row)
        set_buddy(form_layout, rating_row, self.rating)

        self.comment = QPlainTextEdit()
        self.comment.setObjectName("reviewComment")
        self.comment.setTabChangesFocus(True)
        self.comment.setPlaceholderText(
            tr("In the customer's words (optional): what they liked, what could be better.")
        )
        self.comment.setMinimumHeight(self.fontMetrics().lineSpacing() * 6)
        self.form.add("comment", tr("C&omment"), self.comment)

        self.message = FieldMessage()
        self.message.setObjectName("reviewMessage")
        paint(self.message, ERROR_COLOR)
        self.form.general_message(self.message)
        layout.addWidget(self.message)
        layout.addStretch(1)
        layout.addWidget(self.buttons)
        self.save_button.setDefault(True)
        self.stay.currentIndexChanged.connect(lambda _i: self._show_stay_note())

        chain: list[QWidget] = []
        if self.customer is not None:
            chain += [self.customer.search, self.customer.results, self.customer.change_button]
        chain += [self.stay, self.rating, self.comment, self.save_button, self.cancel_button]
        for first, second in itertools.pairwise(chain):
            QWidget.setTabOrder(first, second)

        self._show_stays([])
        if self.customer is not None:
            self.customer.search.setFocus()
        else:
            self._load_stays()
            self.rating.setFocus()
        self.form.revalidate()

    # -- the customer and their stays ------------------------------------------------

    def _customer_query(self, text: str) -> Callable[[], Sequence[PersonRow]]:
        office, actor = self.session.office, self.session.actor
        request = PageRequest(Sort("name"), limit=CUSTOMER_RESULTS)
        return lambda: office.customers.page(actor, PersonFilter(text=text), request).rows

    def _customer_picked(self, _person: PersonRow) -> None:
        self.stay.setFocus()

    def _customer_chosen(self, person: PersonRow | None) -> None:
        self._customer_id = person.id if person is not None else None
        self._customer_name = person.name if person is not None else ""
        self._show_stays([])
        if person is not None:
            self._load_stays()
        self.fit(shrink=True)

    def _load_stays(self) -> None:
        """The customer's completed stays that have no review yet, newest first."""
        customer_id = self._customer_id
        if customer_id is None:
            return
        office, actor = self.session.office, self.session.actor
        self._generation += 1
        generation = self._generation
        self._stays_loading = True
        self._stays_problem = ""
        self._show_stay_note()
        self.form.revalidate()

        def work() -> list[BookingRow]:
            completed = office.bookings.page(
                actor,
                BookingFilter(
                    customer_id=customer_id, statuses=frozenset({BookingStatus.COMPLETED})
                ),
                PageRequest(Sort("end_date", descending=True), limit=STAYS_LIMIT),
            ).rows
            reviewed = {
                review.booking_id
                for review in office.reviews.page(
                    actor,
                    ReviewFilter(user_id=customer_id),
                    PageRequest(Sort("created_at", descending=True), limit=STAYS_LIMIT),
                ).rows
            }
            return [stay for stay in completed if stay.id not in reviewed]

        def done(stays: list[BookingRow]) -> None:
            if generation != self._generation:
                return
            self._stays_loading = False
            self._show_stays(stays)

        def failed(exc: BaseException) -> None:
            if generation != self._generation:
                return
            self._stays_loading = False
            self._stays_problem = describe(exc)[1]
            self._show_stays([])

        run_op(work, done, parent=self, on_failed=failed)

    def _show_stays(self, stays: list[BookingRow]) -> None:
        self.stay.blockSignals(True)
        self.stay.clear()
        for stay in stays:
            self.stay.addItem(stay_text(stay))
            self.stay.setItemData(self.stay.count() - 1, stay, BOOKING_ROLE)
        if self.booking is None:
            chosen = 0 if stays else -1
        else:  # the stay it was opened for, or none: never another one unasked
            wanted = self.booking.id
            chosen = next((i for i, stay in enumerate(stays) if stay.id == wanted), -1)
            self._opened_stay_taken = not self._stays_loading and chosen < 0
        self.stay.setCurrentIndex(chosen)
        self.stay.blockSignals(False)
        self.stay.setEnabled(bool(stays))
        if not stays and self._customer_id is not None and not self._stays_loading:
            self._stays_problem = self._stays_problem or tr(
                "{0} has no completed stay without a review. Only completed stays can be "
                "reviewed, once each."
            ).format(self._customer_name)
        self._show_stay_note()
        self.form.revalidate()

    def chosen_stay(self) -> BookingRow | None:
        index = self.stay.currentIndex()
        stay = self.stay.itemData(index, BOOKING_ROLE) if index >= 0 else None
        return stay if isinstance(stay, BookingRow) else None

    def _show_stay_note(self) -> None:
        stay = self.chosen_stay()
        text, color = "", MUTED_COLOR
        if self._stays_loading:
            text = tr("Looking up {0}'s completed stays…").format(self._customer_name)
        elif self.booking is not None and self._opened_stay_taken and stay is None:
            text = tr(
                "Booking #{0} has been reviewed already, and a stay is reviewed once. "
                "Choose another of {1}'s stays, or Cancel."
            ).format(self.booking.id, self._customer_name)
            color = ERROR_COLOR
        elif stay is not None:
            text = tr("A stay is reviewed once: check it is the right one.")
        elif self._stays_problem:
            text, color = self._stays_problem, ERROR_COLOR
        self.stay_note.setText(text)
        self.stay_note.setVisible(bool(text))
        paint(self.stay_note, color)

    def _rating_changed(self) -> None:
        self.rating_caption.setText(rating_words(self.rating.value()))

    # -- saving --------------------------------------------------------------------

    def _problems(self) -> Mapping[str, str]:
        problems: dict[str, str] = {}
        if self._customer_id is None:
            problems["customer"] = tr(
                "Choose the customer who stayed: search by name, e-mail or phone."
            )
        elif self._stays_loading:
            problems["booking"] = tr("Looking up the customer's completed stays…")
        elif self.chosen_stay() is None:
            problems["booking"] = self._stays_problem or tr("Choose the stay this review is about.")
        if not 1 <= self.rating.value() <= 5:
            problems["rating"] = tr("Choose 1 to 5 stars: click a star, or press a key 1 to 5.")
        length = len(self.comment.toPlainText().strip())
        if length > TEXT_MAX:
            problems["comment"] = tr(
                "The comment is {0} characters long; at most {1} fit. Shorten it."
            ).format(QLocale().toString(length), QLocale().toString(TEXT_MAX))
        return problems

    def _save_work(self) -> Callable[[], RecordedReview]:
        stay = self.chosen_stay()
        assert stay is not None  # noqa: S101 - the form is valid: a stay is chosen
        request = NewReview(
            customer_id=stay.customer_id,
            booking_id=stay.id,
            rating=self.rating.value(),
            comment=self.comment.toPlainText().strip() or None,
        )
        office, actor = self.session.office, self.session.actor

        def work() -> RecordedReview:
            review = office.reviews.create(actor, request)
            return RecordedReview(review, office.destinations.get(actor, review.destination_id))

        return work
