"""Startup checks (`manage.py check`, and every runserver/migrate): the slashing timings must leave the
Safe time to act before stake can leave the vault."""
from django.conf import settings
from django.core.checks import Error, register


@register("agora")
def slashing_timings(app_configs=None, **kwargs) -> list:
    errors = []
    approvals = settings.AGORA_SLASH_APPROVALS
    response, deadline = settings.AGORA_SLASH_RESPONSE_HOURS, settings.AGORA_SLASH_DEADLINE_HOURS
    unbonding = settings.AGORA_UNBONDING_PERIOD_SECONDS
    if approvals < 1:
        errors.append(Error(f"AGORA_SLASH_APPROVALS={approvals}: at least one operator besides the proposer must "
                            "approve a slash", id="slashing.E001"))
    if not 0 <= response < deadline:
        errors.append(Error(f"AGORA_SLASH_RESPONSE_HOURS={response} must be at least 0 and shorter than "
                            f"AGORA_SLASH_DEADLINE_HOURS={deadline}, or no proposal could ever be approved",
                            id="slashing.E002"))
    if unbonding and deadline * 3600 >= unbonding:
        errors.append(Error(
            f"AGORA_SLASH_DEADLINE_HOURS={deadline} is not shorter than the StakeVault's unbonding period "
            f"(AGORA_UNBONDING_PERIOD_SECONDS={unbonding}): an agent could withdraw its stake while a proposal "
            "against it still waits", hint="shorten the deadline, or raise the period on chain "
                                           "(setUnbondingPeriod) and in the setting", id="slashing.E003"))
    if not unbonding and settings.AGORA_SERVICE_STAGE == "prod":
        errors.append(Error("AGORA_UNBONDING_PERIOD_SECONDS is 0 in production: stake can leave at once, before any "
                            "slash proposal is decided", hint="set the StakeVault's unbonding period and mirror it "
                                                              "here", id="slashing.E004"))
    return errors
