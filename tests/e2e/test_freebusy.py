"""Busy time that cannot be read never stops scheduling: an unreachable
calFBURL, a 404 and a file that is no iCalendar are logged, the people
count as free, and their conversations are scheduled. A sync that places a
few conversations again asks the calendar server for their people's
calendars only."""

import json
import os
import shutil
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


class OnlyWhoIsPlacedTest(unittest.TestCase):
    """The first sync of a round reads everybody's busy time; after one decline the
    next sync reads the calendars of that conversation's leader and employee, not
    those of the leader's other reports (the stack's web server logs every path)."""

    @classmethod
    def setUpClass(cls):
        cls.stack = Stack()
        name = "MUS freebusy placed test"
        cls.round_dn, cls.leader, cls.reports = cls.stack.leader_round(
            name, "2027-09-06", "2027-10-29", 10)
        people = {d.lower(): p for d, p in cls.stack.ldap_people().items()}
        fb_dir = cls.stack.env["MUS_FB_DIR"]
        sample = sorted(f for f in os.listdir(fb_dir) if f.endswith(".ifb"))[0]
        cls.paths, cls.saved = {}, {}
        for i, d in enumerate([cls.leader] + cls.reports):
            cls.paths[d] = "/placed-%d.ifb" % i
            shutil.copy(os.path.join(fb_dir, sample), fb_dir + cls.paths[d])
            cls.saved[d] = people[d.lower()].get("calFBURL", [])
            add_class = "" if cls.saved[d] else "add: objectClass\nobjectClass: calEntry\n-\n"
            cls.stack.ldap_modify("dn: %s\nchangetype: modify\n%sreplace: calFBURL\n"
                                  "calFBURL: %s%s\n" % (d, add_class,
                                                        cls.stack.env["MUS_FB_BASE_URL"],
                                                        cls.paths[d]))
        cls.first = cls.asked(lambda: cls.stack.doveadm("mus", "sync", "--round", name))
        cls.conv_dn = [d for d, c in cls.stack.conversations(cls.round_dn).items()
                       if [e.lower() for e in c["musEmployee"]] == [cls.reports[0].lower()]][0]
        cls.stack.ldap_modify("dn: %s\nchangetype: modify\nreplace: musStatus\n"
                              "musStatus: rescheduling\n" % cls.conv_dn)
        cls.second = cls.asked(lambda: cls.stack.doveadm("mus", "sync", "--round", name))

    @classmethod
    def asked(cls, run):
        """The paths of this test's calendars the web server was asked for while run()
        ran, each once per request."""
        log = os.path.join(cls.stack.dir, "fb-access.log")
        start = os.path.getsize(log)
        run()
        with open(log, encoding="utf-8") as f:
            f.seek(start)
            mine = set(cls.paths.values())
            return sorted(p for p in f.read().split() if p in mine)

    @classmethod
    def tearDownClass(cls):
        cls.stack.ldap_delete(cls.round_dn)
        for d, urls in cls.saved.items():
            cls.stack.ldap_modify("dn: %s\nchangetype: modify\nreplace: calFBURL\n%s%s" % (
                d, "".join("calFBURL: %s\n" % u for u in urls),
                "" if urls else "-\ndelete: objectClass\nobjectClass: calEntry\n"))
            os.unlink(cls.stack.env["MUS_FB_DIR"] + cls.paths[d])

    def test_the_first_sync_reads_every_calendar(self):
        self.assertEqual(self.first, sorted(self.paths.values()))

    def test_after_a_decline_only_that_conversation_s_people(self):
        self.assertEqual(self.second, sorted([self.paths[self.leader],
                                              self.paths[self.reports[0]]]))
        conv = self.stack.conversations(self.round_dn)[self.conv_dn]
        self.assertIn(conv["musStatus"][0], ("scheduled", "invited"))


if __name__ == "__main__":
    unittest.main()
