"""The domain's exceptions, raised by services and mapped to HTTP errors in one place.

They live apart from the services so that every layer (writes, consensus, moderation,
suggestions, the admin) can raise and catch them without importing each other.
"""


class AnnotationInputError(Exception):
    """Input the service refuses; ``errors`` maps each field name to a list of messages."""

    def __init__(self, errors: dict[str, list[str]]):
        super().__init__("; ".join(f"{field}: {' '.join(msgs)}" for field, msgs in errors.items()))
        self.errors = errors


class StaleVersionError(Exception):
    """The client edited an older version than the stored one (optimistic concurrency)."""

    def __init__(self, current_version: int):
        super().__init__(
            f"The annotation changed since you loaded it (now version {current_version})."
        )
        self.current_version = current_version


class NotAllowedError(Exception):
    """The acting user may not make this change."""


class ConflictError(AnnotationInputError):
    """Input refused because of stored state, not its form (e.g. a suggestion already decided):
    the API answers 409 instead of 400."""
