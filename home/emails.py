"""Rendering emails: Django templates that produce MJML, compiled by mjml-python, CSS inlined by
premailer. Pure functions: they return strings and never send."""

import base64

import premailer
from django.conf import settings
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import translation
from mjml import mjml2html


def absolute_url(path: str) -> str:
    if path.startswith(("http://", "https://", "mailto:")):
        return path
    return settings.BASE_URL + (path if path.startswith("/") else "/" + path)


def public_url(name: str, arg, language: str) -> str:
    """The absolute address of a public page (URL name and one argument) in ``language``, for an email."""
    with translation.override(language):
        return absolute_url(reverse(name, args=[arg]))


def service_settings():
    """The hotline and hours of the default site, for email footers (no request in a worker)."""
    from wagtail.models import Site

    from .models import ServiceSettings

    site = Site.objects.filter(is_default_site=True).first()
    return ServiceSettings.for_site(site) if site else None


def mjml_to_html(mjml: str) -> str:
    """Compile MJML and inline its CSS. Remote loading stays off: no request per render."""
    html = mjml2html(mjml, fonts={})
    html = premailer.Premailer(
        html,
        base_url=settings.BASE_URL,
        strip_important=False,
        keep_style_tags=True,
        allow_network=False,
        allow_loading_external_files=False,
        disable_validation=True,
        cssutils_logging_level="CRITICAL",
    ).transform()
    # premailer joins every href with base_url; an href that is a whole per-reader token
    # ("{{unsubscribe_url}}", filled in later) must stay as it is.
    html = html.replace(settings.BASE_URL + "/{{", "{{")
    if not html.lstrip().lower().startswith("<!doctype"):
        html = "<!doctype html>\n" + html
    return html


def render_email(template: str, context: dict, language: str) -> tuple[str, str, str]:
    """Render ``<template>_subject.txt``, ``<template>.mjml`` and ``<template>.txt`` in ``language``.

    Returns (subject, html, text).
    """
    with translation.override(language):
        context = {"base_url": settings.BASE_URL, "language": language, "service": service_settings(), **context}
        subject = " ".join(render_to_string(f"{template}_subject.txt", context).split())
        html = mjml_to_html(render_to_string(f"{template}.mjml", context))
        text = render_to_string(f"{template}.txt", context).strip() + "\n"
    return subject, html, text


def attachment(filename: str, content: bytes, mimetype: str) -> dict:
    """An attachment as stored on an outbox row."""
    return {"filename": filename, "mimetype": mimetype, "content_b64": base64.b64encode(content).decode()}
