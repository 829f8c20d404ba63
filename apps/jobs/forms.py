"""The sponsor pages' forms. Same rules as the API: the services validate again either way."""
from decimal import Decimal

from django import forms

from apps.common.chain import usdc_to_units
from apps.common.errors import InvalidInput

from .serializers import MAX_TEXT
from .services import MAX_TAG_LENGTH, MAX_TAGS


class TopicForm(forms.Form):
    title = forms.CharField(max_length=140, help_text="1-140 characters.")
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
        tags = [t.strip() for t in self.cleaned_data["tags"].split(",") if t.strip()]
        if len(tags) > MAX_TAGS:
            raise forms.ValidationError(f"At most {MAX_TAGS} tags.")
        if any(len(t) > MAX_TAG_LENGTH for t in tags):
            raise forms.ValidationError(f"Each tag is at most {MAX_TAG_LENGTH} characters.")
        return tags


class CloseForm(forms.Form):
    winner_submission_id = forms.UUIDField(widget=forms.HiddenInput)
    confirm = forms.BooleanField(label="I confirm this winner. Closing is final.",
                                 error_messages={"required": "Tick the box to confirm: closing can't be undone."})
