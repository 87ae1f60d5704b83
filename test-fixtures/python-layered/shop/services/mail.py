import smtplib
from email.message import EmailMessage

from ..settings import SMTP_HOST


def send_receipt(to: str, body: str) -> None:
    msg = EmailMessage()
    msg["To"] = to
    msg.set_content(body)
    with smtplib.SMTP(SMTP_HOST, 587, timeout=10) as smtp:
        smtp.send_message(msg)
