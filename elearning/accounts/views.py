"""Account pages: log in and out, register, change and reset a password. Thin: the rules
live in elearning.services.accounts and elearning.throttling."""

from urllib.parse import urlencode

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import login as auth_login
from django.contrib.auth import views as auth_views
from django.shortcuts import redirect, render
from django.urls import reverse, reverse_lazy
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext_lazy as _
from django.views.generic import FormView

from elearning import throttling
from elearning.api.throttles import LoginIPThrottle, RegisterIPThrottle
from elearning.models import Profile

from . import usercache
from .backends import CHANGE_REQUIRED_SESSION_KEY, flag_password_change
from .forms import LoginForm, PasswordResetForm, RegistrationForm

BACKEND = "elearning.accounts.backends.ThrottledModelBackend"


def safe_next(request, default=None):
    """The ``next`` parameter when it points into this site, else ``default``."""
    target = request.POST.get("next") or request.GET.get("next") or ""
    if target and url_has_allowed_host_and_scheme(
        target, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return target
    return default if default is not None else settings.LOGIN_REDIRECT_URL


def too_many_requests(request, throttle):
    """The page for a network that sent too many requests (per-IP limit)."""
    wait = throttle.wait() or 60
    message = throttling.network_limit_message(wait)
    response = render(request, "accounts/throttled.html", {"message": message}, status=429)
    response["Retry-After"] = str(wait)
    return response


class LoginView(auth_views.LoginView):
    form_class = LoginForm
    template_name = "accounts/login.html"

    def post(self, request, *args, **kwargs):
        throttle = LoginIPThrottle()
        if not throttle.allow_request(request, self):
            return too_many_requests(request, throttle)
        return super().post(request, *args, **kwargs)

    def form_valid(self, form):
        user = form.get_user()
        auth_login(self.request, user)
        if flag_password_change(self.request, user):
            query = urlencode({"next": self.get_success_url()})
            return redirect(f"{reverse('password_change')}?{query}")
        return redirect(self.get_success_url())

    def form_invalid(self, form):
        response = super().form_invalid(form)
        if form.retry_after is not None:
            response.status_code = 429
            response["Retry-After"] = str(form.retry_after)
        return response


class LogoutView(auth_views.LogoutView):
    """POST only (Django's own rule): a link or an image cannot log anyone out."""


class RegisterView(FormView):
    form_class = RegistrationForm
    template_name = "accounts/register.html"

    def dispatch(self, request, *args, **kwargs):
        if request.user.is_authenticated:
            return redirect(safe_next(request))
        return super().dispatch(request, *args, **kwargs)

    def post(self, request, *args, **kwargs):
        throttle = RegisterIPThrottle()
        if not throttle.allow_request(request, self):
            return too_many_requests(request, throttle)
        return super().post(request, *args, **kwargs)

    def form_valid(self, form):
        profile = form.register()
        if profile is None:
            return self.form_invalid(form)
        auth_login(self.request, profile.user, backend=BACKEND)
        messages.success(self.request, _("Welcome, %(name)s! Your account is ready.") % {"name": profile.full_name})
        return redirect(safe_next(self.request))

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["next"] = safe_next(self.request, default="")
        return context


class PasswordChangeView(auth_views.PasswordChangeView):
    template_name = "accounts/password_change.html"
    success_url = reverse_lazy("password_change_done")

    def form_valid(self, form):
        super().form_valid(form)  # saves and keeps this session logged in
        Profile.objects.filter(user=form.user, must_change_password=True).update(must_change_password=False)
        usercache.bump_user(form.user.pk)  # update() sends no signal
        self.request.session.pop(CHANGE_REQUIRED_SESSION_KEY, None)
        messages.success(self.request, _("Your password was changed."))
        return redirect(safe_next(self.request, default=str(self.success_url)))

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["must_change"] = bool(self.request.session.get(CHANGE_REQUIRED_SESSION_KEY))
        context["next"] = safe_next(self.request, default="")
        return context


class PasswordChangeDoneView(auth_views.PasswordChangeDoneView):
    template_name = "accounts/password_change_done.html"


class PasswordResetView(auth_views.PasswordResetView):
    form_class = PasswordResetForm
    template_name = "accounts/password_reset_form.html"
    email_template_name = "accounts/password_reset_email.txt"
    subject_template_name = "accounts/password_reset_subject.txt"
    success_url = reverse_lazy("password_reset_done")


class PasswordResetDoneView(auth_views.PasswordResetDoneView):
    template_name = "accounts/password_reset_done.html"


class PasswordResetConfirmView(auth_views.PasswordResetConfirmView):
    """The set-password link: also the one sent to imported officials."""

    template_name = "accounts/password_reset_confirm.html"
    success_url = reverse_lazy("password_reset_complete")

    def form_valid(self, form):
        response = super().form_valid(form)
        Profile.objects.filter(user=form.user, must_change_password=True).update(must_change_password=False)
        usercache.bump_user(form.user.pk)  # update() sends no signal
        return response


class PasswordResetCompleteView(auth_views.PasswordResetCompleteView):
    template_name = "accounts/password_reset_complete.html"
