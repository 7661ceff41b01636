"""doveadm mus sync, status and round show under valgrind on the stack:
no memory error and no definite leak in our doveadm plugin (scheduling,
free/busy, sending invitations through Postfix, reading the organizer's
mailbox and answering a card choice)."""

import smtplib
import subprocess
import time
import unittest
from email.message import EmailMessage
from email.utils import make_msgid

from mustest import Stack, wait_for

ROUND = "MUS valgrind test"


class ValgrindTest(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.stack = Stack()
        people = cls.stack.ldap_people()
        managers = sorted({p["manager"][0].lower() for p in people.values() if p.get("manager")})
        lower = {d.lower() for d in people}
        # a leader in scope with a few reports, one with a calFBURL among them
        cls.leader = next(m for m in managers if m in lower)
        flt = "(|(manager=%s)(entryDN=%s))" % (cls.leader, cls.leader)
        cls.stack.doveadm("mus", "round", "create", "--name", ROUND, "--kind", "MUS",
                          "--start", "2027-11-01", "--end", "2027-11-30", "--duration", "30",
                          "--scope-filter", flt, "--card", "sparring")
        cls.round_dn = cls.stack.round_dn(ROUND)

    @classmethod
    def tearDownClass(cls):
        cls.stack.ldap_delete(cls.round_dn)

    def valgrind(self, *args):
        cmd = ["valgrind", "-q", "--leak-check=full", "--errors-for-leak-kinds=definite",
               "--error-exitcode=3"] + self.stack.doveadm_command(*args)
        res = subprocess.run(cmd, capture_output=True, text=True, timeout=300)
        problems = [line for line in res.stderr.splitlines() if line.startswith("==")]
        self.assertEqual(problems, [], res.stderr)
        self.assertEqual(res.returncode, 0, res.stderr)
        return res

    def test_1_sync(self):
        res = self.valgrind("mus", "sync", "--round", ROUND)
        self.assertIn(ROUND, res.stdout)

    def test_3_organizer_mailbox(self):
        conv = next(iter(self.stack.conversations(self.round_dn).values()))
        leader = self.stack.ldap_entries(conv["musLeader"][0], "(objectClass=*)", "mail",
                                         scope="base")
        mail = next(iter(leader.values()))["mail"][0]
        ics = "\r\n".join([
            "BEGIN:VCALENDAR", "VERSION:2.0", "PRODID:-//e2e//valgrind//EN", "METHOD:REPLY",
            "BEGIN:VEVENT", "UID:%s" % conv["musICalUID"][0],
            "DTSTAMP:%s" % time.strftime("%Y%m%dT%H%M%SZ", time.gmtime()),
            "ATTENDEE;PARTSTAT=ACCEPTED:mailto:%s" % mail, "END:VEVENT", "END:VCALENDAR"]) + "\r\n"
        ids = []
        for subject, text, cal in (("Accepted", "ok", ics),
                                   ("Samtalekort %s" % conv["musICalUID"][0][:8],
                                    "kort: findes-ikke", None)):
            msg = EmailMessage()
            msg["From"], msg["To"], msg["Subject"] = mail, self.stack["MUS_ORGANIZER"], subject
            msg["Message-ID"] = make_msgid(domain="valgrind.eksempel.test")
            msg.set_content(text + "\n")
            if cal:
                msg.add_alternative(cal, subtype="calendar", params={"method": "REPLY"})
            with smtplib.SMTP("127.0.0.1", int(self.stack["MUS_SMTP_PORT"]), timeout=10) as smtp:
                smtp.send_message(msg)
            ids.append(msg["Message-ID"].strip("<>"))
        for mid in ids:
            wait_for("the delivery of %s" % mid,
                     lambda: [line for line in self.stack.dovecot_log().splitlines()
                              if mid in line and "mus: delivery to" in line], timeout=15)
        res = self.valgrind("mus", "sync", "--round", ROUND)
        self.assertIn(ROUND, res.stdout)
        self.assertIn("cards-refused", res.stderr)

    def test_2_status_and_show(self):
        self.valgrind("mus", "status")
        self.valgrind("mus", "round", "show", "--name", ROUND)


if __name__ == "__main__":
    unittest.main()
