"""STUB (issue 12 contract): replaced by the helper that owns this module."""

from django.http import HttpResponse
from django.views import View


class ExchangeList(View):
    def get(self, request, *args, **kwargs):
        return HttpResponse(status=501)


class ExchangeCreate(View):
    def get(self, request, *args, **kwargs):
        return HttpResponse(status=501)


class ExchangeDetail(View):
    def get(self, request, *args, **kwargs):
        return HttpResponse(status=501)


class ExchangeUpdate(View):
    def get(self, request, *args, **kwargs):
        return HttpResponse(status=501)
