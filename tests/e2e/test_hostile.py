"""Hostile input on the stack: people whose uid, cn and sn hold every
character that means something in a DN or a search filter, with leading
and trailing spaces, are synced, invited and reported like anyone else
(no LDAP error anywhere); a message to the organizer over a mus_max_*
limit is delivered, refused with a logged reason that names the setting,
and counted as invalid.

The hostile people borrow the mail addresses of people of the sample
organisation (the stack's mailboxes are made from the directory when it
comes up), so that their invitations can be read over IMAP."""

import base64
import email
import email.policy
import smtplib
import time
import unittest
from email.utils import make_msgid

import replymail
from mustest import Stack, TwoSyncs, dn_escape, ldap_escape, wait_for

ROUND = "MUS hostile names test"
MARK = "mus-e2e-hostile"
NASTY = '*()\\,+"<>;='


def b64(value):
    return base64.b64encode(value.encode("utf-8")).decode("ascii")


def dn_parts(dn):
    """dn as [(attribute in lower case, unescaped value)], for comparing DNs that
    are escaped differently."""
    parts, name, value, i, in_value = [], "", "", 0, False
    while i < len(dn):
        ch = dn[i]
        if ch == "\\" and in_value:
            nxt = dn[i + 1:i + 3]
            if len(nxt) == 2 and all(c in "0123456789abcdefABCDEF" for c in nxt):
                value += chr(int(nxt, 16))
                i += 3
                continue
            value += dn[i + 1]
            i += 2
            continue
        if ch == "=" and not in_value:
            in_value = True
        elif ch == "," and in_value:
            parts.append((name.strip().lower(), value))
            name, value, in_value = "", "", False
        elif in_value:
            value += ch
        else:
            name += ch
        i += 1
    parts.append((name.strip().lower(), value))
    return parts


