"""Sending the emails the web side rendered (common.mail.send_after_commit)."""

from __future__ import annotations

from smtplib import SMTPException

from celery import shared_task

from common.mail import email_send


@shared_task(
    name="tasks.email.send_email",
    time_limit=60,
    soft_time_limit=50,
    autoretry_for=(OSError, SMTPException),
    retry_backoff=True,
    max_retries=8,
)
def send_email(data: dict) -> int:
    return email_send(data=data)
