"""The development plan from a held conversation to a stored draft, on the
stack: a conversation both accepted is moved into the past (as the admin,
in LDAP); sync makes it held and mails the leader the plan form, once; the
leader's reply with a mistake is answered with the line, and nothing is
stored; the corrected reply (HTML only, as Outlook sends it) is stored as
musPlanDraft; `doveadm mus plan submit` refuses a bad JSON file with the
paths of its problems and stores a good one as the next version.

The leader is taken from a quarter into the sorted list of leaders whose
reports all have mail and lead nobody (test_two_hosts takes the middle of
the same list, the other files their ends), with the first of their
reports; the round's scope is just the two of them."""

import datetime
import json
import os
import smtplib
import tempfile
import unittest

import replymail
from mustest import Conv, Stack, dmy, ldap_escape, wait_for

PASSWORD = "plan-flow-reader"
ROUND = "MUS plan flow test"
WINDOW = ("2027-11-01", "2027-11-30")


class PlanFlowTest(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.stack = Stack()
        cls.people, by_manager = cls.stack.reports()

        leaders = cls.stack.team_leaders(cls.people, by_manager)
        cls.leader = leaders[len(leaders) // 4]
        cls.employee = sorted(by_manager[cls.leader])[0]
        # the employee's next manager, at the end
        cls.next_leader = leaders[len(leaders) // 4 + 1]
        cls.employee_before = cls.stack.ldap_entries(cls.employee, "(objectClass=*)",
                                                     scope="base")[cls.employee]
        flt = "(|(entryDN=%s)(entryDN=%s))" % (cls.leader, cls.employee)
        old = cls.stack.round_dn(ROUND)
        if old:
            cls.stack.ldap_delete(old)
        cls.stack.doveadm("mus", "round", "create", "--name", ROUND, "--kind", "MUS",
                          "--start", WINDOW[0], "--end", WINDOW[1], "--duration", "60",
                          "--workday", "0900-1500", "--scope-filter", flt)
        cls.round_dn = cls.stack.round_dn(ROUND)
        cls.tmp = tempfile.TemporaryDirectory()
        today = datetime.date.today()
        cls.due1 = today + datetime.timedelta(days=60)
        cls.due2 = today + datetime.timedelta(days=120)
        cls.follow_up = today + datetime.timedelta(days=200)

    @classmethod
    def tearDownClass(cls):
        cls.stack.ldap_delete(cls.round_dn)
        for dn in cls.stack.ldap_entries(cls.stack["MUS_LDAP_BASE"],
                                         "(&(objectClass=musPlan)(musEmployee=%s))"
                                         % ldap_escape(cls.employee), "dn"):
            cls.stack.ldap_delete(dn)
        before = cls.employee_before
        restore = "dn: %s\nchangetype: modify\nreplace: manager\n" % cls.employee
        restore += "".join("manager: %s\n" % m for m in before.get("manager", []))
        restore += "-\nreplace: musPlanRef\n-\nreplace: objectClass\n"
        restore += "".join("objectClass: %s\n" % o for o in before["objectClass"]) + "-\n"
        cls.stack.ldap_modify(restore)
        for who in (cls.employee, cls.leader, cls.next_leader):
            cls.stack.ldap_modify("dn: %s\nchangetype: modify\nreplace: userPassword\n" % who)
        cls.tmp.cleanup()

    # -- helpers

    def conv(self):
        convs = [Conv(d, e) for d, e in self.stack.conversations(self.round_dn, operational=True).items()]
        return next(c for c in convs if c.musEmployee.lower() == self.employee.lower())

    def mail(self, pdn):
        return self.people[pdn.lower()]["mail"][0]

    def send(self, msg):
        with smtplib.SMTP("127.0.0.1", int(self.stack["MUS_SMTP_PORT"]), timeout=10) as smtp:
            self.assertEqual(smtp.send_message(msg, to_addrs=[self.stack["MUS_ORGANIZER"]]), {})
        return msg["Message-ID"].strip("<>")

    def sync(self):
        return self.stack.doveadm("mus", "sync", "--round", ROUND)

    def reply(self, sender, subject, text=None, html=None):
        # a possible plan needs an answer: the delivery leaves it to sync
        return self.stack.mail_organizer(sender, subject, text, html)

    def submit(self, target, plan):
        path = os.path.join(self.tmp.name, "plan-%d.json" % len(os.listdir(self.tmp.name)))
        with open(path, "w") as f:
            f.write(plan if isinstance(plan, str) else json.dumps(plan))
        return self.stack.doveadm("mus", "plan", "submit", target, path, check=False)

    def plan_html(self):
        """The corrected plan as Outlook sends it: HTML only, labels in bold, the
        form quoted below its From:/Sent: block without '>'."""
        ps = ["<b>Fælles mål:</b>&nbsp;Enheden dokumenterer alle besøg samme dag.",
              "<b>Individuelt mål:</b> Kan bruge tablet-appen uden hjælp.",
              "<o:p>&nbsp;</o:p>",
              "<b>Aktivitet:</b> To halve dages kursus i tablet-appen",
              "<b>Type:</b> Kursus", "<b>Ansvarlig:</b> Leder",
              "<b>Frist:</b> %s" % dmy(self.due1),
              "<o:p>&nbsp;</o:p>",
              "<b>Aktivitet:</b> Følger en erfaren kollega på besøg i en måned<br>"
              "Type: læring i praksis<br>Ansvarlig: Rasmus Vang &lt;rasmus.vang@eksempel.test&gt;"
              "<br>Frist: %s" % dmy(self.due2),
              "<o:p>&nbsp;</o:p>",
              "Opfølgning: %s" % dmy(self.follow_up)]
        body = "".join('<p class="MsoNormal">%s<o:p></o:p></p>\n' % p for p in ps)
        quote = ('<div style="border:none;border-top:solid #E1E1E1 1.0pt">'
                 '<p class="MsoNormal"><b>Fra:</b> MUS &lt;%s&gt;<br><b>Sendt:</b> i går<br>'
                 '<b>Emne:</b> Udviklingsplan</p></div>\n'
                 '<p class="MsoNormal">Aktivitet:</p><p class="MsoNormal">Type: foredrag</p>'
                 % self.stack["MUS_ORGANIZER"])
        return ('<html xmlns:o="urn:schemas-microsoft-com:office:office"><head>'
                '<meta http-equiv="Content-Type" content="text/html; charset=utf-8"></head>'
                '<body lang="DA"><div class="WordSection1">\n%s%s</div></body></html>'
                % (body, quote))

    # -- the flow, in order

    def test_flow(self):
        self.sync()
        c = self.conv()
        self.assertEqual(c.musStatus, "invited", c.e)
        ref = c.musICalUID[:8]
        leader_mail, employee_mail = self.mail(self.leader), self.mail(self.employee)

        # both accept
        for who in (self.employee, self.leader):
            ics = replymail.itip("REPLY", c.musICalUID, self.mail(who), "ACCEPTED", int(c.musSequence))
            mid = self.send(replymail.message(self.stack["MUS_ORGANIZER"], self.mail(who),
                                              "Accepted: MUS", ics, "REPLY"))
            self.stack.wait_delivery_log(mid, "applied")
        self.assertEqual(self.conv().musStatus, "accepted")

        # the conversation took place the day before yesterday
        self.stack.move_to_past(c.dn, days=2)
        res = self.sync()
        after = self.conv()
        self.assertEqual(after.musStatus, "plan-requested", res.stdout + res.stderr)
        self.assertTrue(after.e.get("musPlanRequested"), after.e)
        self.assertNotIn("musPlanDraft", after.e)
        # the accepts are kept; no new invitation went out
        self.assertEqual(after.musSequence, c.musSequence)
        forms = wait_for("the plan form", lambda: self.stack.notices(leader_mail, ref), timeout=15)
        self.assertEqual(len(forms), 1, [str(m["Subject"]) for m in forms])
        form = forms[0]
        subject = str(form["Subject"])
        self.assertIn(self.people[self.employee.lower()]["cn"][0], subject)
        text = form.get_body(("plain",)).get_content()
        self.assertIn("Aktivitet:" if subject.startswith("Udviklingsplan") else "Activity:", text)
        self.assertNotRegex(text, r"\{[a-z_]+\}")
        # written by us on our own, no answer to a mail (RFC 3834)
        self.assertEqual(form["Auto-Submitted"], "auto-generated")
        self.assertEqual(self.stack.notices(employee_mail, ref), [])

        # a second sync sends no second form
        self.sync()
        self.assertEqual(len(self.stack.notices(leader_mail, ref)), 1)
        self.assertEqual(self.conv().musStatus, "plan-requested")

        # a reply with a mistake on line 7: answered with that line, nothing stored
        bad = ("Hej\n\nFælles mål: Enheden dokumenterer alle besøg samme dag.\n"
               "Individuelt mål: Kan bruge tablet-appen uden hjælp.\n\n"
               "Aktivitet: To halve dages kursus i tablet-appen\n"
               "Type: jonglering\nAnsvarlig: leder\nFrist: %s\n\nOpfølgning: %s\n"
               % (dmy(self.due1), dmy(self.follow_up)))
        csn = self.conv().entryCSN
        refused = self.reply(leader_mail, "SV: " + subject, text=bad)
        self.sync()
        self.assertIn("$Mus-plan-refused", self.stack.organizer_flags(refused))
        answers = wait_for("the answer", lambda: [m for m in self.stack.notices(leader_mail, ref)
                                                   if m["Message-ID"] != form["Message-ID"]])
        self.assertEqual(len(answers), 1)
        # an answer to the leader's mail, with one reply prefix
        self.assertEqual(answers[0]["Auto-Submitted"], "auto-replied")
        self.assertEqual(str(answers[0]["Subject"]),
                         ("SV: " if subject.startswith("Udviklingsplan") else "Re: ") + subject)
        # threaded with it
        self.assertEqual(answers[0]["In-Reply-To"], "<%s>" % refused)
        self.assertEqual(answers[0]["References"], "<%s>" % refused)
        answer = answers[0].get_body(("plain",)).get_content()
        self.assertRegex(answer, r"(linje|line) 7 \(Type: jonglering\)")
        now = self.conv()
        self.assertEqual(now.entryCSN, csn)
        self.assertEqual(now.musStatus, "plan-requested")
        self.assertNotIn("musPlanDraft", now.e)

        # the same plan from the employee changes nothing
        html = self.plan_html()
        spoofed = self.reply(employee_mail, "SV: " + subject, html=html)
        self.sync()
        self.assertIn("$Mus-sender-mismatch", self.stack.organizer_flags(spoofed))
        self.assertEqual(self.conv().entryCSN, csn)

        # the corrected reply from the leader, HTML only
        good = self.reply(leader_mail, "SV: " + subject, html=html)
        self.sync()
        self.assertIn("$Mus-plan-received", self.stack.organizer_flags(good))
        stored = self.conv()
        self.assertEqual(stored.musStatus, "plan-pending")
        self.assertEqual(stored.musPlanVersion, "1")
        draft = json.loads(stored.musPlanDraft)
        self.assertEqual(draft, {
            "goals": [{"kind": "shared", "text": "Enheden dokumenterer alle besøg samme dag."},
                      {"kind": "individual", "text": "Kan bruge tablet-appen uden hjælp."}],
            "activities": [
                {"description": "To halve dages kursus i tablet-appen", "kind": "course",
                 "responsible": "leader", "due": self.due1.isoformat()},
                {"description": "Følger en erfaren kollega på besøg i en måned",
                 "kind": "practice",
                 "responsible": {"name": "Rasmus Vang", "mail": "rasmus.vang@eksempel.test"},
                 "due": self.due2.isoformat()}],
            "follow_up": self.follow_up.isoformat()})

        # the same plan again is no new version (in effect already: applied)
        again = self.reply(leader_mail, "SV: " + subject, html=html)
        self.sync()
        self.assertIn("$Mus-applied", self.stack.organizer_flags(again))
        self.assertEqual(self.conv().entryCSN, stored.entryCSN)

        # doveadm mus plan submit: a bad file names the JSON paths, stores nothing
        res = self.submit(ref, {"goals": [], "activities": [
            {"description": "Kursus", "kind": "course", "responsible": "boss",
             "due": "2027-02-30"}], "follow_up": self.follow_up.isoformat()})
        self.assertEqual(res.returncode, 65, res.stderr)
        self.assertIn("activities[0].due", res.stderr)
        self.assertIn("activities[0].responsible", res.stderr)
        self.assertEqual(self.conv().entryCSN, stored.entryCSN)

        # a DN that is no conversation's (the round's, the leader's) is named so
        for dn in (self.round_dn, c.musLeader):
            res = self.submit(dn, {"goals": []})
            self.assertNotEqual(res.returncode, 0)
            self.assertIn("no conversation has the DN", res.stderr)

        # a good one is the next version, by the conversation's DN
        plan = {"goals": [{"kind": "individual", "text": "Kan vejlede nye kolleger i appen."}],
                "activities": [{"description": "Mentor for to nye kolleger", "kind": "mentoring",
                                "responsible": "employee", "due": self.due2.isoformat()}],
                "follow_up": self.follow_up.isoformat()}
        res = self.submit(c.dn, plan)
        self.assertEqual(res.returncode, 0, res.stderr)
        self.assertRegex(res.stdout, r"\b2\b")
        v2 = self.conv()
        self.assertEqual(v2.musPlanVersion, "2")
        self.assertEqual(v2.musStatus, "plan-pending")
        self.assertEqual(json.loads(v2.musPlanDraft), plan)

        # status counts the conversation and the organizer's messages
        rows = self.stack.doveadm_json("mus", "status")
        self.assertIn({"type": "round-status", "subject": self.round_dn, "count": "1",
                       "detail": "plan-pending"}, rows)
        outcomes = {r["detail"] for r in rows if r["type"] == "mailbox"}
        self.assertTrue({"plan-received", "plan-refused", "sender-mismatch"} <= outcomes, outcomes)

        # the rest of the conversation's life: the follow-up meeting went to
        # both once for each version (an update for version 2); both accept
        # version 2 by mail; the plan is filed
        self.sync()
        self.sync()
        uid = self.conv().musFollowUpUID
        self.assertTrue(uid and uid != c.musICalUID)
        for who in (self.leader, self.employee):
            got = [(m, s) for _, m, s, _ in replymail.calendars(
                replymail.inbox(self.stack.imap(self.mail(who))), uid)]
            self.assertEqual(sorted(got), [("REQUEST", 1), ("REQUEST", 2)], who)
            ics = replymail.itip("REPLY", uid, self.mail(who), "ACCEPTED", 2)
            msg = replymail.message(self.stack["MUS_ORGANIZER"], self.mail(who),
                                    "Accepteret: opfølgning", ics, "REPLY")
            self.stack.wait_delivery_log(replymail.submit(self.stack, msg), "applied")
        self.sync()
        self.assertEqual(self.conv().musStatus, "approved")
        filed = self.stack.ldap_entries(self.stack["MUS_LDAP_BASE"],
                                        "(&(objectClass=musPlan)(musConversationRef=%s))"
                                        % ldap_escape(c.dn))
        self.assertEqual(len(filed), 1, filed)
        ((plan_dn, entry),) = filed.items()
        self.assertEqual(entry["musPlanVersion"], ["2"])
        self.assertEqual(entry["musGoal"], [plan["goals"][0]["text"]])
        self.assertEqual([d.lower() for d in entry["musEmployee"]], [self.employee.lower()])
        acts = self.stack.ldap_entries(plan_dn, "(objectClass=musActivity)", scope="one")
        self.assertEqual([(a["description"], a["musActivityKind"],
                           [d.lower() for d in a["musResponsible"]]) for a in acts.values()],
                         [([plan["activities"][0]["description"]], ["mentoring"],
                           [self.employee.lower()])])

        # who reads the filed plan: the employee and the current manager; after a
        # change of manager the new one, and no longer the old one
        for who in (self.employee, self.leader, self.next_leader):
            self.stack.ldap_modify("dn: %s\nchangetype: modify\nreplace: userPassword\n"
                                   "userPassword: %s\n" % (who, PASSWORD))
        self.assertTrue(self.stack.readable(self.employee, PASSWORD, plan_dn))
        self.assertTrue(self.stack.readable(self.leader, PASSWORD, plan_dn))
        self.assertFalse(self.stack.readable(self.next_leader, PASSWORD, plan_dn))
        self.stack.ldap_modify("dn: %s\nchangetype: modify\nreplace: manager\nmanager: %s\n"
                               % (self.employee, self.next_leader))
        self.assertTrue(self.stack.readable(self.next_leader, PASSWORD, plan_dn))
        self.assertFalse(self.stack.readable(self.leader, PASSWORD, plan_dn))
        self.assertTrue(self.stack.readable(self.employee, PASSWORD, plan_dn))

        # an approved conversation takes no plan, by mail or by doveadm
        res = self.submit(c.musICalUID, plan)
        self.assertEqual(res.returncode, 65, res.stderr)
        late = self.reply(leader_mail, "SV: " + subject, html=html)
        self.sync()
        self.assertIn("$Mus-stale", self.stack.organizer_flags(late))
        self.assertEqual(self.conv().musPlanVersion, "2")


if __name__ == "__main__":
    unittest.main()
