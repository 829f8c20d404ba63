import pytest
from django.apps import apps
from django.contrib import admin
from django.contrib.auth.models import User
from django.db import connection
from django.test.utils import CaptureQueriesContext

from apps.agents.models import Reputation, ReputationLedger
from apps.auth.models import AgentSession
from tests.conftest import create_job, submit, vote

pytestmark = pytest.mark.django_db


@pytest.fixture
def operator(client):
    user = User.objects.create_superuser("ops", "ops@agora.example", "pw")
    client.force_login(user)
    return client


def test_every_project_model_is_registered():
    ours = [m for m in apps.get_models() if m.__module__.startswith("apps.") and m._meta.app_label != "treasury"]
    missing = [m.__name__ for m in ours if m not in admin.site._registry and m.__name__ != "JobTag"]
    assert missing == []


def test_dashboard_shows_counts(operator, sponsor, worker, juror):
    job = create_job(sponsor)
    sub = submit(worker, job["id"])
    vote(juror, job["id"], sub["id"])
    sponsor.client.post(f"/api/v1/jobs/{job['id']}/close", {"winner_submission_id": sub["id"]}, format="json")
    create_job(sponsor)
    html = operator.get("/admin/").content.decode()
    for figure, value in [("open-topics", 1), ("closed-topics", 1), ("closed-in-the-last-24-h", 1),
                          ("submissions", 1), ("votes", 1), ("active-sessions", 3)]:
        assert f'data-figure="{figure}">{value}<' in html, figure


def test_changelists_render_in_constant_queries(operator, sponsor, make_wallet):
    def grow():
        job = create_job(sponsor)
        wallets = [make_wallet(agent=True, stake_usdc=50, score=3) for _ in range(3)]
        subs = [submit(w, job["id"])["id"] for w in wallets]
        for i, w in enumerate(wallets):  # each for the next one's submission: nobody votes for their own
            vote(w, job["id"], subs[(i + 1) % 3])
    grow()
    models = [m for m in admin.site._registry if m.__module__.startswith("apps.")]
    urls = [f"/admin/{m._meta.app_label}/{m._meta.model_name}/" for m in models]
    before = {}
    for url in urls:
        with CaptureQueriesContext(connection) as ctx:
            assert operator.get(url).status_code == 200, url
        before[url] = len(ctx.captured_queries)
    grow()
    grow()
    for url in urls:
        with CaptureQueriesContext(connection) as ctx:
            operator.get(url)
        assert len(ctx.captured_queries) == before[url], url


def test_chain_and_receipt_rows_are_read_only(operator):
    for name in ("jobreceipt", "vote", "submission"):
        assert operator.get(f"/admin/jobs/{name}/add/").status_code == 403
    assert operator.get("/admin/onchain/slashingevent/add/").status_code == 403
    assert operator.get("/admin/agents/reputationledger/add/").status_code == 403


def test_revoke_session_action_calls_the_service(operator, make_wallet):
    wallet = make_wallet()
    session = AgentSession.objects.get(address=wallet.address)
    response = operator.post("/admin/agora_auth/agentsession/", {"action": "revoke", "_selected_action": [session.pk]})
    assert response.status_code == 302
    session.refresh_from_db()
    assert session.revoked_at is not None and "ops" in session.revoked_reason
    assert wallet.client.get("/api/v1/profile").status_code == 401


def test_reset_reputation_asks_for_a_reason_and_records_it(operator, make_wallet):
    wallet = make_wallet(score=70)
    url = "/admin/agents/reputation/"
    ask = operator.post(url, {"action": "reset_with_reason", "_selected_action": [wallet.address]})
    assert ask.status_code == 200 and "reason" in ask.content.decode()
    assert Reputation.objects.get(address=wallet.address).score == 70
    empty = operator.post(url, {"action": "reset_with_reason", "_selected_action": [wallet.address], "apply": "1",
                                "reason": ""})
    assert empty.status_code == 200 and Reputation.objects.get(address=wallet.address).score == 70
    done = operator.post(url, {"action": "reset_with_reason", "_selected_action": [wallet.address], "apply": "1",
                               "reason": "vote ring"})
    assert done.status_code == 302
    assert Reputation.objects.get(address=wallet.address).score == 0
    entry = ReputationLedger.objects.filter(address=wallet.address).latest("id")
    assert (entry.kind, entry.reason, entry.actor, entry.delta) == ("operator_reset", "vote ring", "ops", -70)


