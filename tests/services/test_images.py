"""Destination pictures stored in the database: only pictures, within limits, once each.

A destination's ``images`` gains only stored pictures and web addresses; what it
holds already stays.
"""

from __future__ import annotations

import random
import struct
from dataclasses import replace

import pytest
from PySide6.QtCore import QBuffer, QByteArray, QIODevice
from PySide6.QtGui import QColor, QImage
from PySide6.QtWidgets import QApplication
from sqlalchemy import Engine, func, select, text
from sqlalchemy.exc import IntegrityError, OperationalError
from sqlalchemy.orm import Session

from desktop.bootstrap import BackOffice
from desktop.db.models import DestinationImage
from desktop.db.repositories.images import ImageRepository
from desktop.domain.errors import NotFound, PermissionDenied, ValidationError
from desktop.domain.images import MAX_IMAGE_BYTES, ImageFacts, content_digest, examine, quoted
from desktop.domain.listing import AuditFilter, PageRequest, Sort
from desktop.domain.permissions import Actor
from tests.factories import png, save_images_as_before
from tests.services.conftest import destination_draft


def _stored_count(engine: Engine) -> int:
    with engine.connect() as conn:
        return int(conn.execute(select(func.count()).select_from(DestinationImage)).scalar_one())


def test_a_picture_is_stored_once_by_its_hash(
    office: BackOffice, admin: Actor, moderator: Actor, engine: Engine
) -> None:
    picture = png(3, 2)
    first = office.images.store(admin, picture)
    again = office.images.store(moderator, bytes(picture))  # the same bytes, someone else
    assert first == again
    stored_entries = office.audit.page(
        admin, AuditFilter(action="image.store"), PageRequest(Sort("id"))
    ).rows
    assert [(e.user_id, e.new_values) for e in stored_entries] == [
        (
            admin.id,
            {
                "sha256": first.sha256,
                "media_type": "image/png",
                "width": 3,
                "height": 2,
                "byte_size": len(picture),
            },
        )
    ], "the first store is audited, the second changed nothing and is not"
    assert first.sha256 == content_digest(picture)
    assert first.reference == f"db-image:{first.sha256}"
    assert (first.media_type, first.width, first.height, first.byte_size) == (
        "image/png",
        3,
        2,
        len(picture),
    )
    assert _stored_count(engine) == 1
    with engine.connect() as conn:
        created_by = conn.execute(text("SELECT created_by FROM destination_images")).scalar_one()
    assert created_by == admin.id  # who stored it first

    other = office.images.store(admin, png(4, 4))
    assert other.sha256 != first.sha256
    assert _stored_count(engine) == 2
    found = office.images.get(admin, first.reference)
    assert found.content == picture
    assert found.image == first


# Noise that is the same on every run: random bytes after a JPEG signature can read as
# a frame header of any size, which would make the test's outcome a matter of luck.
_NOISE = random.Random(20261207)  # noqa: S311 - test data, not a secret


@pytest.mark.parametrize(
    ("content", "says"),
    [
        (_NOISE.randbytes(4096), "not a picture"),
        (b"hello world", "not a picture"),
        (b"Dear Ann,\nthe villa has a sea view.\n" * 20, "not a picture"),  # notes.jpg
        (b"", "empty"),
        (b"<svg xmlns='http://www.w3.org/2000/svg'><script>alert(1)</script></svg>", "not a"),
        (png()[:30], "damaged or cut off"),  # a download that stopped
        (png()[:8] + _NOISE.randbytes(200), "damaged or cut off"),  # the signature, then noise
        (b"\xff\xd8\xff" + _NOISE.randbytes(64), "damaged or cut off"),
        (b"GIF89a\x01", "damaged or cut off"),
        (b"RIFF\xff\xff\xff\x00WEBPVP8 ", "damaged or cut off"),
        (png(0, 5), "damaged or cut off"),  # no pixels at all
    ],
)
def test_what_is_not_a_picture_is_refused_and_nothing_is_stored(
    office: BackOffice, admin: Actor, engine: Engine, content: bytes, says: str
) -> None:
    with pytest.raises(ValidationError) as refused:
        office.images.store(admin, content)
    assert set(refused.value.fields) == {"image"}
    assert says in refused.value.fields["image"]
    assert _stored_count(engine) == 0


def test_anything_but_bytes_is_refused(office: BackOffice, admin: Actor) -> None:
    for content in ("/home/ann/villa.jpg", None, 42, [1, 2]):
        with pytest.raises(ValidationError) as refused:
            office.images.store(admin, content)  # type: ignore[arg-type]
        assert refused.value.fields == {"content": "Content must be the bytes of a file."}


