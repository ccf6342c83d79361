"""The channels a notification is delivered through besides the app itself. Each is a
``Channel`` (base.py); to add one (政务钉钉, say), write its module and list it here."""

from .base import Channel, DeliveryFailed
from .email import Email
from .sms import Sms
from .wecom import WeCom

CHANNELS = {channel.name: channel for channel in (Email(), Sms(), WeCom())}

__all__ = ["CHANNELS", "Channel", "DeliveryFailed"]
