"""Flight director portal: the sign-off queue, a record, signing with the password, vehicle certification.

Flight directors and operations staff read; only flight directors sign and reopen (the services refuse
anyone else with a clear message). Refusals show as form errors or messages, never a 500.
"""

from __future__ import annotations

from functools import wraps

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import FileResponse, Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_POST

from config.filestore import file_store_refusals
from flights import roles
from flights.exceptions import DomainError, FileStoreDown, StoredFileMissing
from flights.filters import VehicleFilter, filter_page
from flights.models import Vehicle
from verification import selectors, services
from verification.filters import RecordFilter
from verification.forms import ReasonForm, SignOffForm
from verification.models import Attachment, SignOff, VerificationFlight

PORTAL_ROLES = (roles.FLIGHT_DIRECTOR, roles.OPERATIONS)
Status = VerificationFlight.Status


def portal_view(view):
    """Logged in, and a flight director or operations staff; anyone else reads why, with a 403."""

    @login_required
    @wraps(view)
    def wrapped(request, *args, **kwargs):
        if not any(roles.user_has_role(request.user, role) for role in PORTAL_ROLES):
            return render(request, "verification/forbidden.html", status=403)
        return view(request, *args, **kwargs)

    return wrapped


def _record_or_404(pk: int) -> VerificationFlight:
    return get_object_or_404(selectors.record_queryset(), pk=pk)


@portal_view
def queue(request):
    record_filter, records = filter_page(RecordFilter, request.GET, selectors.record_queryset(), request=request)
    in_review = selectors.record_reviews(selectors.signoff_queue(records))
    flown = records.filter(status=Status.FLOWN).order_by("status_changed_at", "id")
    context = {"in_review": in_review, "flown": flown, "filter": record_filter}
    return render(request, "verification/queue.html", context)


@portal_view
def record_detail(request, pk: int):
    record = _record_or_404(pk)
    review = selectors.record_review(record)
    is_director = roles.user_has_role(request.user, roles.FLIGHT_DIRECTOR)
    signed_by_me = any(view.signoff.signer_id == request.user.pk for view in review.live_signoffs)
    author_refusal = services.signing_refusal(review, request.user) if is_director and not signed_by_me else ""
    context = {
        "record": record,
        "review": review,
        "status_changes": record.status_changes.select_related("changed_by"),
        "can_sign": is_director and record.status == Status.IN_REVIEW and not signed_by_me and not author_refusal,
        "signed_by_me": signed_by_me,
        "author_refusal": author_refusal if record.status == Status.IN_REVIEW else "",
        "can_reopen": is_director and record.can_transition_to(Status.REOPENED),
        "can_submit": record.status == Status.FLOWN,
        "reopen_form": ReasonForm(),
    }
    return render(request, "verification/record_detail.html", context)


@portal_view
def sign_off(request, pk: int):
    record = _record_or_404(pk)
    review = selectors.record_review(record)
    refusal = services.signing_refusal(review, request.user)
    if refusal and request.method != "POST":  # separation of duties: said before anyone types a password
        messages.error(request, refusal)
        return redirect(record)
    form = SignOffForm(request.POST or None, initial={
        "meaning": services.default_meaning(record, "approve"), "record_hash": review.current_hash,
    })
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            signoff = services.verification_sign_off(
                record=record, signer=request.user, password=data["password"], decision=data["decision"],
                meaning=data["meaning"], comment=data["comment"], expected_record_hash=data["record_hash"],
            )
        except DomainError as exc:
            if exc.code == "record_changed_since_review":
                messages.error(request, exc.message)
                return redirect(record)
            for name, errors in exc.fields.items():
                for error in errors:
                    form.add_error(name if name in form.fields else None, error)
            form.add_error(None, exc.message)
        else:
            verb = "approved" if signoff.decision == SignOff.Decision.APPROVE else "rejected"
            messages.success(request, f"You {verb} {record.flight.code} (sign-off #{signoff.sequence}).")
            return redirect(record)
    return render(request, "verification/sign_off.html", {"record": record, "review": review, "form": form})


def _run(request, record, call, done: str):
    try:
        call()
    except DomainError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, done)
    return redirect(record)


@require_POST
@portal_view
def record_submit(request, pk: int):
    record = get_object_or_404(VerificationFlight.objects.select_related("flight"), pk=pk)
    return _run(request, record, lambda: services.verification_submit_for_review(record=record, by=request.user),
                f"{record.flight.code} is in the sign-off queue.")


@require_POST
@portal_view
def record_reopen(request, pk: int):
    record = get_object_or_404(VerificationFlight.objects.select_related("flight"), pk=pk)
    form = ReasonForm(request.POST)
    reason = form.cleaned_data["reason"] if form.is_valid() else ""
    return _run(request, record, lambda: services.verification_reopen(record=record, by=request.user, reason=reason),
                f"{record.flight.code} is reopened; its sign-offs are void.")


@portal_view
def attachment_download(request, pk: int):
    """Attachments live under MEDIA_ROOT, which is never served by URL: only this view hands them out."""
    attachment = get_object_or_404(Attachment, pk=pk)
    try:
        with file_store_refusals(
            unreachable="The file store did not answer, so the attachment cannot be downloaded now: try again in a minute."
        ):
            handle = attachment.file.open("rb")
    except StoredFileMissing as exc:
        raise Http404("The attachment's file is missing.") from exc
    except FileStoreDown as exc:
        messages.error(request, exc.message)
        return redirect("verification:record-detail", pk=attachment.record_id)
    # Always a download, never rendered inline: an uploaded HTML file cannot run in the portal's origin.
    return FileResponse(handle, as_attachment=True, filename=attachment.original_name,
                        content_type="application/octet-stream")


@portal_view
def vehicle_list(request):
    vehicle_filter, vehicles = filter_page(VehicleFilter, request.GET, selectors.vehicle_list(), request=request)
    vehicles = list(vehicles)
    certifications = selectors.vehicle_certifications(vehicles)
    rows = [(vehicle, certifications[vehicle.pk]) for vehicle in vehicles]
    return render(request, "verification/vehicle_list.html", {"rows": rows, "filter": vehicle_filter})


@portal_view
def vehicle_certification(request, pk: int):
    vehicle = get_object_or_404(Vehicle.objects.select_related("model", "home_spaceport"), pk=pk)
    certification = selectors.vehicle_certification_get(vehicle)
    return render(request, "verification/vehicle_certification.html",
                  {"vehicle": vehicle, "certification": certification})
