"""Mail through the whole stack: SMTP into Postfix, LMTP into Dovecot (with the mus
plugin), read back over IMAP as the recipient. The plugin looks only at mail to the
organizer address, and says what it made of each in the log."""

import email
import email.policy
import os
import shutil
import smtplib
import subprocess
import tempfile
import time
import unittest
import uuid
from email.message import EmailMessage
from email.utils import format_datetime, make_msgid

import mustest


def ics_request(uid, organizer, attendees):
    """A minimal iTIP REQUEST for one event, CRLF line ends."""
    lines = [
        "BEGIN:VCALENDAR",
        "VERSION:2.0",
        "PRODID:-//MUS for Dovecot//e2e test//DA",
        "METHOD:REQUEST",
        "BEGIN:VEVENT",
        "UID:%s" % uid,
        "DTSTAMP:%s" % time.strftime("%Y%m%dT%H%M%SZ", time.gmtime()),
        "DTSTART:20270115T090000Z",
        "DTEND:20270115T100000Z",
        "SEQUENCE:0",
        "SUMMARY:MUS-samtale (test)",
        "ORGANIZER;CN=MUS:mailto:%s" % organizer,
    ]
    for a in attendees:
        lines.append("ATTENDEE;ROLE=REQ-PARTICIPANT;PARTSTAT=NEEDS-ACTION;RSVP=TRUE:mailto:%s" % a)
    lines += ["END:VEVENT", "END:VCALENDAR"]
    return "\r\n".join(lines) + "\r\n"


def text_of(msg):
    """The text/plain body of a message read back over IMAP, LF line ends, stripped."""
    return msg.get_body(("plain",)).get_content().replace("\r\n", "\n").strip()


