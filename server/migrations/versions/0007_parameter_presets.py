"""parameter presets

Revision ID: 0007
Revises: 0006
Create Date: 2026-12-05 10:00:00.000000
"""

import sqlalchemy as sa
from alembic import op

revision = "0007"
down_revision = "0006"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "parameter_presets",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("script_id", sa.Integer(), nullable=False),
        sa.Column("name", sa.String(length=100), nullable=False),
        sa.Column("parameters", sa.JSON(), nullable=True),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.Column("updated_at", sa.DateTime(), nullable=False),
        sa.ForeignKeyConstraint(
            ["user_id"],
            ["users.id"],
            name=op.f("fk_parameter_presets_user_id_users"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["script_id"],
            ["scripts.id"],
            name=op.f("fk_parameter_presets_script_id_scripts"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_parameter_presets")),
        sa.UniqueConstraint(
            "user_id", "script_id", "name", name=op.f("uq_parameter_presets_user_id")
        ),
    )
    with op.batch_alter_table("parameter_presets", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_parameter_presets_script_id"), ["script_id"], unique=False
        )


def downgrade() -> None:
    with op.batch_alter_table("parameter_presets", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_parameter_presets_script_id"))
    op.drop_table("parameter_presets")
