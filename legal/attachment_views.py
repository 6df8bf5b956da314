"""Adding a file to a request and downloading one (legal/attachments.py holds the
rules of what is accepted and where it is kept)."""

from django.contrib import messages
from django.contrib.auth.mixins import LoginRequiredMixin
from django.http import FileResponse, Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.cache import add_never_cache_headers, patch_cache_control
from django.utils.translation import gettext as _
from django.views import View

from legal import attachments
from legal.attachments import AttachmentForm
from legal.models import HelpRequest
from legal.services import HelpDeskError


class AttachmentAdd(LoginRequiredMixin, View):
    """POST only: the form is on the request's page. A request the user does not see
    is 404; one they see but may not add to, 403; a closed one (for its asker) or a
    file refused, the page again with the reason (status 400), nothing stored."""

    http_method_names = ["post"]

    def post(self, request, key):
        user = request.user
        help_request = get_object_or_404(HelpRequest.objects.visible_to(user), key=key)
        attachments.require_add(user, help_request)
        if reason := attachments.refusal(user, help_request):
            return self.page(help_request, None, reason)
        form = AttachmentForm(request.POST, request.FILES, user=user)
        if not form.is_valid():
            return self.page(help_request, form)
        data = form.cleaned_data
        try:
            attachment = attachments.add(
                user,
                help_request,
                data["file"],
                form.content_type,
                internal=data.get("internal", False),
            )
        except HelpDeskError as error:  # closed while the file was on its way
            return self.page(help_request, None, " ".join(error.messages))
        messages.success(request, _("%(name)s was added.") % {"name": attachment.name})
        detail = reverse("legal:request-detail", kwargs={"key": help_request.key})
        return redirect(f"{detail}#attachments")

    def page(self, help_request, form, refusal=None):
        user = self.request.user
        context = {
            "help_request": help_request,
            "attachments": attachments.visible_attachments(user, help_request),
            "attachment_form": form,
            "refusal": refusal,
        }
        return render(self.request, "legal/attachment_add.html", context, status=400)


class AttachmentDownload(LoginRequiredMixin, View):
    """The file, to whoever reads its request (and, for an internal one, the internal
    notes); anyone else gets 404. Always a download, never shown in the browser: the
    type is the one found in the content, the name the sanitised one."""

    def get(self, request, key):
        attachment = get_object_or_404(attachments.readable_attachments(request.user), key=key)
        path = attachments.stored_path(attachment)
        if path is None or not path.is_file():
            raise Http404
        response = FileResponse(
            path.open("rb"),
            as_attachment=True,
            filename=attachment.name,
            content_type=attachment.content_type,
        )
        response["X-Content-Type-Options"] = "nosniff"
        # Should a browser open it anyway, nothing in it runs.
        response["Content-Security-Policy"] = "default-src 'none'; sandbox"
        add_never_cache_headers(response)
        patch_cache_control(response, private=True, no_store=True)
        return response
