from decimal import Decimal

from django import forms


class RequestForm(forms.Form):
    what = forms.CharField(label="What is being bought", max_length=200,
                           help_text="For example, carpets for the living room or a cooker",
                           error_messages={"required": "Enter what is being bought"})
    supplier = forms.CharField(label="Supplier", max_length=200,
                               error_messages={"required": "Enter the supplier"})
    amount = forms.DecimalField(label="Amount, in pounds", max_digits=10, decimal_places=2,
                                min_value=Decimal("0.01"), help_text="For example, 249.99",
                                error_messages={"required": "Enter the amount",
                                                "invalid": "Enter the amount in pounds and pence, like 249.99",
                                                "min_value": "The amount must be more than £0",
                                                "max_decimal_places": "The amount cannot include fractions of a penny"})

    def clean_amount(self):
        return self.cleaned_data["amount"].quantize(Decimal("0.01"))


class DecideForm(forms.Form):
    decision = forms.ChoiceField(label="Decision", widget=forms.RadioSelect,
                                 choices=[("approve", "Approve"), ("refuse", "Refuse")],
                                 error_messages={"required": "Select approve or refuse"})
    note = forms.CharField(label="Note", required=False, widget=forms.Textarea(attrs={"rows": 3}),
                           help_text="Needed when refusing")
    override = forms.BooleanField(label="Approve over the year's budget (manager's override)", required=False)
    override_reason = forms.CharField(label="Reason for going over the budget", required=False,
                                      widget=forms.Textarea(attrs={"rows": 3}),
                                      help_text="Recorded on the request and in the audit trail")

    def clean(self):
        data = super().clean()
        if data.get("decision") == "refuse" and not data.get("note", "").strip():
            self.add_error("note", "Enter the reason for refusing")
        if data.get("override") and not data.get("override_reason", "").strip():
            self.add_error("override_reason", "Enter the reason for going over the budget")
        return data
