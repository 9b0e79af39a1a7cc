"""Thumbnails of a destination's images: decoded at thumbnail size, off the GUI thread.

``QImageReader`` with a scaled size, so a 40-megapixel photo is never decoded
whole; images that cannot be shown get the placeholder tile. Thumbnails are
kept for the session (``ThumbnailCache``): a stored picture never changes, so
opening the same destination again reads nothing.
"""

from __future__ import annotations

import threading
from collections import OrderedDict
from pathlib import Path

from PySide6.QtCore import QBuffer, QByteArray, QIODevice, QPointF, QRectF, QSize, Qt, QUrl
from PySide6.QtGui import QColor, QIcon, QImage, QImageReader, QPainter, QPixmap

from desktop.ui.resources import icon

THUMBNAIL = QSize(96, 64)
CACHED_THUMBNAILS = 300  # about 100 KB each: some 30 MB at most
# What the database stores (desktop.domain.images.MEDIA_TYPES), as QImageReader names them.
STORABLE_FORMATS = frozenset({"jpeg", "png", "gif", "webp"})


def is_remote(source: str) -> bool:
    return source.lower().startswith(("http://", "https://"))


def local_path(source: str) -> Path:
    if source.lower().startswith("file:"):
        return Path(QUrl(source).toLocalFile())
    return Path(source).expanduser()


def _scaled_image(reader: QImageReader) -> QImage | None:
    """Decode at thumbnail size (twice, for sharp high-density screens)."""
    reader.setAutoTransform(True)
    size = reader.size()
    target = QSize(THUMBNAIL.width() * 2, THUMBNAIL.height() * 2)
    if size.isValid() and (size.width() > target.width() or size.height() > target.height()):
        reader.setScaledSize(size.scaled(target, Qt.AspectRatioMode.KeepAspectRatio))
    image = reader.read()
    return None if image.isNull() else _on_canvas(image)


def _on_canvas(image: QImage) -> QImage:
    """Scaled down to fit, centred on a canvas of the thumbnail's shape: portrait and
    landscape rows line up."""
    target = QSize(THUMBNAIL.width() * 2, THUMBNAIL.height() * 2)
    if image.width() > target.width() or image.height() > target.height():
        image = image.scaled(
            target, Qt.AspectRatioMode.KeepAspectRatio, Qt.TransformationMode.SmoothTransformation
        )
    canvas = QImage(target, QImage.Format.Format_ARGB32_Premultiplied)
    canvas.fill(Qt.GlobalColor.transparent)
    painter = QPainter(canvas)
    painter.drawImage(
        (target.width() - image.width()) // 2, (target.height() - image.height()) // 2, image
    )
    painter.end()
    return canvas


def read_local_thumbnail(source: str) -> QImage | None:
    """Runs on a worker: the scaled image, or None when the file is missing or no image."""
    path = local_path(source)
    if not path.is_file():
        return None
    return _scaled_image(QImageReader(str(path)))


def decode_thumbnail(data: QByteArray) -> QImage | None:
    """Runs on a worker: a downloaded image, scaled."""
    buffer = QBuffer()
    buffer.setData(data)
    buffer.open(QIODevice.OpenModeFlag.ReadOnly)
    return _scaled_image(QImageReader(buffer))


def placeholder_icon() -> QIcon:
    """A soft tile with the picture glyph, the size of a thumbnail so the rows line up."""
    pixmap = QPixmap(THUMBNAIL * 2)
    pixmap.fill(Qt.GlobalColor.transparent)
    w, h = pixmap.width(), pixmap.height()
    painter = QPainter(pixmap)
    painter.setRenderHint(QPainter.RenderHint.Antialiasing)
    painter.setPen(QColor("#e5e7eb"))
    painter.setBrush(QColor("#f3f4f6"))
    painter.drawRoundedRect(QRectF(1, 1, w - 2, h - 2), 8, 8)
    glyph = icon("image-placeholder")
    side = h // 2
    if not glyph.isNull():
        glyph.paint(painter, (w - side) // 2, (h - side) // 2, side, side)
    else:
        painter.setPen(Qt.PenStyle.NoPen)
        painter.setBrush(QColor("#9ca3af"))
        painter.drawEllipse(QPointF(w * 0.6, h * 0.36), h * 0.08, h * 0.08)
        painter.drawPolygon(
            [
                QPointF(w * 0.34, h * 0.72),
                QPointF(w * 0.46, h * 0.44),
                QPointF(w * 0.56, h * 0.6),
                QPointF(w * 0.62, h * 0.52),
                QPointF(w * 0.7, h * 0.72),
            ]
        )
    painter.end()
    return QIcon(pixmap)


def decode_bytes(data: bytes) -> QImage | None:
    """Runs on a worker: a stored picture's bytes, scaled."""
    return decode_thumbnail(QByteArray(data))


def picture_format(data: bytes) -> tuple[str, QImage | None]:
    """Runs on a worker: the format Qt reads in ``data`` ("" if none) and the picture, decoded
    whole to prove it is one (None when it cannot be), then scaled to a thumbnail."""
    buffer = QBuffer()
    buffer.setData(QByteArray(data))
    buffer.open(QIODevice.OpenModeFlag.ReadOnly)
    reader = QImageReader(buffer)
    reader.setAutoTransform(True)
    found = bytes(reader.format().data()).decode("ascii", "replace").lower()
    if not found:
        return "", None
    image = reader.read()
    return found, None if image.isNull() else _on_canvas(image)


class ThumbnailCache:
    """Thumbnails by source, for the whole session; the least recently used go first.

    Filled by workers, read on the GUI thread: a lock keeps the two apart.
    """

    def __init__(self, capacity: int = CACHED_THUMBNAILS) -> None:
        self._capacity = capacity
        self._images: OrderedDict[str, QImage] = OrderedDict()
        self._lock = threading.Lock()

    def get(self, source: str) -> QImage | None:
        with self._lock:
            image = self._images.get(source)
            if image is not None:
                self._images.move_to_end(source)
            return image

    def put(self, source: str, image: QImage) -> None:
        with self._lock:
            self._images[source] = image
            self._images.move_to_end(source)
            while len(self._images) > self._capacity:
                self._images.popitem(last=False)

    def clear(self) -> None:
        with self._lock:
            self._images.clear()


thumbnail_cache = ThumbnailCache()
