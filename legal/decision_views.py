"""STUB (issue 11 contract): replaced by the helper that owns this module."""

from django.http import HttpResponse
from django.views import View


class DecisionList(View):
    def get(self, request, *args, **kwargs):
        return HttpResponse(status=501)


class DecisionCreate(View):
    def get(self, request, *args, **kwargs):
        return HttpResponse(status=501)


class DecisionDetail(View):
    def get(self, request, *args, **kwargs):
        return HttpResponse(status=501)


class DecisionUpdate(View):
    def get(self, request, *args, **kwargs):
        return HttpResponse(status=501)


class DecisionPublish(View):
    def get(self, request, *args, **kwargs):
        return HttpResponse(status=501)


class DecisionDismiss(View):
    def get(self, request, *args, **kwargs):
        return HttpResponse(status=501)


class DecisionPdf(View):
    def get(self, request, *args, **kwargs):
        return HttpResponse(status=501)
