"""drop the kept statistics counts (their tables, triggers and key-proposal indexes) and the
data_version token of the kept list totals

The statistics are computed from the records by one statement (proposals/stats/), and a list
page counts its rows; nothing is kept per period or per worker any more. This undoes the two
migrations that added them, by running their own downgrades; its downgrade runs their upgrades
again (every proposal is then marked for the counts to be folded anew).

Revision ID: b7c6d5e4f3a2
Revises: a8e7d0f2b4c6
Create Date: 2026-12-06 16:00:00
"""

import importlib.util
import os

# revision identifiers, used by Alembic.
revision = "b7c6d5e4f3a2"
down_revision = "a8e7d0f2b4c6"
branch_labels = None
depends_on = None

HERE = os.path.dirname(os.path.abspath(__file__))
KEPT_COUNTS = "20261129_a8e7d0f2b4c6_stats_kept_counts.py"
DATA_VERSION = "20261129_f6c5b8d0e2a4_data_version.py"


def earlier(filename):
    """An earlier migration of this folder, as a module (migration files are not a package)."""
    spec = importlib.util.spec_from_file_location(filename[:-3], os.path.join(HERE, filename))
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def upgrade():
    earlier(KEPT_COUNTS).downgrade()
    earlier(DATA_VERSION).downgrade()


def downgrade():
    earlier(DATA_VERSION).upgrade()
    earlier(KEPT_COUNTS).upgrade()
