"""The competence form on the stack: a MUS round on the sample organisation
with its job profiles; the first sync sends the form to each employee who
has a profile (in their language) and the same form about the employee to
the leader, once; an answer with mistakes is answered with each problem and
stores nothing; the corrected answer sent through Postfix is stored as the
employee's assessment with who and when; the leader's answer (from another
of the leader's addresses, HTML only) as the leader's; a stranger's answer
changes nothing; the employee and the leader read the assessment and a peer
does not; `doveadm mus profile list -f json` matches the profiles in LDAP.

People: Borgerservice (tove.damgaard, whose staff have the profile
"Administrativ medarbejder" by musJobProfileRef, and who has a second
address) and Økonomi (anders.naesby with tomasz.nowak, who reads English and
has the profile by reference, and a colleague who has none)."""

import datetime
import subprocess
import unittest

import replymail
from mustest import Conv, Stack, wait_for

PASSWORD = "competence-reader"
ROUND = "MUS competence form test"
BASE = "dc=eksempel,dc=test"
PEOPLE = "ou=people," + BASE
PROFILES = "ou=profiles," + BASE
ADMIN_PROFILE = "cn=Administrativ medarbejder," + PROFILES
LEVELS_DA = ["ikke relevant", "nybegynder", "avanceret begynder", "kompetent", "kyndig",
             "ekspert"]
LEVELS_EN = ["not relevant", "beginner", "advanced beginner", "competent", "proficient",
             "expert"]


def person(uid):
    return "uid=%s,%s" % (uid, PEOPLE)


