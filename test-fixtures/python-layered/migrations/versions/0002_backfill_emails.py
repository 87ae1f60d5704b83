from alembic import op
from sqlalchemy import text


def upgrade():
    conn = op.get_bind()
    for row in conn.execute(text("SELECT id FROM customers")).fetchall():
        # ok: n-plus-one -- a migration runs once
        conn.execute(text("UPDATE customers SET email = lower(email) WHERE id = :id"), {"id": row.id})


def downgrade():
    pass
