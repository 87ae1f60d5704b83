"""Outgoing mail over SMTP (SES relay). Blocking: call from workers, not from request handlers."""
import os
import ssl
from email.message import EmailMessage
from smtplib import SMTP_SSL

from celery import shared_task

SMTP_HOST = os.environ.get("SMTP_HOST", "email-smtp.eu-west-1.amazonaws.com")
SMTP_PORT = int(os.environ.get("SMTP_PORT", "465"))
SMTP_USER = os.environ.get("SMTP_USER", "")
SMTP_PASSWORD = os.environ.get("SMTP_PASSWORD", "")
MAIL_FROM = os.environ.get("MAIL_FROM", "billing@acme.test")


def build(to: str, subject: str, body: str, attachment: tuple[str, bytes] | None = None) -> EmailMessage:
    msg = EmailMessage()
    msg["From"] = MAIL_FROM
    msg["To"] = to
    msg["Subject"] = subject
    msg.set_content(body)
    if attachment:
        name, data = attachment
        msg.add_attachment(data, maintype="text", subtype="csv", filename=name)
    return msg


def send(msg: EmailMessage) -> None:
    with SMTP_SSL(SMTP_HOST, SMTP_PORT, context=ssl.create_default_context()) as smtp:
        smtp.login(SMTP_USER, SMTP_PASSWORD)
        smtp.send_message(msg)


def send_batch(messages: list[EmailMessage]) -> None:
    with SMTP_SSL(SMTP_HOST, SMTP_PORT, context=ssl.create_default_context()) as smtp:  # ok: sync-smtp-in-request -- one connection per batch
        smtp.login(SMTP_USER, SMTP_PASSWORD)
        for msg in messages:
            smtp.send_message(msg)


def send_each(messages: list[EmailMessage]) -> None:
    """Kept for the dunning run, which wants a fresh connection per customer."""
    for msg in messages:
        with SMTP_SSL(SMTP_HOST, SMTP_PORT) as smtp:  # expect: sync-smtp-in-request (warning)
            smtp.login(SMTP_USER, SMTP_PASSWORD)
            smtp.send_message(msg)


@shared_task(bind=True, max_retries=5, default_retry_delay=60)
def send_invoice_email(self, to: str, subject: str, body: str) -> None:
    try:
        send(build(to, subject, body))
    except OSError as exc:
        raise self.retry(exc=exc)
