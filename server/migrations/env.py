"""Alembic environment: runs on the connection handed over by Database.migrate()."""

from alembic import context

from server.models import Base

connection = context.config.attributes.get("connection")
if connection is None:
    raise RuntimeError("run migrations through `scriptsmanager init-db`")


def include_name(name, type_, _parent) -> bool:
    """Leave the full-text index (created by raw SQL in 0003) out of autogeneration."""
    return not (type_ == "table" and name and name.startswith("execution_search"))


context.configure(
    connection=connection,
    target_metadata=Base.metadata,
    include_name=include_name,
    render_as_batch=connection.dialect.name == "sqlite",
    compare_type=True,
)
with context.begin_transaction():
    context.run_migrations()
