"""Admin forms: cross-row rules of a contest (its rounds and topic quotas)."""

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _
from wagtail.admin.forms import WagtailAdminPageForm


def _live_forms(formset):
    return [
        form
        for form in formset.forms
        if form.is_valid() and form.cleaned_data and not form.cleaned_data.get("DELETE", False)
    ]


class ContestPageForm(WagtailAdminPageForm):
    def clean(self):
        cleaned = super().clean()
        rounds = self.formsets.get("rounds")
        if rounds is not None:
            self._check_rounds(_live_forms(rounds))
            self._check_removed_rounds(rounds)
        quotas = self.formsets.get("topic_quotas")
        if quotas is not None:
            total = sum(form.cleaned_data.get("count") or 0 for form in _live_forms(quotas))
            per_attempt = cleaned.get("questions_per_attempt") or 0
            if total > per_attempt:
                self.add_error(
                    "questions_per_attempt",
                    _("The topic quotas add up to %(total)s questions, more than the %(n)s per attempt.")
                    % {"total": total, "n": per_attempt},
                )
        return cleaned

    def _check_removed_rounds(self, formset):
        from quizzes.models import Attempt

        for form in formset.forms:
            removed = form.cleaned_data.get("DELETE") if hasattr(form, "cleaned_data") else False
            if removed and form.instance.pk and Attempt.objects.filter(round_id=form.instance.pk).exists():
                raise ValidationError(
                    _("Round %(number)s already has attempts and cannot be removed.") % {"number": form.instance.number}
                )

    def _check_rounds(self, forms):
        numbers = [form.cleaned_data.get("number") for form in forms]
        if len(numbers) != len(set(numbers)):
            raise ValidationError(_("Two rounds have the same number."))
        spans = sorted(
            (form.cleaned_data["opens_at"], form.cleaned_data["closes_at"])
            for form in forms
            if form.cleaned_data.get("opens_at") and form.cleaned_data.get("closes_at")
        )
        for (_opens, closes), (next_opens, _closes) in zip(spans, spans[1:], strict=False):
            if next_opens < closes:
                raise ValidationError(_("Rounds must not overlap: only one round can be open at a time."))
