"""E-mail over SMTP (MAIL_SERVER …): a plain-text message with the notification's text and a
link to the record."""

import smtplib
from email.message import EmailMessage
from email.utils import make_msgid

from flask import current_app

from ...i18n import N_
from .base import Channel, DeliveryFailed


class Email(Channel):
    name = "email"
    label = N_("邮件")

    def configured(self, config):
        return bool(config.get("MAIL_SERVER"))

    def address(self, user):
        return user.email or None

    def send(self, delivery):
        conf = current_app.config
        notification = delivery.notification
        base = conf.get("APP_BASE_URL", "http://127.0.0.1:5000").rstrip("/")
        msg = EmailMessage()
        # one line: a line break in the text (a title) would break the header (injection)
        msg["Subject"] = "【提案办理系统】" + " ".join(notification.text.split())[:60]
        msg["From"] = conf.get("MAIL_DEFAULT_SENDER") or "proposals@localhost"
        msg["To"] = delivery.address
        msg["Message-ID"] = make_msgid(idstring=f"delivery-{delivery.id}")
        msg["X-Proposals-Delivery"] = str(delivery.id)
        msg.set_content(
            f"{notification.recipient.name}：\n\n{notification.text}\n\n"
            f"请登录提案办理系统查看：{base}{notification.link}\n\n"
            "（本邮件由系统自动发送，请勿直接回复。）\n"
        )
        try:
            with smtplib.SMTP(conf["MAIL_SERVER"], conf.get("MAIL_PORT", 25), timeout=30) as smtp:
                if conf.get("MAIL_USE_TLS"):
                    smtp.starttls()
                if conf.get("MAIL_USERNAME"):
                    smtp.login(conf["MAIL_USERNAME"], conf.get("MAIL_PASSWORD") or "")
                smtp.send_message(msg)
        except smtplib.SMTPRecipientsRefused as exc:
            # 5xx for every recipient: the address does not exist (4xx: try again later)
            permanent = all(500 <= code < 600 for code, _msg in exc.recipients.values())
            raise DeliveryFailed(f"{type(exc).__name__}: {exc}", retry=not permanent) from exc
        except (TimeoutError, OSError, smtplib.SMTPException) as exc:
            raise DeliveryFailed(f"{type(exc).__name__}: {exc}") from exc
