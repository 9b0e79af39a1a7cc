"""The database design, written down in the tests' own form.

Transcribed from the design document (tables, indexes, constraints, functions,
triggers), in the form PostgreSQL's catalog reports them. The parity test
compares this with a freshly migrated database: every object here must be
there, identical. ``IMPROVEMENTS`` lists what later revisions add on purpose,
so that nothing else can slip in unnoticed. The suite never reads the design
document itself.
"""

from __future__ import annotations

from typing import ClassVar

NOW = "now()"
TS = "timestamp with time zone"


def _serial(table: str) -> str:
    return f"nextval('{table}_id_seq'::regclass)"


# (table, column) -> (type, NOT NULL, default)
COLUMNS: dict[tuple[str, str], tuple[str, bool, str | None]] = {
    # users
    ("users", "id"): ("bigint", True, _serial("users")),
    ("users", "name"): ("character varying(255)", True, None),
    ("users", "email"): ("character varying(255)", True, None),
    ("users", "password_hash"): ("text", True, None),
    ("users", "phone"): ("character varying(20)", False, None),
    ("users", "role"): ("character varying(50)", True, "'user'::character varying"),
    ("users", "email_verified"): ("boolean", False, "false"),
    ("users", "created_at"): (TS, False, NOW),
    ("users", "updated_at"): (TS, False, NOW),
    # destinations
    ("destinations", "id"): ("bigint", True, _serial("destinations")),
    ("destinations", "name"): ("character varying(255)", True, None),
    ("destinations", "description"): ("text", True, None),
    ("destinations", "country"): ("character varying(100)", True, None),
    ("destinations", "city"): ("character varying(100)", True, None),
    ("destinations", "price"): ("numeric(10,2)", True, None),
    ("destinations", "duration"): ("integer", True, None),
    ("destinations", "max_guests"): ("integer", True, None),
    ("destinations", "images"): ("text[]", False, "'{}'::text[]"),
    ("destinations", "features"): ("text[]", False, "'{}'::text[]"),
    ("destinations", "rating"): ("numeric(3,2)", False, "0.0"),
    ("destinations", "review_count"): ("integer", False, "0"),
    ("destinations", "active"): ("boolean", False, "true"),
    ("destinations", "created_at"): (TS, False, NOW),
    ("destinations", "updated_at"): (TS, False, NOW),
    # bookings
    ("bookings", "id"): ("bigint", True, _serial("bookings")),
    ("bookings", "user_id"): ("bigint", True, None),
    ("bookings", "destination_id"): ("bigint", True, None),
    ("bookings", "start_date"): ("date", True, None),
    ("bookings", "end_date"): ("date", True, None),
    ("bookings", "guests"): ("integer", True, None),
    ("bookings", "total_price"): ("numeric(10,2)", True, None),
    ("bookings", "status"): ("character varying(50)", True, "'pending'::character varying"),
    ("bookings", "special_requests"): ("text", False, None),
    ("bookings", "payment_intent_id"): ("character varying(255)", False, None),
    ("bookings", "payment_status"): (
        "character varying(50)",
        False,
        "'pending'::character varying",
    ),
    ("bookings", "cancellation_reason"): ("text", False, None),
    ("bookings", "cancelled_at"): (TS, False, None),
    ("bookings", "created_at"): (TS, False, NOW),
    ("bookings", "updated_at"): (TS, False, NOW),
    # reviews
    ("reviews", "id"): ("bigint", True, _serial("reviews")),
    ("reviews", "user_id"): ("bigint", True, None),
    ("reviews", "destination_id"): ("bigint", True, None),
    ("reviews", "booking_id"): ("bigint", False, None),
    ("reviews", "rating"): ("integer", True, None),
    ("reviews", "comment"): ("text", False, None),
    ("reviews", "helpful_count"): ("integer", False, "0"),
    ("reviews", "created_at"): (TS, False, NOW),
    ("reviews", "updated_at"): (TS, False, NOW),
    # audit_logs
    ("audit_logs", "id"): ("bigint", True, _serial("audit_logs")),
    ("audit_logs", "user_id"): ("bigint", False, None),
    ("audit_logs", "action"): ("character varying(100)", True, None),
    ("audit_logs", "resource_type"): ("character varying(100)", True, None),
    ("audit_logs", "resource_id"): ("bigint", False, None),
    ("audit_logs", "old_values"): ("jsonb", False, None),
    ("audit_logs", "new_values"): ("jsonb", False, None),
    ("audit_logs", "ip_address"): ("inet", False, None),
    ("audit_logs", "user_agent"): ("text", False, None),
    ("audit_logs", "created_at"): (TS, False, NOW),
}

