"""Configuration from the environment (every variable: docs/operations.md)."""

import os
import secrets


def instance_secret(instance_path):
    """A random secret made on first start and kept in ``instance/secret_key`` (readable by its
    owner only), so that a development or demo installation never signs its cookies with a key
    anyone can read in the source. Several processes starting at once agree on one key: each
    writes its own candidate, and the first to link it into place wins."""
    path = os.path.join(instance_path, "secret_key")
    if not os.path.exists(path):
        candidate = f"{path}.{os.getpid()}.new"
        fd = os.open(candidate, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
        with os.fdopen(fd, "w") as fh:
            fh.write(secrets.token_hex(32))
        try:
            os.link(candidate, path)
        except FileExistsError:
            pass
        finally:
            os.unlink(candidate)
    with open(path, encoding="ascii") as fh:
        return fh.read().strip()


def _database_url(instance_path):
    url = os.environ.get("DATABASE_URL")
    if not url:
        return "sqlite:///" + os.path.join(instance_path, "proposals.db")
    # psycopg 3 is the driver we ship; accept the usual spellings.
    for prefix in ("postgres://", "postgresql://"):
        if url.startswith(prefix):
            return "postgresql+psycopg://" + url[len(prefix) :]
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
        # SMS (notifications/channels/sms.py): Tencent Cloud SMS when SMS_PROVIDER=tencent and
        # the rest is set; empty or "log": the channel only logs what it would send. The
        # committee setting sms_enabled decides whether SMS deliveries are made at all
        "SMS_PROVIDER": os.environ.get("SMS_PROVIDER", ""),
        "TENCENTCLOUD_SECRET_ID": os.environ.get("TENCENTCLOUD_SECRET_ID"),
        "TENCENTCLOUD_SECRET_KEY": os.environ.get("TENCENTCLOUD_SECRET_KEY"),
        "SMS_SDK_APP_ID": os.environ.get("SMS_SDK_APP_ID"),
        "SMS_SIGN_NAME": os.environ.get("SMS_SIGN_NAME"),
        "SMS_TEMPLATE_ID": os.environ.get("SMS_TEMPLATE_ID"),
        "SMS_REGION": os.environ.get("SMS_REGION") or "ap-guangzhou",
        "SMS_ENDPOINT": os.environ.get("SMS_ENDPOINT") or "sms.tencentcloudapi.com",
        "SMS_TIMEOUT_SECONDS": float(os.environ.get("SMS_TIMEOUT_SECONDS") or 10),
        "SMS_TEXT_MAX_CHARS": int(os.environ.get("SMS_TEXT_MAX_CHARS") or 60),
        # WeChat Work (企业微信) application messages (notifications/channels/wecom.py): the
        # corp id, the self-built application's secret and AgentId (all three, or the channel
        # is off), the API's address (tests point it at loopback) and each call's timeout
        "WECOM_CORP_ID": os.environ.get("WECOM_CORP_ID"),
        "WECOM_CORP_SECRET": os.environ.get("WECOM_CORP_SECRET"),
        "WECOM_AGENT_ID": (
            int(os.environ["WECOM_AGENT_ID"]) if os.environ.get("WECOM_AGENT_ID") else None
        ),
        "WECOM_API_BASE": os.environ.get("WECOM_API_BASE") or "https://qyapi.weixin.qq.com",
        "WECOM_TIMEOUT_SECONDS": float(os.environ.get("WECOM_TIMEOUT_SECONDS") or 10),
        # ASVS 5.0: PBKDF2-SHA256 with at least 600,000 iterations.
        "PASSWORD_HASH_METHOD": "pbkdf2:sha256:600000",
        "JSON_AS_ASCII": False,
        # the deadline sweep's period, and how long a claimed delivery is left to its sender
        "SWEEP_INTERVAL_SECONDS": int(os.environ.get("SWEEP_INTERVAL_SECONDS", "300")),
        "DELIVERY_LEASE_SECONDS": int(os.environ.get("DELIVERY_LEASE_SECONDS", "600")),
        # how often the deliveries that are due are handed out (the Celery beat, the loop)
        "DISPATCH_INTERVAL_SECONDS": int(os.environ.get("DISPATCH_INTERVAL_SECONDS", "5")),
        "APP_BASE_URL": os.environ.get("APP_BASE_URL", "http://127.0.0.1:5000"),
        # where attachments and backups are written (default: folders in instance/), and the
        # largest attachment (default: attachments/storage.py)
        "ATTACHMENTS_DIR": os.environ.get("ATTACHMENTS_DIR") or None,
        "BACKUP_DIR": os.environ.get("BACKUP_DIR") or None,
        # long documents built in the background (documents/jobs.py): where their files go
        # (default: instance/exports), how long a conversion to PDF may take, after how long a
        # build still running is taken for crashed, and for how many days files are kept
        "EXPORTS_DIR": os.environ.get("EXPORTS_DIR") or None,
        "PDF_TIMEOUT_SECONDS": int(os.environ.get("PDF_TIMEOUT_SECONDS") or 300),
        "EXPORT_STALE_SECONDS": int(os.environ.get("EXPORT_STALE_SECONDS") or 3600),
        "EXPORT_RETENTION_DAYS": int(os.environ.get("EXPORT_RETENTION_DAYS") or 7),
        # where `demo` keeps the password it made for this installation's demo accounts
        "DEMO_PASSWORD_FILE": os.path.join(app.instance_path, "demo_password"),
        **(
            {"ATTACHMENT_MAX_BYTES": int(os.environ["ATTACHMENT_MAX_BYTES"])}
            if os.environ.get("ATTACHMENT_MAX_BYTES")
            else {}
        ),
        # --- security (proposals/security/) ---
        # passwords: minimum length (ASVS 5.0: at least 8) and a common-password list
        "PASSWORD_MIN_LENGTH": int(os.environ.get("PASSWORD_MIN_LENGTH", "8")),
        # login sessions: idle and absolute timeouts (seconds); API tokens' lifetime
        "SESSION_IDLE_TIMEOUT": int(os.environ.get("SESSION_IDLE_TIMEOUT", str(30 * 60))),
        "SESSION_ABSOLUTE_TIMEOUT": int(os.environ.get("SESSION_ABSOLUTE_TIMEOUT", str(12 * 3600))),
        "API_TOKEN_LIFETIME": int(os.environ.get("API_TOKEN_LIFETIME", str(30 * 86400))),
        "SESSION_COOKIE_HTTPONLY": True,
        "SESSION_COOKIE_SAMESITE": "Lax",
        "SESSION_COOKIE_SECURE": env == "production",
        "REMEMBER_COOKIE_HTTPONLY": True,
        "REMEMBER_COOKIE_SAMESITE": "Lax",
        "REMEMBER_COOKIE_SECURE": env == "production",
        # failed logins per account and per client address, and per device cookie (Flask-Limiter
        # rate strings, over a sliding window; security/limiter.py); counts in Redis when
        # REDIS_URL is set, else in the database, so that every worker shares them
        "LOGIN_RATE_LIMIT_ENABLED": _bool("LOGIN_RATE_LIMIT_ENABLED", True),
        "LOGIN_RATE_LIMIT_ACCOUNT": os.environ.get("LOGIN_RATE_LIMIT_ACCOUNT", "10 per 15 minutes"),
        "LOGIN_RATE_LIMIT_ADDRESS": os.environ.get("LOGIN_RATE_LIMIT_ADDRESS", "30 per 15 minutes"),
        "LOGIN_RATE_LIMIT_DEVICE": os.environ.get("LOGIN_RATE_LIMIT_DEVICE", "10 per 15 minutes"),
        # the device cookie a successful login sets (security/devices.py): lifetime, flags
        "DEVICE_COOKIE_MAX_AGE": int(os.environ.get("DEVICE_COOKIE_MAX_AGE", str(365 * 86400))),
        "DEVICE_COOKIE_SECURE": env == "production",
        "RATELIMIT_STORAGE_URI": os.environ.get("RATELIMIT_STORAGE_URI"),  # default: REDIS_URL
        "RATELIMIT_KEY_PREFIX": "proposals",
        "RATELIMIT_IN_MEMORY_FALLBACK_ENABLED": True,
        "RATELIMIT_SWALLOW_ERRORS": True,
        # days the audit log is kept (security/audit.py); 0 keeps it for ever
        "AUDIT_RETENTION_DAYS": int(os.environ.get("AUDIT_RETENTION_DAYS", "365")),
        # the number of reverse proxies whose X-Forwarded-For is trusted (0: none)
        "TRUSTED_PROXY_COUNT": int(os.environ.get("TRUSTED_PROXY_COUNT", "0")),
    }
    cfg.update(overrides)
    if (
        cfg["SQLALCHEMY_DATABASE_URI"].startswith("postgresql")
        and "SQLALCHEMY_ENGINE_OPTIONS" not in overrides
    ):
        # PostgreSQL's JIT compiles the app's short multi-join statements for longer than they
        # run (docs/performance.md): off for our sessions
        cfg["SQLALCHEMY_ENGINE_OPTIONS"] = {
            **cfg["SQLALCHEMY_ENGINE_OPTIONS"],
            "connect_args": {"options": "-c jit=off"},
        }
    if not cfg["RATELIMIT_STORAGE_URI"]:
        cfg["RATELIMIT_STORAGE_URI"] = cfg["REDIS_URL"] or "memory://"
    if not cfg["SECRET_KEY"]:
        if env == "production":
            raise RuntimeError("SECRET_KEY must be set in production")
        cfg["SECRET_KEY"] = instance_secret(app.instance_path)
    app.config.update(cfg)
    app.json.ensure_ascii = False
