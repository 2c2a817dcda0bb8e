"""Portal pages: the passenger's questionnaire and clearance, the flight surgeons' queue and review.

Content pages are for the passenger and flight surgeons only; everyone else gets 403 (staff roles,
who know clearances exist) or 404 (another passenger, who must not learn that they do). Every
rendering of medical content goes through the selectors that log the read.
"""

from __future__ import annotations

import functools

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.views.decorators.http import require_POST

from flights import roles
from flights.exceptions import DomainError
from flights.models import Flight
from tourism.medical import questionnaire, selectors, services
from tourism.medical.filters import review_queue_filter
from tourism.medical.forms import (
    DecisionForm,
    DocumentUploadForm,
    ExaminationForm,
    InformationRequestForm,
    NoteForm,
    SelfCertificationForm,
    SubmitForm,
    add_domain_error,
)
from tourism.medical.models import MedicalAccessLog, MedicalClearance, MedicalDocument

PORTAL = MedicalAccessLog.Channel.PORTAL


def role_required(role: str):
    def decorator(view):
        @functools.wraps(view)
        @login_required
        def wrapped(request, *args, **kwargs):
            if not roles.user_has_role(request.user, role):
                raise PermissionDenied(f"This page is for the {role} role.")
            return view(request, *args, **kwargs)

        return wrapped

    return decorator


passenger_required = role_required(roles.PASSENGER)
surgeon_required = role_required(roles.FLIGHT_SURGEON)


def _refuse(user):
    """Staff roles know clearances exist (they see their status): 403. Anyone else: 404."""
    if selectors.can_see_status(user):
        raise PermissionDenied("Medical content is readable only by the passenger and flight surgeons.")
    raise Http404("No such medical record.")


def _readable_clearance(request, pk: int) -> MedicalClearance:
    clearance = get_object_or_404(MedicalClearance.objects.select_related("passenger", "decided_by", "reviewer"), pk=pk)
    if not selectors.can_read_content(request.user, clearance):
        _refuse(request.user)
    return clearance


# --- The passenger ---------------------------------------------------------------------------------


@passenger_required
def my_medical(request):
    return render(
        request,
        "medical/my_medical.html",
        {
            "standing": selectors.clearance_standing(request.user),
            "open": selectors.clearance_open(request.user),
            "clearances": selectors.clearance_list_for_passenger(request.user),
        },
    )


@passenger_required
@require_POST
def questionnaire_start(request):
    try:
        services.clearance_start(passenger=request.user)
    except DomainError as exc:
        messages.error(request, exc.message)
        return redirect("medical:home")
    return redirect("medical:questionnaire-step", section=questionnaire.SECTION_ORDER[0])


def _editable_clearance(request) -> MedicalClearance | None:
    clearance = selectors.clearance_open(request.user)
    if clearance is None or clearance.status not in MedicalClearance.EDITABLE_STATUSES:
        return None
    return clearance


@passenger_required
def questionnaire_step(request, section: str):
    if section not in questionnaire.SECTIONS:
        raise Http404("No such questionnaire section.")
    clearance = _editable_clearance(request)
    if clearance is None:
        messages.info(request, "You have no questionnaire open for changes.")
        return redirect("medical:home")
    position = questionnaire.SECTION_ORDER.index(section)
    if request.method == "POST":
        draft = "save_draft" in request.POST
        form = questionnaire.section_form(section, request.POST, draft=draft)
        saved = False
        if form.is_valid():
            try:
                services.questionnaire_save_section(
                    clearance=clearance, by=request.user, section=section, data=request.POST, draft=draft
                )
                saved = True
            except DomainError as exc:
                form.add_error(None, exc.message)
        if saved:
            if draft:
                messages.success(request, "Draft saved. You can come back to it at any time.")
                return redirect("medical:questionnaire-step", section=section)
            following = questionnaire.SECTION_ORDER[position + 1 : position + 2]
            if following:
                return redirect("medical:questionnaire-step", section=following[0])
            return redirect("medical:questionnaire-review")
    else:
        answers = selectors.questionnaire_answers_read(
            clearance=clearance, reader=request.user, channel=PORTAL, path=request.path
        )
        form = questionnaire.section_form(section, answers=answers)
    return render(
        request,
        "medical/questionnaire_step.html",
        {
            "clearance": clearance,
            "form": form,
            "section": section,
            "step": position + 1,
            "steps": [(key, questionnaire.SECTIONS[key].title) for key in questionnaire.SECTION_ORDER],
            "previous": questionnaire.SECTION_ORDER[position - 1] if position else None,
        },
    )