def test_too_large_is_refused_with_the_limit_and_nothing_is_scaled(
    office: BackOffice, admin: Actor, engine: Engine
) -> None:
    picture = png(3, 2)
    too_big = picture + b"\x00" * (MAX_IMAGE_BYTES + 1 - len(picture))
    with pytest.raises(ValidationError) as refused:
        office.images.store(admin, too_big)
    message = refused.value.fields["image"]
    assert "10.0 MB; at most 10.0 MB can be stored" in message
    assert "image editor" in message  # the way out: nothing is made smaller behind their back

    huge = png(10_000, 6_000, pixels=False)  # 60 megapixels in a tiny file
    with pytest.raises(ValidationError) as refused:
        office.images.store(admin, huge)
    assert "10000 by 6000 pixels; at most 50 million pixels" in refused.value.fields["image"]
    assert _stored_count(engine) == 0


def test_every_format_a_camera_or_browser_saves_is_read_from_its_header(
    qapp: QApplication,
) -> None:
    image = QImage(321, 123, QImage.Format.Format_RGB32)
    image.fill(QColor("teal"))
    for qt_format, media_type in (
        ("JPEG", "image/jpeg"),
        ("PNG", "image/png"),
        ("WEBP", "image/webp"),
    ):
        data = QByteArray()
        buffer = QBuffer(data)
        buffer.open(QIODevice.OpenModeFlag.WriteOnly)
        assert image.save(buffer, qt_format), qt_format
        facts = examine(bytes(data.data()))
        assert (facts.media_type, facts.width, facts.height) == (media_type, 321, 123)
    # Qt reads GIF but does not write it: a one-pixel GIF, its screen 321 by 123.
    gif = (
        b"GIF89a" + struct.pack("<HH", 321, 123) + b"\x80\x00\x00\x00\x00\x00\xff\xff\xff"
        b",\x00\x00\x00\x00\x01\x00\x01\x00\x00\x02\x02D\x01\x00;"
    )
    assert examine(gif) == ImageFacts("image/gif", 321, 123)


def test_a_destination_holds_the_reference_beside_web_addresses(
    office: BackOffice, admin: Actor
) -> None:
    stored = office.images.store(admin, png())
    lagoon = office.destinations.create(admin, destination_draft(images=()))
    images = (stored.reference, "https://cdn.example.com/lagoon.jpg")
    saved = office.destinations.update(
        admin, lagoon.id, lagoon.version, replace(destination_draft(), images=images)
    )
    assert saved.images == images
    entry = office.audit.page(
        admin, AuditFilter(action="destination.update"), PageRequest(Sort("id"))
    ).rows[0]
    assert entry.new_values is not None
    assert entry.new_values["images"] == list(images)
    assert office.images.get(admin, saved.images[0]).content == png()


def test_counter_agents_see_pictures_but_do_not_store_them(
    office: BackOffice, admin: Actor, agent: Actor
) -> None:
    stored = office.images.store(admin, png())
    assert office.images.get(agent, stored.reference).image == stored
    with pytest.raises(PermissionDenied):
        office.images.store(agent, png(5, 5))


def test_a_reference_must_name_a_stored_picture(office: BackOffice, admin: Actor) -> None:
    for reference in ("villa.jpg", "https://example.com/a.jpg", "db-image:1234", "db-image:"):
        with pytest.raises(ValidationError):
            office.images.get(admin, reference)
    with pytest.raises(NotFound):
        office.images.get(admin, "db-image:" + "0" * 64)


def test_the_database_keeps_the_key_honest_for_every_client(engine: Engine) -> None:
    picture = png()
    row = {
        "sha256": "0" * 64,  # not the content's hash
        "content": picture,
        "media_type": "image/png",
        "width": 3,
        "height": 2,
        "byte_size": len(picture),
    }
    with pytest.raises(IntegrityError, match="chk_destination_images_sha256"):
        with engine.begin() as conn:
            conn.execute(DestinationImage.__table__.insert().values(**row))
    wrong_size = {**row, "sha256": content_digest(picture), "byte_size": 1}
    with pytest.raises(IntegrityError, match="chk_destination_images_byte_size"):
        with engine.begin() as conn:
            conn.execute(DestinationImage.__table__.insert().values(**wrong_size))
    svg = {**row, "sha256": content_digest(picture), "media_type": "image/svg+xml"}
    with pytest.raises(IntegrityError, match="chk_destination_images_media_type"):
        with engine.begin() as conn:
            conn.execute(DestinationImage.__table__.insert().values(**svg))


