"""The whole life of a GRUS conversation on the stack, up to one filed plan per
member: a round of kind GRUS for one team (a groupOfNames under ou=teams and
its owner); invitations; the leader and every member accept; the time is
moved into the past, so sync makes it held and mails the leader the team's
plan form once; a reply with mistakes (an individual goal, "employee" as
responsible) is answered with their lines and nothing is stored; the
corrected reply is stored; the follow-up meeting goes to the leader and every
member with the plan attached, at a time after the busy time that a member's
and the leader's calFBURL publish (another member's URL cannot be read: that
is logged, and the meeting goes out all the same); one member declines with a comment, which the
leader gets; the new version goes to everybody as an update; everybody
accepts; sync files one musPlan per member under mus_plan_base (ou=plans on
the stack) with the shared goals, the activities, and that member's and the
leader's approvals, which that member reads and another member does not; a
member whose entry is gone at that moment is logged and gets none.

The team is the smallest one of the stack with at least three members whose
owner and members all have mail, are neither absent nor exempt, and none of
whom manages another member (test_schedule's GRUS round uses every team in a
round of its own)."""

import base64
import datetime
import json
import os
import unittest

import replymail
from mustest import Conv, Stack, dmy, ldap_escape, wait_for

PASSWORD = "team-plan-reader"
ROUND = "GRUS team plan test"
WINDOW = ("2027-11-01", "2027-11-30")


