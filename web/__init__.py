"""Caseworker pages on the GOV.UK Design System, with staff sign-in (OpenID Connect).

`web.app.create_app` builds the ASGI app: server-rendered Jinja pages using the GOV.UK
Frontend macros (govuk-frontend-jinja) and the GOV.UK Frontend assets vendored in
web/static/govuk (`make vendor-govuk`). Every case action goes through `service.operations`.
"""