class DeliveryTest(unittest.TestCase):

    @classmethod
    def setUpClass(cls):
        cls.stack = mustest.Stack.from_environment()
        people = cls.stack.people()
        addresses = set(cls.stack.addresses())
        cls.users = [mail for _uid, mail in people if mail in addresses][:2]
        if len(cls.users) < 2:
            raise AssertionError("fewer than two people with a mailbox in the sample organisation")

    def test_what_each_plugin_and_module_loads(self):
        # every imap and lmtp process loads the mail plugin, and every
        # doveadm command doveadm's plugin: the libraries of the commands
        # are in a module loaded for a mus command only, and cairo (with
        # X11) in the spider's, loaded when a spider is drawn
        def needed(path):
            return subprocess.run(["readelf", "-d", path], capture_output=True, text=True,
                                  check=True).stdout
        plugin = os.path.join(self.stack.dir, "dovecot", "modules", "lib90_mus_plugin.so")
        self.assertIn("libldap", needed(plugin))
        self.assertNotIn("cairo", needed(plugin))
        modules = "/usr/lib/dovecot/modules/doveadm"
        stub = needed(os.path.join(modules, "lib10_doveadm_mus_plugin.so"))
        for lib in ("libical", "libldap", "libcurl", "cairo"):
            self.assertNotIn(lib, stub)
        commands = needed(os.path.join(modules, "mus", "libmus-doveadm.so"))
        self.assertIn("libical", commands)
        self.assertNotIn("cairo", commands)
        self.assertIn("libcairo", needed(os.path.join(modules, "mus", "libmus-spider.so")))

    def test_a_missing_commands_module_is_a_clear_error(self):
        # doveadm's plugin without mus/libmus-doveadm.so next to it (a
        # broken install): the command fails and says which file
        modules = "/usr/lib/dovecot/modules/doveadm"
        with tempfile.TemporaryDirectory() as tmp:
            shutil.copy(os.path.join(modules, "lib10_doveadm_mus_plugin.so"), tmp)
            script = 'mount --bind "$0" ' + modules + ' && exec "$@"'
            r = subprocess.run(["unshare", "-m", "--propagation", "private", "sh", "-c", script,
                                tmp] + self.stack.doveadm_command("mus", "status"),
                               capture_output=True, text=True, timeout=60)
        self.assertEqual(r.returncode, 70, r.stderr)
        self.assertIn("mus: loading " + os.path.join(modules, "mus", "libmus-doveadm.so") +
                      " failed", r.stderr)

    def send(self, msg, recipients):
        with smtplib.SMTP("127.0.0.1", int(self.stack["MUS_SMTP_PORT"]), timeout=10) as smtp:
            refused = smtp.send_message(msg, to_addrs=recipients)
        self.assertEqual(refused, {})

    def fetch(self, user, msgid):
        """Wait until the message with msgid is in user's INBOX; return it parsed."""
        def probe():
            conn = self.stack.imap(user)
            try:
                conn.select("INBOX", readonly=True)
                typ, data = conn.search(None, "HEADER", "Message-ID", msgid.strip("<>"))
                if typ != "OK" or not data[0]:
                    return None
                typ, data = conn.fetch(data[0].split()[-1], "(BODY.PEEK[])")
                return data[0][1]
            finally:
                conn.logout()
        raw = mustest.wait_for("%s in the INBOX of %s" % (msgid, user), probe, timeout=20, interval=0.1)
        return email.message_from_bytes(raw, policy=email.policy.default)

    def plugin_lines(self, msgid):
        return [line for line in self.stack.dovecot_log().splitlines()
                if "mus: delivery to" in line and msgid.strip("<>") in line]

    def assert_plugin_logged(self, user, kind, msgid):
        want = "mus: delivery to %s: %s" % (user, kind)
        mustest.wait_for("the plugin's line %r with %s in %s" % (want, msgid, self.stack["MUS_DOVECOT_LOG"]),
                         lambda: [line for line in self.plugin_lines(msgid) if want in line], timeout=10)

    def new_message(self, subject):
        msg = EmailMessage()
        msg["From"] = "MUS <%s>" % self.stack["MUS_ORGANIZER"]
        msg["To"] = ", ".join(self.users)
        msg["Subject"] = subject
        msg["Date"] = format_datetime(email.utils.localtime())
        msg["Message-ID"] = make_msgid(domain="e2e.eksempel.test")
        return msg

    def test_plain_message(self):
        token = uuid.uuid4().hex
        msg = self.new_message("Almindelig besked %s" % token)
        body = "Hej,\n\nDette er en almindelig besked med æ, ø og å. %s\n" % token
        msg.set_content(body)
        self.send(msg, self.users)
        for user in self.users:
            got = self.fetch(user, msg["Message-ID"])
            self.assertEqual(got["Subject"], msg["Subject"])
            self.assertEqual(text_of(got), body.strip())
        # ordinary mailboxes cost the plugin nothing: it does not look
        self.assertEqual(self.plugin_lines(msg["Message-ID"]), [])

    def test_plain_message_to_the_organizer(self):
        organizer = self.stack["MUS_ORGANIZER"]
        msg = self.new_message("Spørgsmål om MUS %s" % uuid.uuid4().hex)
        msg.replace_header("From", self.users[0])
        msg.set_content("Hvornår er min samtale?\n")
        self.send(msg, [organizer])
        got = self.fetch(organizer, msg["Message-ID"])
        self.assertEqual(got["Subject"], msg["Subject"])
        self.assert_plugin_logged(organizer, "not-ours", msg["Message-ID"])

    def test_broken_mus_setting_blocks_only_the_organizer(self):
        # dovecot-lda with a setting the plugin refuses: ordinary mail is
        # delivered as ever; the organizer's delivery fails temporarily (the
        # MTA keeps it) and says why
        organizer = self.stack["MUS_ORGANIZER"]
        # its own log: the organizer's failure is expected here, and the
        # stack's log must stay free of errors
        log = os.path.join(self.stack.dir, "lda-broken-setting.log")
        results = {}
        for user in (self.users[0], organizer):
            msg = self.new_message("Via LDA %s" % uuid.uuid4().hex)
            msg.set_content("Hej\n")
            res = subprocess.run(["/usr/lib/dovecot/dovecot-lda", "-c", self.stack["MUS_DOVECOT_CONF"],
                                  "-o", "log_path=" + log, "-o", "plugin/mus_colour=blue",
                                  "-d", user], input=bytes(msg), capture_output=True, timeout=30)
            results[user] = (res.returncode, res.stderr.decode(errors="replace"), msg["Message-ID"])
        code, err, msgid = results[self.users[0]]
        self.assertEqual(code, 0, err)
        self.fetch(self.users[0], msgid)
        code, err, _ = results[organizer]
        self.assertEqual(code, 75, err)                           # EX_TEMPFAIL
        with open(log) as f:
            self.assertIn("mus_colour: unknown setting", f.read())

    def test_calendar_request(self):
        token = uuid.uuid4().hex
        ical_uid = "e2e-%s@eksempel.test" % token
        msg = self.new_message("Invitation: MUS-samtale %s" % token)
        text = "Du er inviteret til MUS-samtale. %s\n" % token
        msg.set_content(text)
        msg.add_alternative(ics_request(ical_uid, self.stack["MUS_ORGANIZER"], self.users),
                            subtype="calendar", params={"method": "REQUEST"})
        self.send(msg, self.users)
        for user in self.users:
            got = self.fetch(user, msg["Message-ID"])
            self.assertEqual(got["Subject"], msg["Subject"])
            self.assertEqual(got.get_content_type(), "multipart/alternative")
            self.assertEqual(text_of(got), text.strip())
            cal = [p for p in got.walk() if p.get_content_type() == "text/calendar"]
            self.assertEqual(len(cal), 1)
            self.assertEqual(cal[0].get_param("method"), "REQUEST")
            ics = cal[0].get_content()
            self.assertIn("METHOD:REQUEST", ics)
            self.assertIn("UID:%s" % ical_uid, ics)
        self.assertEqual(self.plugin_lines(msg["Message-ID"]), [])

    def test_unknown_and_outside_recipients_refused(self):
        msg = self.new_message("Til ingen")
        msg.set_content("Ingen skal have denne.\n")
        with smtplib.SMTP("127.0.0.1", int(self.stack["MUS_SMTP_PORT"]), timeout=10) as smtp:
            for rcpt in ("findes.ikke@eksempel.test", "nogen@example.org"):
                with self.assertRaises(smtplib.SMTPRecipientsRefused):
                    smtp.send_message(msg, to_addrs=[rcpt])
                smtp.rset()


if __name__ == "__main__":
    unittest.main()
