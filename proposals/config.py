"""Configuration from the environment (API.md, "Configuration")."""
import os


def _database_url(instance_path):
    url = os.environ.get("DATABASE_URL")
    if not url:
        return "sqlite:///" + os.path.join(instance_path, "proposals.db")
    # psycopg 3 is the driver we ship; accept the usual spellings.
    for prefix in ("postgres://", "postgresql://"):
        if url.startswith(prefix):
            return "postgresql+psycopg://" + url[len(prefix):]
    return url


def _bool(name, default=False):
    value = os.environ.get(name)
    if value is None:
        return default
    return value.strip().lower() in {"1", "true", "yes", "on"}


def load_config(app, overrides=None):
    overrides = dict(overrides or {})
    env = overrides.get("ENV") or os.environ.get("PROPOSALS_ENV", "development")
    cfg = {
        "ENV": env,
        "SECRET_KEY": os.environ.get("SECRET_KEY"),
        "SQLALCHEMY_DATABASE_URI": _database_url(app.instance_path),
        "SQLALCHEMY_ENGINE_OPTIONS": {"pool_pre_ping": True},
        "REDIS_URL": os.environ.get("REDIS_URL"),
        "MAIL_SERVER": os.environ.get("MAIL_SERVER"),
        "MAIL_PORT": int(os.environ.get("MAIL_PORT", "25")),
        "MAIL_USERNAME": os.environ.get("MAIL_USERNAME"),
        "MAIL_PASSWORD": os.environ.get("MAIL_PASSWORD"),
        "MAIL_USE_TLS": _bool("MAIL_USE_TLS"),
        "MAIL_DEFAULT_SENDER": os.environ.get("MAIL_DEFAULT_SENDER", "proposals@localhost"),
        # ASVS 5.0: PBKDF2-SHA256 with at least 600,000 iterations.
        "PASSWORD_HASH_METHOD": "pbkdf2:sha256:600000",
        "JSON_AS_ASCII": False,
        # the deadline sweep's period, and how long a claimed delivery is left to its sender
        "SWEEP_INTERVAL_SECONDS": int(os.environ.get("SWEEP_INTERVAL_SECONDS", "300")),
        "DELIVERY_LEASE_SECONDS": int(os.environ.get("DELIVERY_LEASE_SECONDS", "600")),
        "APP_BASE_URL": os.environ.get("APP_BASE_URL", "http://127.0.0.1:5000"),
    }
    cfg.update(overrides)
    if not cfg["SECRET_KEY"]:
        if env == "production":
            raise RuntimeError("SECRET_KEY must be set in production")
        cfg["SECRET_KEY"] = "dev-only-not-secret"
    app.config.update(cfg)
    app.json.ensure_ascii = False
