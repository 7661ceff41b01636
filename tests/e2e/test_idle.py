"""The idle mark (plugin/mus-idle.h) on the private stack, whose slapd runs
the syncprov overlay: a full sync that leaves nothing to do records so in
cn=mus-sync-state under the round base, and the next full syncs skip the
rounds while nothing is written to the directory. Any write (a person
changed, an entry deleted), other settings, and the end of a conversation
still to come make the next sync read the rounds again; a sync of one
round or a dry run never skips.

Run: tests/e2e/run -k test_idle
"""
import datetime as dt
import time
import unittest

from mustest import Stack, parse_ldif

SKIPPED = "nothing has changed since the sync of"


def gt(when):
    return when.astimezone(dt.timezone.utc).strftime("%Y%m%d%H%M%SZ")


def parse_gt(value):
    return dt.datetime.strptime(value, "%Y%m%d%H%M%SZ").replace(tzinfo=dt.timezone.utc)


class IdleMarkTest(unittest.TestCase):
    ROUND = "MUS idle mark test"

    @classmethod
    def setUpClass(cls):
        cls.stack = Stack()
        cls.round_dn, cls.leader, cls.reports = cls.stack.leader_round(
            cls.ROUND, "2031-09-01", "2031-10-24", 13)
        cls.mark_dn = "cn=mus-sync-state,ou=rounds," + cls.stack.env["MUS_LDAP_BASE"]
        cls.first = cls.sync()

    @classmethod
    def tearDownClass(cls):
        cls.stack.ldap_delete(cls.round_dn)

    @classmethod
    def sync(cls, *args, options=()):
        res = cls.stack.doveadm(*options, "mus", "sync", *args, check=False)
        if res.returncode != 0:
            raise AssertionError("sync failed (%d): %s" % (res.returncode, res.stderr))
        return res

    def mark(self):
        entries = parse_ldif(self.stack.ldapsearch(self.mark_dn, "(objectClass=*)",
                                                   "musIdleMark", scope="base"))
        return entries[self.mark_dn]["musIdleMark"][0].split(" ")

    def assert_read(self, res):
        self.assertNotIn(SKIPPED, res.stderr)
        self.assertIn(self.ROUND, res.stdout)

    def assert_skipped(self, res):
        self.assertIn(SKIPPED, res.stderr)
        self.assertNotIn(self.ROUND, res.stdout)

    def test_1_the_sync_after_the_work_skips_the_rounds(self):
        # the first sync invited everybody, then found nothing left
        self.assert_read(self.first)
        self.assertIn(self.ROUND, self.first.stdout)
        since, expires, digest = self.mark()
        self.assertEqual(len(digest), 64)
        self.assertLessEqual(parse_gt(expires) - parse_gt(since), dt.timedelta(hours=1))
        self.assert_skipped(self.sync())
        self.assert_skipped(self.sync())

    def test_2_a_change_in_the_directory_is_read_and_acted_on(self):
        # the employee leaves the round's scope: the conversation is withdrawn
        employee = self.reports[0]
        convs = self.stack.conversations(self.round_dn)
        conv = next(d for d, c in convs.items() if c["musEmployee"][0].lower() == employee.lower())
        self.assertEqual(convs[conv]["musStatus"], ["invited"])
        self.stack.ldap_modify(
            "dn: %s\nchangetype: modify\nreplace: musScopeFilter\n"
            "musScopeFilter: (&(|(manager=%s)(entryDN=%s))(!(entryDN=%s)))\n"
            % (self.round_dn, self.leader, self.leader, employee))
        self.assert_read(self.sync())
        self.assertEqual(self.stack.conversations(self.round_dn)[conv]["musStatus"], ["cancelled"])
        self.assert_skipped(self.sync())

    def test_3_a_deleted_entry_is_a_change(self):
        dn = "ou=idle test,ou=rounds," + self.stack.env["MUS_LDAP_BASE"]
        self.stack.ldap_modify("dn: %s\nchangetype: add\nobjectClass: organizationalUnit\n"
                               "ou: idle test\n" % dn)
        self.assert_read(self.sync())
        self.assert_skipped(self.sync())
        self.stack.ldap_delete(dn)
        self.assert_read(self.sync())
        self.assert_skipped(self.sync())

    def test_4_other_settings_are_a_change(self):
        self.assert_skipped(self.sync())
        self.assert_read(self.sync(options=("-o", "plugin/mus_reminder_days=13")))
        self.assert_skipped(self.sync(options=("-o", "plugin/mus_reminder_days=13")))
        self.assert_read(self.sync())
        self.assert_skipped(self.sync())

    def test_5_one_round_or_a_dry_run_never_skips(self):
        self.assert_skipped(self.sync())
        self.assert_read(self.sync("--round", self.ROUND))
        res = self.stack.doveadm("mus", "sync", "--dry-run")
        self.assertNotIn(SKIPPED, res.stderr)
        self.assertIn(self.ROUND, res.stdout)

    def test_6_the_mark_ends_when_a_conversation_ends(self):
        convs = self.stack.conversations(self.round_dn)
        conv = sorted(d for d, c in convs.items() if c["musStatus"] == ["invited"])[0]
        end = dt.datetime.now(dt.timezone.utc).replace(microsecond=0) + dt.timedelta(seconds=3)
        self.stack.ldap_modify("dn: %s\nchangetype: modify\nreplace: musStart\nmusStart: %s\n"
                               "-\nreplace: musEnd\nmusEnd: %s\n"
                               % (conv, gt(end - dt.timedelta(minutes=30)), gt(end)))
        self.assert_read(self.sync())
        _, expires, _ = self.mark()
        self.assertEqual(parse_gt(expires), end)
        self.assert_skipped(self.sync())
        while dt.datetime.now(dt.timezone.utc) < end + dt.timedelta(seconds=1):
            time.sleep(0.5)
        # the conversation is over: it is held, and its plan form went out
        self.assert_read(self.sync())
        self.assertIn(self.stack.conversations(self.round_dn)[conv]["musStatus"][0],
                      ("held", "plan-requested"))


class IdleWithUnschedulableTest(unittest.TestCase):
    """A round whose leader has room for one conversation only: the others
    stay unschedulable for the same reason, which a sync tries again but
    does not write again; so the round still lets later syncs skip."""
    ROUND = "MUS idle unschedulable test"

    @classmethod
    def setUpClass(cls):
        cls.stack = Stack()
        cls.round_dn, _, _ = cls.stack.leader_round(cls.ROUND, "2031-11-03", "2031-11-03", 14)
        cls.stack.ldap_modify("dn: %s\nchangetype: modify\nreplace: musMaxPerDay\n"
                              "musMaxPerDay: 1\n" % cls.round_dn)
        cls.first = cls.stack.doveadm("mus", "sync")
        cls.second = cls.stack.doveadm("mus", "sync")

    @classmethod
    def tearDownClass(cls):
        cls.stack.ldap_delete(cls.round_dn)

    def test_the_next_sync_skips(self):
        statuses = sorted(c["musStatus"][0] for c in self.stack.conversations(self.round_dn).values())
        self.assertEqual(statuses.count("invited"), 1, statuses)
        self.assertGreaterEqual(statuses.count("unschedulable"), 2, statuses)
        self.assertNotIn(SKIPPED, self.first.stderr)
        self.assertIn(SKIPPED, self.second.stderr)


if __name__ == "__main__":
    unittest.main()
