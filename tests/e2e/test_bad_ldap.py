"""Values an admin can write into LDAP that the schema lets through but we
cannot use: an unknown musStatus and a round with an unknown musKind.
Nothing crashes, nothing is overwritten, and status names the problem."""

import json
import unittest

from mustest import Stack

ROUND = "MUS bad values test"
BAD_ROUND = "MUS bad kind test"


class BadLdapValuesTest(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.stack = Stack()
        people = cls.stack.ldap_people()
        managers = sorted({p["manager"][0].lower() for p in people.values() if p.get("manager")})
        lower = {d.lower() for d in people}
        leader = next(m for m in reversed(managers) if m in lower)
        flt = "(|(manager=%s)(entryDN=%s))" % (leader, leader)
        cls.stack.doveadm("mus", "round", "create", "--name", ROUND, "--kind", "MUS",
                          "--start", "2027-12-01", "--end", "2027-12-22", "--duration", "30",
                          "--scope-filter", flt)
        cls.round_dn = cls.stack.round_dn(ROUND)
        cls.stack.doveadm("mus", "sync", "--round", ROUND)
        convs = cls.stack.conversations(cls.round_dn)
        cls.bad_dn, cls.bad = sorted((d, c) for d, c in convs.items()
                                     if c["musStatus"][0] in ("invited", "scheduled"))[0]
        cls.stack.ldap_modify("dn: %s\nchangetype: modify\nreplace: musStatus\n"
                              "musStatus: maybe-later\n" % cls.bad_dn)
        cls.stack.ldap_modify(
            "dn: cn=%s,ou=rounds,dc=eksempel,dc=test\nchangetype: add\nobjectClass: musRound\n"
            "cn: %s\nmusKind: KAFFE\nmusState: active\nmusWindowStart: 20271201000000Z\n"
            "musWindowEnd: 20271222000000Z\nmusDuration: 30\n" % (BAD_ROUND, BAD_ROUND))
        cls.sync = cls.stack.doveadm("mus", "sync", check=False)

    @classmethod
    def tearDownClass(cls):
        cls.stack.ldap_delete(cls.round_dn)
        cls.stack.ldap_delete("cn=%s,ou=rounds,dc=eksempel,dc=test" % BAD_ROUND)

    def test_sync_goes_on_and_names_the_bad_round(self):
        self.assertEqual(self.sync.returncode, 0, self.sync.stderr)
        self.assertIn("musKind: unknown value 'KAFFE'", self.sync.stderr)

    def test_the_bad_conversation_is_left_as_it_is(self):
        conv = self.stack.conversations(self.round_dn)[self.bad_dn]
        self.assertEqual(conv["musStatus"], ["maybe-later"])
        self.assertEqual(conv["musStart"], self.bad["musStart"])

    def test_status_reports_both(self):
        rows = json.loads(self.stack.doveadm("-f", "json", "mus", "status").stdout)
        failed = [r for r in rows if r["type"] == "failed"
                  and r["subject"].lower() == self.bad["musEmployee"][0].lower()]
        self.assertEqual(len(failed), 1, rows)
        self.assertIn("musStatus 'maybe-later'", failed[0]["detail"])
        invalid = [r for r in rows if r["type"] == "invalid-round"]
        self.assertTrue(any("KAFFE" in r["detail"] for r in invalid), invalid)


if __name__ == "__main__":
    unittest.main()
