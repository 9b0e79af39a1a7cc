"""One review, read in full (the list shows only the comment's first line)."""

from __future__ import annotations

from PySide6.QtCore import QCoreApplication, QLocale, Qt
from PySide6.QtWidgets import (
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QLabel,
    QPlainTextEdit,
    QVBoxLayout,
    QWidget,
)

from desktop.domain.records import ReviewRow
from desktop.ui.formats import long_datetime
from desktop.ui.widgets.labels import title_label

MAX_STARS = 5


def tr(text: str) -> str:
    return QCoreApplication.translate("ReviewDialog", text)


def stars(rating: int) -> str:
    """ "★★★★☆" for 4 of 5."""
    rating = max(0, min(rating, MAX_STARS))
    return "★" * rating + "☆" * (MAX_STARS - rating)


class ReviewDialog(QDialog):
    """Read-only: who reviewed which stay, how many stars, and the whole comment."""

    def __init__(self, review: ReviewRow, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.review = review
        self.setObjectName("reviewDialog")
        self.setWindowTitle(tr("Review of {0}").format(review.destination_name))
        self.setMinimumWidth(480)
        self.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        layout = QVBoxLayout(self)
        heading = title_label(review.destination_name)
        layout.addWidget(heading)
        rating = QLabel(
            tr("{0}  {1} of 5").format(stars(review.rating), QLocale().toString(review.rating))
        )
        rating.setObjectName("reviewStars")
        font = rating.font()
        font.setPointSizeF(font.pointSizeF() * 1.3)
        rating.setFont(font)
        layout.addWidget(rating)

        details = QFormLayout()
        details.addRow(tr("Customer"), self._value(review.customer_name))
        details.addRow(
            tr("Booking"),
            self._value(f"#{review.booking_id}" if review.booking_id else tr("not recorded")),
        )
        self.written = self._value(long_datetime(review.created_at))  # a dialog: in full
        self.written.setObjectName("reviewWritten")
        details.addRow(tr("Written"), self.written)
        votes = review.helpful_count
        details.addRow(
            tr("Helpful"),
            self._value(
                tr("1 person found it helpful")
                if votes == 1
                else tr("{0} people found it helpful").format(QLocale().toString(votes))
            ),
        )
        layout.addLayout(details)

        self.comment = QPlainTextEdit()
        self.comment.setObjectName("reviewComment")
        self.comment.setReadOnly(True)
        self.comment.setPlainText(review.comment or "")
        self.comment.setPlaceholderText(tr("The customer left no comment."))
        self.comment.setMinimumHeight(self.fontMetrics().lineSpacing() * 6)
        layout.addWidget(self.comment, 1)

        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close)
        buttons.rejected.connect(self.reject)
        close = buttons.button(QDialogButtonBox.StandardButton.Close)
        close.setDefault(True)
        layout.addWidget(buttons)

    @staticmethod
    def _value(text: str) -> QLabel:
        label = QLabel(text)
        label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        return label
