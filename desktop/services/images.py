"""Pictures of destinations, stored in the database so that every workstation shows them.

A person adds a picture file; the service checks it is one (its signature, its
size in bytes and pixels: ``desktop.domain.images``) and stores it once, by the
SHA-256 of its bytes. The destination's ``images`` then holds the reference
``db-image:<sha256>``, saved with the destination as any other change to it.

Storing a new picture writes an audit row (its hash, type, size and who stored it);
storing one that is there already changes nothing and writes none. The destination's
own audit entry records the reference when it starts to show the picture.
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

MISSING = (
    "This picture is not in the database. Someone may have stored it from a newer "
    "version of the application, or removed it; add the picture again."
)


class ImageService(Service):
    def store(self, actor: Actor, content: bytes) -> StoredImage:
        """Store the bytes of a picture file (once per distinct picture); what was stored.

        The service boundary refuses anything but bytes; ``examine`` refuses bytes that
        are not a picture it can store.
        """
        actor.require(Permission.MANAGE_DESTINATIONS)
        data = bytes(content)
        facts = examine(data)
        digest = content_digest(data)
        values = {
            "sha256": digest,
            "media_type": facts.media_type,
            "width": facts.width,
            "height": facts.height,
            "byte_size": len(data),
        }
        with self.ctx.units_of_work() as uow:
            if uow.images.add({**values, "content": data, "created_by": actor.id}):
                self.ctx.record(uow, actor, "image.store", "image", None, new=values)
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
