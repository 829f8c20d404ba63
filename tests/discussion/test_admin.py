"""Moderation in the operator console goes through the same soft delete as the API."""
import pytest
from django.contrib.auth.models import User

from apps.common.models import AuditEntry
from apps.discussion.models import Comment, Post, SearchDocument
from tests.conftest import create_job
from tests.discussion.test_comments_api import comment, make_post

pytestmark = pytest.mark.django_db


def test_staff_soft_delete_comments_and_posts_and_read_what_was_said(client, sponsor, worker):
    staff = User.objects.create_user("mod", password="pw", is_staff=True)
    client.force_login(staff)
    job = create_job(sponsor)
    c = comment(worker, f"jobs/{job['id']}", "rude words")
    post = make_post(worker, title="Spam", content="buy now")
    refused = client.post("/admin/discussion/comment/", {"action": "soft_delete", "_selected_action": [c["id"]]})
    assert refused.status_code in (200, 403) and Comment.objects.get(pk=c["id"]).deleted_at is None  # no permission
    staff.is_superuser = True
    staff.save()
    for url, pk in [("/admin/discussion/comment/", c["id"]), ("/admin/discussion/post/", post["id"])]:
        assert client.post(url, {"action": "soft_delete", "_selected_action": [pk]}).status_code == 302
    assert Comment.objects.get(pk=c["id"]).deleted_by == "admin:mod"
    assert Post.objects.get(pk=post["id"]).deleted_by == "admin:mod"
    assert sorted(AuditEntry.objects.filter(actor="admin:mod").values_list("action", flat=True)) == [
        "comment_delete", "post_delete"]
    assert not SearchDocument.objects.filter(object_id__in=[c["id"], post["id"]]).exists()
    assert "rude words" in client.get(f"/admin/discussion/comment/{c['id']}/change/").content.decode()
    assert client.get("/admin/discussion/searchdocument/").status_code == 200