class HostileNamesTest(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.stack = Stack()
        base = "ou=people," + cls.stack["MUS_LDAP_BASE"]
        # three ordinary people whose mailboxes the hostile ones borrow
        borrowed = [mail for _uid, mail in cls.stack.people()
                    if mail != cls.stack["MUS_ORGANIZER"]][-3:]
        names = [(" hostile leader %s " % NASTY, " Leder %s Ærø " % NASTY),
                 (" hostile one %s " % NASTY, " Ansat %s én " % NASTY),
                 (" hostile two %s " % NASTY[::-1], " Ansat %s to " % NASTY[::-1])]
        cls.people = []
        for (uid, cn), mail in zip(names, borrowed):
            cls.people.append({"uid": uid, "cn": cn, "sn": " %s " % NASTY, "mail": mail,
                               "dn": "uid=%s,%s" % (dn_escape(uid), base)})
        cls.leader, cls.employees = cls.people[0], cls.people[1:]
        cls.cleanup()
        records = []
        for p in cls.people:
            lines = ["dn:: " + b64(p["dn"]), "changetype: add", "objectClass: inetOrgPerson",
                     "uid:: " + b64(p["uid"]), "cn:: " + b64(p["cn"]),
                     "sn:: " + b64(p["sn"]), "mail: " + p["mail"], "description: " + MARK]
            if p is not cls.leader:
                lines.append("manager:: " + b64(cls.leader["dn"]))
            records.append("\n".join(lines) + "\n")
        cls.stack.ldap_modify("\n".join(records))
        cls.stack.doveadm("mus", "round", "create", "--name", ROUND, "--kind", "MUS",
                          "--start", "2027-11-01", "--end", "2027-11-26", "--duration", "45",
                          "--scope-filter", "(description=%s)" % MARK)
        cls.round_dn = cls.stack.round_dn(ROUND)
        cls.sync = cls.stack.doveadm("mus", "sync", "--round", ROUND)

    @classmethod
    def cleanup(cls):
        cls.stack.ldap_delete(cls.stack.round_dn(ROUND) or
                              "cn=%s,ou=rounds,%s" % (ROUND, cls.stack["MUS_LDAP_BASE"]))
        for p in cls.people:
            cls.stack.ldap_delete(p["dn"])

    @classmethod
    def tearDownClass(cls):
        cls.cleanup()

    def count(self, flt):
        """How many conversations of the round match flt (the server compares DNs)."""
        return len(self.stack.ldap_entries(self.round_dn, flt, "cn", scope="one"))

    def test_1_the_entries_exist_as_written(self):
        for p in self.people:
            found = self.stack.ldap_entries(p["dn"], "(objectClass=*)", scope="base")
            self.assertEqual(len(found), 1, p["dn"])
            entry = next(iter(found.values()))
            self.assertEqual(entry["uid"], [p["uid"]])
            self.assertEqual(entry["cn"], [p["cn"]])

    def test_2_sync_invites_every_employee_without_an_ldap_error(self):
        out = self.sync.stdout + self.sync.stderr
        self.assertNotRegex(out.lower(), r"ldap_\w+\(|invalid dn|filter error|bad search filter")
        for line in self.stack.dovecot_log().splitlines():
            self.assertNotRegex(line, r"(Error|Fatal|Panic):.*mus", line)
        flt_leader = "(musLeader=%s)" % ldap_escape(self.leader["dn"])
        self.assertEqual(self.count(flt_leader), 2, out)
        for e in self.employees:
            flt = "(&%s(musEmployee=%s)(musStatus=invited))" % (flt_leader, ldap_escape(e["dn"]))
            self.assertEqual(self.count(flt), 1, (e["dn"], out))

    def test_3_invitations_reach_the_mailboxes(self):
        convs = self.stack.conversations(self.round_dn)
        uids = {c["musICalUID"][0] for c in convs.values()}
        self.assertEqual(len(uids), 2)
        for p in self.people:
            want = uids if p is self.leader else {
                c["musICalUID"][0] for c in convs.values()
                if dn_parts(c["musEmployee"][0]) == dn_parts(p["dn"])}
            self.assertEqual(len(want), 2 if p is self.leader else 1)
            deadline = time.monotonic() + 10
            while True:
                found = self.calendar_uids(p["mail"]) & want
                if found == want or time.monotonic() > deadline:
                    break
                time.sleep(0.2)
            self.assertEqual(found, want, p["mail"])

    def calendar_uids(self, address):
        conn = self.stack.imap(address)
        try:
            conn.select("INBOX", readonly=True)
            _typ, data = conn.search(None, "ALL")
            uids = set()
            for num in data[0].split():
                _typ, msg = conn.fetch(num, "(RFC822)")
                parsed = email.message_from_bytes(msg[0][1], policy=email.policy.default)
                for part in parsed.walk():
                    if part.get_content_type() == "text/calendar":
                        for line in part.get_content().replace("\r\n ", "").splitlines():
                            if line.startswith("UID:"):
                                uids.add(line[4:].strip())
            return uids
        finally:
            conn.logout()

    def test_4_status_reports_them(self):
        rows = self.stack.doveadm_json("mus", "status")
        mine = dn_parts(self.round_dn)
        invited = [int(r["count"]) for r in rows if r["type"] == "round-status"
                   and dn_parts(r["subject"]) == mine and r["detail"] == "invited"]
        self.assertEqual(invited, [2], rows)
        leader = [r for r in rows if r["type"] == "leader-status"
                  and dn_parts(r["subject"]) == dn_parts(self.leader["dn"])]
        self.assertEqual([(r["detail"], int(r["count"])) for r in leader],
                         [("invited", 2)], rows)

    def test_5_a_message_over_a_limit_is_logged_as_invalid(self):
        sender = self.employees[0]["mail"]
        msgid = make_msgid(domain="e2e.eksempel.test")
        parts = "".join("--p\r\nContent-Type: text/plain\r\n\r\npart %d\r\n" % i
                        for i in range(150))
        raw = ("From: %s\r\nTo: %s\r\nSubject: many parts\r\nMessage-ID: %s\r\n"
               "MIME-Version: 1.0\r\nContent-Type: multipart/mixed; boundary=p\r\n\r\n"
               "%s--p--\r\n" % (sender, self.stack["MUS_ORGANIZER"], msgid, parts))
        with smtplib.SMTP("127.0.0.1", int(self.stack["MUS_SMTP_PORT"]), timeout=10) as smtp:
            self.assertEqual(smtp.sendmail(sender, [self.stack["MUS_ORGANIZER"]], raw), {})
        lines = self.stack.wait_delivery_log(msgid.strip("<>"), "invalid")
        self.assertIn("more than 100 MIME parts (mus_max_mime_parts)", lines[0])
        # the sync reads it again from the organizer's INBOX, with the same verdict
        sync = self.stack.doveadm("mus", "sync", "--round", ROUND)
        self.assertRegex(sync.stdout + sync.stderr,
                         r"invalid: the message has more than 100 MIME parts \(mus_max_mime_parts\)")
        flags = self.stack.organizer_flags(msgid.strip("<>"))
        self.assertIn("$MusDone", flags)
        self.assertIn("$Mus-invalid", flags)


class SharedReferenceTest(TwoSyncs, unittest.TestCase):
    """A mail to the organizer whose reference (here in a card choice)
    is the start of the UIDs of several conversations: the sender is told
    that it matches several, and the syncs go on. Three were once enough
    to abort every sync until the message was removed."""
    ROUND = "MUS shared reference test"
    PREFIX = "abcdef01"

    @classmethod
    def setUpClass(cls):
        cls.stack = Stack()
        cls.round_dn, leader, reports = cls.stack.leader_round(cls.ROUND, "2029-01-08",
                                                               "2029-02-23", 3)
        reports = reports[:3]
        cls.sender = cls.stack.reports()[0][reports[0].lower()]["mail"][0]
        for i, employee in enumerate(reports):
            cls.stack.ldap_modify(
                "dn: cn=shared-%d,%s\nchangetype: add\nobjectClass: musConversation\n"
                "cn: shared-%d\nmusEmployee: %s\nmusLeader: %s\nmusStatus: invited\n"
                "musICalUID: %s%024d@eksempel.test\nmusSequence: 0\n"
                "musStart: 20290115080000Z\nmusEnd: 20290115083000Z\n"
                % (i, cls.round_dn, i, employee, leader, cls.PREFIX, i))
        cls.stack.mail_organizer(cls.sender, "Samtalekort %s" % cls.PREFIX,
                                 "kort: engagement\n")
        cls.sync_twice(cls.ROUND)

    def test_the_sender_is_told(self):
        def answer():
            texts = [email.message_from_bytes(raw, policy=email.policy.default)
                     .get_body(("plain",)).get_content()
                     for raw in replymail.raw_inbox(self.stack.imap(self.sender))]
            return [t for t in texts if self.PREFIX in t and "flere samtaler" in t]
        self.assertEqual(len(wait_for("the answer to the card choice", answer, timeout=15)), 1)


class ControlCharacterNameTest(unittest.TestCase):
    """A cn with a control character typed into it (a CR, a TAB): the
    person is invited all the same, named with spaces in their place."""
    ROUND = "MUS control character name test"

    @classmethod
    def setUpClass(cls):
        cls.stack = Stack()
        cls.round_dn, _, reports = cls.stack.leader_round(cls.ROUND, "2029-05-07",
                                                          "2029-06-22", 5)
        people = cls.stack.reports()[0]
        cls.employee = next(r for r in reports if Stack.usable(people, r))
        person = people[cls.employee.lower()]
        cls.cn, cls.mail = person["cn"][0], person["mail"][0]
        cls.stack.ldap_modify("dn: %s\nchangetype: modify\nreplace: cn\ncn:: %s\n"
                              % (cls.employee, b64("Ctrl\rName\tHere")))
        cls.sync = cls.stack.doveadm("mus", "sync", "--round", cls.ROUND, check=False)

    @classmethod
    def tearDownClass(cls):
        cls.stack.ldap_modify("dn: %s\nchangetype: modify\nreplace: cn\ncn:: %s\n"
                              % (cls.employee, b64(cls.cn)))
        cls.stack.ldap_delete(cls.round_dn)

    def test_the_invitation_goes_out_with_the_name_cleaned(self):
        self.assertEqual(self.sync.returncode, 0, self.sync.stderr)
        self.assertNotIn("control character", self.sync.stderr)

        def invitations():
            return [email.message_from_bytes(raw, policy=email.policy.default)
                    for raw in replymail.raw_inbox(self.stack.imap(self.mail))
                    if b"Ctrl Name Here" in raw]
        msgs = wait_for("the invitation", invitations, timeout=15)
        to = [(a.display_name, a.addr_spec) for a in msgs[0]["To"].addresses]
        self.assertIn(("Ctrl Name Here", self.mail), to)


class StrangerTest(unittest.TestCase):
    """A card choice with a mistake from an address that is nobody's in the
    directory (a forged From, say) is not answered: the organizer sends
    no backscatter. Somebody of the directory is answered
    (SharedReferenceTest)."""

    def test_a_stranger_gets_no_answer(self):
        stack = Stack()
        stranger = "stranger.%d@example.org" % int(time.time())
        stack.mail_organizer(stranger, "Samtalekort 12345678", "kort: engagement\n")
        res = stack.doveadm("mus", "sync", check=False)
        self.assertEqual(res.returncode, 0, res.stderr)
        with open(stack["MUS_POSTFIX_LOG"], encoding="utf-8", errors="replace") as f:
            self.assertNotIn("to=<%s>" % stranger, f.read())


if __name__ == "__main__":
    unittest.main()
