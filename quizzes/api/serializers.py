"""Serializers whitelist what the API says; the correct choices appear only in review."""

from rest_framework import serializers


class RoundSerializer(serializers.Serializer):
    number = serializers.IntegerField()
    opens_at = serializers.DateTimeField()
    closes_at = serializers.DateTimeField()
    state = serializers.ChoiceField(choices=["upcoming", "open", "closed"])


class ContestSerializer(serializers.Serializer):
    slug = serializers.SlugField()
    title = serializers.CharField()
    current_round = RoundSerializer(allow_null=True)
    questions_per_attempt = serializers.IntegerField()
    time_limit_seconds = serializers.IntegerField()
    attempts_per_round = serializers.IntegerField()


class ContestDetailSerializer(ContestSerializer):
    url = serializers.CharField()
    prediction_question = serializers.CharField(allow_null=True)
    prediction_kind = serializers.CharField()
    eligibility = serializers.CharField()
    review = serializers.CharField()
    rounds = RoundSerializer(many=True)


class ChoiceSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    text = serializers.CharField()


class AttemptQuestionSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    text = serializers.CharField()
    kind = serializers.ChoiceField(choices=["single", "multiple", "true_false"])
    choices = ChoiceSerializer(many=True)


class AttemptSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    contest = serializers.SlugField()
    round = serializers.IntegerField()
    number = serializers.IntegerField()
    state = serializers.ChoiceField(choices=["in_progress", "submitted", "expired"])
    started_at = serializers.DateTimeField()
    deadline = serializers.DateTimeField()
    seconds_left = serializers.IntegerField()
    questions = AttemptQuestionSerializer(many=True)
    answers = serializers.DictField(child=serializers.ListField(child=serializers.IntegerField()))
    score = serializers.IntegerField(allow_null=True)
    max_score = serializers.IntegerField()
    duration_seconds = serializers.FloatField(allow_null=True)
    prediction = serializers.IntegerField(allow_null=True)
    asks_prediction = serializers.BooleanField()
    prediction_question = serializers.CharField(allow_null=True)


class AnswerInputSerializer(serializers.Serializer):
    choices = serializers.ListField(child=serializers.IntegerField(min_value=1, max_value=2**62), max_length=6)


class AnswerSerializer(serializers.Serializer):
    question_id = serializers.IntegerField()
    choices = serializers.ListField(child=serializers.IntegerField())
    saved_at = serializers.DateTimeField()


class SubmitInputSerializer(serializers.Serializer):
    prediction = serializers.IntegerField(
        required=False,
        allow_null=True,
        min_value=0,
        max_value=10_000_000,
        help_text="Required when the contest asks one.",
    )


class SubmitResultSerializer(serializers.Serializer):
    state = serializers.ChoiceField(choices=["submitted", "expired"])
    score = serializers.IntegerField()
    max_score = serializers.IntegerField()
    duration_seconds = serializers.FloatField()
    rank = serializers.IntegerField(allow_null=True)


class ReviewQuestionSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    text = serializers.CharField()
    kind = serializers.CharField()
    choices = ChoiceSerializer(many=True)
    chosen = serializers.ListField(child=serializers.IntegerField())
    correct_choices = serializers.ListField(child=serializers.IntegerField())
    is_correct = serializers.BooleanField()
    explanation = serializers.CharField(allow_blank=True)


class ReviewSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    score = serializers.IntegerField()
    max_score = serializers.IntegerField()
    questions = ReviewQuestionSerializer(many=True)


class LeaderboardQuerySerializer(serializers.Serializer):
    round = serializers.IntegerField(required=False, min_value=1, max_value=1000)
    scope = serializers.ChoiceField(choices=["individual", "unit"], default="individual")
    group = serializers.ChoiceField(
        choices=["official", "citizen"],
        required=False,
        help_text="A closed round's final ranking of one participant group, where the contest has groups.",
    )
    limit = serializers.IntegerField(required=False, default=50, min_value=1, max_value=500)
    offset = serializers.IntegerField(required=False, default=0, min_value=0, max_value=10_000_000)


class IndividualRowSerializer(serializers.Serializer):
    rank = serializers.IntegerField()
    name = serializers.CharField()
    unit = serializers.CharField(allow_blank=True)
    score = serializers.IntegerField()
    duration_seconds = serializers.FloatField()


class UnitRowSerializer(serializers.Serializer):
    rank = serializers.IntegerField()
    code = serializers.CharField()
    name = serializers.CharField()
    participants = serializers.IntegerField()
    headcount = serializers.IntegerField()
    participation_rate = serializers.FloatField()
    average_score = serializers.FloatField()


class LeaderboardSerializer(serializers.Serializer):
    total = serializers.IntegerField()
    final = serializers.BooleanField()
    round = serializers.IntegerField(allow_null=True)
    scope = serializers.CharField()
    results = serializers.ListField(child=serializers.DictField())


class MyRankSerializer(serializers.Serializer):
    rank = serializers.IntegerField()
    total = serializers.IntegerField()
    score = serializers.IntegerField()
    duration_seconds = serializers.FloatField()
