from .attempts import Answer, Attempt, AttemptState
from .banks import Choice, Question, QuestionBank, QuestionKind, QuestionTag
from .contests import ContestIndexPage, ContestPage, Round, TopicQuota
from .standings import ContestStanding, Standing, UnitStanding

__all__ = [
    "Answer",
    "Attempt",
    "AttemptState",
    "Choice",
    "ContestIndexPage",
    "ContestPage",
    "ContestStanding",
    "Question",
    "QuestionBank",
    "QuestionKind",
    "QuestionTag",
    "Round",
    "Standing",
    "TopicQuota",
    "UnitStanding",
]
