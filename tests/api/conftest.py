from __future__ import annotations

import pytest

from hindsight.accounts.models import User
from hindsight.accounts.services import create_token


@pytest.fixture
def viewer_token(the_viewer: User) -> str:
    return create_token(username=the_viewer.username, name="client")[1]
