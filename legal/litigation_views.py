"""STUB (issue 11 contract): replaced by the helper that owns this module."""

from django.http import HttpResponse
from django.views import View


class CaseList(View):
    def get(self, request, *args, **kwargs):
        return HttpResponse(status=501)


class CaseCreate(View):
    def get(self, request, *args, **kwargs):
        return HttpResponse(status=501)


class CaseDetail(View):
    def get(self, request, *args, **kwargs):
        return HttpResponse(status=501)


class CaseUpdate(View):
    def get(self, request, *args, **kwargs):
        return HttpResponse(status=501)


class HearingAdd(View):
    def get(self, request, *args, **kwargs):
        return HttpResponse(status=501)


class HearingUpdate(View):
    def get(self, request, *args, **kwargs):
        return HttpResponse(status=501)
