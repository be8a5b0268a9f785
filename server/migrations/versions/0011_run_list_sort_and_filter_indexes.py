"""run list sort and filter indexes

Every sort of the run list (status, duration, script name, project) gets an index per
direction, for one user's runs and for everyone's; ties are newest first in both
directions, so an ascending sort reads an ``..._asc`` index that ends in ``id DESC``. The
script and start-time filters get theirs too. A page is then read from an index in order
and a (capped) count never reads the runs themselves.

Revision ID: 0011
Revises: 0010
Create Date: 2026-12-02 18:00:00.000000
"""

import sqlalchemy as sa
from alembic import op

revision = "0011"
down_revision = "0010"
branch_labels = None
depends_on = None

NEWEST_FIRST = sa.text("id DESC")
INDEXES = {
    "ix_execution_logs_user_status_asc": ["user_id", "status", NEWEST_FIRST],
    "ix_execution_logs_status_asc": ["status", NEWEST_FIRST],
    "ix_execution_logs_user_duration": ["user_id", "duration_seconds"],
    "ix_execution_logs_user_duration_asc": ["user_id", "duration_seconds", NEWEST_FIRST],
    "ix_execution_logs_duration": ["duration_seconds"],
    "ix_execution_logs_duration_asc": ["duration_seconds", NEWEST_FIRST],
    "ix_execution_logs_user_script_name": ["user_id", "script_name"],
    "ix_execution_logs_user_script_name_asc": ["user_id", "script_name", NEWEST_FIRST],
    "ix_execution_logs_script_name": ["script_name"],
    "ix_execution_logs_script_name_asc": ["script_name", NEWEST_FIRST],
    "ix_execution_logs_user_project": ["user_id", "project_id"],
    "ix_execution_logs_user_project_asc": ["user_id", "project_id", NEWEST_FIRST],
    "ix_execution_logs_project": ["project_id"],
    "ix_execution_logs_project_asc": ["project_id", NEWEST_FIRST],
    "ix_execution_logs_user_script": ["user_id", "script_id"],
    "ix_execution_logs_script": ["script_id"],
    "ix_execution_logs_start": ["start_time"],
}


def upgrade() -> None:
    # Plain index operations: a batch "recreate" would drop the full-text triggers of 0003.
    for name, columns in INDEXES.items():
        op.create_index(name, "execution_logs", columns)


def downgrade() -> None:
    for name in INDEXES:
        op.drop_index(name, table_name="execution_logs")
