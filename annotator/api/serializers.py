"""Serializers: shapes of the API's JSON. Writes go through ``annotator.annotations``."""

from django.conf import settings
from django.db import models
from rest_framework import serializers

from annotator.labels import RELIABILITY_LABELS, reliability_label
from annotator.models import (
    Annotation,
    AnnotationRevision,
    ApiToken,
    Claim,
    Consensus,
    Document,
    FlagType,
    ModerationAction,
    Passage,
    Source,
    Suggestion,
)


class StrictCharField(serializers.CharField):
    """Text, and only text: DRF's CharField turns 5 into "5", which the schema says is wrong."""

    def to_internal_value(self, data):
        if not isinstance(data, str):
            self.fail("invalid")
        return super().to_internal_value(data)


class StrictModelSerializer(serializers.ModelSerializer):
    serializer_field_mapping = {
        **serializers.ModelSerializer.serializer_field_mapping,
        models.CharField: StrictCharField,
        models.TextField: StrictCharField,
    }


def _text(**kwargs):
    """A text field that keeps whitespace (offsets depend on it) and refuses NUL/surrogates."""
    kwargs.setdefault("trim_whitespace", False)
    return StrictCharField(**kwargs)


class UserRefSerializer(serializers.Serializer):
    id = serializers.IntegerField(read_only=True)
    username = serializers.CharField(read_only=True)


class FlagTypeSerializer(serializers.ModelSerializer):
    class Meta:
        model = FlagType
        fields = ["slug", "label", "description", "is_active"]


# Formats datetimes as DRF does (settings' time zone, ISO 8601, "Z" for UTC).
_DATETIME_FIELD = serializers.DateTimeField()


class AnnotationSerializer(serializers.ModelSerializer):
    reviewer = UserRefSerializer(read_only=True)
    flags = serializers.SlugRelatedField(many=True, read_only=True, slug_field="slug")
    reliability_label = serializers.SerializerMethodField()
    is_own = serializers.SerializerMethodField()

    class Meta:
        model = Annotation
        fields = [
            "id",
            "document",
            "passage",
            "reviewer",
            "start",
            "end",
            "exact",
            "prefix",
            "suffix",
            "reliability",
            "reliability_label",
            "flags",
            "note",
            "evidence",
            "claim",
            "suggestion",
            "status",
            "version",
            "created_at",
            "updated_at",
            "is_own",
        ]
        read_only_fields = fields

    def get_reliability_label(self, obj) -> str | None:
        return RELIABILITY_LABELS.get(obj.reliability)

    def get_is_own(self, obj) -> bool:
        request = self.context.get("request")
        return bool(
            request and request.user.is_authenticated and obj.reviewer_id == request.user.pk
        )

    def to_representation(self, annotation):
        """What ModelSerializer produces for these fields (a test compares the two), without
        DRF's per-field machinery, which cost more than the rest of an annotation write's
        response."""
        reviewer = annotation.reviewer
        return {
            "id": annotation.pk,
            "document": annotation.document_id,
            "passage": annotation.passage_id,
            "reviewer": {"id": reviewer.pk, "username": reviewer.username},
            "start": annotation.start,
            "end": annotation.end,
            "exact": annotation.exact,
            "prefix": annotation.prefix,
            "suffix": annotation.suffix,
            "reliability": annotation.reliability,
            "reliability_label": self.get_reliability_label(annotation),
            "flags": [flag.slug for flag in annotation.flags.all()],
            "note": annotation.note,
            "evidence": annotation.evidence,
            "claim": annotation.claim_id,
            "suggestion": annotation.suggestion_id,
            "status": annotation.status,
            "version": annotation.version,
            "created_at": _DATETIME_FIELD.to_representation(annotation.created_at),
            "updated_at": _DATETIME_FIELD.to_representation(annotation.updated_at),
            "is_own": self.get_is_own(annotation),
        }


class _JudgmentFields(serializers.Serializer):
    """The judgment part of an annotation, shared by create, update and suggestion accept."""

    reliability = serializers.IntegerField(
        min_value=1,
        max_value=5,
        allow_null=True,
        required=False,
        help_text="1 fabricated/false … 5 reliable; null when the annotation only flags",
    )
    flags = serializers.ListField(
        child=StrictCharField(max_length=64), required=False, max_length=50
    )
    note = _text(allow_blank=True, required=False)
    evidence = serializers.ListField(
        child=_text(allow_blank=True, max_length=2000),
        required=False,
        help_text="http(s) URLs or plain-text citations",
    )
    claim = serializers.PrimaryKeyRelatedField(
        queryset=Claim.objects.all(), allow_null=True, required=False
    )

    def validate_note(self, value):
        limit = settings.ANNOTATOR["MAX_NOTE_LENGTH"]
        if len(value) > limit:
            raise serializers.ValidationError(f"At most {limit} characters (got {len(value)}).")
        return value

    def validate_evidence(self, value):
        limit = settings.ANNOTATOR["MAX_EVIDENCE_ITEMS"]
        if len(value) > limit:
            raise serializers.ValidationError(f"At most {limit} items are allowed.")
        return value


