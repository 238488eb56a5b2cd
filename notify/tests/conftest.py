"""Fixtures of the notify tests: robots on the small township, and a real local receiver."""

import pytest

from conftest import _persona
from notify import services
from notify.tests.receiver import Receiver


@pytest.fixture
def committee(town):
    """A village committee member of village 0: manages the village and its grids."""
    return _persona("committee", "village_committee", unit=town.villages[0])


@pytest.fixture
def receiver(settings):
    """A real HTTP server on 127.0.0.1 standing in for both vendors' robot endpoints."""
    server = Receiver()
    settings.NOTIFY_WECOM_URL = server.url + "/cgi-bin/webhook/send"
    settings.NOTIFY_DINGTALK_URL = server.url + "/robot/send"
    settings.NOTIFY_TIMEOUT = 1
    yield server
    server.stop()


WECOM_KEY = "693a91f6-7xxx-4bc4-97a0-0ec2sifa5aaa"
DING_TOKEN = "b0d1e9c8a7f6e5d4c3b2a1908f7e6d5c4b3a2918"
DING_SECRET = "SEC4d2f3e1a0b9c8d7e6f5a4b3c2d1e0f9a8b7c6d5e4f3a2b1c0d"


def make_robot(unit, vendor="wecom", message_format="markdown", key=None, secret="", name=""):
    key = key or (WECOM_KEY if vendor == "wecom" else DING_TOKEN)
    return services.create_robot(
        unit=unit,
        name=name or f"{unit.name}工作群",
        vendor=vendor,
        message_format=message_format,
        key=key,
        secret=secret,
        actor=None,
    )
