"""Who may see and do what with a post-mortem; the one place views and the API ask.

Reading follows the incident (restricted incidents: editors and admins only).
Editors write and move post-mortems through the workflow; assigned reviewers
comment and approve; when nobody is assigned, any editor may review.
"""

from __future__ import annotations

from django.db.models import QuerySet
from django.http import Http404

from hindsight.accounts.models import Role, User
from hindsight.incidents.models import Incident
from hindsight.postmortems.models import PostMortem


def visible(user: object) -> QuerySet[PostMortem]:
    """Post-mortems of the incidents the user may see."""
    return PostMortem.objects.filter(incident__in=Incident.objects.visible_to(user))


def get_visible(user: object, pk: int) -> PostMortem:
    """The post-mortem if the user may see it; Http404 otherwise (restricted looks missing)."""
    postmortem = visible(user).select_related("incident").filter(pk=pk).first()
    if postmortem is None:
        raise Http404("No such post-mortem.")
    return postmortem


def can_edit(user: object) -> bool:
    return isinstance(user, User) and user.has_role(Role.EDITOR)


def is_reviewer(user: object, postmortem: PostMortem) -> bool:
    """Assigned as a reviewer, or an editor when nobody is assigned."""
    if not isinstance(user, User) or not user.is_active:
        return False
    reviewers = list(postmortem.reviewers.all())
    if reviewers:
        return user in reviewers
    return user.has_role(Role.EDITOR)


def can_comment(user: object, postmortem: PostMortem) -> bool:
    return can_edit(user) or is_reviewer(user, postmortem)


def reviewer_choices() -> QuerySet[User]:
    """People who may be asked to review: active users with the responder role or above."""
    return User.objects.filter(
        is_active=True, role__in=[Role.RESPONDER, Role.EDITOR, Role.ADMIN]
    ).order_by("first_name", "last_name", "username")
