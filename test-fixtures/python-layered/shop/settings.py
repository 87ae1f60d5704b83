import os

DATABASE_URL = os.environ.get("DATABASE_URL", "postgresql+asyncpg://localhost/shop")
SMTP_HOST = os.environ.get("SMTP_HOST", "localhost")
