"""Pictures of destinations, stored in the database so that every workstation shows them.

A person adds a picture file; the service checks it is one (its signature, its
size in bytes and pixels: ``desktop.domain.images``) and stores it once, by the
SHA-256 of its bytes. The destination's ``images`` then holds the reference
``db-image:<sha256>``, saved with the destination as any other change to it.

Storing a picture writes no audit row of its own: the row carries who stored it
and when, the bytes never change, and the destination's audit entry records the
reference when it starts to show it.
"""

from __future__ import annotations

from desktop.domain.errors import NotFound, ValidationError
from desktop.domain.images import (
    FIELD,
    ImageContent,
    StoredImage,
    content_digest,
    examine,
    reference_digest,
)
from desktop.domain.permissions import Actor, Permission
from desktop.services.context import Service

NOT_BYTES = "A picture must be given as the file's bytes."
MISSING = (
    "This picture is not in the database. Someone may have stored it from a newer "
    "version of the application, or removed it; add the picture again."
)


class ImageService(Service):
    def store(self, actor: Actor, content: object) -> StoredImage:
        """Store the bytes of a picture file (once per distinct picture); what was stored.

        ``content`` is typed ``object`` on purpose: whatever a caller sends is checked
        here, and anything but bytes is a ``ValidationError``.
        """
        actor.require(Permission.MANAGE_DESTINATIONS)
        if not isinstance(content, bytes | bytearray | memoryview):
            raise ValidationError({FIELD: NOT_BYTES})
        data = bytes(content)
        facts = examine(data)
        digest = content_digest(data)
        with self.ctx.units_of_work() as uow:
            uow.images.add(
                {
                    "sha256": digest,
                    "content": data,
                    "media_type": facts.media_type,
                    "width": facts.width,
                    "height": facts.height,
                    "byte_size": len(data),
                    "created_by": actor.id,
                }
            )
            stored = uow.images.get(digest)
            uow.commit()
        if stored is None:  # pragma: no cover - inserted or found in the same transaction
            raise NotFound(MISSING)
        return stored

    def get(self, actor: Actor, reference: str) -> ImageContent:
        """A stored picture and its bytes, by the reference a destination's ``images`` holds."""
        actor.require(Permission.VIEW_DESTINATIONS)
        digest = reference_digest(reference) if isinstance(reference, str) else None
        if digest is None:
            raise ValidationError(
                {FIELD: "This is not a reference to a stored picture (db-image:<sha256>)."}
            )
        with self.ctx.reading() as uow:
            found = uow.images.content(digest)
        if found is None:
            raise NotFound(MISSING)
        return found
