from .attempts import Answer, Attempt, AttemptState
from .banks import Choice, Question, QuestionBank, QuestionKind, QuestionTag
from .contests import PRIZE_ORDER, ContestIndexPage, ContestPage, PrizeGroup, PrizeLevel, PrizeRule, Round, TopicQuota
from .results import FinalStanding, PrizeAward, RoundResult
from .standings import ContestStanding, ScoreBucket, Standing, UnitStanding

__all__ = [
    "PRIZE_ORDER",
    "FinalStanding",
    "PrizeAward",
    "PrizeGroup",
    "PrizeLevel",
    "PrizeRule",
    "RoundResult",
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
    "ScoreBucket",
    "Standing",
    "TopicQuota",
    "UnitStanding",
]