class AnnotationCreateSerializer(_JudgmentFields):
    document = serializers.PrimaryKeyRelatedField(queryset=Document.objects.all())
    start = serializers.IntegerField(min_value=0, help_text="Code point offset, inclusive")
    end = serializers.IntegerField(min_value=1, help_text="Code point offset, exclusive")
    exact = _text(help_text="Must equal the document text between start and end")
    prefix = _text(allow_blank=True, required=False, max_length=64)
    suffix = _text(allow_blank=True, required=False, max_length=64)
    suggestion = serializers.PrimaryKeyRelatedField(
        queryset=Suggestion.objects.all(), allow_null=True, required=False
    )


class AnnotationUpdateSerializer(_JudgmentFields):
    version = serializers.IntegerField(
        min_value=1, required=False, help_text="Alternative to the If-Match header"
    )


class VersionSerializer(serializers.Serializer):
    version = serializers.IntegerField(min_value=1, required=False)


class AnnotationRevisionSerializer(serializers.ModelSerializer):
    changed_by = UserRefSerializer(read_only=True, allow_null=True)

    class Meta:
        model = AnnotationRevision
        fields = ["version", "action", "changed_by", "changed_at", "before", "after"]
        read_only_fields = fields


class ClaimSerializer(StrictModelSerializer):
    annotation_count = serializers.IntegerField(read_only=True)

    class Meta:
        model = Claim
        fields = [
            "id",
            "text",
            "language",
            "merged_into",
            "annotation_count",
            "created_at",
            "updated_at",
        ]
        read_only_fields = ["id", "merged_into", "annotation_count", "created_at", "updated_at"]
        extra_kwargs = {
            "text": {"trim_whitespace": True, "max_length": 2000},
            "language": {"required": False, "max_length": 35},
        }


class ConsensusSerializer(serializers.ModelSerializer):
    median_label = serializers.SerializerMethodField()

    class Meta:
        model = Consensus
        fields = [
            "id",
            "kind",
            "key",
            "document",
            "passage",
            "start",
            "end",
            "claim",
            "reviewer_count",
            "rating_count",
            "median_reliability",
            "median_label",
            "q1_reliability",
            "q3_reliability",
            "rating_distribution",
            "flag_support",
            "computed_status",
            "status",
            "adjudicated_reliability",
            "adjudicated_flags",
            "adjudication_reason",
            "adjudicated_at",
            "adjudication_stale",
            "updated_at",
        ]
        read_only_fields = fields

    def get_median_label(self, obj) -> str | None:
        return reliability_label(obj.median_reliability)

    _ATTRIBUTES = {"document": "document_id", "passage": "passage_id", "claim": "claim_id"}
    _DATETIMES = frozenset({"adjudicated_at", "updated_at"})

    def to_representation(self, row):
        """What ModelSerializer produces for these fields (a test compares the two), without
        DRF's per-field machinery: consensus lists and exports serialize many rows at a time,
        and that machinery cost more than the query."""
        data = {}
        for name in self.Meta.fields:
            if name == "median_label":
                data[name] = self.get_median_label(row)
                continue
            value = getattr(row, self._ATTRIBUTES.get(name, name))
            if value is not None and name in self._DATETIMES:
                value = _DATETIME_FIELD.to_representation(value)
            data[name] = value
        return data


class ClaimDetailSerializer(ClaimSerializer):
    spans = serializers.SerializerMethodField()
    consensus = serializers.SerializerMethodField()

    class Meta(ClaimSerializer.Meta):
        fields = [*ClaimSerializer.Meta.fields, "spans", "consensus"]
        read_only_fields = fields

    def get_spans(self, obj) -> AnnotationSerializer(many=True):
        return AnnotationSerializer(self.context["spans"], many=True, context=self.context).data

    def get_consensus(self, obj) -> ConsensusSerializer(allow_null=True):
        row = self.context.get("consensus")
        return ConsensusSerializer(row).data if row is not None else None


class SourceSerializer(serializers.ModelSerializer):
    url = serializers.CharField(read_only=True, help_text="A URL, or empty when unknown")
    document_count = serializers.IntegerField(read_only=True)

    class Meta:
        model = Source
        fields = ["id", "name", "url", "document_count", "created_at"]
        read_only_fields = fields


