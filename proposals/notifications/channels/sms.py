"""SMS. Without a provider configured it only logs what it would send (the phone number and
the text end up in the log)."""

import logging

from ...i18n import N_
from .base import Channel

log = logging.getLogger("proposals.delivery")


class Sms(Channel):
    name = "sms"
    label = N_("短信")

    def configured(self, config):
        return True  # the committee's setting sms_enabled decides (reminders/sweep.py)

    def address(self, user):
        return user.phone or None

    def send(self, delivery):
        log.info("SMS to %s: %s", delivery.address, delivery.notification.text)
