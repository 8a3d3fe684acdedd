"""``manage.py create_user USERNAME --role reviewer|editor|moderator|admin``: a user with a role."""

import getpass
import secrets

from django.contrib.auth import get_user_model, password_validation
from django.contrib.auth.models import Group
from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError
from django.db import transaction

from annotator import roles

ROLE_GROUPS = {
    "reviewer": roles.REVIEWER,
    "editor": roles.EDITOR,
    "moderator": roles.MODERATOR,
    "admin": None,
}


class Command(BaseCommand):
    help = (
        "Create a user with a role: reviewer (annotates), moderator (admin moderation; staff) "
        "or admin (superuser). The password comes from --password, --random-password (printed "
        "once) or an interactive prompt."
    )

    def add_arguments(self, parser):
        parser.add_argument("username")
        parser.add_argument("--role", required=True, choices=sorted(ROLE_GROUPS))
        parser.add_argument("--email", default="")
        secret = parser.add_mutually_exclusive_group()
        secret.add_argument(
            "--password", help="Avoid on shared machines: it lands in shell history."
        )
        secret.add_argument(
            "--random-password", action="store_true", help="Generate a password and print it once."
        )

    def handle(self, *args, username, role, email, password, random_password, **options):
        User = get_user_model()
        username = username.strip()
        if not username:
            raise CommandError("USERNAME must not be empty.")
        if User.objects.filter(username=username).exists():
            raise CommandError(f"User {username!r} already exists.")
        group_name = ROLE_GROUPS[role]
        group = None
        if group_name is not None:
            group = Group.objects.filter(name=group_name).first()
            if group is None:
                raise CommandError(
                    f"Group {group_name!r} is missing: run `manage.py migrate` first."
                )

        user = User(username=username, email=email.strip())
        try:
            user.full_clean(exclude=["password"])
        except ValidationError as error:
            problems = "; ".join(
                f"{field}: {' '.join(messages)}" for field, messages in error.message_dict.items()
            )
            raise CommandError(f"Invalid user: {problems}") from None
        if random_password:
            password = secrets.token_urlsafe(18)
        else:
            if password is None:
                password = self._prompt_password()
            self._validate(password, user)

        user.is_staff = role in ("moderator", "admin")
        user.is_superuser = role == "admin"
        with transaction.atomic():
            user.set_password(password)
            user.save()
            if group is not None:
                user.groups.add(group)
        self.stdout.write(self.style.SUCCESS(f"Created {role} {username!r}."))
        if random_password:
            self.stdout.write(f"Password (shown once): {password}")

    def _validate(self, password: str, user) -> None:
        try:
            password_validation.validate_password(password, user)
        except ValidationError as error:
            raise CommandError("Password refused: " + " ".join(error.messages)) from None

    def _prompt_password(self) -> str:
        try:
            first = getpass.getpass("Password: ")
            second = getpass.getpass("Password (again): ")
        except (EOFError, KeyboardInterrupt):
            raise CommandError(
                "No password given: use --password, --random-password or a terminal."
            ) from None
        if first != second:
            raise CommandError("The passwords do not match.")
        if not first:
            raise CommandError("The password must not be empty.")
        return first
