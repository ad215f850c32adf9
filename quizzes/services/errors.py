"""Errors of the contest rules, each with the API code and HTTP status of the design."""

from django.utils.translation import gettext_lazy as _


class ContestError(Exception):
    code = "contest_error"
    status = 400
    message = _("The request breaks a contest rule.")

    def __init__(self, message=None):
        super().__init__(str(message or self.message))
        if message is not None:
            self.message = message


class NotEligible(ContestError):
    code, status, message = "not_eligible", 403, _("You may not take part in this contest.")


class NoOpenRound(ContestError):
    code, status, message = "no_open_round", 409, _("No round of this contest is open now.")


class AttemptsExhausted(ContestError):
    code, status, message = "attempts_exhausted", 409, _("You have used all your attempts in this round.")


class AttemptFinished(ContestError):
    code, status, message = "attempt_finished", 409, _("This attempt is already finished.")


class DeadlinePassed(ContestError):
    code, status, message = "deadline_passed", 409, _("The time for this attempt is over.")


class InvalidChoice(ContestError):
    code, status, message = "invalid_choice", 400, _("These choices do not belong to the question.")


class InvalidPrediction(ContestError):
    code, status, message = "invalid_prediction", 400, _("The prediction must be a whole number from 0 to 10,000,000.")


class ReviewNotAvailable(ContestError):
    code, status, message = "review_not_available", 403, _("Answers cannot be reviewed yet.")


class QuestionNotInAttempt(ContestError):
    code, status, message = "not_found", 404, _("This question is not part of the attempt.")


class NotEnoughQuestions(ContestError):
    code, status, message = "not_enough_questions", 409, _("The question bank has too few active questions.")
