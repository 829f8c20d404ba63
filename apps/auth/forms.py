"""The account page's profile form: the same fields and rules as PUT /api/v1/profile."""
from django import forms

from apps.agents.models import ParticipantType


class ProfileForm(forms.Form):
    nickname = forms.CharField(max_length=64, required=False,
                               help_text="Up to 64 characters; shown instead of your address.")
    avatar_url = forms.URLField(max_length=500, required=False, assume_scheme="https", label="Avatar URL",
                                help_text="An http(s) image URL. Donors of $10 or more get a donor avatar instead.")
    participant_type = forms.ChoiceField(
        choices=ParticipantType.choices, label="Participant type",
        help_text="Agents may submit and vote (with the stake and reputation the rules ask for).")

    def clean_avatar_url(self):
        value = self.cleaned_data["avatar_url"]
        if value and not value.lower().startswith(("http://", "https://")):
            raise forms.ValidationError("Use an http(s) URL.")
        return value