class CompetenceFormTest(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.stack = Stack()
        cls.people, by_manager = cls.stack.reports()
        cls.leader = person("tove.damgaard")
        staff = sorted(by_manager[cls.leader.lower()])
        cls.employee, cls.peer = staff[0], staff[1]
        cls.leader2 = person("anders.naesby")
        cls.english = person("tomasz.nowak")
        cls.nobody = sorted(d for d in by_manager[cls.leader2.lower()]
                            if d != cls.english.lower()
                            and not cls.people[d].get("musJobProfileRef"))[0]
        scope = [cls.leader, cls.employee, cls.leader2, cls.english, cls.nobody]
        flt = "(|%s)" % "".join("(entryDN=%s)" % d for d in scope)
        old = cls.stack.round_dn(ROUND)
        if old:
            cls.stack.ldap_delete(old)
        cls.stack.doveadm("mus", "round", "create", "--name", ROUND, "--kind", "MUS",
                          "--start", "2028-02-01", "--end", "2028-02-29", "--duration", "60",
                          "--workday", "0900-1500", "--scope-filter", flt)
        cls.round_dn = cls.stack.round_dn(ROUND)

    @classmethod
    def tearDownClass(cls):
        cls.stack.ldap_delete(cls.round_dn)
        for who in (cls.employee, cls.leader, cls.peer):
            cls.stack.ldap_modify("dn: %s\nchangetype: modify\nreplace: userPassword\n" % who)

    # -- helpers

    def conv(self, employee):
        convs = [Conv(d, e) for d, e in
                 self.stack.conversations(self.round_dn, operational=True).items()]
        return next(c for c in convs if c.musEmployee.lower() == employee.lower())

    def mail(self, pdn, i=0):
        return self.people[pdn.lower()]["mail"][i]

    def forms(self, address, ref):
        """The mails in address's INBOX about the conversation ref that are no
        invitation (no text/calendar part)."""
        return [m for m in replymail.inbox(self.stack.imap(address))
                if "[%s]" % ref in str(m["Subject"]) and
                not any(p.get_content_type() == "text/calendar" for p in m.walk())]

    def sync(self):
        return self.stack.doveadm("mus", "sync", "--round", ROUND)

    def answer(self, sender, subject, text=None, html=None):
        return self.stack.mail_organizer(sender, subject, text=text, html=html)

    def profile(self, dn):
        entry = self.stack.ldap_entries(dn, "(objectClass=*)", scope="base")[dn]
        return sorted(v.split("|")[0].strip().lower() for v in entry["musCompetence"])

    def read_as(self, who, dn, attr):
        res = subprocess.run(["ldapsearch", "-x", "-LLL", "-o", "ldif-wrap=no",
                              "-H", self.stack["MUS_LDAP_URI"], "-D", who, "-w", PASSWORD,
                              "-s", "base", "-b", dn, attr],
                             capture_output=True, text=True, timeout=30)
        self.assertIn(res.returncode, (0, 32), res.stderr)
        return sorted(line.split(": ", 1)[1] for line in res.stdout.splitlines()
                      if line.lower().startswith(attr.lower() + ":"))

    # -- the flow, in order

    def test_flow(self):
        res = self.sync()
        c = self.conv(self.employee)
        self.assertEqual(c.musStatus, "invited", res.stdout + res.stderr)
        ref = c.musICalUID[:8]
        codes = self.profile(ADMIN_PROFILE)
        self.assertEqual(c.e["musJobProfileRef"][0].lower(), ADMIN_PROFILE.lower())
        self.assertTrue(c.e.get("musCompetenceFormSent"), c.e)
        self.assertEqual(sorted(a.lower() for a in c.e["musCompetenceFormSentTo"]),
                         sorted([self.mail(self.employee), self.mail(self.leader)]))
        self.assertNotIn("musAssessmentEmployee", c.e)

        # the employee's form in Danish, with every competence and level
        got = wait_for("the employee's form", lambda: self.forms(self.mail(self.employee), ref))
        self.assertEqual(len(got), 1)
        subject = str(got[0]["Subject"])
        self.assertIn("Kompetenceskema", subject)
        text = got[0].get_body(("plain",)).get_content()
        for code in codes:
            self.assertIn("\n%s: " % code, text)
        for level in LEVELS_DA:
            self.assertIn(level, text)
        self.assertIn("Borgerservice", text)
        self.assertNotRegex(text, r"\{[a-z_]+\}")
        # the leader's about the employee: may answer too
        lead = wait_for("the leader's form", lambda: self.forms(self.mail(self.leader), ref))
        self.assertEqual(len(lead), 1)
        lead_text = lead[0].get_body(("plain",)).get_content()
        self.assertIn(self.people[self.employee.lower()]["cn"][0], str(lead[0]["Subject"]))
        self.assertIn("Du kan også svare", lead_text)

        # English for the employee who reads English; none without a profile
        en = self.conv(self.english)
        en_ref = en.musICalUID[:8]
        got = wait_for("the English form", lambda: self.forms(self.mail(self.english), en_ref))
        self.assertIn("Competence form", str(got[0]["Subject"]))
        en_text = got[0].get_body(("plain",)).get_content()
        for level in LEVELS_EN:
            self.assertIn(level, en_text)
        self.assertIn("Reply to this mail", en_text)
        self.assertEqual(len(self.forms(self.mail(self.leader2), en_ref)), 1)
        none = self.conv(self.nobody)
        self.assertNotIn("musCompetenceFormSent", none.e)
        self.assertNotIn("musJobProfileRef", none.e)
        self.assertEqual(self.forms(self.mail(self.nobody), none.musICalUID[:8]), [])

        # a second sync sends nothing again
        self.sync()
        self.assertEqual(len(self.forms(self.mail(self.employee), ref)), 1)
        self.assertEqual(len(self.forms(self.mail(self.leader), ref)), 1)

        # an answer with mistakes: each named with its line, nothing stored
        csn = self.conv(self.employee).entryCSN
        bad = ("Hej\n\n%s: kompetent\n%s: 2\n%s: 4\n%s: meget god\nledelse: 3\n"
               % (codes[0], codes[1], codes[1], codes[2]))
        refused = self.answer(self.mail(self.employee), "SV: " + subject, text=bad)
        self.sync()
        self.assertIn("$Mus-assessment-refused", self.stack.organizer_flags(refused))
        problems = wait_for("the problems mail", lambda: [
            m for m in self.forms(self.mail(self.employee), ref)
            if m["Message-ID"] != got[0]["Message-ID"] and
            "Kompetenceskema" in str(m["Subject"]) and str(m["Subject"]).startswith("SV:")])
        # a Danish answer, with one reply prefix
        self.assertEqual(str(problems[0]["Subject"]), "SV: " + subject)
        body = problems[0].get_body(("plain",)).get_content()
        self.assertIn("linje 5 (%s: 4)" % codes[1], body)
        self.assertIn("linje 6 (%s: meget god)" % codes[2], body)
        self.assertIn("linje 7 (ledelse: 3): 'ledelse' er ikke en af skemaets koder", body)
        for code in codes[3:]:
            self.assertIn("- %s (" % code, body)
        self.assertEqual(self.conv(self.employee).entryCSN, csn)

        # the corrected answer, top-posted above the quoted form: stored
        levels = {code: i % 6 for i, code in enumerate(codes)}
        good = "".join("%s: %s\n" % (code, LEVELS_DA[levels[code]].upper())
                       for code in codes)
        good += "\nVenlig hilsen\n\nDen man. 1. dec. 2026 kl. 09.00 skrev MUS <%s>:\n> %s: 5\n" % (
            self.stack["MUS_ORGANIZER"], codes[0])
        before = datetime.datetime.now(datetime.timezone.utc).replace(microsecond=0)
        stored = self.answer(self.mail(self.employee), "SV: " + subject, text=good)
        self.sync()
        self.assertIn("$Mus-assessment-received", self.stack.organizer_flags(stored))
        now = self.conv(self.employee)
        self.assertEqual(sorted(now.e["musAssessmentEmployee"]),
                         sorted("%s %d" % (k, v) for k, v in levels.items()))
        when, who = now.e["musAssessedEmployee"][0].split(" ", 1)
        self.assertEqual(who.lower(), self.employee.lower())
        stamp = datetime.datetime.strptime(when, "%Y%m%d%H%M%SZ").replace(
            tzinfo=datetime.timezone.utc)
        self.assertGreaterEqual(stamp, before - datetime.timedelta(seconds=1))
        self.assertNotIn("musAssessmentLeader", now.e)

        # the leader answers from the second address, HTML only, in English words
        leader_levels = {code: 5 - i % 6 for i, code in enumerate(codes)}
        rows = "".join("<tr><td>%s</td><td>%s</td></tr>" % (code, LEVELS_EN[leader_levels[code]])
                       for code in codes)
        html = ("<html><body><p>Min vurdering:</p><table>%s</table>"
                "<blockquote><p>%s: 1</p></blockquote></body></html>" % (rows, codes[0]))
        second = self.mail(self.leader, 1)
        mid = self.answer(second, "RE: " + str(lead[0]["Subject"]), html=html)
        self.sync()
        self.assertIn("$Mus-assessment-received", self.stack.organizer_flags(mid))
        now = self.conv(self.employee)
        self.assertEqual(sorted(now.e["musAssessmentLeader"]),
                         sorted("%s %d" % (k, v) for k, v in leader_levels.items()))
        self.assertEqual(now.e["musAssessedLeader"][0].split(" ", 1)[1].lower(),
                         self.leader.lower())
        self.assertEqual(sorted(now.e["musAssessmentEmployee"]),
                         sorted("%s %d" % (k, v) for k, v in levels.items()))

        # a stranger (a colleague) answering changes nothing
        csn = now.entryCSN
        mid = self.answer(self.mail(self.peer), "SV: " + subject, text=good)
        self.sync()
        self.assertIn("$Mus-sender-mismatch", self.stack.organizer_flags(mid))
        self.assertEqual(self.conv(self.employee).entryCSN, csn)

        # answering again replaces the employee's set
        levels = {code: 3 for code in codes}
        again = self.answer(self.mail(self.employee), "SV: " + subject,
                            text="".join("%s: 3\n" % code for code in codes))
        self.sync()
        self.assertIn("$Mus-assessment-received", self.stack.organizer_flags(again))
        now = self.conv(self.employee)
        self.assertEqual(sorted(now.e["musAssessmentEmployee"]),
                         sorted("%s 3" % code for code in codes))

        # who reads it: the employee and the leader, not a colleague
        for who in (self.employee, self.leader, self.peer):
            self.stack.ldap_modify("dn: %s\nchangetype: modify\nreplace: userPassword\n"
                                   "userPassword: %s\n" % (who, PASSWORD))
        want = sorted("%s 3" % code for code in codes)
        self.assertEqual(self.read_as(self.employee, c.dn, "musAssessmentEmployee"), want)
        self.assertEqual(self.read_as(self.leader, c.dn, "musAssessmentEmployee"), want)
        self.assertEqual(self.read_as(self.peer, c.dn, "musAssessmentEmployee"), [])

    def test_two_syncs_at_once(self):
        """Two syncs of a new round started together send each form once."""
        leader = person("niels.groenbaek")
        staff = sorted(d for d in self.stack.reports()[1][leader.lower()])
        by_title = next(d for d in staff if self.people[d]["title"][0] == "Sagsbehandler"
                        and not self.people[d].get("musJobProfileRef"))
        by_ref = next(d for d in staff if self.people[d].get("musJobProfileRef"))
        name = ROUND + " twice"
        old = self.stack.round_dn(name)
        if old:
            self.stack.ldap_delete(old)
        self.stack.doveadm("mus", "round", "create", "--name", name, "--kind", "MUS",
                           "--start", "2028-03-01", "--end", "2028-03-31", "--duration", "60",
                           "--scope-filter", "(|(entryDN=%s)(entryDN=%s)(entryDN=%s))"
                           % (leader, by_title, by_ref))
        round_dn = self.stack.round_dn(name)
        try:
            procs = [subprocess.Popen(self.stack.doveadm_command("mus", "sync", "--round", name),
                                      stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                                      text=True) for _ in range(2)]
            for p in procs:
                _, err = p.communicate(timeout=300)
                self.assertEqual(p.returncode, 0, err)
            # the leader's own (manager out of scope) is no MUS to hold
            convs = [Conv(d, e) for d, e in
                     self.stack.conversations(round_dn, operational=True).items()
                     if e["musEmployee"][0].lower() != leader.lower()]
            self.assertEqual(sorted(c.musEmployee.lower() for c in convs),
                             sorted([by_title, by_ref]))
            for c in convs:
                ref = c.musICalUID[:8]
                self.assertTrue(c.e.get("musCompetenceFormSent"), c.e)
                self.assertEqual(c.e["musJobProfileRef"][0].lower(),
                                 ("cn=Sagsbehandler," + PROFILES).lower())
                for who in (c.musEmployee, leader):
                    got = wait_for("the form", lambda: self.forms(self.mail(who), ref))
                    self.assertEqual(len(got), 1, (who, [str(m["Subject"]) for m in got]))
        finally:
            self.stack.ldap_delete(round_dn)

    def test_profile_list(self):
        rows = self.stack.doveadm_json("mus", "profile", "list")
        entries = self.stack.ldap_entries(PROFILES, "(objectClass=musJobProfile)")
        self.assertEqual(sorted({r["dn"].lower() for r in rows}),
                         sorted(d.lower() for d in entries))
        people = self.stack.ldap_people().values()
        for dn, e in entries.items():
            mine = [r for r in rows if r["dn"].lower() == dn.lower()]
            self.assertEqual(sorted(r["code"] for r in mine), self.profile(dn))
            self.assertTrue(all(r["problem"] == "" for r in mine), mine)
            for value in e["musCompetence"]:
                code, da, en = [x.strip() for x in value.split("|")[:3]]
                row = next(r for r in mine if r["code"] == code)
                self.assertEqual((row["title-da"], row["title-en"]), (da, en))
            users = sum(1 for p in people
                        if (p.get("musJobProfileRef", [""])[0].lower() == dn.lower()) or
                        (not p.get("musJobProfileRef") and
                         p.get("title", [""])[0].lower() == e["cn"][0].lower()))
            self.assertEqual({r["people"] for r in mine}, {str(users)}, dn)
            self.assertGreater(users, 0, dn)

        # a broken profile is named with its reason and used by nobody
        broken = "cn=Ufuldstaendig,%s" % PROFILES
        self.stack.ldap_modify("dn: %s\nchangetype: add\nobjectClass: musJobProfile\n"
                               "cn: Ufuldstaendig\nmusCompetence: a | A | A\n"
                               "musCompetence: b | B | B\n" % broken)
        try:
            rows = self.stack.doveadm_json("mus", "profile", "list")
        finally:
            self.stack.ldap_delete(broken)
        row = [r for r in rows if r["dn"].lower() == broken.lower()]
        self.assertEqual(len(row), 1, rows)
        self.assertIn("has 2 competences", row[0]["problem"])
        self.assertEqual(row[0]["people"], "0")


if __name__ == "__main__":
    unittest.main()
