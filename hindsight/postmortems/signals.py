"""Signals other domains listen to; sent inside the change's transaction, so a
receiver that writes rows (action items, the notification outbox) commits with it."""

from django.dispatch import Signal

# Sent after every saved version, with sender=PostMortem, postmortem=<PostMortem>,
# document=<hindsight.core.model.Document of the new body> and author=<User or None>.
postmortem_saved = Signal()
# Sent after a workflow change, with postmortem=<PostMortem>, old=<status>, new=<status>
# and actor=<User>; notifying assigned reviewers listens here.
postmortem_transitioned = Signal()
