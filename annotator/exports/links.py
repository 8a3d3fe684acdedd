"""One IRI per resource: every export, CLI or API, names things from ``PUBLIC_BASE_URL``.

The request's own host is never used: a mirror that pulled through an internal host name
and later through the public one must see the same ids.
"""

from dataclasses import dataclass

from django.conf import settings


@dataclass(frozen=True)
class Links:
    base_url: str

    @classmethod
    def from_settings(cls) -> "Links":
        return cls(settings.PUBLIC_BASE_URL)

    def _join(self, path: str) -> str:
        if self.base_url.startswith("urn:"):
            return self.base_url + path.strip("/").replace("/", ":")
        return self.base_url.rstrip("/") + path

    def document(self, pk: int) -> str:
        return self._join(f"/api/v1/documents/{pk}/")

    def annotation(self, pk: int) -> str:
        return self._join(f"/api/v1/annotations/{pk}/")

    def consensus(self, key: str) -> str:
        """A consensus is named by its group key (stable across backup and restore)."""
        return self._join(f"/api/v1/consensus/{key}/")

    def claim(self, pk: int) -> str:
        return self._join(f"/api/v1/claims/{pk}/")

    def reviewer(self, pk: int) -> str:
        return self._join(f"/api/v1/reviewers/{pk}")

    def service(self) -> str:
        return self._join("/")

    def export(self, name: str) -> str:
        return self._join(f"/api/v1/exports/{name}")

    def fact_check(self, slug: str) -> str:
        return self._join(f"/fact-checks/{slug}/")