class PassageSerializer(serializers.ModelSerializer):
    class Meta:
        model = Passage
        fields = ["id", "index", "start", "end"]
        read_only_fields = fields


class DocumentSerializer(serializers.ModelSerializer):
    url = serializers.CharField(read_only=True, help_text="A URL, or empty when unknown")
    length = serializers.IntegerField(read_only=True, help_text="Body length in code points")

    class Meta:
        model = Document
        fields = [
            "id",
            "title",
            "source",
            "url",
            "language",
            "published",
            "sha256",
            "origin",
            "previous",
            "is_current",
            "length",
            "created_at",
            "updated_at",
        ]
        read_only_fields = fields


class DocumentDetailSerializer(DocumentSerializer):
    passages = PassageSerializer(many=True, read_only=True)

    class Meta(DocumentSerializer.Meta):
        fields = [*DocumentSerializer.Meta.fields, "body", "passages"]
        read_only_fields = fields


class SuggestionSerializer(serializers.ModelSerializer):
    flag = serializers.SlugRelatedField(read_only=True, slug_field="slug")
    my_decision = serializers.SerializerMethodField()

    class Meta:
        model = Suggestion
        fields = [
            "id",
            "document",
            "start",
            "end",
            "exact",
            "flag",
            "detector",
            "reason",
            "confidence",
            "created_at",
            "my_decision",
        ]
        read_only_fields = fields

    def get_my_decision(self, obj) -> str | None:
        decisions = self.context.get("my_decisions", {})
        return decisions.get(obj.pk)


class SuggestionDecisionSerializer(serializers.Serializer):
    suggestion = serializers.IntegerField(source="suggestion_id")
    decision = serializers.CharField()
    annotation = serializers.IntegerField(source="annotation_id", allow_null=True)
    decided_at = serializers.DateTimeField()


class ModerationActionSerializer(serializers.ModelSerializer):
    actor = UserRefSerializer(read_only=True)

    class Meta:
        model = ModerationAction
        fields = [
            "id",
            "actor",
            "action",
            "target_type",
            "target_id",
            "target_repr",
            "reason",
            "details",
            "created_at",
        ]
        read_only_fields = fields


class MeSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    username = serializers.CharField()
    first_name = serializers.CharField()
    last_name = serializers.CharField()
    is_moderator = serializers.BooleanField()
    groups = serializers.ListField(child=serializers.CharField())
    blind_review = serializers.BooleanField()
    auth = serializers.ChoiceField(choices=["session", "token"])
    token_scope = serializers.ChoiceField(choices=ApiToken.Scope.choices, allow_null=True)


class ApiTokenSerializer(StrictModelSerializer):
    class Meta:
        model = ApiToken
        fields = ["id", "name", "scope", "key_prefix", "created_at", "last_used_at", "revoked_at"]
        read_only_fields = ["id", "key_prefix", "created_at", "last_used_at", "revoked_at"]
        extra_kwargs = {"name": {"max_length": 100}}


class ApiTokenCreatedSerializer(ApiTokenSerializer):
    key = serializers.CharField(read_only=True, help_text="Shown once; only a hash is stored")

    class Meta(ApiTokenSerializer.Meta):
        fields = [*ApiTokenSerializer.Meta.fields, "key"]


# --- Agreement, source reliability and calibration (read-only figures) ---------------------------


class AlphaSerializer(serializers.Serializer):
    alpha = serializers.FloatField(allow_null=True, help_text="Krippendorff's alpha, or null")
    units = serializers.IntegerField(help_text="Units with values from two or more reviewers")
    pairable_values = serializers.IntegerField()
    coders = serializers.IntegerField(help_text="Reviewers with at least one value")
    reason = serializers.CharField(required=False, help_text="Why alpha is undefined")


class AgreementSerializer(AlphaSerializer):
    unit = serializers.CharField(help_text="What a unit is: a passage")
    level = serializers.CharField(help_text="Metric on ratings: ordinal")
    reviewers = serializers.IntegerField()
    annotations = serializers.IntegerField()
    flags = serializers.DictField(
        child=AlphaSerializer(), help_text="Nominal alpha per flag slug (raised or not)"
    )