# -- a destination's images at the service boundary --------------------------------------------

MISSING_PICTURE = "db-image:" + "0" * 64  # well formed, but no such picture is stored
OLD_ENTRIES = (
    "/home/ann/Pictures/villa.jpg",  # saved by a version that kept file paths
    "reef.jpg",
    MISSING_PICTURE,  # another database's picture, copied over with the row
    "ftp://files.example/lagoon.jpg",  # another client's
    "https://cdn.example/" + "x" * 3000,  # longer than new entries may be
)
WEB = "https://cdn.example.com/lagoon.jpg"
NOT_A_PLACE = "neither a picture stored in the database nor a web address"
FROM_ITS_FILE = "Add the picture from its file"

REFUSED_ENTRIES = [
    ("hello world", "“hello world” is " + NOT_A_PLACE, FROM_ITS_FILE),
    ("/home/ann/x.jpg", "“/home/ann/x.jpg” is " + NOT_A_PLACE, FROM_ITS_FILE),
    (r"C:\Users\ann\x.jpg", NOT_A_PLACE, FROM_ITS_FILE),
    ("file:///home/ann/x.jpg", NOT_A_PLACE, FROM_ITS_FILE),
    ("ftp://files.example/x.jpg", NOT_A_PLACE, "such as https://example.com/villa.jpg"),
    (MISSING_PICTURE, "names a picture that is not stored in the database", FROM_ITS_FILE),
    ("db-image:1234", "not a whole reference to a stored picture", FROM_ITS_FILE),
    ("https://", "is not complete", "https://example.com/villa.jpg"),
    ("https:///villa.jpg", "is not complete", "https://example.com/villa.jpg"),
    ("https://cdn.example:eighty/x.jpg", "is not complete", "address bar"),
    ("https://cdn.example/my villa.jpg", "contains spaces", "address bar"),
    ("https://cdn.example/" + "x" * 2029, "is 2049 characters long; at most 2048 fit", "shorter"),
]


def _audit_count(engine: Engine) -> int:
    with engine.connect() as conn:
        return int(conn.execute(text("SELECT count(*) FROM audit_logs")).scalar_one())


def _images_of(engine: Engine, destination_id: int) -> list[str]:
    with engine.connect() as conn:
        images = conn.execute(
            text("SELECT images FROM destinations WHERE id = :id"), {"id": destination_id}
        ).scalar_one()
    return list(images)


def _refusal(error: ValidationError) -> str:
    assert set(error.fields) == {"images"}, "the refusal names the field"
    return error.fields["images"]


@pytest.mark.parametrize(
    ("entry", "says", "way_out"),
    REFUSED_ENTRIES,
    ids=[entry[:40] for entry, _, _ in REFUSED_ENTRIES],
)
def test_a_new_entry_that_is_neither_a_stored_picture_nor_a_web_address_is_refused(
    office: BackOffice, admin: Actor, engine: Engine, entry: str, says: str, way_out: str
) -> None:
    """From a script as from the window: on create, and added on update."""
    audited = _audit_count(engine)
    with pytest.raises(ValidationError) as refused:
        office.destinations.create(
            admin, destination_draft(images=("https://cdn.example/a.jpg", entry))
        )
    message = _refusal(refused.value)
    assert says in message
    assert way_out in message
    assert quoted(entry) in message, "the entry is named"
    with engine.connect() as conn:
        assert conn.execute(text("SELECT count(*) FROM destinations")).scalar_one() == 0
    assert _audit_count(engine) == audited

    lagoon = office.destinations.create(admin, destination_draft(images=(WEB,)))
    before = _images_of(engine, lagoon.id)
    audited = _audit_count(engine)
    with pytest.raises(ValidationError) as refused:
        office.destinations.update(
            admin, lagoon.id, lagoon.version, destination_draft(images=(WEB, entry), price="990")
        )
    assert says in _refusal(refused.value)
    assert _images_of(engine, lagoon.id) == before
    assert office.destinations.get(admin, lagoon.id) == lagoon, "nothing else was saved either"
    assert _audit_count(engine) == audited


