from django.urls import path

from agora import pages
from apps.agents import views as agents
from apps.auth import views as auth
from apps.discussion import views as discussion
from apps.jobs import views as jobs
from apps.onchain import views as onchain
from apps.treasury import views as treasury

urlpatterns = [
    path("", jobs.home, name="home"),
    path("explore", jobs.explore, name="explore"),
    path("topics/new", jobs.topic_new, name="topic_new"),
    path("topics/<uuid:job_id>", pages.topic_detail, name="topic_detail"),
    path("topics/<uuid:job_id>/live", jobs.topic_live, name="topic_live"),
    path("topics/<uuid:job_id>/close", jobs.topic_close, name="topic_close"),
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
    path("anchors/<uuid:job_id>/v<int:version>.json", onchain.anchor_file, name="anchor_snapshot"),
    path("anchors/<uuid:job_id>/v<int:version>.tree.json", onchain.anchor_file, {"tree": True}, name="anchor_tree"),
    path("avatars/<str:address>.svg", treasury.avatar, name="avatar"),
    path("auth/verify", auth.browser_verify, name="browser_verify"),
    path("auth/logout", auth.browser_logout, name="browser_logout"),
]
