"""The medical questionnaire: its sections, questions and rules, one definition for portal and API.

The flagged conditions are those of DOMAIN.md (Aerospace Medical Association 2002 task force; FAA
Center of Excellence 2012): each is answered yes or no, and a yes needs details for the surgeon.
Each section is a Django form, so the portal renders it and the service validates API input with it.
"""

from __future__ import annotations

from decimal import Decimal

from django import forms

CONDITIONS = [
    ("cardiovascular", "Heart disease (coronary disease, angina, heart attack, heart failure, valve disease)"),
    ("hypertension", "High blood pressure (hypertension), treated or not"),
    ("arrhythmia", "Irregular heartbeat (arrhythmia), pacemaker or implanted defibrillator"),
    ("pulmonary", "Lung disease (asthma, COPD, a collapsed lung, sleep apnoea)"),
    ("diabetes", "Diabetes"),
    ("seizures", "Seizures, epilepsy, fainting or sudden loss of consciousness"),
    ("recent_surgery", "Surgery, a hospital stay or a serious injury in the last 12 months"),
    ("pregnancy", "Pregnancy, or a chance of pregnancy on the flight date"),
    ("psychiatric", "Psychiatric conditions (anxiety, depression, panic attacks, claustrophobia, other)"),
    ("motion_sickness", "Motion sickness, or space motion sickness on an earlier flight"),
]
CONDITION_LABELS = dict(CONDITIONS)
YES_NO = [("no", "No"), ("yes", "Yes")]

HIGH_G_EXPERIENCE = [
    ("none", "None"),
    ("centrifuge", "Centrifuge training"),
    ("aerobatic", "Aerobatic or high-performance flying"),
    ("military", "Military fast jets"),
    ("spaceflight", "An earlier spaceflight"),
]


class SectionForm(forms.Form):
    """One section. As a draft every question may stay blank, but what is given must still be valid."""

    title = ""

    def __init__(self, *args, draft: bool = False, **kwargs):
        super().__init__(*args, **kwargs)
        self.draft = draft
        if draft:
            for field in self.fields.values():
                field.required = False

    @staticmethod
    def initial_from(section: dict) -> dict:
        return dict(section)


class ConditionsForm(SectionForm):
    """Section 1: the flagged conditions, each yes or no, with details for a yes."""

    title = "Medical conditions"

    def __init__(self, *args, draft: bool = False, **kwargs):
        super().__init__(*args, draft=draft, **kwargs)
        for key, label in CONDITIONS:
            self.fields[key] = forms.ChoiceField(
                label=label, choices=YES_NO, widget=forms.RadioSelect, required=not draft
            )
            self.fields[f"{key}_details"] = forms.CharField(
                label="Details (diagnosis, treatment, since when)", required=False, max_length=2000,
                widget=forms.Textarea(attrs={"rows": 2}),
            )

    def condition_fields(self):
        return [(self[key], self[f"{key}_details"]) for key, _ in CONDITIONS]

    def clean(self):
        cleaned = super().clean()
        if not self.draft:
            for key, label in CONDITIONS:
                if cleaned.get(key) == "yes" and not (cleaned.get(f"{key}_details") or "").strip():
                    self.add_error(f"{key}_details", f"You answered yes to “{label}”: describe it for the flight surgeon.")
        return cleaned

    @staticmethod
    def to_answers(cleaned: dict) -> dict:
        section = {}
        for key, _ in CONDITIONS:
            if cleaned.get(key):
                section[key] = {"answer": cleaned[key] == "yes", "details": (cleaned.get(f"{key}_details") or "").strip()}
        return section

    @staticmethod
    def initial_from(section: dict) -> dict:
        initial = {}
        for key, value in section.items():
            initial[key] = "yes" if value.get("answer") else "no"
            initial[f"{key}_details"] = value.get("details", "")
        return initial


