from sqlalchemy import create_engine, text

# ok: pool-unconfigured -- a one-off script
engine = create_engine("postgresql://localhost/shop")

if __name__ == "__main__":
    with engine.connect() as conn:
        for row in conn.execute(text("SELECT id FROM orders")).fetchall():
            # ok: n-plus-one -- a one-off script
            conn.execute(text("UPDATE orders SET indexed = true WHERE id = :id"), {"id": row.id})
