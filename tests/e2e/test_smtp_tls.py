"""Submission over TLS with SMTP AUTH, as a site's own mail server would take it:
STARTTLS on the stack's submission port and TLS from the start on its smtps
port, the server's certificate verified against the stack's CA
(mus_smtp_ca_file), the organizer logged in with mus_smtp_user and
mus_smtp_password_file. A CA that does not sign the server's certificate, no
login and a wrong password each stop the sync with the reason and mark
nothing failed: the next sync that is set up right sends everything."""

import collections
import email
import email.policy
import os
import shutil
import subprocess
import tempfile
import time
import unittest

from mustest import Stack

ROUND = "MUS smtp tls test"


class SmtpTlsTest(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.stack = Stack()
        cls.people = {d.lower(): p for d, p in cls.stack.ldap_people().items()}
        by_manager = {}
        for pdn, p in cls.people.items():
            for m in p.get("manager", [])[:1]:
                by_manager.setdefault(m.lower(), []).append(pdn)
        # a small team whose members lead nobody; the last such leader, as
        # test_invitations takes the first ones
        leaders = sorted(m for m, reports in by_manager.items()
                         if m in cls.people and cls.people[m].get("mail")
                         and 3 <= len(reports) <= 9
                         and not any(r in by_manager for r in reports))
        cls.leader = leaders[-1]
        cls.team = [cls.leader] + by_manager[cls.leader]
        cls.tmp = tempfile.mkdtemp(prefix="mus-smtp-tls.")
        cls.password_file = cls.write("password", cls.stack["MUS_USER_PASSWORD"] + "\n")
        cls.wrong_password_file = cls.write("wrong-password", "not-the-password\n")
        # a CA of our own that never signed the stack's server certificate
        cls.other_ca = os.path.join(cls.tmp, "other-ca.pem")
        subprocess.run(["openssl", "req", "-x509", "-newkey", "ec", "-pkeyopt",
                        "ec_paramgen_curve:P-256", "-noenc", "-days", "1",
                        "-subj", "/CN=Not the MUS test stack CA",
                        "-keyout", os.path.join(cls.tmp, "other-ca.key"), "-out", cls.other_ca],
                       check=True, capture_output=True, timeout=30)
        cls.stack.ldap_delete(cls.stack.round_dn(ROUND) or
                              "cn=%s,ou=rounds,%s" % (ROUND, cls.stack["MUS_LDAP_BASE"]))
        cls.stack.doveadm("mus", "round", "create", "--name", ROUND, "--kind", "MUS",
                          "--start", "2027-09-06", "--end", "2027-09-24", "--duration", "45",
                          "--workday", "0900-1500", "--max-per-day", "4", "--buffer", "15",
                          "--scope-filter", "(|(manager=%s)(entryDN=%s))" % (cls.leader, cls.leader))
        cls.round_dn = cls.stack.round_dn(ROUND)
        # what the team had before: an iCalendar UID is the same when the test runs
        # again on the same stack
        cls.before = {pdn: cls.requests(pdn) for pdn in cls.team}

    @classmethod
    def tearDownClass(cls):
        if getattr(cls, "round_dn", None):
            cls.stack.ldap_delete(cls.round_dn)
        shutil.rmtree(cls.tmp, ignore_errors=True)

    @classmethod
    def write(cls, name, content):
        path = os.path.join(cls.tmp, name)
        with open(path, "w") as f:
            f.write(content)
        return path

    # -- helpers

    def submission_url(self):
        return "smtp://127.0.0.1:%s" % self.stack["MUS_SMTP_SUBMISSION_PORT"]

    def smtps_url(self):
        return "smtps://127.0.0.1:%s" % self.stack["MUS_SMTPS_PORT"]

    def sync(self, url, starttls=False, ca_file=None, password_file=None):
        """`mus sync` of the round with the SMTP settings overridden; with a
        password_file, the organizer logs in. Returns (CompletedProcess, the
        Postfix log lines it caused)."""
        opts = ["-o", "plugin/mus_smtp_url=" + url,
                "-o", "plugin/mus_smtp_starttls=" + ("yes" if starttls else "no"),
                "-o", "plugin/mus_smtp_ca_file=" + (ca_file or self.stack["MUS_TLS_CA_FILE"])]
        if password_file is not None:
            opts += ["-o", "plugin/mus_smtp_user=" + self.stack["MUS_ORGANIZER"],
                     "-o", "plugin/mus_smtp_password_file=" + password_file]
        log = self.stack["MUS_POSTFIX_LOG"]
        start = os.path.getsize(log)
        res = self.stack.doveadm(*opts, "mus", "sync", "--round", ROUND, check=False)
        with open(log, encoding="utf-8", errors="replace") as f:
            f.seek(start)
            return res, f.read().splitlines()

    def convs(self):
        return self.stack.conversations(self.round_dn)

    def scheduled(self):
        """The conversations of the round that are to be sent (leader and employee
        both in scope)."""
        return {d: c for d, c in self.convs().items()
                if c["musStatus"][0] in ("scheduled", "invited")}

    @classmethod
    def requests(cls, pdn):
        """Counter of (UID, SEQUENCE) of the iTIP messages in pdn's INBOX."""
        conn = cls.stack.imap(cls.people[pdn.lower()]["mail"][0])
        try:
            conn.select("INBOX", readonly=True)
            _, data = conn.search(None, "ALL")
            found = collections.Counter()
            for num in data[0].split():
                _, msg = conn.fetch(num, "(RFC822)")
                parsed = email.message_from_bytes(msg[0][1], policy=email.policy.default)
                for part in parsed.walk():
                    if part.get_content_type() == "text/calendar":
                        uid = seq = None
                        for line in part.get_content().replace("\r\n ", "").splitlines():
                            if line.startswith("UID:"):
                                uid = line[4:]
                            elif line.startswith("SEQUENCE:"):
                                seq = int(line[9:])
                        found[(uid, seq)] += 1
                        break
            return found
        finally:
            conn.logout()

    def new_requests(self, pdn):
        """(UID, SEQUENCE) of the iTIP messages pdn received since the test began."""
        return self.requests(pdn) - self.before[pdn.lower()]

    def wait_for_requests(self, convs, sequence):
        """Every attendee of convs has the REQUEST with sequence (Postfix delivers
        a moment after the sync), or fail after 10 s."""
        want = collections.defaultdict(set)
        for c in convs.values():
            for a in [c["musLeader"][0]] + c["musEmployee"]:
                want[a.lower()].add((c["musICalUID"][0], sequence))
        deadline = time.monotonic() + 10
        while want:
            for pdn in list(want):
                got = self.new_requests(pdn)
                if all(got[m] == 1 for m in want[pdn]):
                    del want[pdn]
            if want and time.monotonic() > deadline:
                self.fail("REQUEST SEQUENCE %d not delivered (once) to %s" % (sequence, sorted(want)))
            time.sleep(0.1)

    def assert_nothing_sent_or_failed(self, res):
        self.assertNotEqual(res.returncode, 0, res.stdout + res.stderr)
        convs = self.convs()
        self.assertGreaterEqual(len(self.scheduled()), 3, res.stdout + res.stderr)
        for cdn, c in convs.items():
            self.assertIn(c["musStatus"][0], ("scheduled", "unschedulable"), (cdn, res.stderr))
            self.assertNotIn("musSentTo", c, cdn)
            self.assertNotIn("musSentSequence", c, cdn)
        self.assertEqual(self.new_requests(self.leader), collections.Counter())

    def assert_tls_and_login(self, lines, service):
        ours = [line for line in lines if "/%s/smtpd[" % service in line]
        self.assertTrue(any("TLS connection established" in line for line in ours),
                        "\n".join(ours))
        self.assertTrue(any("sasl_username=%s" % self.stack["MUS_ORGANIZER"] in line
                            for line in ours), "\n".join(ours))

    # -- the tests, in order: refusals first, then the syncs that send

    def test_1_a_wrong_ca_stops_the_sync_and_fails_nothing(self):
        for url, starttls in ((self.submission_url(), True), (self.smtps_url(), False)):
            res, _ = self.sync(url, starttls=starttls, ca_file=self.other_ca,
                               password_file=self.password_file)
            self.assertIn("certificate", res.stderr)
            self.assertIn("not verified with %s" % self.other_ca, res.stderr)
            self.assertIn("the mail server %s failed" % url, res.stderr)
            self.assert_nothing_sent_or_failed(res)

    def test_2_no_login_is_refused_and_fails_nothing(self):
        res, lines = self.sync(self.submission_url(), starttls=True)
        self.assertIn("5.7.1", res.stderr)
        self.assert_nothing_sent_or_failed(res)
        self.assertFalse(any("sasl_username=" in line for line in lines), lines)

    def test_3_a_wrong_password_is_refused_and_fails_nothing(self):
        res, _ = self.sync(self.submission_url(), starttls=True,
                           password_file=self.wrong_password_file)
        self.assertIn("535", res.stderr)
        self.assert_nothing_sent_or_failed(res)

    def test_4_starttls_and_login_send_everything(self):
        res, lines = self.sync(self.submission_url(), starttls=True,
                               password_file=self.password_file)
        self.assertEqual(res.returncode, 0, res.stderr)
        convs = self.scheduled()
        self.assertGreaterEqual(len(convs), 3)
        for cdn, c in convs.items():
            self.assertEqual(c["musStatus"], ["invited"], cdn)
            self.assertEqual(c["musSentSequence"], ["0"], cdn)
        self.wait_for_requests(convs, 0)
        self.assert_tls_and_login(lines, "submission")

    def test_5_smtps_and_login_send_an_update(self):
        self.stack.ldap_modify("dn: %s\nchangetype: modify\nreplace: musLocation\n"
                               "musLocation: Mødelokale 3\n" % self.round_dn)
        res, lines = self.sync(self.smtps_url(), password_file=self.password_file)
        self.assertEqual(res.returncode, 0, res.stderr)
        convs = self.scheduled()
        for cdn, c in convs.items():
            self.assertEqual(c["musSentSequence"], ["1"], cdn)
        self.wait_for_requests(convs, 1)
        self.assert_tls_and_login(lines, "smtps")


if __name__ == "__main__":
    unittest.main()