class HistoryForm(SectionForm):
    """Section 2: medications, surgeries in the last 12 months, prior high-g or centrifuge exposure."""

    title = "Medications, surgery and high-g experience"

    medications = forms.CharField(
        label="Medications you take now (name, dose, what for); write “none” if none",
        max_length=4000, widget=forms.Textarea(attrs={"rows": 3}),
    )
    surgeries_last_12_months = forms.CharField(
        label="Surgeries in the last 12 months (what, when); write “none” if none",
        max_length=4000, widget=forms.Textarea(attrs={"rows": 3}),
    )
    high_g_experience = forms.ChoiceField(label="Prior high-g or centrifuge experience", choices=HIGH_G_EXPERIENCE)
    high_g_details = forms.CharField(
        label="Details (highest g, how it went)", required=False, max_length=2000,
        widget=forms.Textarea(attrs={"rows": 2}),
    )

    def clean(self):
        cleaned = super().clean()
        experience = cleaned.get("high_g_experience")
        if not self.draft and experience and experience != "none" and not (cleaned.get("high_g_details") or "").strip():
            self.add_error("high_g_details", "Describe your high-g experience: the highest g and how you tolerated it.")
        return cleaned

    @staticmethod
    def to_answers(cleaned: dict) -> dict:
        return {key: (value.strip() if isinstance(value, str) else value) for key, value in cleaned.items() if value}


class BodyForm(SectionForm):
    """Section 3: mass and height, confirmed: vehicles set passenger limits on both."""

    title = "Mass and height"

    mass_kg = forms.DecimalField(
        label="Mass (kg), dressed for flight", max_digits=5, decimal_places=1,
        min_value=Decimal("20"), max_value=Decimal("300"),
        error_messages={"min_value": "A mass below 20 kg is not possible for a passenger: check the number.",
                        "max_value": "A mass above 300 kg is not possible for a passenger: check the number."},
    )
    height_cm = forms.IntegerField(
        label="Height (cm)", min_value=100, max_value=250,
        error_messages={"min_value": "A height below 100 cm is not possible for a passenger: check the number.",
                        "max_value": "A height above 250 cm is not possible for a passenger: check the number."},
    )
    confirmed = forms.BooleanField(label="I confirm my mass and height were measured within the last month")

    @staticmethod
    def to_answers(cleaned: dict) -> dict:
        section = {}
        if cleaned.get("mass_kg") is not None:
            section["mass_kg"] = str(cleaned["mass_kg"].quantize(Decimal("0.1")))
        if cleaned.get("height_cm") is not None:
            section["height_cm"] = cleaned["height_cm"]
        if cleaned.get("confirmed"):
            section["confirmed"] = True
        return section


# The sections in order; the key is the answers dict's key and the step's name in URLs and the API.
SECTIONS: dict[str, type[SectionForm]] = {
    "conditions": ConditionsForm,
    "history": HistoryForm,
    "body": BodyForm,
}
SECTION_ORDER = list(SECTIONS)


def section_form(section: str, data=None, *, answers: dict | None = None, draft: bool = False) -> SectionForm:
    form_class = SECTIONS[section]
    return form_class(data, initial=form_class.initial_from((answers or {}).get(section, {})), draft=draft)


def section_is_complete(section: str, answers: dict) -> bool:
    """Would the saved answers of a section pass the full (non-draft) validation?"""
    form_class = SECTIONS[section]
    stored = answers.get(section)
    if not stored:
        return False
    return form_class(form_class.initial_from(stored), draft=False).is_valid()


def missing_sections(answers: dict) -> list[str]:
    return [section for section in SECTION_ORDER if not section_is_complete(section, answers)]


def flagged_conditions(answers: dict) -> list[str]:
    """The conditions answered yes, by label: what the surgeon looks at first."""
    section = answers.get("conditions", {})
    return [CONDITION_LABELS[key] for key, _ in CONDITIONS if section.get(key, {}).get("answer")]
