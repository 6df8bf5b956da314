"""STUB (issue 12 contract): replaced by the helper that owns this module."""

from django.http import HttpResponse
from django.views import View


class PointList(View):
    def get(self, request, *args, **kwargs):
        return HttpResponse(status=501)


class PointCreate(View):
    def get(self, request, *args, **kwargs):
        return HttpResponse(status=501)


class PointDetail(View):
    def get(self, request, *args, **kwargs):
        return HttpResponse(status=501)


class PointUpdate(View):
    def get(self, request, *args, **kwargs):
        return HttpResponse(status=501)


class PointRaise(View):
    def get(self, request, *args, **kwargs):
        return HttpResponse(status=501)