# --- state-changing actions need their own permission -----------------------------------------

@pytest.fixture
def view_only_staff():
    """Staff who may open every list page, and nothing more."""
    from django.contrib.auth.models import Permission

    user = User.objects.create_user("viewer", password="pw", is_staff=True)
    user.user_permissions.set(Permission.objects.filter(codename__startswith="view_"))
    return User.objects.get(pk=user.pk)  # a fresh instance: no cached permissions


def test_every_admin_action_declares_a_permission_beyond_view(rf, view_only_staff):
    """Covers every ModelAdmin registered now and later: an action without permissions runs for
    anyone who can see the list."""
    request = rf.get("/admin/")
    request.user = view_only_staff
    for model, model_admin in admin.site._registry.items():
        for func, name, _description in model_admin._get_base_actions():
            if name == "delete_selected":
                continue  # Django's own: needs the delete permission
            allowed = set(getattr(func, "allowed_permissions", ()))
            assert allowed - {"view"}, f"{model.__name__}: action {name} has no permission of its own"
        assert set(model_admin.get_actions(request)) == set(), model.__name__


def test_view_only_staff_cannot_revoke_reset_or_rewind(client, view_only_staff, make_wallet):
    from apps.onchain.models import ChainStream

    client.force_login(view_only_staff)
    wallet = make_wallet(score=70)
    session = AgentSession.objects.get(address=wallet.address)
    assert client.get("/admin/agora_auth/agentsession/").status_code == 200  # may look
    client.post("/admin/agora_auth/agentsession/", {"action": "revoke", "_selected_action": [session.pk]})
    client.post("/admin/agents/reputation/", {"action": "reset_with_reason", "_selected_action": [wallet.address],
                                              "apply": "1", "reason": "not mine to give"})
    session.refresh_from_db()
    assert session.revoked_at is None
    assert Reputation.objects.get(address=wallet.address).score == 70
    stream = ChainStream.objects.create(name="s", chain_id=31337, contract_address="0x" + "1" * 40,
                                        start_block=0, next_block=11, last_block_number=10)
    client.post("/admin/onchain/chainstream/", {"action": "reset_cursor_action", "_selected_action": [stream.pk],
                                                "apply": "1", "to_block": "0", "confirm_name": "s"})
    stream.refresh_from_db()
    assert stream.last_block_number == 10


def test_the_revoke_permission_alone_is_enough(client, view_only_staff, make_wallet):
    from django.contrib.auth.models import Permission

    view_only_staff.user_permissions.add(Permission.objects.get(codename="revoke_agentsession"))
    client.force_login(view_only_staff)
    wallet = make_wallet()
    session = AgentSession.objects.get(address=wallet.address)
    client.post("/admin/agora_auth/agentsession/", {"action": "revoke", "_selected_action": [session.pk]})
    session.refresh_from_db()
    assert session.revoked_at is not None and "viewer" in session.revoked_reason


def test_periodic_task_actions_need_the_change_permission(client, view_only_staff, operator):
    from django_celery_beat.models import IntervalSchedule, PeriodicTask

    every = IntervalSchedule.objects.create(every=10, period=IntervalSchedule.SECONDS)
    task = PeriodicTask.objects.create(name="index", task="apps.onchain.tasks.index_streams", interval=every)
    url = "/admin/django_celery_beat/periodictask/"
    client.force_login(view_only_staff)
    client.post(url, {"action": "disable_tasks", "_selected_action": [task.pk]})
    task.refresh_from_db()
    assert task.enabled
    client.force_login(User.objects.get(username="ops"))
    client.post(url, {"action": "disable_tasks", "_selected_action": [task.pk]})
    task.refresh_from_db()
    assert not task.enabled