# name -> (table, definition as pg_get_constraintdef prints it)
CONSTRAINTS: dict[str, tuple[str, str]] = {
    "users_pkey": ("users", "PRIMARY KEY (id)"),
    "users_email_key": ("users", "UNIQUE (email)"),
    "destinations_pkey": ("destinations", "PRIMARY KEY (id)"),
    "bookings_pkey": ("bookings", "PRIMARY KEY (id)"),
    "bookings_user_id_fkey": (
        "bookings",
        "FOREIGN KEY (user_id) REFERENCES users(id) ON DELETE CASCADE",
    ),
    "bookings_destination_id_fkey": (
        "bookings",
        "FOREIGN KEY (destination_id) REFERENCES destinations(id) ON DELETE CASCADE",
    ),
    "chk_booking_dates": ("bookings", "CHECK ((end_date > start_date))"),
    "chk_booking_guests": ("bookings", "CHECK ((guests > 0))"),
    "chk_booking_price": ("bookings", "CHECK ((total_price > (0)::numeric))"),
    "reviews_pkey": ("reviews", "PRIMARY KEY (id)"),
    "reviews_user_id_fkey": (
        "reviews",
        "FOREIGN KEY (user_id) REFERENCES users(id) ON DELETE CASCADE",
    ),
    "reviews_destination_id_fkey": (
        "reviews",
        "FOREIGN KEY (destination_id) REFERENCES destinations(id) ON DELETE CASCADE",
    ),
    "reviews_booking_id_fkey": (
        "reviews",
        "FOREIGN KEY (booking_id) REFERENCES bookings(id) ON DELETE SET NULL",
    ),
    "reviews_rating_check": ("reviews", "CHECK (((rating >= 1) AND (rating <= 5)))"),
    "reviews_user_id_destination_id_booking_id_key": (
        "reviews",
        "UNIQUE (user_id, destination_id, booking_id)",
    ),
    "audit_logs_pkey": ("audit_logs", "PRIMARY KEY (id)"),
    "audit_logs_user_id_fkey": (
        "audit_logs",
        "FOREIGN KEY (user_id) REFERENCES users(id) ON DELETE SET NULL",
    ),
}

_ACTIVE = (
    "((status)::text = ANY ((ARRAY['confirmed'::character varying, "
    "'pending'::character varying])::text[]))"
)


def _btree(name: str, table: str, columns: str, *, unique: bool = False) -> str:
    kind = "UNIQUE INDEX" if unique else "INDEX"
    return f"CREATE {kind} {name} ON {table} USING btree ({columns})"


