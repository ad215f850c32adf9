import pytest
from rest_framework.test import APIClient

from tests.factories.elearning import OfficialFactory, ProfileFactory
from tests.factories.quizzes import make_contest


@pytest.fixture
def contest(db):
    return make_contest(questions=8, rounds=2, questions_per_attempt=5, time_limit_seconds=600)


@pytest.fixture
def participant(db):
    return ProfileFactory().user


@pytest.fixture
def official(db):
    return OfficialFactory().user


@pytest.fixture
def api():
    return APIClient()


@pytest.fixture
def client_for():
    def make(user):
        client = APIClient()
        client.force_authenticate(user)
        return client

    return make
