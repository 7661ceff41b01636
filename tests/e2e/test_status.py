"""doveadm mus status against the sample organisation on the stack.

The expectations come from the directory itself (read with ldapsearch, not
with our code) and from the planted data problems documented in
tests/stack/gen-org.
"""

import os
import unittest

from mustest import Stack

PEOPLE_BASE = "ou=people,dc=eksempel,dc=test"

# (kind, uid) of every planted data problem in the sample organisation
PLANTED = {
    ("leader-without-reports", "mikkel.ravnsbaek"),
    ("wide-span", "soeren.hoejgaard"),
    ("no-mail", "grethe.juhl"),
    ("manager-missing", "preben.dyhr"),
    ("manager-cycle", "jens.iversen"),
    ("manager-cycle", "bodil.kofoed"),
    ("long-term-leave", "line.thygesen"),
}


# rows that are no data problem of the organisation
SUMMARY_ROWS = {"scope", "leaders", "depth", "problems", "top", "leader"}
ROUND_ROWS = {"round", "round-status", "unit-status", "leader-status",
              "shortfall", "unschedulable", "failed", "invalid-round", "mailbox",
              "overdue", "overdue-unit", "overdue-leader", "overdue-activity"}


def uid_of(dn):
    first = dn.split(",", 1)[0]
    return first.split("=", 1)[1] if first.lower().startswith("uid=") else dn


class StatusTest(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.stack = Stack()
        people = cls.stack.ldap_people()
        cls.people = people
        cls.status = cls.stack.doveadm_json("mus", "status")

    def rows(self, type_):
        return [r for r in self.status if r["type"] == type_]

    def summary(self, type_):
        rows = self.rows(type_)
        self.assertEqual(len(rows), 1, type_)
        return int(rows[0]["count"])

    def test_counts_match_the_directory(self):
        self.assertEqual(self.summary("scope"), len(self.people))
        self.assertGreaterEqual(len(self.people), 140)
        in_scope = {dn.lower() for dn in self.people}
        managers = {m.lower() for p in self.people.values()
                    for m in p.get("manager", [])[:1]}
        self.assertEqual(self.summary("leaders"), len(managers & in_scope))
        self.assertEqual(self.summary("depth"), 4)

    def test_every_planted_problem_is_reported(self):
        found = {(r["type"], uid_of(r["subject"])) for r in self.status
                 if r["type"] not in SUMMARY_ROWS | ROUND_ROWS}
        self.assertEqual(found, PLANTED)
        self.assertEqual(self.summary("problems"), len(PLANTED))
        missing = [r for r in self.rows("manager-missing")][0]
        self.assertIn("gunnar.fratraadt", missing["detail"])
        leave = self.rows("long-term-leave")[0]
        self.assertIn("2027-09-01", leave["detail"])

    def test_leaders_and_span(self):
        leaders = {uid_of(r["subject"]): int(r["count"]) for r in self.rows("leader")}
        self.assertEqual(leaders["soeren.hoejgaard"], 30)
        self.assertNotIn("mikkel.ravnsbaek", leaders)
        tops = [uid_of(r["subject"]) for r in self.rows("top")]
        self.assertEqual(tops, ["aase.soendergaard"])
        # the report counts agree with the directory's manager values
        for uid, count in leaders.items():
            dn = "uid=%s,%s" % (uid, PEOPLE_BASE)
            direct = [p for p in self.people.values()
                      if [m.lower() for m in p.get("manager", [])[:1]] == [dn]]
            self.assertEqual(count, len(direct), uid)

    def test_table_output(self):
        out = self.stack.doveadm("mus", "status").stdout
        self.assertRegex(out.splitlines()[0], r"^type\s+subject\s+count\s+detail")
        self.assertIn("uid=grethe.juhl,%s" % PEOPLE_BASE, out)

    def test_invalid_settings_stop_the_command(self):
        cases = [
            ("plugin/mus_language=fr", "mus_language: invalid value 'fr'"),
            ("plugin/mus_colour=blue", "mus_colour: unknown setting"),
            ("plugin/mus_ldap_password_file=/nonexistent/ldap.pw",
             "mus_ldap_password_file: invalid value '/nonexistent/ldap.pw'"),
            ("plugin/mus_people_base=people", "mus_people_base: invalid value 'people'"),
        ]
        for override, message in cases:
            with self.subTest(override=override):
                res = self.stack.doveadm("-o", override, "mus", "status", check=False)
                self.assertEqual(res.returncode, 78, res.stderr)  # EX_CONFIG
                self.assertIn(message, res.stderr)
                self.assertEqual(res.stdout, "")

    def test_unreachable_ldap_is_a_clear_temporary_error(self):
        res = self.stack.doveadm("-o", "plugin/mus_ldap_uri=ldap://127.0.0.1:1/",
                                 "mus", "status", check=False)
        self.assertEqual(res.returncode, 75, res.stderr)  # EX_TEMPFAIL
        self.assertIn("ldap_bind(uri=ldap://127.0.0.1:1/", res.stderr)

    def test_wrong_password_is_a_configuration_error(self):
        bad = os.path.join(self.stack.dir, "wrong.pw")
        with open(bad, "w") as f:
            f.write("not-the-password\n")
        res = self.stack.doveadm("-o", "plugin/mus_ldap_password_file=" + bad,
                                 "mus", "status", check=False)
        self.assertEqual(res.returncode, 78, res.stderr)
        self.assertIn("Invalid credentials", res.stderr)

    def test_mail_plugin_refuses_invalid_settings_for_the_organizer_only(self):
        user = "marianne.lund@eksempel.test"
        organizer = self.stack["MUS_ORGANIZER"]
        for who in (user, organizer):
            ok = self.stack.doveadm("mailbox", "list", "-u", who)
            self.assertIn("INBOX", ok.stdout)
        # an ordinary user is not held up by a MUS setting
        res = self.stack.doveadm("-o", "plugin/mus_timezone=Mars/Base",
                                 "mailbox", "list", "-u", user, check=False)
        self.assertEqual(res.returncode, 0, res.stderr)
        res = self.stack.doveadm("-o", "plugin/mus_timezone=Mars/Base",
                                 "mailbox", "list", "-u", organizer, check=False)
        self.assertNotEqual(res.returncode, 0)
        self.assertIn("mus_timezone: invalid value 'Mars/Base'", res.stderr)


if __name__ == "__main__":
    unittest.main()
