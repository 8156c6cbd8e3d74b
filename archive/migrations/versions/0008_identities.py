"""Signing in through the school's identity provider (OpenID Connect): which provider account opens which
hocba account, and the sign-ins under way.

Revision ID: 0008
Revises: 0007
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0008"
down_revision = "0007"
branch_labels = None
depends_on = None

_STAMP = sa.DateTime(timezone=True)


def upgrade() -> None:
    op.create_table(
        "account_identities",
        sa.Column("issuer", sa.String(255), primary_key=True),
        sa.Column("subject", sa.String(255), primary_key=True),
        sa.Column("username", sa.String(64), sa.ForeignKey("accounts.username"), nullable=False),
        sa.Column("linked_at", _STAMP, nullable=False),
    )
    op.create_index("ix_account_identities_username", "account_identities", ["username"])
    op.create_table(
        "sign_in_flows",
        sa.Column("state_sha256", sa.String(64), primary_key=True),
        sa.Column("purpose", sa.String(16), nullable=False),
        sa.Column("username", sa.String(64)),
        sa.Column("nonce", sa.String(64), nullable=False),
        sa.Column("verifier", sa.String(128), nullable=False),
        sa.Column("next_path", sa.Text, nullable=False),
        sa.Column("expires_at", _STAMP, nullable=False),
    )


def downgrade() -> None:
    op.drop_table("sign_in_flows")
    op.drop_index("ix_account_identities_username", "account_identities")
    op.drop_table("account_identities")