class SourceReliabilitySerializer(serializers.Serializer):
    source_id = serializers.IntegerField()
    name = serializers.CharField()
    documents = serializers.IntegerField()
    passages = serializers.IntegerField()
    passages_judged = serializers.IntegerField(help_text="Passages with a counted reviewer")
    annotations = serializers.IntegerField()
    reviewers = serializers.IntegerField()
    status_counts = serializers.DictField(child=serializers.IntegerField())
    quorum = serializers.IntegerField()
    decided_passages = serializers.IntegerField(help_text="Agreed, disputed or adjudicated")
    median_distribution = serializers.DictField(
        child=serializers.IntegerField(), help_text="Decided passages per median rating"
    )
    median_of_passage_medians = serializers.FloatField(allow_null=True)
    passages_with_any_flag = serializers.IntegerField()
    passages_with_agreed_flag = serializers.IntegerField()
    share_with_agreed_flag = serializers.FloatField(allow_null=True)
    flag_passages = serializers.DictField(child=serializers.IntegerField())
    agreement = AgreementSerializer()


class CalibrationSerializer(serializers.Serializer):
    reviewer_id = serializers.IntegerField()
    username = serializers.CharField()
    units = serializers.IntegerField(help_text="Units where a rating was compared")
    mean_absolute_difference = serializers.FloatField(allow_null=True)
    within_one_step = serializers.FloatField(allow_null=True)
    exact_agreement = serializers.FloatField(allow_null=True)
    bias = serializers.FloatField(allow_null=True, help_text="< 0: harsher than the others")
    flag_decisions = serializers.IntegerField()
    flag_agreement = serializers.FloatField(allow_null=True)
    comparisons = serializers.IntegerField()
    agreement = serializers.FloatField(allow_null=True)


class ClaimCandidateSerializer(serializers.Serializer):
    """A span that probably states the claim (claim matching), with its score."""

    document = serializers.IntegerField()
    start = serializers.IntegerField()
    end = serializers.IntegerField()
    exact = serializers.CharField()
    language = serializers.CharField()
    score = serializers.FloatField(help_text="cosine of the multilingual embeddings + signals")
    cosine = serializers.FloatField()
    shared = serializers.ListField(child=serializers.CharField(), help_text="shared signals")


class ClaimCandidateListSerializer(serializers.Serializer):
    claim = serializers.IntegerField()
    results = ClaimCandidateSerializer(many=True)


class ClaimsForSpanInput(serializers.Serializer):
    """The span whose claims the picker asks for: a document and code-point offsets."""

    document = serializers.PrimaryKeyRelatedField(queryset=Document.objects.all())
    start = serializers.IntegerField(min_value=0, max_value=2**31 - 1)
    end = serializers.IntegerField(min_value=1, max_value=2**31 - 1)

    def validate(self, attrs):
        if attrs["end"] <= attrs["start"]:
            raise serializers.ValidationError({"end": ["Must be greater than start."]})
        if attrs["end"] > len(attrs["document"].body):
            raise serializers.ValidationError({"end": ["Past the end of the document."]})
        return attrs


class ClaimForSpanSerializer(serializers.Serializer):
    """A claim that the span probably states (claim matching), with its score."""

    claim = serializers.IntegerField()
    text = serializers.CharField()
    language = serializers.CharField()
    score = serializers.FloatField(help_text="cosine of the multilingual embeddings + signals")
    cosine = serializers.FloatField()
    shared = serializers.ListField(child=serializers.CharField(), help_text="shared signals")


class ClaimsForSpanSerializer(serializers.Serializer):
    document = serializers.IntegerField()
    start = serializers.IntegerField()
    end = serializers.IntegerField()
    results = ClaimForSpanSerializer(many=True)


class ClaimCandidateDecisionInput(serializers.Serializer):
    """Accept (link the span to the claim as your annotation) or dismiss a candidate."""

    document = serializers.PrimaryKeyRelatedField(queryset=Document.objects.all())
    start = serializers.IntegerField(min_value=0)
    end = serializers.IntegerField(min_value=1)
    decision = serializers.ChoiceField(choices=["accepted", "dismissed"])
    reliability = serializers.IntegerField(min_value=1, max_value=5, required=False)
    flags = serializers.ListField(
        child=serializers.CharField(max_length=64), required=False, max_length=50
    )
    note = _text(allow_blank=True, required=False)

    def validate(self, attrs):
        if attrs["end"] <= attrs["start"]:
            raise serializers.ValidationError({"end": ["Must be greater than start."]})
        return attrs


class ClaimCandidateDecisionSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    claim = serializers.IntegerField(source="claim_id")
    document = serializers.IntegerField(source="document_id")
    start = serializers.IntegerField()
    end = serializers.IntegerField()
    decision = serializers.CharField()
    annotation = serializers.IntegerField(source="annotation_id", allow_null=True)


class ClaimMergeProposalSerializer(serializers.Serializer):
    claim = serializers.IntegerField()
    text = serializers.CharField()
    score = serializers.FloatField()