class TeamPlanTest(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.stack = Stack()
        cls.people, _ = cls.stack.reports()

        def usable(d):
            return Stack.usable(cls.people, d)
        teams = cls.stack.ldap_entries("ou=teams," + cls.stack["MUS_LDAP_BASE"],
                                       "(objectClass=groupOfNames)", scope="one")
        def peers(members):
            low = {m.lower() for m in members}
            return not any(m.lower() in low for x in members
                           for m in cls.people[x.lower()].get("manager", []))
        fit = sorted((len(e["member"]), dn) for dn, e in teams.items()
                     if 3 <= len(e["member"]) and usable(e["owner"][0])
                     and all(usable(m) for m in e["member"]) and peers(e["member"]))
        if not fit:
            raise AssertionError("no team for the test in %r" % sorted(teams))
        team = teams[fit[0][1]]
        cls.leader = team["owner"][0]
        cls.members = sorted(team["member"], key=str.lower)
        cls.before = {}
        for who in cls.members + [cls.leader]:
            cls.before[who] = cls.stack.ldap_entries(who, "(objectClass=*)", scope="base")[who]
        flt = "(|%s)" % "".join("(entryDN=%s)" % ldap_escape(d)
                                for d in [cls.leader] + cls.members)
        old = cls.stack.round_dn(ROUND)
        if old:
            cls.stack.ldap_delete(old)
        cls.stack.doveadm("mus", "round", "create", "--name", ROUND, "--kind", "GRUS",
                          "--start", WINDOW[0], "--end", WINDOW[1], "--duration", "60",
                          "--workday", "0900-1500", "--scope-filter", flt)
        cls.round_dn = cls.stack.round_dn(ROUND)
        today = datetime.date.today()
        cls.due1 = today + datetime.timedelta(days=60)
        cls.due2 = today + datetime.timedelta(days=120)
        cls.follow_up = today + datetime.timedelta(days=200)

    @classmethod
    def tearDownClass(cls):
        conv = cls.team_conv_dn()
        cls.stack.ldap_delete(cls.round_dn)
        if conv:
            for dn in cls.stack.ldap_entries(cls.stack["MUS_LDAP_BASE"],
                                             "(&(objectClass=musPlan)(musConversationRef=%s))"
                                             % ldap_escape(conv), "dn"):
                cls.stack.ldap_delete(dn)
        for who, before in cls.before.items():
            restore = "dn: %s\nchangetype: modify\nreplace: musPlanRef\n" % who
            restore += "".join("musPlanRef: %s\n" % r for r in before.get("musPlanRef", []))
            restore += "-\nreplace: calFBURL\n"
            restore += "".join("calFBURL: %s\n" % u for u in before.get("calFBURL", []))
            restore += "-\nreplace: userPassword\n"
            restore += "".join("userPassword: %s\n" % p for p in before.get("userPassword", []))
            restore += "-\nreplace: objectClass\n"
            restore += "".join("objectClass: %s\n" % o for o in before["objectClass"])
            cls.stack.ldap_modify(restore + "-\n")

    @classmethod
    def team_conv_dn(cls):
        return next((d for d, e in cls.stack.conversations(cls.round_dn).items()
                     if e.get("musTeam")), None)

    # -- helpers

    def conv(self):
        dn = self.team_conv_dn()
        return Conv(dn, self.stack.conversations(self.round_dn, operational=True)[dn])

    def mail(self, pdn):
        return self.people[pdn.lower()]["mail"][0]

    def name(self, pdn):
        return self.people[pdn.lower()]["cn"][0]

    def sync(self):
        res = self.stack.doveadm("mus", "sync", "--round", ROUND)
        return res.stdout + res.stderr

    def reply(self, subject, text):
        """The leader's reply to the plan form; its Message-ID."""
        return self.stack.mail_organizer(self.mail(self.leader), subject, text)

    def answer(self, uid, who, sequence, partstat="ACCEPTED", comment=None, outcome="applied"):
        extra = ("COMMENT:%s" % comment,) if comment else ()
        ics = replymail.itip("REPLY", uid, self.mail(who), partstat, sequence, extra)
        msg = replymail.message(self.stack["MUS_ORGANIZER"], self.mail(who), "Svar", ics, "REPLY")
        self.stack.wait_delivery_log(replymail.submit(self.stack, msg), outcome)

    def followups(self, who, uid):
        """(METHOD, SEQUENCE) of the follow-up meetings in who's INBOX, and the
        attachment names of each."""
        got = []
        for m in replymail.inbox(self.stack.imap(self.mail(who))):
            cals = replymail.calendars([m], uid)
            if cals:
                names = sorted(p.get_filename() for p in m.walk() if p.get_filename()
                               and p.get_content_type() != "application/ics")
                got.append((cals[0][1], cals[0][2], names))
        return sorted(got)

    def add_back(self, who):
        """Add who's entry again as it was before the test."""
        ldif = "dn: %s\nchangetype: add\n" % who
        for attr, values in self.before[who].items():
            ldif += "".join("%s:: %s\n" % (attr, base64.b64encode(v.encode()).decode())
                            for v in values)
        self.stack.ldap_modify(ldif)

    def set_fb_url(self, who, url):
        classes = [o.lower() for o in self.before[who]["objectClass"]]
        add = "" if "calentry" in classes else "add: objectClass\nobjectClass: calEntry\n-\n"
        self.stack.ldap_modify("dn: %s\nchangetype: modify\n%sreplace: calFBURL\n"
                               "calFBURL: %s\n" % (who, add, url))

    def publish_busy(self, who, start, end):
        """who is busy from start to end (UTC datetimes), published as the stack's
        free/busy server serves it and named by who's calFBURL."""
        name = "team-plan-%s.ifb" % who.split(",")[0].split("=")[1]
        stamp = "%Y%m%dT%H%M%SZ"
        with open(os.path.join(self.stack["MUS_FB_DIR"], name), "w") as f:
            f.write("BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:-//e2e//team plan//EN\r\n"
                    "BEGIN:VFREEBUSY\r\nDTSTART:%s\r\nDTEND:%s\r\n"
                    "FREEBUSY;FBTYPE=BUSY:%s/%s\r\nEND:VFREEBUSY\r\nEND:VCALENDAR\r\n"
                    % (start.strftime(stamp), end.strftime(stamp),
                       start.strftime(stamp), end.strftime(stamp)))
        self.set_fb_url(who, self.stack["MUS_FB_BASE_URL"] + "/" + name)

    def plan_text(self, da, responsible1, extra_activity=""):
        if da:
            return ("Hej\n\nFælles mål: Alle driftsopgaver er beskrevet i fælles vejledninger.\n"
                    "Fælles mål: Vagtskift uden tabte sager.\n\n"
                    "Aktivitet: Kursus i fejlsøgning for hele teamet\nType: kursus\n"
                    "Ansvarlig: %s\nFrist: %s\n\n"
                    "Aktivitet: Fælles temadag om vagtskift\nType: nye opgaver\n"
                    "Ansvarlig: leder\nFrist: %s\n\n%s"
                    "Opfølgning: %s\n\nVenlig hilsen\n"
                    % (responsible1, dmy(self.due1), dmy(self.due2), extra_activity,
                       dmy(self.follow_up)))
        return ("Hi\n\nShared goal: Alle driftsopgaver er beskrevet i fælles vejledninger.\n"
                "Shared goal: Vagtskift uden tabte sager.\n\n"
                "Activity: Kursus i fejlsøgning for hele teamet\nKind: course\n"
                "Responsible: %s\nDue: %s\n\n"
                "Activity: Fælles temadag om vagtskift\nKind: new tasks\n"
                "Responsible: leader\nDue: %s\n\n%s"
                "Follow-up: %s\n\nKind regards\n"
                % (responsible1, dmy(self.due1), dmy(self.due2), extra_activity,
                   dmy(self.follow_up)))

    # -- the flow, in order

    def test_flow(self):
        self.sync()
        c = self.conv()
        self.assertEqual(c.musStatus, "invited", c.e)
        self.assertEqual(sorted(d.lower() for d in c.e["musEmployee"]),
                         sorted(d.lower() for d in self.members))
        ref = c.musICalUID[:8]
        everybody = [self.leader] + self.members

        # the leader and every member accept
        for who in everybody:
            self.answer(c.musICalUID, who, int(c.musSequence))
        self.assertEqual(self.conv().musStatus, "accepted")

        # held the day before yesterday: the leader gets the team's form, once
        self.stack.move_to_past(c.dn, days=2)
        out = self.sync()
        self.assertNotIn("not supported", out)
        self.assertEqual(self.conv().musStatus, "plan-requested", out)
        leader_mail = self.mail(self.leader)
        forms = wait_for("the plan form", lambda: self.stack.notices(leader_mail, ref), timeout=15)
        self.assertEqual(len(forms), 1)
        subject = str(forms[0]["Subject"])
        da = subject.startswith("Udviklingsplan")
        text = forms[0].get_body(("plain",)).get_content()
        for who in self.members:
            self.assertIn(self.name(who), text)
        self.assertIn("Fælles mål:" if da else "Shared goal:", text)
        self.assertNotIn("Individuelt mål:" if da else "Individual goal:", text)
        self.assertNotRegex(text, r"\{[a-z_]+\}")
        for who in self.members:
            self.assertEqual(self.stack.notices(self.mail(who), ref), [], who)
        self.sync()
        self.assertEqual(len(self.stack.notices(leader_mail, ref)), 1)

        # mistakes of a team plan, at their lines; nothing stored
        bad = self.plan_text(da, "medarbejder" if da else "employee").replace(
            "Vagtskift uden tabte sager.\n",
            "Vagtskift uden tabte sager.\n%s Lærer den nye overvågning.\n"
            % ("Individuelt mål:" if da else "Individual goal:"), 1)
        csn = self.conv().entryCSN
        refused = self.reply("SV: " + subject, bad)
        self.sync()
        self.assertIn("$Mus-plan-refused", self.stack.organizer_flags(refused))
        answers = wait_for("the answer", lambda: [m for m in self.stack.notices(leader_mail, ref)
                                                   if m["Message-ID"] != forms[0]["Message-ID"]])
        answer = answers[0].get_body(("plain",)).get_content()
        self.assertRegex(answer, r"(linje|line) 5 \((Individuelt mål|Individual goal):")
        self.assertRegex(answer, r"(linje|line) 9 \((Ansvarlig|Responsible): "
                                 r"(medarbejder|employee)\)")
        self.assertEqual(self.conv().entryCSN, csn)
        self.assertNotIn("musPlanDraft", self.conv().e)

        # busy time for the follow-up meeting: the first member from the day
        # before the follow-up date for five days, the leader the day after;
        # the third member's calFBURL cannot be read (logged, counts as free)
        day = datetime.datetime.combine(self.follow_up, datetime.time(),
                                        datetime.timezone.utc)
        busy = {self.members[0]: (day - datetime.timedelta(hours=12),
                                  day + datetime.timedelta(days=5)),
                self.leader: (day + datetime.timedelta(days=5), day + datetime.timedelta(days=6))}
        for who, span in busy.items():
            self.publish_busy(who, *span)
        self.set_fb_url(self.members[2], self.stack["MUS_FB_BASE_URL"] + "/no-such-team.ifb")

        # the corrected reply: a member by name is responsible for the course
        good = self.reply("SV: " + subject, self.plan_text(da, self.name(self.members[0])))
        out = self.sync()
        self.assertIn("no-such-team.ifb", out)
        self.assertIn("placing the follow-up meeting without it", out)
        self.assertIn("$Mus-plan-received", self.stack.organizer_flags(good))
        stored = self.conv()
        self.assertEqual((stored.musStatus, stored.musPlanVersion), ("plan-pending", "1"))
        draft = json.loads(stored.musPlanDraft)
        self.assertEqual([g["kind"] for g in draft["goals"]], ["shared", "shared"])
        self.assertEqual(draft["activities"][0]["responsible"],
                         {"name": self.name(self.members[0])})

        # the follow-up meeting of version 1 to the leader and every member,
        # after the busy time
        self.sync()
        uid = self.conv().musFollowUpUID
        self.assertTrue(uid and uid != c.musICalUID)
        fu_start = datetime.datetime.strptime(self.conv().musFollowUpStart, "%Y%m%d%H%M%SZ")
        self.assertGreaterEqual(fu_start.replace(tzinfo=datetime.timezone.utc),
                                day + datetime.timedelta(days=6))
        for who in everybody:
            self.assertEqual(self.followups(who, uid),
                             [("REQUEST", 1, ["plan-v1.html", "plan-v1.txt"])], who)

        # one member declines with a comment: the leader gets it
        comment = "Vi mangler en aktivitet om dokumentation %d" % id(self)
        self.answer(uid, self.leader, 1)
        self.answer(uid, self.members[0], 1)
        self.answer(uid, self.members[1], 1, "DECLINED", comment, outcome="deferred")
        self.sync()
        declined = self.conv()
        self.assertEqual(declined.musStatus, "plan-requested")
        self.assertTrue(declined.e["musPlanDeclined"][0].lower().endswith(
            ("%s %s" % (self.members[1], comment)).lower()))
        told = wait_for("the comment in the leader's INBOX", lambda: [
            m for m in replymail.inbox(self.stack.imap(leader_mail))
            if comment in m.get_body(("plain",)).get_content()])
        self.assertEqual(len(told), 1)

        # the new version goes to everybody as an update
        extra = ("Aktivitet: Skriv vejledning til overvågningen\nType: nye opgaver\n"
                 "Ansvarlig: %s\nFrist: %s\n\n" if da else
                 "Activity: Skriv vejledning til overvågningen\nKind: new tasks\n"
                 "Responsible: %s\nDue: %s\n\n") % (self.mail(self.members[1]), dmy(self.due2))
        v2 = self.reply("SV: " + subject, self.plan_text(
            da, self.name(self.members[0]), extra))
        self.sync()
        self.assertIn("$Mus-plan-received", self.stack.organizer_flags(v2))
        self.assertEqual(self.conv().musPlanVersion, "2")
        self.sync()
        for who in everybody:
            self.assertEqual([(m, s) for m, s, _ in self.followups(who, uid)],
                             [("REQUEST", 1), ("REQUEST", 2)], who)

        # the approvals of version 1 do not count; all but one accept: nothing filed
        for who in everybody[:-1]:
            self.answer(uid, who, 2)
        self.sync()
        self.assertEqual(self.conv().musStatus, "plan-pending")
        self.assertEqual(self.stack.ldap_entries(self.stack["MUS_LDAP_BASE"],
                                                 "(&(objectClass=musPlan)(musConversationRef=%s))"
                                                 % ldap_escape(c.dn)), {})
        self.answer(uid, everybody[-1], 2)

        # the last member's entry is gone when the plan is filed: that is
        # logged, the others get theirs, and the conversation is approved
        gone = self.members[-1]
        present = self.members[:-1]
        self.stack.ldap_delete(gone)
        try:
            out = self.sync()
        finally:
            self.add_back(gone)
        self.assertIn("the employee's entry %s is gone" % gone.lower(), out.lower())
        final = self.conv()
        self.assertEqual(final.musStatus, "approved")
        approvals = {}
        for value in final.e["musPlanApproval"]:
            version, when, dn = value.split(" ", 2)
            if version == "2":
                approvals.setdefault(dn.lower(), when)

        # one plan per member, each with that member's approval
        filed = self.stack.ldap_entries(self.stack["MUS_LDAP_BASE"],
                                        "(&(objectClass=musPlan)(musConversationRef=%s))"
                                        % ldap_escape(c.dn))
        self.assertEqual(len(filed), len(present), sorted(filed))
        by_member = {e["musEmployee"][0].lower(): (dn, e) for dn, e in filed.items()}
        self.assertEqual(sorted(by_member), sorted(m.lower() for m in present))
        for who in present:
            dn, e = by_member[who.lower()]
            self.assertTrue(dn.lower().endswith(",ou=plans," + self.stack["MUS_LDAP_BASE"].lower()))
            self.assertEqual(e["musPlanVersion"], ["2"])
            self.assertEqual(sorted(e["musGoalShared"]),
                             sorted(g["text"] for g in json.loads(final.musPlanDraft)["goals"]))
            self.assertNotIn("musGoal", e)
            self.assertEqual(e["musApproverEmployee"][0].lower(), who.lower())
            self.assertEqual(e["musApprovedByEmployee"], [approvals[who.lower()]])
            self.assertEqual(e["musApproverLeader"][0].lower(), self.leader.lower())
            self.assertEqual(e["musApprovedByLeader"], [approvals[self.leader.lower()]])
            self.assertEqual(e["musRoundRef"][0].lower(), self.round_dn.lower())
            self.assertEqual(e["musFollowUp"][0][:4], str(self.follow_up.year))
            refs = self.stack.ldap_entries(who, "(objectClass=*)", "musPlanRef",
                                           scope="base")[who].get("musPlanRef", [])
            self.assertIn(dn.lower(), [r.lower() for r in refs])
            acts = self.stack.ldap_entries(dn, "(objectClass=musActivity)", scope="one")
            got = sorted((a["description"][0], a["musActivityKind"][0],
                          a.get("musResponsible", [""])[0].lower()) for a in acts.values())
            self.assertEqual(got, sorted([
                ("Kursus i fejlsøgning for hele teamet", "course", self.members[0].lower()),
                ("Fælles temadag om vagtskift", "new-tasks", self.leader.lower()),
                ("Skriv vejledning til overvågningen", "new-tasks", self.members[1].lower())]))

        # a sync more files nothing twice
        self.sync()
        self.assertEqual(len(self.stack.ldap_entries(
            self.stack["MUS_LDAP_BASE"], "(&(objectClass=musPlan)(musConversationRef=%s))"
            % ldap_escape(c.dn), "dn")), len(present))

        # each member reads their own plan, not another member's
        for who in self.members[:2]:
            self.stack.ldap_modify("dn: %s\nchangetype: modify\nreplace: userPassword\n"
                                   "userPassword: %s\n" % (who, PASSWORD))
        own, other = by_member[self.members[0].lower()][0], by_member[self.members[1].lower()][0]
        self.assertTrue(self.stack.readable(self.members[0], PASSWORD, own))
        self.assertFalse(self.stack.readable(self.members[0], PASSWORD, other))
        self.assertTrue(self.stack.readable(self.members[1], PASSWORD, other))
        self.assertFalse(self.stack.readable(self.members[1], PASSWORD, own))


if __name__ == "__main__":
    unittest.main()
