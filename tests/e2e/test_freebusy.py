"""Busy time that cannot be read never stops scheduling: an unreachable
calFBURL, a 404 and a file that is no iCalendar are logged, the people
count as free, and their conversations are scheduled."""

import json
import os
import unittest

from mustest import Stack

ROUND = "MUS freebusy test"


class FreeBusyTest(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.stack = Stack()
        people = cls.stack.ldap_people()
        # a leader whose reports lead nobody, and three of the reports
        managers = {m.lower() for p in people.values() for m in p.get("manager", [])[:1]}
        lower = {d.lower(): (d, p) for d, p in people.items()}
        cls.leader = sorted(m for m in managers if m in lower and lower[m][1].get("mail")
                            and sum(1 for p in people.values()
                                    if [x.lower() for x in p.get("manager", [])[:1]] == [m]) >= 3)[0]
        reports = sorted(d for d, p in people.items()
                         if [x.lower() for x in p.get("manager", [])[:1]] == [cls.leader]
                         and p.get("mail"))[:3]
        cls.reports = reports
        fb_dir = cls.stack.env["MUS_FB_DIR"]
        with open(os.path.join(fb_dir, "garbage.ifb"), "w") as f:
            f.write("<html><body>Kalenderen er nede</body></html>\n")
        base = cls.stack.env["MUS_FB_BASE_URL"]
        cls.urls = ["http://127.0.0.1:1/nobody.ifb", base + "/no-such-file.ifb",
                    base + "/garbage.ifb"]
        cls.saved = {d: people[d].get("calFBURL", []) for d in reports}
        for d, url in zip(reports, cls.urls):
            cls.stack.ldap_modify("dn: %s\nchangetype: modify\nreplace: calFBURL\n"
                                  "calFBURL: %s\n" % (d, url))
        flt = "(|(manager=%s)(entryDN=%s))" % (cls.leader, cls.leader)
        cls.stack.doveadm("mus", "round", "create", "--name", ROUND, "--kind", "MUS",
                          "--start", "2027-10-04", "--end", "2027-11-26", "--duration", "60",
                          "--scope-filter", flt)
        cls.round_dn = cls.stack.round_dn(ROUND)
        cls.sync = cls.stack.doveadm("-f", "json", "mus", "sync", "--round", ROUND)

    @classmethod
    def tearDownClass(cls):
        cls.stack.ldap_delete(cls.round_dn)
        for d, urls in cls.saved.items():
            ldif = "dn: %s\nchangetype: modify\nreplace: calFBURL\n%s" % (
                d, "".join("calFBURL: %s\n" % u for u in urls))
            cls.stack.ldap_modify(ldif)

    def test_each_bad_url_is_logged_by_name(self):
        for url in self.urls:
            self.assertIn(url, self.sync.stderr)
        self.assertIn("scheduling without it", self.sync.stderr)
        row = json.loads(self.sync.stdout)[0]
        self.assertEqual(row["freebusy-failed"], "3")

    def test_their_conversations_are_scheduled(self):
        convs = self.stack.conversations(self.round_dn)
        for d in self.reports:
            mine = [c for c in convs.values()
                    if [e.lower() for e in c["musEmployee"]] == [d.lower()]]
            self.assertEqual(len(mine), 1, d)
            self.assertIn(mine[0]["musStatus"][0], ("scheduled", "invited"))


if __name__ == "__main__":
    unittest.main()
