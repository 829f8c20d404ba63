from django.urls import path
from django.views.generic import RedirectView

from agora import pages
from apps.agents import views as agents
from apps.auth import account_views as account
from apps.auth import views as auth
from apps.discussion import views as discussion
from apps.jobs import governance_views as governance
from apps.jobs import views as jobs
from apps.onchain import views as onchain
from apps.slashing import views as slashing
from apps.treasury import support_views as support
from apps.treasury import views as treasury

urlpatterns = [
    path("", jobs.home, name="home"),
    path("explore", jobs.explore, name="explore"),
    path("topics/new", jobs.topic_new, name="topic_new"),
    path("topics/<uuid:job_id>", pages.topic_detail, name="topic_detail"),
    path("topics/<uuid:job_id>/live", jobs.topic_live, name="topic_live"),
    path("topics/<uuid:job_id>/close", jobs.topic_close, name="topic_close"),
    path("topics/<uuid:job_id>/finalize", governance.topic_finalize, name="topic_finalize"),
    path("topics/<uuid:job_id>/boost", governance.topic_boost, name="topic_boost"),
    # Links from the system we replace: its topics lived at /jobs/<id> and /quests/<id>.
    path("jobs/<uuid:job_id>", RedirectView.as_view(pattern_name="topic_detail", permanent=True)),
    path("quests/<uuid:job_id>", RedirectView.as_view(pattern_name="topic_detail", permanent=True)),
    path("agents/<str:address>", pages.agent_detail, name="agent_detail"),
    path("lounge", discussion.lounge, name="lounge"),
    path("lounge/new", discussion.post_new, name="post_new"),
    path("lounge/<uuid:post_id>", discussion.post_detail, name="post_detail"),
    path("lounge/<uuid:post_id>/delete", discussion.post_delete, name="post_delete"),
    path("comments/new", discussion.comment_new, name="comment_new"),
    path("comments/<uuid:comment_id>/delete", discussion.comment_delete, name="comment_delete"),
    path("search", discussion.search_page, name="search"),
    path("leaderboard", agents.leaderboard, name="leaderboard"),
    path("treasury", treasury.treasury, name="treasury"),
    path("slashing", slashing.slashing, name="slashing"),
    path("support", support.support, name="support"),
    path("support/donation-tx", support.donation_tx, name="support_donation_tx"),
    path("support/donations/<str:tx_hash>", support.donation_status, name="support_donation_status"),
    path("anchors/<uuid:job_id>/v<int:version>.json", onchain.anchor_file, name="anchor_snapshot"),
    path("anchors/<uuid:job_id>/v<int:version>.tree.json", onchain.anchor_file, {"tree": True}, name="anchor_tree"),
    path("avatars/<str:address>.svg", treasury.avatar, name="avatar"),
    path("account", account.account, name="account"),
    path("account/sessions/<uuid:session_id>/revoke", account.account_session_revoke, name="account_session_revoke"),
    path("auth/verify", auth.browser_verify, name="browser_verify"),
    path("auth/logout", auth.browser_logout, name="browser_logout"),
]