@passenger_required
def questionnaire_review(request):
    clearance = _editable_clearance(request)
    if clearance is None:
        messages.info(request, "You have no questionnaire open for changes.")
        return redirect("medical:home")
    submit_form = SubmitForm(request.POST if request.method == "POST" else None)
    if request.method == "POST" and submit_form.is_valid():
        try:
            services.clearance_submit(clearance=clearance, by=request.user, reply=submit_form.cleaned_data["reply"])
        except DomainError as exc:
            add_domain_error(submit_form, exc)
        else:
            messages.success(request, "Questionnaire submitted. A flight surgeon will review it.")
            return redirect("medical:home")
    return _render_review(request, clearance, submit_form=submit_form)


def _render_review(request, clearance, *, submit_form=None, upload_form=None, status=200):
    record = selectors.medical_record_read(clearance=clearance, reader=request.user, channel=PORTAL, path=request.path)
    return render(
        request,
        "medical/questionnaire_review.html",
        {
            "clearance": clearance,
            "record": record,
            "sections": _answer_sections(record.answers),
            "missing": [questionnaire.SECTIONS[s].title for s in questionnaire.missing_sections(record.answers)],
            "submit_form": submit_form or SubmitForm(),
            "upload_form": upload_form or DocumentUploadForm(),
        },
        status=status,
    )


@login_required
def clearance_detail(request, pk: int):
    clearance = _readable_clearance(request, pk)
    record = selectors.medical_record_read(clearance=clearance, reader=request.user, channel=PORTAL, path=request.path)
    return render(
        request,
        "medical/clearance_detail.html",
        {
            "clearance": clearance,
            "record": record,
            "sections": _answer_sections(record.answers),
            "status_changes": clearance.status_changes.select_related("changed_by"),
            "access_log": selectors.access_log_for_clearance(clearance)[:50],
        },
    )


@login_required
@require_POST
def document_upload(request, pk: int):
    clearance = _readable_clearance(request, pk)
    form = DocumentUploadForm(request.POST, request.FILES)
    mine = clearance.passenger_id == request.user.pk
    if form.is_valid():
        try:
            services.document_upload(
                clearance=clearance, by=request.user, upload=form.cleaned_data["file"], kind=form.cleaned_data["kind"]
            )
        except DomainError as exc:
            add_domain_error(form, exc)
        else:
            messages.success(request, "Document uploaded and stored encrypted.")
            if mine:
                return redirect("medical:questionnaire-review")
            return redirect("medical:review-detail", pk=pk)
    if not mine:
        return _render_surgeon_review(request, clearance, forms={"upload_form": form}, status=400)
    if clearance.status in MedicalClearance.EDITABLE_STATUSES:
        return _render_review(request, clearance, upload_form=form, status=400)
    messages.error(request, " ".join(form.non_field_errors()) or "The document was not accepted.")
    return redirect("medical:home")


@login_required
def document_download(request, pk: int):
    document = get_object_or_404(MedicalDocument.objects.select_related("clearance"), pk=pk)
    if not selectors.can_read_content(request.user, document.clearance):
        _refuse(request.user)
    try:
        content = selectors.document_content_read(
            document=document, reader=request.user, channel=PORTAL, path=request.path
        )
    except DomainError as exc:  # the file store down, or the file gone: said on the page the link was on
        messages.error(request, exc.message)
        if document.clearance.passenger_id == request.user.pk:
            return redirect("medical:home")
        return redirect("medical:review-detail", pk=document.clearance_id)
    response = HttpResponse(content, content_type=document.content_type)
    response["Content-Disposition"] = f'attachment; filename="medical-document-{document.pk}.{document.extension}"'
    response["Cache-Control"] = "private, no-store"
    response["X-Content-Type-Options"] = "nosniff"
    return response


