"""Who may manage campaigns and who may look at one."""

from annotator import roles
from annotator.models import Campaign, CampaignMember


def can_manage_campaigns(user) -> bool:
    """Editors, moderators and administrators create, open, close and change campaigns."""
    if not (user.is_authenticated and user.is_active):
        return False
    return user.is_moderator or roles.is_editor(user)


def is_member(user, campaign: Campaign) -> bool:
    return CampaignMember.objects.filter(campaign=campaign, reviewer_id=user.pk).exists()


def can_view_campaign(user, campaign: Campaign) -> bool:
    """Managers see every campaign; a reviewer sees the campaigns whose pool they are in."""
    return can_manage_campaigns(user) or (user.is_authenticated and is_member(user, campaign))


def campaigns_visible_to(user, campaign_ids) -> set[int]:
    """Which of ``campaign_ids`` ``user`` may look at (``can_view_campaign`` for many)."""
    campaign_ids = set(campaign_ids)
    if can_manage_campaigns(user):
        return campaign_ids
    return set(
        CampaignMember.objects.filter(
            campaign_id__in=campaign_ids, reviewer_id=user.pk
        ).values_list("campaign_id", flat=True)
    )
