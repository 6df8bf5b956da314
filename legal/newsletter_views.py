"""STUB (issue 11 contract): replaced by the helper that owns this module."""

from django.http import HttpResponse
from django.views import View


class NewsletterList(View):
    def get(self, request, *args, **kwargs):
        return HttpResponse(status=501)


class NewsletterCreate(View):
    def get(self, request, *args, **kwargs):
        return HttpResponse(status=501)


class NewsletterUpdate(View):
    def get(self, request, *args, **kwargs):
        return HttpResponse(status=501)


class NewsletterPreview(View):
    def get(self, request, *args, **kwargs):
        return HttpResponse(status=501)


class NewsletterPreviewPdf(View):
    def get(self, request, *args, **kwargs):
        return HttpResponse(status=501)


class NewsletterPublish(View):
    def get(self, request, *args, **kwargs):
        return HttpResponse(status=501)


class DeliveryList(View):
    def get(self, request, *args, **kwargs):
        return HttpResponse(status=501)


class DeliveryRetry(View):
    def get(self, request, *args, **kwargs):
        return HttpResponse(status=501)


class Archive(View):
    def get(self, request, *args, **kwargs):
        return HttpResponse(status=501)


class PublicDetail(View):
    def get(self, request, *args, **kwargs):
        return HttpResponse(status=501)


class PublicPdf(View):
    def get(self, request, *args, **kwargs):
        return HttpResponse(status=501)


class Unsubscribe(View):
    def get(self, request, *args, **kwargs):
        return HttpResponse(status=501)


class ArchiveFeed(View):
    def __call__(self, request, *args, **kwargs):
        return HttpResponse(status=501)