@passenger_required
def eligibility(request, flight_id: int):
    """Would a booking on this flight pass the medical gate, and if not, exactly why not."""
    flight = get_object_or_404(
        Flight.objects.select_related("itinerary", "spaceport", "vehicle__model"), pk=flight_id
    )
    now = timezone.now()
    form = SelfCertificationForm(request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        try:
            services.self_certification_record(passenger=request.user, flight=flight, now=now)
        except DomainError as exc:
            add_domain_error(form, exc)
        else:
            messages.success(request, f"Recorded: no change in your health before flight {flight.code}.")
            return redirect("medical:eligibility", flight_id=flight.pk)
    opens, closes = selectors.self_certification_window(flight)
    return render(
        request,
        "medical/eligibility.html",
        {
            "flight": flight,
            "refusals": selectors.clearance_check(request.user, flight, now=now),
            "standing": selectors.clearance_standing(request.user),
            "form": form,
            "certification_open": opens <= now < closes,
            "certification_opens": opens,
            "certification_hours": settings.MEDICAL_SELF_CERTIFICATION_HOURS,
        },
        status=400 if form.errors else 200,
    )


# --- The flight surgeon ----------------------------------------------------------------------------


@surgeon_required
def review_queue(request):
    """The queue, or other clearances a surgeon filters for (ClearanceFilter, as the API's queue)."""
    clearance_filter = review_queue_filter(request.GET, request=request)
    clearances = clearance_filter.qs if clearance_filter.is_valid() else None  # bad input: the queue, and the error
    entries = selectors.review_queue(clearances=clearances)
    return render(request, "medical/review_queue.html", {"entries": entries, "filter": clearance_filter})


def _render_surgeon_review(request, clearance, *, forms=None, status=200):
    record = selectors.medical_record_read(clearance=clearance, reader=request.user, channel=PORTAL, path=request.path)
    context = {
        "clearance": clearance,
        "record": record,
        "sections": _answer_sections(record.answers),
        "flagged": questionnaire.flagged_conditions(record.answers),
        "status_changes": clearance.status_changes.select_related("changed_by"),
        "upcoming_flights": selectors.passenger_flights.upcoming({clearance.passenger_id}, now=timezone.now()).get(
            clearance.passenger_id, []
        ),
        "decision_form": DecisionForm(),
        "information_form": InformationRequestForm(),
        "examination_form": ExaminationForm(initial={"performed_on": timezone.now().date()}),
        "note_form": NoteForm(),
        "upload_form": DocumentUploadForm(),
        "own": clearance.passenger_id == request.user.pk,
        "reviewable": clearance.status in MedicalClearance.REVIEWABLE_STATUSES,
    }
    context.update(forms or {})
    return render(request, "medical/review_detail.html", context, status=status)


@surgeon_required
def review_detail(request, pk: int):
    clearance = get_object_or_404(MedicalClearance.objects.select_related("passenger", "reviewer", "decided_by"), pk=pk)
    return _render_surgeon_review(request, clearance)


def _surgeon_action(form_class, form_name: str, call, success: str):
    """A POST on the review page: validate the form, call one service, show its refusal on the form."""

    @surgeon_required
    @require_POST
    def view(request, pk: int):
        clearance = get_object_or_404(MedicalClearance.objects.select_related("passenger"), pk=pk)
        form = form_class(request.POST) if form_class else None
        if form is None or form.is_valid():
            try:
                call(clearance=clearance, by=request.user, data=form.cleaned_data if form else {})
            except DomainError as exc:
                if form is None:
                    messages.error(request, exc.message)
                    return redirect("medical:review-detail", pk=pk)
                add_domain_error(form, exc)
            else:
                messages.success(request, success)
                return redirect("medical:review-detail", pk=pk)
        return _render_surgeon_review(request, clearance, forms={form_name: form}, status=400)

    return view


start_review = _surgeon_action(
    None, "", lambda clearance, by, data: services.clearance_start_review(clearance=clearance, by=by),
    "Review started: the submission is yours.",
)
decide = _surgeon_action(
    DecisionForm, "decision_form",
    lambda clearance, by, data: services.clearance_decide(clearance=clearance, by=by, **data),
    "Decision recorded; the passenger is told by email to log in and read it.",
)
request_information = _surgeon_action(
    InformationRequestForm, "information_form",
    lambda clearance, by, data: services.clearance_request_information(clearance=clearance, by=by, **data),
    "Request sent: the passenger is told by email.",
)
record_examination = _surgeon_action(
    ExaminationForm, "examination_form",
    lambda clearance, by, data: services.examination_record(clearance=clearance, by=by, **data),
    "Examination recorded.",
)
add_note = _surgeon_action(
    NoteForm, "note_form", lambda clearance, by, data: services.note_add(clearance=clearance, by=by, **data),
    "Note added.",
)


def _answer_sections(answers: dict) -> list[dict]:
    """The answers laid out for reading: each section's questions with the passenger's answer."""
    sections = []
    conditions = answers.get("conditions", {})
    sections.append({
        "key": "conditions",
        "title": questionnaire.ConditionsForm.title,
        "rows": [
            (label, ("Yes" if conditions[key]["answer"] else "No") if key in conditions else "—",
             conditions.get(key, {}).get("details", ""))
            for key, label in questionnaire.CONDITIONS
        ],
    })
    history = answers.get("history", {})
    experience = dict(questionnaire.HIGH_G_EXPERIENCE)
    sections.append({
        "key": "history",
        "title": questionnaire.HistoryForm.title,
        "rows": [
            ("Medications", history.get("medications", "—"), ""),
            ("Surgeries in the last 12 months", history.get("surgeries_last_12_months", "—"), ""),
            ("High-g experience", experience.get(history.get("high_g_experience"), "—"), history.get("high_g_details", "")),
        ],
    })
    body = answers.get("body", {})
    sections.append({
        "key": "body",
        "title": questionnaire.BodyForm.title,
        "rows": [
            ("Mass", f"{body['mass_kg']} kg" if "mass_kg" in body else "—", ""),
            ("Height", f"{body['height_cm']} cm" if "height_cm" in body else "—", ""),
            ("Confirmed", "Yes" if body.get("confirmed") else "No", ""),
        ],
    })
    return sections
