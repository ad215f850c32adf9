"""POST /api/v1/auth/register/ and POST /api/v1/auth/token/."""

from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import OpenApiExample, OpenApiResponse, extend_schema
from rest_framework import status
from rest_framework.authtoken.models import Token
from rest_framework.permissions import AllowAny
from rest_framework.response import Response
from rest_framework.views import APIView

from elearning import throttling
from elearning.services import accounts as account_services

from . import authentication
from .errors import ApiError
from .serializers import CredentialsSerializer, ErrorSerializer, ProfileSerializer, RegisterSerializer, TokenSerializer
from .throttles import LoginIPThrottle, RegisterIPThrottle, ThrottleMessagesMixin, TooManyRequests


def login_locked(retry_after):
    return TooManyRequests(throttling.login_lock_message(retry_after), retry_after)


ERROR_400 = OpenApiResponse(ErrorSerializer, description=_("Invalid input: see code and fields."))
ERROR_429 = OpenApiResponse(ErrorSerializer, description=_("Too many requests: wait for Retry-After seconds."))


class RegisterView(ThrottleMessagesMixin, APIView):
    """Citizen self-registration."""

    authentication_classes = []
    permission_classes = [AllowAny]
    throttle_classes = [RegisterIPThrottle]

    @extend_schema(
        operation_id="auth_register",
        tags=["auth"],
        summary="Register a citizen account",
        description=(
            "Creates the account (username = the phone number, normalised) and its citizen profile. "
            "The unit is the code of a unit open for registration today (GET /api/v1/units/)."
        ),
        request=RegisterSerializer,
        responses={201: ProfileSerializer, 400: ERROR_400, 429: ERROR_429},
        auth=[],
        examples=[
            OpenApiExample(
                "Registration",
                request_only=True,
                value={
                    "full_name": "Nguyễn Thị Hoa",
                    "phone": "0912345678",
                    "password": "Hoa-Yen-Trach-2018",
                    "unit": "xa-yen-trach",
                    "birth_year": 1990,
                    "email": "",
                },
            )
        ],
    )
    def post(self, request):
        serializer = RegisterSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        profile = serializer.save()
        return Response(ProfileSerializer(profile).data, status=status.HTTP_201_CREATED)


class TokenView(ThrottleMessagesMixin, APIView):
    """Exchange a phone number and password for an API token."""

    authentication_classes = []
    permission_classes = [AllowAny]
    throttle_classes = [LoginIPThrottle]

    @extend_schema(
        operation_id="auth_token",
        tags=["auth"],
        summary="Get an API token",
        description=(
            "Send the token as `Authorization: Token <token>`. Ten wrong passwords for one account within "
            "15 minutes lock it: 429 with Retry-After until the window ends, even with the right password."
        ),
        request=CredentialsSerializer,
        responses={200: TokenSerializer, 400: ERROR_400, 429: ERROR_429},
        auth=[],
    )
    def post(self, request):
        serializer = CredentialsSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        try:
            # No request: an API client gets no session (and no session cookie).
            user = account_services.authenticate_by_phone(
                None, serializer.validated_data["username"], serializer.validated_data["password"]
            )
        except throttling.LoginLocked as exc:
            raise login_locked(exc.retry_after)
        if user is None:
            raise ApiError(_("Wrong phone number or password."), "invalid_credentials")
        token, _created = Token.objects.get_or_create(user=user)
        authentication.remember(token.key, user)  # the client's next requests read no row for it
        return Response({"token": token.key})
