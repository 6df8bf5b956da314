"""STUB (issue 11 contract): replaced by the helper that owns this module."""

from django.http import HttpResponse
from django.views import View


class TrainingList(View):
    def get(self, request, *args, **kwargs):
        return HttpResponse(status=501)


class TrainingCreate(View):
    def get(self, request, *args, **kwargs):
        return HttpResponse(status=501)


class TrainingDetail(View):
    def get(self, request, *args, **kwargs):
        return HttpResponse(status=501)


class TrainingUpdate(View):
    def get(self, request, *args, **kwargs):
        return HttpResponse(status=501)


class MaterialAdd(View):
    def get(self, request, *args, **kwargs):
        return HttpResponse(status=501)


class MaterialDownload(View):
    def get(self, request, *args, **kwargs):
        return HttpResponse(status=501)


class ResourceList(View):
    def get(self, request, *args, **kwargs):
        return HttpResponse(status=501)


class ResourceCreate(View):
    def get(self, request, *args, **kwargs):
        return HttpResponse(status=501)


class ResourceUpdate(View):
    def get(self, request, *args, **kwargs):
        return HttpResponse(status=501)


class ResourceFile(View):
    def get(self, request, *args, **kwargs):
        return HttpResponse(status=501)
