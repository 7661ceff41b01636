"""Mail to the organizer address as clients send it, for the end-to-end
tests of replies: iTIP REPLY/COUNTER/REFRESH bodies, the message around
them, submission through the stack's Postfix, and what the plugin and
the organizer mailbox made of it. A mixin for unittest.TestCase classes
that have self.stack (a mustest.Stack)."""

import smtplib
import time
from email.message import EmailMessage
from email.utils import make_msgid

from mustest import wait_for


def now_stamp():
    return time.strftime("%Y%m%dT%H%M%SZ", time.gmtime())


class ReplyMail:
    def send(self, msg, also=()):
        with smtplib.SMTP("127.0.0.1", int(self.stack["MUS_SMTP_PORT"]), timeout=10) as smtp:
            self.assertEqual(smtp.send_message(
                msg, to_addrs=list(also) + [self.stack["MUS_ORGANIZER"]]), {})
        return msg["Message-ID"].strip("<>")

    def itip(self, method, conv, attendee, partstat=None, sequence=None, extra=(),
             vevent_extra=(), attendee_params=""):
        lines = ["BEGIN:VCALENDAR", "VERSION:2.0", "PRODID:-//e2e//replies//EN",
                 "METHOD:%s" % method, "BEGIN:VEVENT", "UID:%s" % conv.musICalUID,
                 "DTSTAMP:%s" % now_stamp()]
        if sequence is not None:
            lines.append("SEQUENCE:%d" % sequence)
        lines += list(vevent_extra)
        ps = ";PARTSTAT=%s" % partstat if partstat else ""
        lines.append("ATTENDEE%s%s:mailto:%s" % (ps, attendee_params, attendee))
        lines += list(extra) + ["END:VEVENT", "END:VCALENDAR"]
        return "\r\n".join(lines) + "\r\n"

    def message(self, sender, subject, ics=None, method=None, text="", b64=False):
        msg = EmailMessage()
        msg["From"] = sender
        msg["To"] = self.stack["MUS_ORGANIZER"]
        msg["Subject"] = subject
        msg["Message-ID"] = make_msgid(domain="e2e.eksempel.test")
        msg.set_content(text or "Svar\n")
        if ics is not None:
            msg.add_alternative(ics, subtype="calendar", params={"method": method},
                                cte="base64" if b64 else None)
        return msg

    def wait_log(self, msgid, outcome, timeout=15):
        want = ": %s: " % outcome

        def probe():
            return [line for line in self.stack.dovecot_log().splitlines()
                    if "mus: delivery to" in line and msgid in line and want in line]
        return wait_for("plugin outcome %r for %s" % (outcome, msgid), probe, timeout=timeout)

    def organizer_flags(self, msgid):
        """The flags of the message with msgid in the organizer's INBOX (None: not there)."""
        conn = self.stack.imap(self.stack["MUS_ORGANIZER"])
        try:
            conn.select("INBOX", readonly=True)
            typ, data = conn.search(None, "HEADER", "Message-ID", msgid)
            if not data[0]:
                return None
            typ, data = conn.fetch(data[0].split()[-1], "(FLAGS)")
            return data[0].decode()
        finally:
            conn.logout()
