"""Replies as mail clients write them, and the invitations they answer as the
attendees' mailboxes hold them: shared by the end-to-end tests that answer
invitations (test_replies, test_two_hosts). Written here by hand; nothing is
shared with the plugin's code. Standard library plus python3-icalendar."""

import email
import email.policy
import smtplib
import time
from email.message import EmailMessage
from email.utils import make_msgid

from icalendar import Calendar


def now_stamp():
    return time.strftime("%Y%m%dT%H%M%SZ", time.gmtime())


def itip(method, uid, attendee, partstat=None, sequence=None, extra=(),
         vevent_extra=(), attendee_params=""):
    """An iCalendar object of method for the event uid, answered by attendee."""
    lines = ["BEGIN:VCALENDAR", "VERSION:2.0", "PRODID:-//e2e//replies//EN",
             "METHOD:%s" % method, "BEGIN:VEVENT", "UID:%s" % uid,
             "DTSTAMP:%s" % now_stamp()]
    if sequence is not None:
        lines.append("SEQUENCE:%d" % sequence)
    lines += list(vevent_extra)
    ps = ";PARTSTAT=%s" % partstat if partstat else ""
    lines.append("ATTENDEE%s%s:mailto:%s" % (ps, attendee_params, attendee))
    lines += list(extra) + ["END:VEVENT", "END:VCALENDAR"]
    return "\r\n".join(lines) + "\r\n"


def message(organizer, sender, subject, ics=None, method=None, text="", b64=False):
    """A mail from sender to the organizer with ics (if any) as its text/calendar
    alternative."""
    msg = EmailMessage()
    msg["From"] = sender
    msg["To"] = organizer
    msg["Subject"] = subject
    msg["Message-ID"] = make_msgid(domain="e2e.eksempel.test")
    msg.set_content(text or "Svar\n")
    if ics is not None:
        msg.add_alternative(ics, subtype="calendar", params={"method": method},
                            cte="base64" if b64 else None)
    return msg


def submit(stack, msg, also=()):
    """Send msg to the organizer (and also) through the stack's Postfix; its Message-ID."""
    with smtplib.SMTP("127.0.0.1", int(stack["MUS_SMTP_PORT"]), timeout=10) as smtp:
        refused = smtp.send_message(msg, to_addrs=list(also) + [stack["MUS_ORGANIZER"]])
    if refused:
        raise AssertionError("Postfix refused %r" % refused)
    return msg["Message-ID"].strip("<>")


def raw_inbox(conn):
    """Every message of the INBOX of a logged-in IMAP4 connection, as bytes; logs out."""
    try:
        conn.select("INBOX", readonly=True)
        typ, data = conn.search(None, "ALL")
        out = []
        for num in data[0].split():
            typ, msg = conn.fetch(num, "(RFC822)")
            out.append(msg[0][1])
        return out
    finally:
        conn.logout()


def inbox(conn):
    """Every message of the INBOX of a logged-in IMAP4 connection, parsed; logs out."""
    return [email.message_from_bytes(raw, policy=email.policy.default) for raw in raw_inbox(conn)]


def calendars(messages, uid=None):
    """[(UID, METHOD, SEQUENCE, VEVENT)] of the iMIP messages among messages (of
    uid only, if given): the first text/calendar part of each."""
    out = []
    for parsed in messages:
        for part in parsed.walk():
            if part.get_content_type() == "text/calendar":
                cal = Calendar.from_ical(part.get_content())
                ev = cal.walk("VEVENT")[0]
                if uid is None or str(ev["UID"]) == uid:
                    out.append((str(ev["UID"]), str(cal["METHOD"]), int(ev.get("SEQUENCE", 0)), ev))
                break
    return out
