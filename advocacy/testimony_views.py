"""STUB (issue 12 contract): replaced by the helper that owns this module."""

from django.http import HttpResponse
from django.views import View


class TestimonyAdd(View):
    def get(self, request, *args, **kwargs):
        return HttpResponse(status=501)


class TestimonyList(View):
    def get(self, request, *args, **kwargs):
        return HttpResponse(status=501)


class TestimonyDetail(View):
    def get(self, request, *args, **kwargs):
        return HttpResponse(status=501)


class UseAdd(View):
    def get(self, request, *args, **kwargs):
        return HttpResponse(status=501)


class UseList(View):
    def get(self, request, *args, **kwargs):
        return HttpResponse(status=501)


class UseTakenDown(View):
    def get(self, request, *args, **kwargs):
        return HttpResponse(status=501)