def test_a_web_address_with_a_password_is_refused_without_repeating_it(
    office: BackOffice, admin: Actor
) -> None:
    with pytest.raises(ValidationError) as refused:
        office.destinations.create(
            admin, destination_draft(images=("https://ann:s3cret-pass@photos.example/v.jpg",))
        )
    message = _refusal(refused.value)
    assert "holds a user name or password" in message
    assert "photos.example" in message
    assert "s3cret-pass" not in str(refused.value), "messages are shown and logged"


def test_stored_pictures_and_web_addresses_are_taken(office: BackOffice, admin: Actor) -> None:
    stored = office.images.store(admin, png())
    images = (
        stored.reference,
        "https://cdn.example.com/lagoon.jpg",
        "http://old-supplier.example/villa.jpg?size=large",  # http: see WEB_SCHEMES
        "HTTPS://CDN.EXAMPLE.COM/REEF.JPG",
        "https://[2001:db8::1]:8443/a.jpg",
        "https://cdn.example/" + "x" * 2028,  # 2048 characters
    )
    created = office.destinations.create(admin, destination_draft(images=images))
    assert created.images == images


def test_entries_the_destination_had_survive_an_update_that_does_not_touch_them(
    office: BackOffice, admin: Actor, engine: Engine
) -> None:
    lagoon = office.destinations.create(admin, destination_draft())
    save_images_as_before(engine, lagoon.id, *OLD_ENTRIES)
    lagoon = office.destinations.get(admin, lagoon.id)

    # An edit of something else keeps them all (the form sends them back as it got them).
    priced = office.destinations.update(
        admin, lagoon.id, lagoon.version, destination_draft(images=lagoon.images, price="990")
    )
    assert priced.images == OLD_ENTRIES
    assert priced.price == 990

    # Reordered, one removed, a stored picture added: the others stay, unjudged.
    stored = office.images.store(admin, png())
    kept = (OLD_ENTRIES[2], stored.reference, OLD_ENTRIES[0], *OLD_ENTRIES[3:])
    edited = office.destinations.update(
        admin, lagoon.id, priced.version, destination_draft(images=kept, price="990")
    )
    assert edited.images == kept

    # A new entry that may not be added is named; the old ones are not what is refused.
    with pytest.raises(ValidationError) as refused:
        office.destinations.update(
            admin,
            lagoon.id,
            edited.version,
            destination_draft(images=(*kept, "/home/ann/new.jpg"), price="990"),
        )
    message = _refusal(refused.value)
    assert "“/home/ann/new.jpg”" in message
    assert "/home/ann/Pictures" not in message
    assert office.destinations.get(admin, lagoon.id).images == kept


def test_a_list_longer_than_new_lists_may_be_stays_but_does_not_grow(
    office: BackOffice, admin: Actor, engine: Engine
) -> None:
    lagoon = office.destinations.create(admin, destination_draft())
    many = tuple(f"https://cdn.example/{n}.jpg" for n in range(60))  # another client's
    save_images_as_before(engine, lagoon.id, *many)
    lagoon = office.destinations.get(admin, lagoon.id)
    same = office.destinations.update(
        admin, lagoon.id, lagoon.version, destination_draft(images=many, price="990")
    )
    assert same.images == many
    with pytest.raises(ValidationError) as refused:
        office.destinations.update(
            admin,
            lagoon.id,
            same.version,
            destination_draft(images=(*many, "https://cdn.example/new.jpg"), price="990"),
        )
    assert "at most 50 pictures; this list has 61" in _refusal(refused.value)
    with pytest.raises(ValidationError) as refused:
        office.destinations.create(admin, destination_draft(images=many))
    assert "at most 50 pictures; this list has 60" in _refusal(refused.value)


def test_a_picture_being_added_to_a_destination_cannot_be_deleted_meanwhile(
    office: BackOffice, admin: Actor, engine: Engine
) -> None:
    """Another client deleting the picture waits until the destination's save is done."""
    stored = office.images.store(admin, png())
    with Session(engine) as saving:
        assert ImageRepository(saving).keep_stored({stored.sha256, "f" * 64}) == {stored.sha256}
        with engine.connect() as other:
            other.execute(text("SET lock_timeout = '300ms'"))
            with pytest.raises(OperationalError, match="lock timeout"):
                other.execute(
                    text("DELETE FROM destination_images WHERE sha256 = :s"), {"s": stored.sha256}
                )
            other.rollback()
        saving.rollback()
    with engine.begin() as other:
        deleted = other.execute(
            text("DELETE FROM destination_images WHERE sha256 = :s"), {"s": stored.sha256}
        )
        assert deleted.rowcount == 1, "once the save ended, the picture can go"
