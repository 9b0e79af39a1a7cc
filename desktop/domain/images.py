"""Pictures of destinations stored in the database, and what a picture must be to be stored.

The design keeps a destination's pictures as ``images TEXT[]``, "image URLs".
A file path there means nothing on another workstation, so a picture a person
adds is stored in the database (table ``destination_images``, keyed by the
SHA-256 of its bytes) and the array holds its reference, ``db-image:<sha256>``,
beside the ``https://`` addresses other clients of the database write.

What a destination's ``images`` may gain is checked here too (``picture_entries``
and ``entry_problem``): a reference to a stored picture or a web address, nothing
else. Entries it holds already are left alone: other clients' data, and file
paths saved by older versions of this window, which it offers to store again.

What is stored is checked here from the bytes alone, without decoding the whole
picture: the format by its signature (JPEG, PNG, GIF and WebP: what every
browser and this window show; SVG can carry scripts and is refused), the size
in pixels from its header, and two limits. Nothing is scaled: a picture over a
limit is refused with the way out (make it smaller in an image editor).
"""

from __future__ import annotations

import hashlib
import re
import struct
from collections.abc import Collection, Iterable
from dataclasses import dataclass
from datetime import datetime
from urllib.parse import urlsplit

from desktop.domain.errors import ValidationError
from desktop.domain.validation import Problems, unstorable

REFERENCE_PREFIX = "db-image:"
MAX_IMAGE_BYTES = 10 * 1024 * 1024  # "10 MB": a good photo fits; a camera's raw export does not
# Qt decodes into 4 bytes a pixel and refuses more than 256 MB by default (64 megapixels):
# below that every stored picture can be shown, whole, on any workstation.
MAX_PIXELS = 50_000_000
MEDIA_TYPES = ("image/jpeg", "image/png", "image/gif", "image/webp")
FORMAT_NAMES = {
    "image/jpeg": "JPEG",
    "image/png": "PNG",
    "image/gif": "GIF",
    "image/webp": "WebP",
}
FIELD = "image"  # the field a refusal names
ENTRIES_FIELD = "images"  # a destination's field
MAX_ENTRIES = 50  # pictures of one destination (as before, and as the editor counts them)
# The design's ``images TEXT[]`` sets no length. 2048 characters is an address every browser
# and common web server accepts (and what the service allowed before); a reference is 73.
MAX_ADDRESS_LENGTH = 2048
# http:// is taken as well as https://: the design's "image URLs" name no scheme, the
# window's editor offers both, and a picture is public content fetched without credentials
# (addresses holding a password are refused; the window never follows a redirect from
# https:// down to http://). Refusing it would only turn away suppliers' older addresses.
WEB_SCHEMES = ("https", "http")
_SHOWN_MAX = 80  # of an entry quoted in a message
_EXAMPLE_ADDRESS = "https://example.com/villa.jpg"

_DIGEST = re.compile(r"^[0-9a-f]{64}$")
_PNG = b"\x89PNG\r\n\x1a\n"
_PNG_END = b"IEND\xaeB`\x82"
# JPEG's start-of-frame markers (the ones that carry the size); C4, C8 and CC are others.
_JPEG_FRAMES = frozenset(range(0xC0, 0xD0)) - {0xC4, 0xC8, 0xCC}
_JPEG_STANDALONE = frozenset({0x01, *range(0xD0, 0xD9)})

NOT_A_PICTURE = (
    "This is not a picture that can be stored: choose a JPEG, PNG, GIF or WebP file "
    "(a photo saved from a camera, a phone or the web)."
)
DAMAGED = (
    "This picture is damaged or cut off, so it cannot be stored. Open it in an image "
    "editor, save it again, and add that file."
)


@dataclass(frozen=True)
class ImageFacts:
    """What the header says: the format and the size in pixels."""

    media_type: str
    width: int
    height: int


@dataclass(frozen=True, slots=True)
class StoredImage:
    """A picture in the database, without its bytes (lists and thumbnails' captions)."""

    sha256: str
    media_type: str
    width: int
    height: int
    byte_size: int
    created_at: datetime | None

    @property
    def reference(self) -> str:
        """What a destination's ``images`` holds for it."""
        return image_reference(self.sha256)

    @property
    def format_name(self) -> str:
        return FORMAT_NAMES.get(self.media_type, self.media_type)


@dataclass(frozen=True, slots=True)
class ImageContent:
    """A stored picture with its bytes (a thumbnail, or the picture itself)."""

    image: StoredImage
    content: bytes


