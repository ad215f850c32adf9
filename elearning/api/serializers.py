from django.core.exceptions import ValidationError as DjangoValidationError
from django.utils.translation import gettext_lazy as _
from rest_framework import serializers
from rest_framework.fields import get_error_detail

from elearning.models import Profile, Unit
from elearning.services import accounts as account_services


class ErrorSerializer(serializers.Serializer):
    """Every error answer (documentation only)."""

    def get_fields(self):
        # Declared here: a class attribute named "fields" would hide Serializer.fields.
        return {
            "detail": serializers.CharField(help_text=_("What went wrong, for people.")),
            "code": serializers.CharField(help_text=_("What went wrong, for programs, e.g. invalid_credentials.")),
            "fields": serializers.DictField(
                child=serializers.ListField(child=serializers.CharField()),
                required=False,
                help_text=_("Validation errors: messages per field."),
            ),
        }


class RegisterSerializer(serializers.Serializer):
    full_name = serializers.CharField(max_length=account_services.FULL_NAME_MAX_LENGTH)
    phone = serializers.CharField(max_length=32, help_text=_("Vietnamese mobile number, any common format."))
    password = serializers.CharField(
        max_length=account_services.PASSWORD_MAX_LENGTH,
        write_only=True,
        trim_whitespace=False,
        style={"input_type": "password"},
    )
    unit = serializers.CharField(max_length=60, help_text=_("Code of a unit open for registration (see /units/)."))
    birth_year = serializers.IntegerField()
    email = serializers.EmailField(
        max_length=account_services.EMAIL_MAX_LENGTH, required=False, allow_blank=True, default=""
    )

    def create(self, validated_data):
        try:
            return account_services.register_citizen(**validated_data)
        except DjangoValidationError as exc:
            raise serializers.ValidationError(get_error_detail(exc))


class ProfileSerializer(serializers.ModelSerializer):
    unit = serializers.SlugRelatedField(slug_field="code", read_only=True, allow_null=True)
    email = serializers.EmailField(source="user.email", read_only=True)

    class Meta:
        model = Profile
        fields = ["full_name", "phone", "unit", "kind", "birth_year", "email"]
        read_only_fields = fields


class CredentialsSerializer(serializers.Serializer):
    username = serializers.CharField(max_length=150, help_text=_("Phone number (any common format) or username."))
    password = serializers.CharField(
        max_length=account_services.PASSWORD_MAX_LENGTH, trim_whitespace=False, style={"input_type": "password"}
    )


class TokenSerializer(serializers.Serializer):
    token = serializers.CharField(help_text=_("Send as the header 'Authorization: Token <token>'."))


class UnitSerializer(serializers.ModelSerializer):
    kind = serializers.SlugRelatedField(slug_field="code", read_only=True)
    parent = serializers.SlugRelatedField(slug_field="code", read_only=True, allow_null=True)

    class Meta:
        model = Unit
        fields = ["code", "name", "kind", "parent"]
        read_only_fields = fields
