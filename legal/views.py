"""Placeholder: replaced by the helper that owns this file."""

from django.http import Http404
from django.views import View


class _Stub(View):
    def dispatch(self, request, *args, **kwargs):
        raise Http404


class RequestList(_Stub):
    pass


class RequestAsk(_Stub):
    pass


class RequestRecord(_Stub):
    pass


class RequestDetail(_Stub):
    pass


class RequestUpdate(_Stub):
    pass


class RequestMessage(_Stub):
    pass


class RequestStatus(_Stub):
    pass


class RequestShare(_Stub):
    pass