# name -> definition as pg_indexes prints it (schema prefix removed)
INDEXES: dict[str, str] = {
    "users_pkey": _btree("users_pkey", "users", "id", unique=True),
    "users_email_key": _btree("users_email_key", "users", "email", unique=True),
    "idx_users_email": _btree("idx_users_email", "users", "email"),
    "idx_users_role": _btree("idx_users_role", "users", "role"),
    "idx_users_created_at": _btree("idx_users_created_at", "users", "created_at"),
    "destinations_pkey": _btree("destinations_pkey", "destinations", "id", unique=True),
    "idx_destinations_country": _btree("idx_destinations_country", "destinations", "country"),
    "idx_destinations_city": _btree("idx_destinations_city", "destinations", "city"),
    "idx_destinations_price": _btree("idx_destinations_price", "destinations", "price"),
    "idx_destinations_rating": _btree("idx_destinations_rating", "destinations", "rating"),
    "idx_destinations_active": _btree("idx_destinations_active", "destinations", "active"),
    "idx_destinations_created_at": _btree(
        "idx_destinations_created_at", "destinations", "created_at"
    ),
    "idx_destinations_search": (
        "CREATE INDEX idx_destinations_search ON destinations USING gin "
        "(to_tsvector('english'::regconfig, (((name)::text || ' '::text) || description)))"
    ),
    "bookings_pkey": _btree("bookings_pkey", "bookings", "id", unique=True),
    "idx_bookings_user_id": _btree("idx_bookings_user_id", "bookings", "user_id"),
    "idx_bookings_destination_id": _btree(
        "idx_bookings_destination_id", "bookings", "destination_id"
    ),
    "idx_bookings_status": _btree("idx_bookings_status", "bookings", "status"),
    "idx_bookings_dates": _btree("idx_bookings_dates", "bookings", "start_date, end_date"),
    "idx_bookings_created_at": _btree("idx_bookings_created_at", "bookings", "created_at"),
    "idx_bookings_no_overlap": (
        _btree(
            "idx_bookings_no_overlap",
            "bookings",
            "destination_id, start_date, end_date",
            unique=True,
        )
        + f" WHERE {_ACTIVE}"
    ),
    "reviews_pkey": _btree("reviews_pkey", "reviews", "id", unique=True),
    "reviews_user_id_destination_id_booking_id_key": _btree(
        "reviews_user_id_destination_id_booking_id_key",
        "reviews",
        "user_id, destination_id, booking_id",
        unique=True,
    ),
    "idx_reviews_user_id": _btree("idx_reviews_user_id", "reviews", "user_id"),
    "idx_reviews_destination_id": _btree("idx_reviews_destination_id", "reviews", "destination_id"),
    "idx_reviews_rating": _btree("idx_reviews_rating", "reviews", "rating"),
    "idx_reviews_created_at": _btree("idx_reviews_created_at", "reviews", "created_at"),
    "audit_logs_pkey": _btree("audit_logs_pkey", "audit_logs", "id", unique=True),
    "idx_audit_logs_user_id": _btree("idx_audit_logs_user_id", "audit_logs", "user_id"),
    "idx_audit_logs_action": _btree("idx_audit_logs_action", "audit_logs", "action"),
    "idx_audit_logs_resource": _btree(
        "idx_audit_logs_resource", "audit_logs", "resource_type, resource_id"
    ),
    "idx_audit_logs_created_at": _btree("idx_audit_logs_created_at", "audit_logs", "created_at"),
}


def _updated_at_trigger(table: str) -> str:
    return (
        f"CREATE TRIGGER trigger_{table}_updated_at BEFORE UPDATE ON {table} "
        "FOR EACH ROW EXECUTE FUNCTION update_updated_at_column()"
    )


TRIGGERS: dict[str, str] = {
    "trigger_update_destination_rating": (
        "CREATE TRIGGER trigger_update_destination_rating AFTER INSERT OR DELETE OR UPDATE "
        "ON reviews FOR EACH ROW EXECUTE FUNCTION update_destination_rating()"
    ),
    **{
        f"trigger_{table}_updated_at": _updated_at_trigger(table)
        for table in ("users", "destinations", "bookings", "reviews")
    },
}

FUNCTIONS: dict[str, str] = {
    "update_destination_rating": """
        BEGIN
            UPDATE destinations
            SET
                rating = (
                    SELECT COALESCE(AVG(rating), 0)
                    FROM reviews
                    WHERE destination_id = COALESCE(NEW.destination_id, OLD.destination_id)
                ),
                review_count = (
                    SELECT COUNT(*)
                    FROM reviews
                    WHERE destination_id = COALESCE(NEW.destination_id, OLD.destination_id)
                ),
                updated_at = NOW()
            WHERE id = COALESCE(NEW.destination_id, OLD.destination_id);

            RETURN COALESCE(NEW, OLD);
        END;
    """,
    "update_updated_at_column": """
        BEGIN
            NEW.updated_at = NOW();
            RETURN NEW;
        END;
    """,
}


