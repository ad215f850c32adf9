"""A request whose client closed its connection before a worker got to it is not run
(elearning/abandoned.py). The server's end of a real socket pair stands in for gunicorn's
``gunicorn.socket``."""

import socket

import pytest

from quizzes.models import Answer
from tests.quizzes.helpers import correct_ids
from tests.quizzes.test_write_path import answer_url, bank_contest, token_client, two  # noqa: F401 (fixtures)

pytestmark = pytest.mark.django_db


@pytest.fixture
def connection_pair():
    server, client = socket.socketpair()
    yield server, client
    server.close()
    client.close()


def autosave(client, attempt, sock):
    question = attempt.draw[0]["q"]
    return client.put(
        answer_url(attempt), {"choices": correct_ids(question)}, format="json", **{"gunicorn.socket": sock}
    )


def test_an_autosave_whose_client_has_gone_is_not_written(two, connection_pair):  # noqa: F811 (the fixture)
    client, attempt = two
    server_end, client_end = connection_pair
    client_end.close()  # the phone gave up waiting
    response = autosave(client, attempt, server_end)
    assert response.status_code == 499
    assert not Answer.objects.filter(attempt=attempt).exists()
    # it sends the answer again on a new connection, and that one is saved
    again, waiting = socket.socketpair()
    with again, waiting:
        assert autosave(client, attempt, again).status_code == 200
    assert Answer.objects.filter(attempt=attempt).count() == 1


def test_a_client_still_waiting_is_served(two, connection_pair):  # noqa: F811
    client, attempt = two
    server_end, _client_end = connection_pair  # open, nothing more sent
    assert autosave(client, attempt, server_end).status_code == 200
    assert Answer.objects.filter(attempt=attempt).count() == 1


def test_a_client_that_sent_more_is_served(two, connection_pair):  # noqa: F811
    client, attempt = two
    server_end, client_end = connection_pair
    client_end.sendall(b"GET / HTTP/1.1\r\n")  # a pipelined request waiting behind this one
    client_end.close()
    assert autosave(client, attempt, server_end).status_code == 200


def test_a_reset_connection_counts_as_gone(two):  # noqa: F811
    client, attempt = two
    listener = socket.create_server(("127.0.0.1", 0))
    phone = socket.create_connection(listener.getsockname())
    server_end, _address = listener.accept()
    phone.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, b"\x01\x00\x00\x00\x00\x00\x00\x00")  # close = RST
    phone.close()
    try:
        assert autosave(client, attempt, server_end).status_code == 499
    finally:
        server_end.close()
        listener.close()
    assert not Answer.objects.filter(attempt=attempt).exists()


def test_without_a_socket_every_request_is_served(client):
    assert client.get("/").status_code == 200  # the development server and the test client have none
