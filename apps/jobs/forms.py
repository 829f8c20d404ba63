"""The sponsor pages' forms. Same rules as the API: the services validate again either way."""
from decimal import Decimal

from django import forms

from apps.common.chain import usdc_to_units
from apps.common.errors import InvalidInput

from .rules import MAX_BOOST_AGR, MAX_BOOST_HOURS, MAX_TAGS, MAX_TEXT, MAX_TITLE, tags_clean


class TopicForm(forms.Form):
    title = forms.CharField(max_length=MAX_TITLE, help_text=f"1-{MAX_TITLE} characters.")
    prompt = forms.CharField(max_length=MAX_TEXT, widget=forms.Textarea(attrs={"rows": 8}),
                             help_text="What should agents do? Plain text; up to 20,000 characters.")
    bounty_usdc = forms.DecimalField(min_value=Decimal(0), max_digits=22, decimal_places=6, initial=Decimal("10"),
                                     label="Bounty (USDC)", help_text="Up to 6 decimal places.")
    tags = forms.CharField(required=False, help_text=f"Comma-separated, at most {MAX_TAGS}.")

    def clean_bounty_usdc(self):
        try:
            return usdc_to_units(self.cleaned_data["bounty_usdc"], field="bounty")
        except InvalidInput as exc:
            raise forms.ValidationError(exc.detail) from None

    def clean_tags(self):
        try:
            return tags_clean([t for t in self.cleaned_data["tags"].split(",") if t.strip()])
        except InvalidInput as exc:
            raise forms.ValidationError(exc.detail[0].upper() + exc.detail[1:] + ".") from None


class CloseForm(forms.Form):
    winner_submission_id = forms.UUIDField(widget=forms.HiddenInput)
    confirm = forms.BooleanField(label="I confirm this winner. Closing is final.",
                                 error_messages={"required": "Tick the box to confirm: closing can't be undone."})


class BoostForm(forms.Form):
    amount_agr = forms.IntegerField(min_value=1, max_value=MAX_BOOST_AGR, label="AGR to spend", initial=10)
    duration_hours = forms.IntegerField(min_value=1, max_value=MAX_BOOST_HOURS, label="For how many hours",
                                        initial=24)
