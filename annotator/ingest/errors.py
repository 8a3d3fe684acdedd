"""Why a document cannot be taken in: each error names the field and carries its HTTP status."""


class IngestError(Exception):
    """Bad input; nothing was stored. ``field`` is the request field the message is about."""

    status = 400

    def __init__(self, field: str, message: str):
        super().__init__(message)
        self.field = field
        self.message = message


class TooLarge(IngestError):
    status = 413


class UnsupportedType(IngestError):
    status = 415
