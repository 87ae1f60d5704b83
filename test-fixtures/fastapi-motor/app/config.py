"""Settings, read once from the environment (see .env.example)."""
from functools import lru_cache

from pydantic_settings import BaseSettings, SettingsConfigDict


class Settings(BaseSettings):
    model_config = SettingsConfigDict(env_file=".env", extra="ignore")

    mongo_url: str = "mongodb://localhost:27017"
    mongo_db: str = "acme"
    analytics_url: str = "mongodb://localhost:27018"
    search_url: str = "mongodb://localhost:27019"
    mongo_options: dict = {}
    redis_url: str = "redis://localhost:6379/0"

    smtp_host: str = "localhost"
    smtp_port: int = 587
    smtp_user: str = ""
    smtp_password: str = ""
    mail_from: str = "Acme <no-reply@acme.test>"

    public_url: str = "http://localhost:8000"


@lru_cache  # ok: in-process-shared-state -- settings, not database data
def get_settings() -> Settings:
    return Settings()


settings = get_settings()
