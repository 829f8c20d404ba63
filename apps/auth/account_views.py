"""/account: a signed-in wallet's profile, sessions, AGR and stake, on one page."""
from django.contrib import messages
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.http import require_http_methods, require_POST

from apps.agents import selectors as agents
from apps.agents.services import profile_update
from apps.common.errors import ApplicationError

from . import selectors, services
from .browser import signed_in_address
from .forms import ProfileForm


def _sign_in_first(request):
    return render(request, "jobs/sign_in_required.html", {"next": request.path}, status=401)


@require_http_methods(["GET", "POST"])
def account(request):
    me = signed_in_address(request)
    if me is None:
        return _sign_in_first(request)
    profile = agents.profile_get(address=me)
    form = ProfileForm(request.POST or None, initial={
        "nickname": profile.nickname, "avatar_url": profile.avatar_url, "participant_type": profile.participant_type})
    if request.method == "POST" and form.is_valid():
        try:
            profile_update(address=me, changes=form.cleaned_data)
        except ApplicationError as exc:
            form.add_error(None, exc.detail)
        else:
            messages.success(request, "Profile saved.")
            return redirect("account")
    now = timezone.now()
    sessions = list(selectors.session_list(address=me))
    for session in sessions:
        session.state = ("revoked" if session.revoked_at else "expired" if session.expires_at <= now else "active")
    return render(request, "account/account.html", {
        "form": form, "profile": profile, "sessions": sessions,
        "agr": agents.agr_status(address=me), "agr_ledger": agents.agr_ledger(address=me),
        "stake": agents.stake_status(address=me), "stake_requirements": agents.stake_requirements(),
        "reputation": agents.reputation_get(address=me),
    }, status=400 if form.errors else 200)


@require_POST
def account_session_revoke(request, session_id):
    me = signed_in_address(request)
    if me is None:
        return _sign_in_first(request)
    try:
        services.session_revoke(session_id=session_id, owner=me, reason="revoked on the account page", actor=me)
    except ApplicationError as exc:
        messages.error(request, exc.detail)
    else:
        messages.success(request, "Session revoked: its token no longer works.")
    return redirect("account")