def image_reference(sha256: str) -> str:
    return f"{REFERENCE_PREFIX}{sha256}"


def reference_digest(source: str) -> str | None:
    """The SHA-256 a ``db-image:`` reference names; None for anything else."""
    if not source.startswith(REFERENCE_PREFIX):
        return None
    digest = source[len(REFERENCE_PREFIX) :]
    return digest if _DIGEST.match(digest) else None


def is_web_address(source: str) -> bool:
    return source.lower().startswith(("http://", "https://"))


def picture_entries(
    problems: Problems, entries: Iterable[str], *, stored: Collection[str]
) -> list[str]:
    """A destination's ``images`` as it will be saved: trimmed, non-empty, each once, in order.

    Only entries that are new compared with ``stored`` (what the row holds now) are
    judged (``entry_problem``); the first problem found is added to ``problems``. A
    list may not grow beyond ``MAX_ENTRIES``; one longer already (another client's)
    may stay as it is. Whether a new reference names a stored picture is for the
    service to ask the database.
    """
    known = {entry.strip() for entry in stored}
    seen: dict[str, None] = {}
    for raw in entries:
        entry = raw.strip()
        if not entry or entry in seen:
            continue
        seen[entry] = None
        if entry not in known and (problem := entry_problem(entry)) is not None:
            problems.add(ENTRIES_FIELD, problem)
    if len(seen) > max(MAX_ENTRIES, len(known)):
        problems.add(
            ENTRIES_FIELD,
            f"Images can hold at most {MAX_ENTRIES} pictures; this list has {len(seen)}. "
            "Remove some.",
        )
    return list(seen)


def entry_problem(entry: str) -> str | None:
    """Why ``entry`` cannot be a new picture of a destination, with the way out; or None.

    A new entry is a reference to a stored picture (``db-image:<sha256>``) or a web
    address (``https://`` or ``http://``, at most ``MAX_ADDRESS_LENGTH`` characters,
    with a host and without a user name or password, which every workstation and the
    audit log would show). Anything else (a file path, a word) means nothing on
    another workstation.
    """
    shown = quoted(entry)
    if (problem := unstorable(entry)) is not None:
        return f"Images: the entry {shown} {problem}"
    if entry.startswith(REFERENCE_PREFIX):
        if reference_digest(entry) is None:
            return (
                f"Images: {shown} is not a whole reference to a stored picture "
                f"({REFERENCE_PREFIX} and 64 hexadecimal digits). Add the picture from its "
                "file again."
            )
        return None
    if not is_web_address(entry):
        return (
            f"Images: {shown} is neither a picture stored in the database nor a web address, "
            "so no other workstation could show it. Add the picture from its file (it is then "
            f"stored in the database), or give its web address, such as {_EXAMPLE_ADDRESS}."
        )
    return _address_problem(entry, shown)


def _address_problem(address: str, shown: str) -> str | None:
    if len(address) > MAX_ADDRESS_LENGTH:
        return (
            f"Images: the web address {shown} is {len(address)} characters long; at most "
            f"{MAX_ADDRESS_LENGTH} fit. Use a shorter address for the picture, or download it "
            "and add the file."
        )
    incomplete = (
        f"Images: the web address {shown} is not complete; it should look like "
        f"{_EXAMPLE_ADDRESS}. Copy it again from the browser's address bar."
    )
    if any(ch.isspace() or not ch.isprintable() for ch in address):
        return (
            f"Images: the web address {shown} contains spaces or invisible characters. Copy "
            "it again from the browser's address bar."
        )
    try:
        parts = urlsplit(address)
        host = parts.hostname
        _ = parts.port  # a port that is not a number is refused here
    except ValueError:
        return incomplete
    if parts.scheme.lower() not in WEB_SCHEMES or not host:
        return incomplete
    if parts.username is not None or parts.password is not None:
        # Not quoted: the message is shown and logged, and would show the password too.
        return (
            f"Images: the web address of the picture on {host} holds a user name or password, "
            "which every workstation and the audit log would show. Use an address that needs "
            "no sign-in, or download the picture and add the file."
        )
    return None


def quoted(entry: str) -> str:
    """An entry as a message quotes it: in quotation marks, shortened when long.

    Invisible characters (a NUL, half of an emoji) show as U+FFFD: the message is
    shown and logged, where they could not be written.
    """
    text = entry if len(entry) <= _SHOWN_MAX else entry[: _SHOWN_MAX - 1] + "…"
    visible = "".join(ch if ch.isprintable() or ch == " " else "\ufffd" for ch in text)
    return f"“{visible}”"


