"""STUB (issue 11 contract): replaced by the helper that owns this module."""

from django.http import HttpResponse
from django.views import View


class LawyerList(View):
    def get(self, request, *args, **kwargs):
        return HttpResponse(status=501)


class LawyerCreate(View):
    def get(self, request, *args, **kwargs):
        return HttpResponse(status=501)


class LawyerImport(View):
    def get(self, request, *args, **kwargs):
        return HttpResponse(status=501)


class LawyerImportConfirm(View):
    def get(self, request, *args, **kwargs):
        return HttpResponse(status=501)


class LawyerExport(View):
    def get(self, request, *args, **kwargs):
        return HttpResponse(status=501)


class LawyerDetail(View):
    def get(self, request, *args, **kwargs):
        return HttpResponse(status=501)


class LawyerUpdate(View):
    def get(self, request, *args, **kwargs):
        return HttpResponse(status=501)
