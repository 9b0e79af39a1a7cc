"""Alembic environment.

The application passes its engine in ``config.attributes["engine"]``. Run by
hand (``alembic upgrade head`` from the repository root), the database is found
as the application finds it, starting the embedded server if that is the one.
"""

from __future__ import annotations

import logging.config

from alembic import context
from sqlalchemy import Engine, create_engine
from sqlalchemy.pool import NullPool

from desktop.db.models import Base

config = context.config
target_metadata = Base.metadata


def _engine() -> Engine:
    engine = config.attributes.get("engine")
    if engine is not None:
        return engine  # type: ignore[no-any-return]
    if config.config_file_name is not None:
        logging.config.fileConfig(config.config_file_name, disable_existing_loggers=False)
    from desktop.db.location import resolve

    location = resolve()
    url = location.open()
    logging.getLogger("alembic").info("Database: %s", location.describe())
    return create_engine(url, poolclass=NullPool)


def _configure(**kwargs: object) -> None:
    context.configure(
        target_metadata=target_metadata,
        compare_type=True,
        compare_server_default=True,
        transaction_per_migration=True,
        **kwargs,  # type: ignore[arg-type]
    )


def run_migrations_offline() -> None:
    url = config.get_main_option("sqlalchemy.url")
    _configure(url=url, literal_binds=True, dialect_opts={"paramstyle": "named"})
    with context.begin_transaction():
        context.run_migrations()


def run_migrations_online() -> None:
    engine = _engine()
    with engine.connect() as connection:
        _configure(connection=connection)
        with context.begin_transaction():
            context.run_migrations()
        connection.commit()


if context.is_offline_mode():
    run_migrations_offline()
else:
    run_migrations_online()