def content_digest(content: bytes) -> str:
    return hashlib.sha256(content).hexdigest()


def megabytes(size: int) -> str:
    """ "10.4 MB" (binary megabytes, as the limit is counted)."""
    return f"{size / (1024 * 1024):.1f} MB"


def examine(content: bytes) -> ImageFacts:
    """The picture's format and size, or ``ValidationError`` saying why it cannot be stored."""
    if not content:
        raise ValidationError({FIELD: "The file is empty. " + NOT_A_PICTURE})
    if len(content) > MAX_IMAGE_BYTES:
        raise ValidationError(
            {
                FIELD: f"The picture is {megabytes(len(content))}; at most "
                f"{megabytes(MAX_IMAGE_BYTES)} can be stored. Make it smaller in an image "
                "editor (fewer pixels or more compression), then add it again."
            }
        )
    facts = _read_header(content)
    if facts.width < 1 or facts.height < 1:
        raise ValidationError({FIELD: DAMAGED})
    if facts.width * facts.height > MAX_PIXELS:
        raise ValidationError(
            {
                FIELD: f"The picture is {facts.width} by {facts.height} pixels; at most "
                f"{MAX_PIXELS // 1_000_000} million pixels can be stored. Make it smaller in "
                "an image editor, then add it again."
            }
        )
    return facts


def _read_header(content: bytes) -> ImageFacts:
    try:
        if content.startswith(_PNG):
            return _png(content)
        if content.startswith(b"\xff\xd8\xff"):
            return _jpeg(content)
        if content[:6] in (b"GIF87a", b"GIF89a"):
            return _gif(content)
        if content[:4] == b"RIFF" and content[8:12] == b"WEBP":
            return _webp(content)
    except (struct.error, IndexError):
        raise ValidationError({FIELD: DAMAGED}) from None
    raise ValidationError({FIELD: NOT_A_PICTURE})


def _png(content: bytes) -> ImageFacts:
    length, kind, width, height = struct.unpack(">I4sII", content[8:24])
    if length != 13 or kind != b"IHDR" or content.rfind(_PNG_END) < 24:
        raise ValidationError({FIELD: DAMAGED})
    return ImageFacts("image/png", width, height)


def _gif(content: bytes) -> ImageFacts:
    if len(content) < 14:  # header, screen descriptor and a trailer at the least
        raise ValidationError({FIELD: DAMAGED})
    width, height = struct.unpack("<HH", content[6:10])
    return ImageFacts("image/gif", width, height)


def _jpeg(content: bytes) -> ImageFacts:
    at = 2
    while at + 4 <= len(content):
        if content[at] != 0xFF:
            break
        marker = content[at + 1]
        if marker == 0xFF:  # fill byte before a marker
            at += 1
            continue
        if marker in _JPEG_STANDALONE:
            at += 2
            continue
        if marker in (0xD9, 0xDA):  # the end, or the picture's data before any frame
            break
        (length,) = struct.unpack(">H", content[at + 2 : at + 4])
        if marker in _JPEG_FRAMES:
            height, width = struct.unpack(">HH", content[at + 5 : at + 9])
            return ImageFacts("image/jpeg", width, height)
        at += 2 + length
    raise ValidationError({FIELD: DAMAGED})


def _webp(content: bytes) -> ImageFacts:
    (riff_size,) = struct.unpack("<I", content[4:8])
    if riff_size + 8 > len(content):
        raise ValidationError({FIELD: DAMAGED})
    chunk = content[12:16]
    if chunk == b"VP8 ":
        if content[23:26] != b"\x9d\x01\x2a":
            raise ValidationError({FIELD: DAMAGED})
        width, height = struct.unpack("<HH", content[26:30])
        return ImageFacts("image/webp", width & 0x3FFF, height & 0x3FFF)
    if chunk == b"VP8L":
        if content[20] != 0x2F:
            raise ValidationError({FIELD: DAMAGED})
        (bits,) = struct.unpack("<I", content[21:25])
        return ImageFacts("image/webp", (bits & 0x3FFF) + 1, ((bits >> 14) & 0x3FFF) + 1)
    if chunk == b"VP8X":
        width = int.from_bytes(content[24:27], "little") + 1
        height = int.from_bytes(content[27:30], "little") + 1
        return ImageFacts("image/webp", width, height)
    raise ValidationError({FIELD: DAMAGED})
