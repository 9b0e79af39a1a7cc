"""Stored pictures of destinations: one row per distinct picture, found by its SHA-256."""

from __future__ import annotations

from collections.abc import Collection, Mapping
from typing import Any, cast

from sqlalchemy import Table, select
from sqlalchemy.dialects.postgresql import insert
from sqlalchemy.orm import Session

from desktop.db.models import DestinationImage
from desktop.domain.images import ImageContent, StoredImage

T = cast(Table, DestinationImage.__table__)
_FACTS = (T.c.sha256, T.c.media_type, T.c.width, T.c.height, T.c.byte_size, T.c.created_at)


def _image(row: Any) -> StoredImage:
    sha256, media_type, width, height, byte_size, created_at = row[:6]
    return StoredImage(sha256, media_type, width, height, byte_size, created_at)


class ImageRepository:
    def __init__(self, session: Session) -> None:
        self.session = session

    def add(self, values: Mapping[str, Any]) -> bool:
        """Store a picture unless it is stored already (by anyone, even at the same moment).

        True when this call stored it.
        """
        stmt = (
            insert(T)
            .values(**values)
            .on_conflict_do_nothing(index_elements=[T.c.sha256])
            .returning(T.c.sha256)
        )
        return self.session.execute(stmt).first() is not None

    def get(self, sha256: str) -> StoredImage | None:
        """The picture's facts, without its bytes."""
        row = self.session.execute(select(*_FACTS).where(T.c.sha256 == sha256)).first()
        return _image(row) if row is not None else None

    def content(self, sha256: str) -> ImageContent | None:
        row = self.session.execute(select(*_FACTS, T.c.content).where(T.c.sha256 == sha256)).first()
        if row is None:
            return None
        return ImageContent(_image(row), bytes(row[6]))

    def keep_stored(self, digests: Collection[str]) -> set[str]:
        """Which of these pictures are stored; each found is kept so until commit.

        ``FOR KEY SHARE``: a client deleting one of them meanwhile waits for this
        transaction, so a destination never starts to show a picture that is gone.
        """
        if not digests:
            return set()
        stmt = (
            select(T.c.sha256)
            .where(T.c.sha256.in_(sorted(digests)))
            .with_for_update(key_share=True)
        )
        return set(self.session.execute(stmt).scalars())
