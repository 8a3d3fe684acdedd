"""Shapes of the campaign API's JSON. Types are checked here; the domain rules in ``lifecycle``."""

from rest_framework import serializers

from annotator.api.params import id_field
from annotator.models import Assignment, Campaign


class DocumentFilterSerializer(serializers.Serializer):
    source = id_field(required=False)
    language = serializers.CharField(required=False, max_length=35)
    published_from = serializers.DateField(required=False)
    published_to = serializers.DateField(required=False)


class CampaignCreateSerializer(serializers.Serializer):
    name = serializers.CharField(max_length=200)
    description = serializers.CharField(required=False, allow_blank=True, default="")
    documents = serializers.ListField(child=id_field(), required=False, default=list)
    document_filter = DocumentFilterSerializer(required=False, default=None, allow_null=True)
    reviewers = serializers.ListField(child=serializers.CharField(max_length=150))
    overlap = serializers.IntegerField(min_value=1, max_value=100)
    quorum = serializers.IntegerField(min_value=1, max_value=100, required=False)
    due = serializers.DateField(required=False, allow_null=True, default=None)
    blind_review = serializers.BooleanField(required=False, default=True)


class DocumentsAddSerializer(serializers.Serializer):
    documents = serializers.ListField(child=id_field(), required=False, default=list)
    document_filter = DocumentFilterSerializer(required=False, default=None, allow_null=True)


class ReviewersAddSerializer(serializers.Serializer):
    reviewers = serializers.ListField(child=serializers.CharField(max_length=150), min_length=1)


class ReassignSerializer(serializers.Serializer):
    passage = id_field()
    to = serializers.CharField(max_length=150)
    reason = serializers.CharField()

    # "from" is a Python keyword: declared below.


ReassignSerializer._declared_fields["from"] = serializers.CharField(max_length=150)


class CampaignSerializer(serializers.ModelSerializer):
    reviewers = serializers.SerializerMethodField()
    documents = serializers.SerializerMethodField()

    class Meta:
        model = Campaign
        fields = [
            "id",
            "name",
            "description",
            "status",
            "overlap",
            "quorum",
            "due",
            "blind_review",
            "documents",
            "document_filter",
            "reviewers",
            "created_at",
            "opened_at",
            "closed_at",
            "completed_at",
        ]

    def get_reviewers(self, campaign) -> list[str]:
        return sorted(member.reviewer.username for member in campaign.members.all())

    def get_documents(self, campaign) -> list[int]:
        return sorted(document.pk for document in campaign.documents.all())


class AssignmentSerializer(serializers.Serializer):
    """One passage assigned to one reviewer in a campaign, and whether they judged it."""

    id = serializers.IntegerField(read_only=True)
    campaign = serializers.IntegerField(source="campaign_id", read_only=True)
    passage = serializers.IntegerField(source="passage_id", read_only=True)
    document = serializers.IntegerField(source="document_id", read_only=True)
    reviewer = serializers.CharField(source="reviewer_name", read_only=True)
    kind = serializers.ChoiceField(choices=Assignment.Kind.choices, read_only=True)
    due = serializers.DateField(read_only=True, allow_null=True)
    done = serializers.BooleanField(read_only=True)