def _in(column: str, values: list[str]) -> str:
    items = ", ".join(f"'{v}'::character varying" for v in values)
    return f"CHECK ((({column})::text = ANY ((ARRAY[{items}])::text[])))"


_DESTINATION_IMAGES_CONSTRAINTS = {
    "destination_images_pkey": ("destination_images", "PRIMARY KEY (sha256)"),
    "destination_images_created_by_fkey": (
        "destination_images",
        "FOREIGN KEY (created_by) REFERENCES users(id) ON DELETE SET NULL",
    ),
    "chk_destination_images_sha256": (
        "destination_images",
        "CHECK (((sha256)::text = encode(sha256(content), 'hex'::text)))",
    ),
    "chk_destination_images_media_type": (
        "destination_images",
        _in("media_type", ["image/jpeg", "image/png", "image/gif", "image/webp"]),
    ),
    "chk_destination_images_byte_size": (
        "destination_images",
        "CHECK (((byte_size = octet_length(content)) AND (byte_size <= 10485760)))",
    ),
    "chk_destination_images_pixels": (
        "destination_images",
        "CHECK (((width > 0) AND (height > 0)))",
    ),
}


class IMPROVEMENTS:
    """Objects that later revisions add beyond the design, each named with its revision."""

    CONSTRAINTS: ClassVar[dict[str, tuple[str, str]]] = {
        # 0002_booking_overlap_exclusion
        "excl_bookings_active_overlap": (
            "bookings",
            "EXCLUDE USING gist (destination_id WITH =, daterange(start_date, end_date) WITH &&)"
            f" WHERE ({_ACTIVE})",
        ),
        # 0010_review_helpful_votes
        "review_helpful_votes_pkey": ("review_helpful_votes", "PRIMARY KEY (review_id, user_id)"),
        "review_helpful_votes_review_id_fkey": (
            "review_helpful_votes",
            "FOREIGN KEY (review_id) REFERENCES reviews(id) ON DELETE CASCADE",
        ),
        "review_helpful_votes_user_id_fkey": (
            "review_helpful_votes",
            "FOREIGN KEY (user_id) REFERENCES users(id) ON DELETE CASCADE",
        ),
        # 0003_enumeration_checks
        "chk_users_role": ("users", _in("role", ["user", "admin", "moderator", "agent"])),
        "chk_bookings_status": (
            "bookings",
            _in("status", ["pending", "confirmed", "cancelled", "completed"]),
        ),
        "chk_bookings_payment_status": (
            "bookings",
            _in("payment_status", ["pending", "paid", "failed", "refunded"]),
        ),
        # 0011_destination_images
        **_DESTINATION_IMAGES_CONSTRAINTS,
    }
    INDEXES: ClassVar[dict[str, str]] = {
        # 0002_booking_overlap_exclusion: the exclusion constraint's own index
        "excl_bookings_active_overlap": (
            "CREATE INDEX excl_bookings_active_overlap ON bookings USING gist "
            f"(destination_id, daterange(start_date, end_date)) WHERE {_ACTIVE}"
        ),
        # 0005_booking_request_token
        "uq_bookings_request_token": _btree(
            "uq_bookings_request_token", "bookings", "request_token", unique=True
        ),
        # 0010_review_helpful_votes
        "review_helpful_votes_pkey": _btree(
            "review_helpful_votes_pkey", "review_helpful_votes", "review_id, user_id", unique=True
        ),
        "idx_review_helpful_votes_user_id": _btree(
            "idx_review_helpful_votes_user_id", "review_helpful_votes", "user_id"
        ),
        # 0006_people_search_indexes
        **{
            f"idx_users_{c}_trgm": (
                f"CREATE INDEX idx_users_{c}_trgm ON users USING gin ({c} gin_trgm_ops)"
            )
            for c in ("name", "email", "phone")
        },
        "idx_users_name_id": _btree("idx_users_name_id", "users", "name, id"),
        # 0011_destination_images
        "destination_images_pkey": _btree(
            "destination_images_pkey", "destination_images", "sha256", unique=True
        ),
        "idx_destination_images_created_by": _btree(
            "idx_destination_images_created_by", "destination_images", "created_by"
        ),
    }
    COLUMNS: ClassVar[dict[tuple[str, str], tuple[str, bool, str | None]]] = {
        # 0005_booking_request_token
        ("bookings", "request_token"): ("uuid", False, None),
        # 0010_review_helpful_votes
        ("review_helpful_votes", "review_id"): ("bigint", True, None),
        ("review_helpful_votes", "user_id"): ("bigint", True, None),
        ("review_helpful_votes", "created_at"): (TS, False, NOW),
        # 0011_destination_images
        ("destination_images", "sha256"): ("character varying(64)", True, None),
        ("destination_images", "content"): ("bytea", True, None),
        ("destination_images", "media_type"): ("character varying(50)", True, None),
        ("destination_images", "width"): ("integer", True, None),
        ("destination_images", "height"): ("integer", True, None),
        ("destination_images", "byte_size"): ("integer", True, None),
        ("destination_images", "created_at"): ("timestamp with time zone", True, "now()"),
        ("destination_images", "created_by"): ("bigint", False, None),
    }
    TRIGGERS: ClassVar[dict[str, str]] = {
        # 0004_rating_follows_moved_review
        "trigger_update_previous_destination_rating": (
            "CREATE TRIGGER trigger_update_previous_destination_rating AFTER UPDATE OF "
            "destination_id ON reviews FOR EACH ROW WHEN ((old.destination_id IS DISTINCT "
            "FROM new.destination_id)) EXECUTE FUNCTION update_previous_destination_rating()"
        ),
        # 0007_audit_log_append_only
        "trigger_audit_logs_append_only": (
            "CREATE TRIGGER trigger_audit_logs_append_only BEFORE DELETE OR UPDATE ON "
            "audit_logs FOR EACH ROW EXECUTE FUNCTION forbid_audit_log_changes()"
        ),
        "trigger_audit_logs_no_truncate": (
            "CREATE TRIGGER trigger_audit_logs_no_truncate BEFORE TRUNCATE ON audit_logs "
            "FOR EACH STATEMENT EXECUTE FUNCTION forbid_audit_log_changes()"
        ),
        # 0008_change_notifications
        **{
            f"trigger_{table}_notify_{event.lower()}": (
                f"CREATE TRIGGER trigger_{table}_notify_{event.lower()} AFTER {event} ON {table} "
                f"REFERENCING {'OLD' if event == 'DELETE' else 'NEW'} TABLE AS changed "
                "FOR EACH STATEMENT EXECUTE FUNCTION notify_exotic_changes()"
            )
            for table in (
                "users",
                "destinations",
                "bookings",
                "reviews",
                "audit_logs",
                "review_helpful_votes",  # 0010_review_helpful_votes
            )
            for event in ("INSERT", "UPDATE", "DELETE")
        },
        # 0010_review_helpful_votes
        "trigger_review_helpful_votes_count": (
            "CREATE TRIGGER trigger_review_helpful_votes_count AFTER INSERT OR DELETE OR UPDATE "
            "OF review_id ON review_helpful_votes FOR EACH ROW "
            "EXECUTE FUNCTION count_review_helpful_votes()"
        ),
    }
    FUNCTIONS: ClassVar[tuple[str, ...]] = (
        "update_previous_destination_rating",
        "forbid_audit_log_changes",
        "notify_exotic_changes",
        "count_review_helpful_votes",  # 0010_review_helpful_votes
    )
