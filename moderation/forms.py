"""Forms the admin doors share."""

from django import forms
from django.contrib.admin.helpers import ActionForm


class ReasonActionForm(ActionForm):
    """The admin action bar's extra inputs: why (kept in the audit log and shown to the
    reporter as the resolution) and, to suspend, for how many days."""

    reason = forms.CharField(required=False, max_length=2000, label="Reason")
    days = forms.IntegerField(
        required=False, min_value=1, max_value=3650, label="Days (empty: indefinitely)"
    )
