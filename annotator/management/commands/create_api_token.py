"""Create an API token for a user and print its key (shown only this once)."""

from django.core.management.base import BaseCommand, CommandError

from annotator.errors import AnnotationInputError
from annotator.models import ApiToken, User
from annotator.tokens import create_token


class Command(BaseCommand):
    help = "Create an API token. Only its hash is stored: keep the printed key."

    def add_arguments(self, parser):
        parser.add_argument("username")
        parser.add_argument("--name", required=True, help="What the token is for")
        parser.add_argument("--scope", choices=ApiToken.Scope.values, default="export")

    def handle(self, username, name, scope, **options):
        user = User.objects.filter(username=username).first()
        if user is None:
            raise CommandError(f"No user named {username!r}.")
        if not user.is_active:
            raise CommandError(f"{username} is suspended or inactive.")
        try:
            token, key = create_token(user, name, scope)
        except (ValueError, AnnotationInputError) as error:
            raise CommandError(str(error)) from None
        self.stderr.write(f"Token {token.pk} ({token.scope}) for {username}; the key is:")
        self.stdout.write(key)
