"""STUB (issue 12 contract): replaced by the helper that owns this module."""

from django.http import HttpResponse
from django.views import View


class MeetingList(View):
    def get(self, request, *args, **kwargs):
        return HttpResponse(status=501)


class MeetingCreate(View):
    def get(self, request, *args, **kwargs):
        return HttpResponse(status=501)


class MeetingDetail(View):
    def get(self, request, *args, **kwargs):
        return HttpResponse(status=501)


class MeetingUpdate(View):
    def get(self, request, *args, **kwargs):
        return HttpResponse(status=501)


class MeetingMinutes(View):
    def get(self, request, *args, **kwargs):
        return HttpResponse(status=501)


class MeetingPdf(View):
    def get(self, request, *args, **kwargs):
        return HttpResponse(status=501)
