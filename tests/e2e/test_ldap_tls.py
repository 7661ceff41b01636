"""The directory over TLS: StartTLS on the stack's plain LDAP port
(mus_ldap_starttls) and TLS from the start on its ldaps port, the server's
certificate verified against the stack's CA (mus_ldap_ca_file). A CA that
did not sign slapd's certificate, no CA file (the system's CAs do not know
the stack's CA), StartTLS asked of a port that does not speak plain LDAP
and StartTLS with an ldaps:// URL each stop doveadm with a message naming
the URL and the reason, and nothing is written to the directory. A delivery
to the organizer while the mail plugin cannot verify the directory is still
delivered, and the log says why its reply was not applied. A password file
that others may read is warned about."""

import os
import shutil
import subprocess
import tempfile
import unittest
import uuid

from mustest import Stack, wait_for

ROUND = "MUS ldap tls test"


class LdapTlsTest(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.stack = Stack()
        people, by_manager = cls.stack.reports()
        # a small team whose members lead nobody; not the leader
        # test_smtp_tls takes (the last) nor those test_invitations takes
        leaders = sorted(m for m, reports in by_manager.items()
                         if m in people and people[m].get("mail")
                         and 3 <= len(reports) <= 9
                         and not any(r in by_manager for r in reports))
        cls.leader = leaders[-2]
        cls.tmp = tempfile.mkdtemp(prefix="mus-ldap-tls.")
        # a CA of our own that never signed slapd's certificate
        cls.other_ca = os.path.join(cls.tmp, "other-ca.pem")
        subprocess.run(["openssl", "req", "-x509", "-newkey", "ec", "-pkeyopt",
                        "ec_paramgen_curve:P-256", "-noenc", "-days", "1",
                        "-subj", "/CN=Not the MUS test stack CA",
                        "-keyout", os.path.join(cls.tmp, "other-ca.key"), "-out", cls.other_ca],
                       check=True, capture_output=True, timeout=30)
        # the mail plugin reads it as the mail user
        os.chmod(cls.tmp, 0o755)
        os.chmod(cls.other_ca, 0o644)
        cls.stack.ldap_delete(cls.stack.round_dn(ROUND) or
                              "cn=%s,ou=rounds,%s" % (ROUND, cls.stack["MUS_LDAP_BASE"]))
        cls.stack.doveadm("mus", "round", "create", "--name", ROUND, "--kind", "MUS",
                          "--start", "2027-10-04", "--end", "2027-10-22", "--duration", "45",
                          "--workday", "0900-1500", "--max-per-day", "4",
                          "--scope-filter", "(|(manager=%s)(entryDN=%s))" % (cls.leader, cls.leader))
        cls.round_dn = cls.stack.round_dn(ROUND)

    @classmethod
    def tearDownClass(cls):
        if getattr(cls, "round_dn", None):
            cls.stack.ldap_delete(cls.round_dn)
        shutil.rmtree(cls.tmp, ignore_errors=True)

    # -- helpers

    def plain_uri(self, port=None):
        return "ldap://127.0.0.1:%s" % (port or self.stack["MUS_LDAP_PORT"])

    def tls_options(self, uri, starttls, ca_file):
        opts = ["-o", "plugin/mus_ldap_uri=" + uri,
                "-o", "plugin/mus_ldap_starttls=" + ("yes" if starttls else "no")]
        if ca_file is not None:
            opts += ["-o", "plugin/mus_ldap_ca_file=" + ca_file]
        return opts

    def doveadm(self, uri, *args, starttls=False, ca_file=None):
        return self.stack.doveadm(*self.tls_options(uri, starttls, ca_file), *args, check=False)

    def round_tree(self):
        """The round and everything below it, operational attributes (entryCSN)
        included: what a write would change."""
        return self.stack.ldap_entries(self.round_dn, "(objectClass=*)", "*", "+")

    def assert_refused(self, uri, message, starttls=False, ca_file=None):
        """status and sync with these settings both fail with message and the
        URL named, and write nothing."""
        before = self.round_tree()
        for args in (("mus", "status"), ("mus", "sync", "--round", ROUND)):
            with self.subTest(uri=uri, starttls=starttls, ca_file=ca_file, command=args[1]):
                res = self.doveadm(uri, *args, starttls=starttls, ca_file=ca_file)
                self.assertNotEqual(res.returncode, 0, res.stderr)
                self.assertIn(message, res.stderr)
                self.assertIn(uri, res.stderr)
                self.assertEqual(res.stdout, "")
        self.assertEqual(self.round_tree(), before)

    # -- the tests, in order: refusals first, then the connections that work

    def test_1_a_wrong_ca_is_refused_and_nothing_is_written(self):
        self.assert_refused(self.plain_uri(), "ldap_start_tls(uri=%s) failed: Connect error"
                            % self.plain_uri(), starttls=True, ca_file=self.other_ca)
        self.assert_refused(self.stack["MUS_LDAPS_URI"],
                            "failed: Can't contact LDAP server", ca_file=self.other_ca)
        res = self.doveadm(self.stack["MUS_LDAPS_URI"], "mus", "status", ca_file=self.other_ca)
        self.assertIn("signed by a CA in mus_ldap_ca_file %s" % self.other_ca, res.stderr)

    def test_2_without_a_ca_file_the_system_cas_do_not_know_the_stack(self):
        self.assert_refused(self.plain_uri(), "ldap_start_tls(uri=%s) failed" % self.plain_uri(),
                            starttls=True)
        self.assert_refused(self.stack["MUS_LDAPS_URI"], "a CA the system trusts")

    def test_3_starttls_where_no_plain_ldap_is_spoken_is_refused(self):
        uri = self.plain_uri(self.stack["MUS_LDAPS_PORT"])
        self.assert_refused(uri, "ldap_start_tls(uri=%s) failed" % uri, starttls=True,
                            ca_file=self.stack["MUS_TLS_CA_FILE"])

    def test_4_ldaps_to_the_plain_port_is_refused(self):
        uri = "ldaps://127.0.0.1:%s" % self.stack["MUS_LDAP_PORT"]
        self.assert_refused(uri, "ldap_bind(uri=%s" % uri, ca_file=self.stack["MUS_TLS_CA_FILE"])

    def test_5_starttls_with_an_ldaps_url_is_a_settings_error(self):
        uri = self.stack["MUS_LDAPS_URI"]
        res = self.doveadm(uri, "mus", "status", starttls=True,
                           ca_file=self.stack["MUS_TLS_CA_FILE"])
        self.assertEqual(res.returncode, 78, res.stderr)  # EX_CONFIG
        self.assertIn("mus_ldap_starttls=yes needs ldap:// URLs, but mus_ldap_uri has '%s'"
                      % uri, res.stderr)

    def test_6_starttls_status_and_sync_work(self):
        ca = self.stack["MUS_TLS_CA_FILE"]
        res = self.doveadm(self.plain_uri(), "mus", "status", starttls=True, ca_file=ca)
        self.assertEqual(res.returncode, 0, res.stderr)
        self.assertIn(ROUND, res.stdout)
        res = self.doveadm(self.plain_uri(), "mus", "sync", "--round", ROUND,
                           starttls=True, ca_file=ca)
        self.assertEqual(res.returncode, 0, res.stderr)
        convs = self.stack.conversations(self.round_dn)
        self.assertGreaterEqual(len(convs), 3)
        invited = [c for c in convs.values() if c["musStatus"][0] == "invited"]
        self.assertGreaterEqual(len(invited), 3, convs)
        for c in invited:
            self.assertEqual(c["musSentSequence"], ["0"])

    def test_7_ldaps_status_and_sync_work(self):
        ca = self.stack["MUS_TLS_CA_FILE"]
        uri = self.stack["MUS_LDAPS_URI"]
        res = self.doveadm(uri, "mus", "status", ca_file=ca)
        self.assertEqual(res.returncode, 0, res.stderr)
        self.assertIn(ROUND, res.stdout)
        # a changed location is an update that sync must write and send
        self.stack.ldap_modify("dn: %s\nchangetype: modify\nreplace: musLocation\n"
                               "musLocation: Mødelokale 7\n" % self.round_dn)
        res = self.doveadm(uri, "mus", "sync", "--round", ROUND, ca_file=ca)
        self.assertEqual(res.returncode, 0, res.stderr)
        invited = [c for c in self.stack.conversations(self.round_dn).values()
                   if c["musStatus"][0] == "invited"]
        self.assertGreaterEqual(len(invited), 3)
        for c in invited:
            self.assertEqual(c["musSentSequence"], ["1"])

    def test_8_a_delivery_is_kept_when_the_directory_does_not_verify(self):
        """dovecot-lda with the stack's Dovecot settings and the mail plugin,
        the LDAP ones overridden: the stack's running Dovecot keeps its own."""
        organizer = self.stack["MUS_ORGANIZER"]
        message_id = "<ldap-tls-%s@eksempel.test>" % uuid.uuid4()
        message = ("From: %s\r\nTo: %s\r\nSubject: TLS probe\r\nMessage-ID: %s\r\n"
                   "Date: Mon, 4 Oct 2027 09:00:00 +0200\r\n\r\nHello.\r\n"
                   % (self.stack.people()[0][1], organizer, message_id))
        log = self.stack["MUS_DOVECOT_LOG"]
        start = os.path.getsize(log)
        cmd = ["/usr/lib/dovecot/dovecot-lda", "-c", self.stack["MUS_DOVECOT_CONF"],
               "-d", organizer] + self.tls_options(self.plain_uri(), True, self.other_ca)
        res = subprocess.run(cmd, input=message, capture_output=True, text=True, timeout=60)
        self.assertEqual(res.returncode, 0, res.stderr)

        def delivered():
            conn = self.stack.imap(organizer)
            try:
                conn.select("INBOX", readonly=True)
                _, data = conn.search(None, "HEADER", "Message-ID", message_id)
                return data[0].split()
            finally:
                conn.logout()
        self.assertEqual(len(wait_for("the message in the organizer's INBOX", delivered)), 1)

        def logged():
            with open(log, encoding="utf-8", errors="replace") as f:
                f.seek(start)
                return [line for line in f.read().splitlines()
                        if message_id.strip("<>") in line and "left for doveadm mus sync" in line]
        lines = wait_for("the log line of the delivery", logged)
        self.assertIn("Warning: mus:", lines[0])
        self.assertIn("ldap_start_tls(uri=%s) failed" % self.plain_uri(), lines[0])
        self.assertIn(self.other_ca, lines[0])

    def test_9_a_password_file_others_may_read_is_warned_about(self):
        shared = os.path.join(self.tmp, "service.pw")
        shutil.copyfile(self.stack["MUS_LDAP_SERVICE_PW_FILE"], shared)
        for mode, warned in ((0o644, True), (0o600, False)):
            os.chmod(shared, mode)
            res = self.stack.doveadm("-o", "plugin/mus_ldap_password_file=" + shared,
                                     "mus", "status", check=False)
            self.assertEqual(res.returncode, 0, res.stderr)
            if warned:
                self.assertIn("Warning: mus: mus_ldap_password_file: %s is open to its group "
                              "or others (mode %04o)" % (shared, mode), res.stderr)
            else:
                self.assertNotIn("is open to its group or others", res.stderr)


if __name__ == "__main__":
    unittest.main()
