"""The hottest requests parse plainly valid input without a serializer (the boards' query
parameters, an autosave's choices): that gives exactly what the serializer gives, and never
accepts what it refuses; anything else still goes through the serializer."""

import pytest
from django.http import QueryDict
from hypothesis import given
from hypothesis import strategies as st
from rest_framework.exceptions import ValidationError

from quizzes.api import serializers as s
from quizzes.api.views import board_query, plain_board_query, plain_choices

NAMES = ["round", "limit", "offset", "scope", "group", "other"]
VALUES = st.one_of(
    st.sampled_from(["individual", "unit", "official", "citizen", "team", "", " 5", "5 ", "1.0", "-1", "0"]),
    st.integers(min_value=-3, max_value=10_000_003).map(str),
    st.sampled_from(["1000", "1001", "500", "501", "10000000", "10000001", "０", "１", "٣", "²", "0001"]),
    st.text(max_size=4),
)


def serializer_result(query):
    serializer = s.LeaderboardQuerySerializer(data=query)
    return dict(serializer.validated_data) if serializer.is_valid() else None


@given(st.lists(st.tuples(st.sampled_from(NAMES), VALUES), max_size=6))
def test_plain_parser_agrees_with_the_serializer(pairs):
    query = QueryDict(mutable=True)
    for name, value in pairs:
        query.appendlist(name, value)
    expected = serializer_result(query)
    plain = plain_board_query(query)
    assert plain is None or plain == expected, (pairs, plain, expected)
    if expected is None:
        with pytest.raises(ValidationError):
            board_query(query)
    else:
        assert board_query(query) == expected


@pytest.mark.parametrize(
    "text",
    ["", "round=1", "round=1000&limit=500&offset=10000000", "scope=unit&round=3", "round=2&group=citizen"],
)
def test_plain_queries_skip_the_serializer(text, monkeypatch):
    def refuse(*args, **kwargs):
        raise AssertionError("the serializer was used")

    monkeypatch.setattr(s.LeaderboardQuerySerializer, "__init__", refuse)
    assert plain_board_query(QueryDict(text)) is not None
    board_query(QueryDict(text))


CHOICE_VALUES = st.one_of(
    st.integers(min_value=-2, max_value=2**62 + 2),
    st.sampled_from([True, False, None, 1.0, 2.5, "3", "x", [], {}]),
)


@given(
    st.one_of(
        st.fixed_dictionaries({"choices": st.lists(CHOICE_VALUES, max_size=8)}),
        st.fixed_dictionaries({"choices": CHOICE_VALUES}),
        st.dictionaries(st.sampled_from(["choices", "other"]), st.lists(st.integers(1, 9), max_size=3)),
    )
)
def test_plain_autosave_choices_agree_with_the_serializer(data):
    serializer = s.AnswerInputSerializer(data=data)
    expected = serializer.validated_data["choices"] if serializer.is_valid() else None
    plain = plain_choices(data)
    assert plain is None or plain == expected, (data, plain, expected)


def test_plain_autosave_choices_take_plain_json_only():
    assert plain_choices({"choices": [3, 1]}) == [3, 1]
    assert plain_choices({"choices": []}) == []
    assert plain_choices(QueryDict("choices=3")) is None  # a form goes through the serializer
    assert plain_choices({"choices": [1] * 7}) is None
    assert plain_choices({"choices": [True]}) is None
