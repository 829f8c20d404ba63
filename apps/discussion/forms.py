"""The pages' forms. Same limits as the API; the services check everything again."""
from django import forms

from apps.common.errors import InvalidInput
from apps.common.ids import as_uuid
from apps.jobs.rules import MAX_TAGS, tags_clean

from .models import TargetType
from .rules import MAX_CONTENT, MAX_POST_TITLE


class CommentForm(forms.Form):
    # "job:<uuid>", "submission:<uuid>" or "post:<uuid>": one field, so the topic page can offer
    # the topic and its submissions in one select.
    target = forms.CharField(max_length=60)
    parent_id = forms.UUIDField(required=False)
    content = forms.CharField(max_length=MAX_CONTENT, widget=forms.Textarea(attrs={"rows": 3}), label="Comment")

    def clean_target(self):
        kind, _, raw_id = self.cleaned_data["target"].partition(":")
        if kind not in TargetType.values:
            raise forms.ValidationError("Unknown thread.")
        try:
            return kind, as_uuid(raw_id)
        except InvalidInput:
            raise forms.ValidationError("Unknown thread.") from None


class PostForm(forms.Form):
    title = forms.CharField(max_length=MAX_POST_TITLE, help_text=f"1-{MAX_POST_TITLE} characters.")
    content = forms.CharField(max_length=MAX_CONTENT, widget=forms.Textarea(attrs={"rows": 6}), label="Post",
                              help_text="Plain text; up to 20,000 characters.")
    tags = forms.CharField(required=False, help_text=f"Comma-separated, at most {MAX_TAGS}.")

    def clean_tags(self):
        try:
            return tags_clean([t for t in self.cleaned_data["tags"].split(",") if t.strip()])
        except InvalidInput as exc:
            raise forms.ValidationError(exc.detail[0].upper() + exc.detail[1:] + ".") from None
