"""STUB (issue 12 contract): replaced by the helper that owns this module."""

from django.http import HttpResponse
from django.views import View


class WitnessList(View):
    def get(self, request, *args, **kwargs):
        return HttpResponse(status=501)


class WitnessCreate(View):
    def get(self, request, *args, **kwargs):
        return HttpResponse(status=501)


class WitnessDetail(View):
    def get(self, request, *args, **kwargs):
        return HttpResponse(status=501)


class WitnessUpdate(View):
    def get(self, request, *args, **kwargs):
        return HttpResponse(status=501)


class WitnessContact(View):
    def get(self, request, *args, **kwargs):
        return HttpResponse(status=501)


class WitnessWithdraw(View):
    def get(self, request, *args, **kwargs):
        return HttpResponse(status=501)


class WitnessExport(View):
    def get(self, request, *args, **kwargs):
        return HttpResponse(status=501)


class ConsentAdd(View):
    def get(self, request, *args, **kwargs):
        return HttpResponse(status=501)


class ConsentFormDownload(View):
    def get(self, request, *args, **kwargs):
        return HttpResponse(status=501)


class UseTakenDown(View):
    def get(self, request, *args, **kwargs):
        return HttpResponse(status=501)
