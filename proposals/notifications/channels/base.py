"""What every channel is: a way to reach a person (e-mail, SMS, WeChat Work …) that sends one
delivery and says, when it fails, whether trying again can help."""


class DeliveryFailed(Exception):
    """A send that did not go through.

    ``retry=False``: trying again cannot help (an unknown number, a template the provider
    refused, a recipient who is not in the organisation): the delivery is given up at once.
    ``wait``: seconds the provider asked us to wait (throttling); the next attempt is not
    earlier than that, whatever the back-off says."""

    def __init__(self, message, *, retry=True, wait=None):
        super().__init__(message)
        self.retry = retry
        self.wait = wait


class Channel:
    """One channel. A subclass sets ``name`` (stored as ``Delivery.channel``; at most 8
    characters) and ``label`` (a msgid, shown where people choose their channels), and
    implements the three methods. Register it in channels/__init__.py."""

    name = ""
    label = ""

    def configured(self, config):
        """True when the deployment set this channel up (from the app's ``config``)."""
        raise NotImplementedError

    def address(self, user):
        """Where ``user`` is reached on this channel (an e-mail address, a phone number, a
        WeChat Work user id), or None when they cannot be."""
        raise NotImplementedError

    def send(self, delivery):
        """Send ``delivery`` (its ``notification`` and the notification's ``recipient``
        loaded) to ``delivery.address``. Returns nothing; raises DeliveryFailed."""
        raise NotImplementedError
