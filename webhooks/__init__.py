"""Delivery receipts from the email and text providers: checked, normalised to
`DeliveryReport`s and handed to each case's workflow (docs/delivery.md).

Framework-free: `handle_sendgrid` and `handle_notify` take the raw body and headers and answer
(status code, JSON body); the HTTP API mounts them as `POST /webhooks/sendgrid` and
`POST /webhooks/notify`.
"""
