"""Follow-up of approved plans on the stack: plans and activities are filed
in LDAP as admin (as the filer does), `doveadm mus sync` mails exactly one
reminder per due activity to its responsible person and one per party
before the follow-up meeting, a second sync mails none, and `doveadm mus
status` counts the overdue activities per unit and leader as the directory
holds them. `doveadm mus purge` removes exactly the plans and the
conversations of closed rounds past retention, children first, and a dry
run only lists them.

The people are kirsten.boegh (Plejecenter Solhøj) and her reports with a
mail address: no other test file uses this leader (grethe.juhl, in her
team without mail, keeps her out of test_two_hosts)."""

import datetime
import email
import email.header
import email.policy
import email.utils
import json
import smtplib
import unittest
from email.message import EmailMessage
from zoneinfo import ZoneInfo

import replymail
from mustest import Stack, wait_for

PEOPLE_RDN = "ou=people"
LEADER_UID = "kirsten.boegh"
MARK = "followup-test"
DAY = datetime.timedelta(days=1)


def gt(dt):
    return dt.astimezone(datetime.timezone.utc).strftime("%Y%m%d%H%M%SZ")


class FollowupTest(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.stack = Stack()
        base = cls.stack["MUS_LDAP_BASE"]
        cls.people_base = "%s,%s" % (PEOPLE_RDN, base)
        cls.plan_base = "ou=plans," + base
        people, by_manager = cls.stack.reports()
        cls.people = people
        cls.leader = "uid=%s,%s" % (LEADER_UID, cls.people_base)
        reports = sorted(d for d in by_manager[cls.leader.lower()]
                         if people[d].get("mail"))
        cls.e1, cls.e2, cls.e3 = reports[:3]
        cls.cleanup()
        now = datetime.datetime.now(datetime.timezone.utc)
        cls.now = now
        # plan 1 under the employee: approved, follow-up in 10 days
        cls.p1 = "cn=%s-1,%s" % (MARK, cls.e1)
        # plan 2 under mus_plan_base: approved, no follow-up date
        cls.p2 = "cn=%s-2,%s" % (MARK, cls.plan_base)
        # plan 3: not approved by the leader yet: no reminders at all
        cls.p3 = "cn=%s-3,%s" % (MARK, cls.e3)
        # the two copies of a team plan
        cls.p5 = "cn=%s-5,%s" % (MARK, cls.e1)
        cls.p6 = "cn=%s-6,%s" % (MARK, cls.e2)
        cls.team_conv = "cn=%s-team,cn=%s-round,ou=rounds,%s" % (MARK, MARK, base)
        records = [
            cls.plan(cls.p1, cls.e1, True, now + 10 * DAY),
            cls.activity(cls.p1, "a1", "Kursus i palliativ pleje", "course",
                         now + 5 * DAY, responsible=cls.leader),
            cls.activity(cls.p1, "a2", "Sidemandsoplæring i medicinhåndtering",
                         "practice", now - 40 * DAY, responsible=cls.e1),
            cls.activity(cls.p1, "a3", "Tilmelding til diplomuddannelse", "education",
                         now + 3 * DAY,
                         name="Kursussekretariatet <%s>" % cls.mail(cls.e2)),
            cls.activity(cls.p1, "a4", "Supervision", "supervision", now - 5 * DAY,
                         responsible=cls.e1, status="done"),
            cls.activity(cls.p1, "a5", "Mentorordning", "mentoring", now + 100 * DAY,
                         responsible=cls.e1),
            # someone the plan names without an address: the leader is
            # reminded instead
            cls.activity(cls.p1, "a6", "Kursus hos AMU Syd", "course", now + 6 * DAY,
                         name="Jens Berg"),
            cls.plan(cls.p2, cls.e2, True, None),
            cls.activity(cls.p2, "b1", "Nye opgaver i aftenvagten", "new-tasks",
                         now - 2 * DAY, responsible=cls.e2),
            cls.plan(cls.p3, cls.e3, False, now + 3 * DAY),
            cls.activity(cls.p3, "c1", "Kursus i forflytning", "course", now + DAY,
                         responsible=cls.e3),
            # a team plan, filed as one copy per member (e1, e2) sharing the
            # conversation: the leader, e3 (responsible for t2) and the
            # leader's follow-up reminder come once for both copies
            cls.plan(cls.p5, cls.e1, True, now + 8 * DAY, team=cls.team_conv),
            cls.activity(cls.p5, "t1", "Fælles kursus i dokumentation", "course",
                         now + 4 * DAY, responsible=cls.leader),
            cls.activity(cls.p5, "t2", "Teamets sparring om nattevagter", "supervision",
                         now + 2 * DAY, responsible=cls.e3),
            cls.plan(cls.p6, cls.e2, True, now + 8 * DAY, team=cls.team_conv),
            cls.activity(cls.p6, "t1", "Fælles kursus i dokumentation", "course",
                         now + 4 * DAY, responsible=cls.leader),
            cls.activity(cls.p6, "t2", "Teamets sparring om nattevagter", "supervision",
                         now + 2 * DAY, responsible=cls.e3),
            # an activity that belongs to no plan: no reminder, not overdue
            cls.activity(cls.e3, "%s-orphan" % MARK, "Uden plan", "course", now - DAY,
                         responsible=cls.e3),
        ]
        # past retention (5 years): an old plan under the employee and one
        # under mus_plan_base named by musPlanRef, and the conversations of
        # a closed round; kept: a draft round's old conversation
        long_ago = now - 6 * 365 * DAY
        cls.old1 = "cn=%s-old1,%s" % (MARK, cls.e3)
        cls.old2 = "cn=%s-old2,%s" % (MARK, cls.plan_base)
        cls.closed = "cn=%s closed,ou=rounds,%s" % (MARK, base)
        cls.draft = "cn=%s draft,ou=rounds,%s" % (MARK, base)
        records += [
            cls.plan(cls.old1, cls.e3, True, long_ago),
            cls.activity(cls.old1, "o1", "Gammelt kursus", "course", long_ago - 30 * DAY),
            cls.activity(cls.old1, "o2", "Gammel supervision", "supervision",
                         long_ago - 60 * DAY, status="done"),
            cls.plan(cls.old2, cls.e2, True, long_ago),
            "dn: %s\nchangetype: modify\nadd: objectClass\nobjectClass: musPerson\n"
            "-\nadd: musPlanRef\nmusPlanRef: %s\n" % (cls.e2, cls.old2),
            cls.round(cls.closed, "closed", long_ago),
            cls.conversation(cls.closed, "c-old", cls.e1, long_ago - 100 * DAY),
            cls.conversation(cls.closed, "c-noend", cls.e2, None),
            cls.round(cls.draft, "draft", long_ago),
            cls.conversation(cls.draft, "d-old", cls.e3, long_ago - 100 * DAY),
        ]
        cls.stack.ldap_modify("\n".join(records))
        cls.uuid, cls.team_uuid = {}, {}
        for base in (cls.people_base, cls.plan_base):
            for dn, e in cls.stack.ldap_entries(base, "(objectClass=musActivity)",
                                                "cn", "entryUUID").items():
                if "%s-5," % MARK in dn or "%s-6," % MARK in dn:
                    cls.team_uuid.setdefault(e["cn"][0], []).append(e["entryUUID"][0])
                elif MARK in dn:
                    cls.uuid[e["cn"][0]] = e["entryUUID"][0]
        cls.sync1 = cls.stack.doveadm("mus", "sync")

    @classmethod
    def plan(cls, dn, employee, approved, follow_up, team=None):
        lines = ["dn: " + dn, "changetype: add", "objectClass: musPlan",
                 "cn: " + dn.split(",")[0][3:], "musEmployee: " + employee,
                 "musLeader: " + cls.leader, "musPlanVersion: 1",
                 "musGoal: Styrke den palliative indsats",
                 "musApprovedByEmployee: " + gt(cls.now - 60 * DAY)]
        if team is not None:
            lines.append("musConversationRef: " + team)
        if approved:
            lines.append("musApprovedByLeader: " + gt(cls.now - 60 * DAY))
        if follow_up is not None:
            lines.append("musFollowUp: " + gt(follow_up))
        return "\n".join(lines) + "\n"

    @classmethod
    def activity(cls, plan, cn, description, kind, due, responsible=None, name=None,
                 status="planned"):
        lines = ["dn: cn=%s,%s" % (cn, plan), "changetype: add",
                 "objectClass: musActivity", "cn: " + cn, "description: " + description,
                 "musActivityKind: " + kind, "musDue: " + gt(due),
                 "musActivityStatus: " + status]
        if responsible:
            lines.append("musResponsible: " + responsible)
        if name:
            lines.append("musResponsibleName: " + name)
        return "\n".join(lines) + "\n"

    @classmethod
    def round(cls, dn, state, window_end):
        return "\n".join([
            "dn: " + dn, "changetype: add", "objectClass: musRound",
            "cn: " + dn.split(",")[0][3:], "musKind: MUS", "musState: " + state,
            "musWindowStart: " + gt(window_end - 60 * DAY),
            "musWindowEnd: " + gt(window_end), "musDuration: 60",
            "musScopeFilter: (description=%s)" % MARK]) + "\n"

    @classmethod
    def conversation(cls, round_dn, cn, employee, end):
        lines = ["dn: cn=%s,%s" % (cn, round_dn), "changetype: add",
                 "objectClass: musConversation", "cn: " + cn, "musEmployee: " + employee,
                 "musLeader: " + cls.leader, "musStatus: held"]
        if end is not None:
            lines += ["musStart: " + gt(end - datetime.timedelta(hours=1)), "musEnd: " + gt(end)]
        return "\n".join(lines) + "\n"

    @classmethod
    def mail(cls, dn):
        return cls.people[dn.lower()]["mail"][0].lower()

    @classmethod
    def cleanup(cls):
        base = cls.stack["MUS_LDAP_BASE"]
        cls.stack.ldap_delete("cn=%s-orphan,%s" % (MARK, cls.e3))
        for name in ("closed", "draft"):
            cls.stack.ldap_delete("cn=%s %s,ou=rounds,%s" % (MARK, name, base))
        refs = cls.stack.ldap_entries(cls.people_base, "(musPlanRef=*)", "musPlanRef")
        for dn, e in refs.items():
            for ref in e["musPlanRef"]:
                if MARK in ref:
                    cls.stack.ldap_modify("dn: %s\nchangetype: modify\ndelete: musPlanRef\n"
                                          "musPlanRef: %s\n" % (dn, ref))
        for base in (cls.people_base, cls.plan_base):
            for dn in cls.stack.ldap_entries(base, "(&(objectClass=musPlan)(cn=%s-*))" % MARK,
                                             "cn"):
                cls.stack.ldap_delete(dn)

    @classmethod
    def tearDownClass(cls):
        cls.cleanup()

    def inbox(self, dn):
        """Every message in the INBOX of the person dn, parsed."""
        return [email.message_from_bytes(raw, policy=email.policy.default)
                for raw in replymail.raw_inbox(self.stack.imap(self.mail(dn)))]

    def subjects(self, dn):
        """The decoded subjects of every message in the INBOX of the person dn."""
        return [str(m["Subject"] or "") for m in self.inbox(dn)]

    def message(self, dn, needle):
        """The one message in the INBOX of dn whose subject holds needle."""
        found = [m for m in self.inbox(dn) if needle in str(m["Subject"] or "")]
        self.assertEqual(len(found), 1, needle)
        return found[0]

    def meeting(self, employee, days):
        """What the subject of the reminder of the follow-up meeting of employee's
        plan, due in so many days, holds: the employee's name and the date."""
        day = (self.now + days * DAY).astimezone(ZoneInfo("Europe/Copenhagen"))
        return "for %s den %s" % (self.people[employee.lower()]["cn"][0],
                                  day.strftime("%Y-%m-%d"))

    def reminders(self):
        """For each person of the test: how many messages name each activity's
        reference, and how many are follow-up reminders of plan 1 and plan 3."""
        out = {}
        for dn in (self.leader, self.e1, self.e2, self.e3):
            subjects = self.subjects(dn)
            counts = {cn: sum(1 for s in subjects if "[%s]" % uuid in s)
                      for cn, uuid in self.uuid.items()}
            counts["meeting-1"] = sum(1 for s in subjects if self.meeting(self.e1, 10) in s)
            counts["meeting-3"] = sum(1 for s in subjects if self.meeting(self.e3, 3) in s)
            for cn, uuids in self.team_uuid.items():
                counts["team-" + cn] = sum(1 for s in subjects
                                           if any("[%s]" % u in s for u in uuids))
            # a team plan's names every member
            names = [self.people[e.lower()]["cn"][0] for e in (self.e1, self.e2)]
            counts["team-meeting"] = sum(
                1 for s in subjects
                if s.endswith(self.meeting(self.e1, 8)[len("for %s" % names[0]):]) and
                all(n in s for n in names) and " og " in s)
            out[dn] = {k: v for k, v in counts.items() if v}
        return out

    def expected(self):
        return {self.leader: {"a1": 1, "a6": 1, "meeting-1": 1, "team-t1": 1,
                              "team-meeting": 1},
                self.e1: {"a2": 1, "meeting-1": 1, "team-meeting": 1},
                self.e2: {"a3": 1, "b1": 1, "team-meeting": 1},
                self.e3: {"team-t2": 1}}

    def wait_reminders(self):
        want = self.expected()
        wait_for("the reminders in the mailboxes",
                 lambda: self.reminders() == want, timeout=30, interval=0.3)

    def test_1_one_reminder_per_due_activity_and_party(self):
        self.assertEqual(len(self.uuid), 11, self.uuid)
        self.wait_reminders()
        self.assertEqual(self.reminders(), self.expected())
        # the reminder names the activity, its due date, the plan and how
        # to mark it done, in the person's language (da: the stack's default)
        msg = self.message(self.leader, "[%s]" % self.uuid["a1"])
        body = msg.get_body(("plain",)).get_content()
        due = (self.now + 5 * DAY).astimezone(
            ZoneInfo("Europe/Copenhagen")).strftime("%Y-%m-%d")
        self.assertIn("Kursus i palliativ pleje", str(msg["Subject"]))
        for text in ("Kursus i palliativ pleje (kursus)", due,
                     self.people[self.e1.lower()]["cn"][0],
                     "Udført [%s]" % self.uuid["a1"], self.stack["MUS_ORGANIZER"]):
            self.assertIn(text, body)
        # no names of directory entries
        self.assertNotIn(MARK, body + str(msg["Subject"]))
        # the leader is asked to pass on the reminder of someone without
        # an address
        other = self.message(self.leader, "[%s]" % self.uuid["a6"]).get_body(
            ("plain",)).get_content()
        for text in ("Jens Berg er ansvarlig", "ingen mailadresse", "Kursus hos AMU Syd",
                     "Giv gerne Jens Berg besked", "Udført [%s]" % self.uuid["a6"]):
            self.assertIn(text, other)
        self.assertEqual(msg["From"].addresses[0].addr_spec, self.stack["MUS_ORGANIZER"])
        # reminders are written by us on our own, no answers (RFC 3834)
        self.assertEqual(msg["Auto-Submitted"], "auto-generated")
        self.assertEqual(self.message(self.e1, self.meeting(self.e1, 10))["Auto-Submitted"],
                         "auto-generated")
        meeting = self.message(self.e1, self.meeting(self.e1, 10)).get_body(
            ("plain",)).get_content()
        self.assertIn("Sidemandsoplæring i medicinhåndtering", meeting)
        # each open activity with the subject that marks it done
        self.assertIn("Udført [%s]" % self.uuid["a2"], meeting)
        self.assertNotIn("Supervision", meeting)
        self.assertNotIn(MARK, meeting)
        # the sync logs each reminder with the activity and the address
        for cn, plan, to in (("a1", self.p1, self.leader), ("a2", self.p1, self.e1),
                             ("a3", self.p1, self.e2), ("a6", self.p1, self.leader),
                             ("b1", self.p2, self.e2)):
            self.assertIn("activity cn=%s,%s: reminded %s" % (cn, plan, self.mail(to)),
                          self.sync1.stderr)

    def test_2_each_reminder_is_recorded(self):
        acts = {}
        for base in (self.people_base, self.plan_base):
            for dn, e in self.stack.ldap_entries(base, "(objectClass=musActivity)").items():
                if MARK in dn and not any("%s-%d," % (MARK, n) in dn for n in (5, 6)):
                    acts[e["cn"][0]] = e
        reminded = {cn for cn, e in acts.items() if "musReminded" in e}
        self.assertEqual(reminded, {"a1", "a2", "a3", "a6", "b1"})
        # a team plan's activity is recorded on the one copy it was sent for
        for cn in ("t1", "t2"):
            copies = [e for p in (self.p5, self.p6) for e in self.stack.ldap_entries(
                "cn=%s,%s" % (cn, p), "(objectClass=*)", "musReminded", scope="base").values()]
            self.assertEqual(sum(1 for e in copies if "musReminded" in e), 1, cn)
        team = [{d.lower() for d in e.get("musRemindedTo", [])}
                for p in (self.p5, self.p6)
                for e in self.stack.ldap_entries(p, "(objectClass=*)", "musRemindedTo",
                                                 scope="base").values()]
        self.assertEqual(sum(1 for r in team if self.leader.lower() in r), 1)
        self.assertEqual([self.e1.lower() in team[0], self.e2.lower() in team[1]],
                         [True, True])
        for cn in reminded:
            when = datetime.datetime.strptime(acts[cn]["musReminded"][0], "%Y%m%d%H%M%SZ")
            self.assertLess(abs(when.replace(tzinfo=datetime.timezone.utc) - self.now),
                            datetime.timedelta(minutes=5))
        p1 = self.stack.ldap_entries(self.p1, "(objectClass=*)", "musRemindedTo", scope="base")
        self.assertEqual({d.lower() for d in p1[self.p1]["musRemindedTo"]},
                         {self.leader.lower(), self.e1.lower()})
        p3 = self.stack.ldap_entries(self.p3, "(objectClass=*)", "musRemindedTo", scope="base")
        self.assertNotIn("musRemindedTo", p3[self.p3])

    def test_3_a_second_sync_sends_nothing(self):
        self.wait_reminders()
        self.stack.doveadm("mus", "sync")
        # the Postfix queue of this stack delivers within a second or two
        with self.assertRaises(AssertionError):
            wait_for("a second reminder", lambda: self.reminders() != self.expected(),
                     timeout=5, interval=0.5)

    def test_4_status_counts_overdue_activities(self):
        status = self.stack.doveadm_json("mus", "status")
        rows = {(r["type"], r["subject"]): r for r in status if r["type"].startswith("overdue")}
        # what the directory holds: activities of approved plans whose due
        # day (in Copenhagen) is over, not done
        tz = ZoneInfo("Europe/Copenhagen")
        today = datetime.datetime.now(tz).date()

        def due_day_over(value):
            due = datetime.datetime.strptime(value, "%Y%m%d%H%M%SZ").replace(
                tzinfo=datetime.timezone.utc)
            return due.astimezone(tz).date() < today
        by_unit, by_leader, overdue = {}, {}, set()
        for base in (self.people_base, self.plan_base):
            plans = self.stack.ldap_entries(
                base, "(&(objectClass=musPlan)(musApprovedByEmployee=*)(musApprovedByLeader=*))")
            for pdn, plan in plans.items():
                employee = self.people[plan["musEmployee"][0].lower()]
                acts = self.stack.ldap_entries(pdn, "(objectClass=musActivity)", scope="one")
                for adn, a in acts.items():
                    if (due_day_over(a.get("musDue", ["99991231000000Z"])[0]) and
                            a.get("musActivityStatus", [""])[0].lower() != "done"):
                        overdue.add(adn.lower())
                        unit = employee["ou"][0]
                        by_unit[unit] = by_unit.get(unit, 0) + 1
                        leader = employee["manager"][0]
                        by_leader[leader] = by_leader.get(leader, 0) + 1
        self.assertEqual(int(rows[("overdue", "total")]["count"]), len(overdue))
        self.assertGreaterEqual(len(overdue), 2)
        self.assertEqual({s: int(r["count"]) for (t, s), r in rows.items() if t == "overdue-unit"},
                         by_unit)
        self.assertEqual({s.lower(): int(r["count"]) for (t, s), r in rows.items()
                          if t == "overdue-leader"},
                         {k.lower(): v for k, v in by_leader.items()})
        self.assertEqual({s.lower() for (t, s) in rows if t == "overdue-activity"}, overdue)

    def send(self, sender_dn, subject, text="Hermed besked.\n"):
        msg = EmailMessage()
        msg["From"] = self.mail(sender_dn)
        msg["To"] = self.stack["MUS_ORGANIZER"]
        msg["Subject"] = subject
        msg["Message-ID"] = email.utils.make_msgid(domain="eksempel.test")
        msg["Date"] = email.utils.formatdate()
        msg.set_content(text)
        with smtplib.SMTP("127.0.0.1", int(self.stack["MUS_SMTP_PORT"]), timeout=10) as smtp:
            smtp.send_message(msg)
        wait_for("delivery of %s" % msg["Message-ID"],
                 lambda: self.stack.organizer_flags(msg["Message-ID"].strip("<>")) is not None,
                 timeout=20, interval=0.2)
        return msg["Message-ID"].strip("<>")

    def activity_entry(self, plan, cn):
        dn = "cn=%s,%s" % (cn, plan)
        return self.stack.ldap_entries(dn, "(objectClass=*)", scope="base")[dn]

    def test_5_a_done_mail_from_the_employee_marks_the_activity_done(self):
        self.assertEqual(self.activity_entry(self.p1, "a2")["musActivityStatus"], ["planned"])
        msgid = self.send(self.e1, "SV: Udført [%s]" % self.uuid["a2"])
        self.stack.doveadm("mus", "sync")
        a2 = self.activity_entry(self.p1, "a2")
        self.assertEqual(a2["musActivityStatus"], ["done"])
        self.assertIn("musDoneAt", a2)
        self.assertIn("$Mus-applied", self.stack.organizer_flags(msgid))
        # the leader's activity is untouched
        self.assertEqual(self.activity_entry(self.p1, "a1")["musActivityStatus"], ["planned"])

    def test_5b_a_reply_to_the_reminder_says_it_in_its_first_line(self):
        # e2's reminder of a3; the subject keeps the activity and the word
        reminder = str(self.message(self.e2, "[%s]" % self.uuid["a3"])["Subject"])
        subject = "SV: %s" % reminder
        not_yet = self.send(self.e2, subject, "Ikke udført endnu: tilmeldingen åbner i maj.\n")
        self.stack.doveadm("mus", "sync")
        self.assertEqual(self.activity_entry(self.p1, "a3")["musActivityStatus"], ["planned"])
        self.assertNotIn("$Mus-applied", self.stack.organizer_flags(not_yet))
        done = self.send(self.e2, subject, "Udført - jeg er optaget.\n\nHilsen\n\n"
                         "-----Original Message-----\n%s\n" % reminder)
        self.stack.doveadm("mus", "sync")
        self.assertEqual(self.activity_entry(self.p1, "a3")["musActivityStatus"], ["done"])
        self.assertIn("$Mus-applied", self.stack.organizer_flags(done))

    def test_6_a_done_mail_from_someone_else_is_refused_and_answered(self):
        msgid = self.send(self.e3, "Done [%s]" % self.uuid["a5"])
        self.stack.doveadm("mus", "sync")
        self.assertEqual(self.activity_entry(self.p1, "a5")["musActivityStatus"], ["planned"])
        self.assertIn("$Mus-party-crasher", self.stack.organizer_flags(msgid))
        answers = wait_for("the answer to %s" % self.mail(self.e3),
                           lambda: [m for m in self.inbox(self.e3)
                                    if "Done [%s]" % self.uuid["a5"] in str(m["Subject"])
                                    and str(m["Subject"]).startswith("SV:")],
                           timeout=20, interval=0.3)
        # an answer to the sender's mail (RFC 3834)
        self.assertEqual([m["Auto-Submitted"] for m in answers], ["auto-replied"])
        # that says why, but not whose activity it is
        text = answers[0].get_body(("plain",)).get_content()
        self.assertIn("din adresse er ikke medarbejderens", text)
        for secret in (self.p1, self.e1.split(",")[0], self.leader.split(",")[0]):
            self.assertNotIn(secret, text)

    def test_6b_the_answer_is_in_the_senders_language(self):
        self.stack.ldap_modify("dn: %s\nchangetype: modify\nreplace: preferredLanguage\n"
                               "preferredLanguage: en\n" % self.e3)
        self.addCleanup(self.stack.ldap_modify, "dn: %s\nchangetype: modify\n"
                        "delete: preferredLanguage\n" % self.e3)
        self.send(self.e3, "Done [%s] again" % self.uuid["a5"])
        self.stack.doveadm("mus", "sync")
        answers = wait_for("the English answer to %s" % self.mail(self.e3),
                           lambda: [m for m in self.inbox(self.e3)
                                    if "Done [%s] again" % self.uuid["a5"] in str(m["Subject"])],
                           timeout=20, interval=0.3)
        self.assertTrue(str(answers[0]["Subject"]).startswith("Re: "), answers[0]["Subject"])
        self.assertIn("your address is not the employee's",
                      answers[0].get_body(("plain",)).get_content())

    def purge_expected(self):
        """What a 5y purge must remove, children before their parent."""
        return [("cn=o1," + self.old1), ("cn=o2," + self.old1), self.old1, self.old2,
                "cn=c-old," + self.closed, "cn=c-noend," + self.closed]

    def exists(self, dn):
        try:
            return bool(self.stack.ldap_entries(dn, "(objectClass=*)", "1.1", scope="base"))
        except AssertionError as e:
            if "failed (32)" in str(e):
                return False
            raise

    def purge_rows(self, *args):
        res = self.stack.doveadm("-f", "json", "mus", "purge", "--older-than", "5y", *args)
        return json.loads(res.stdout or "[]"), res.stderr

    def test_7_purge_dry_run_lists_and_removes_nothing(self):
        rows, _ = self.purge_rows("--dry-run")
        self.assertEqual(sorted(r["dn"].lower() for r in rows),
                         sorted(d.lower() for d in self.purge_expected()))
        self.assertEqual({r["action"] for r in rows}, {"would-remove"})
        for dn in self.purge_expected():
            self.assertTrue(self.exists(dn), dn)

    def test_8_purge_removes_exactly_what_is_past_retention(self):
        rows, stderr = self.purge_rows()
        order = [r["dn"].lower() for r in rows]
        self.assertEqual(sorted(order), sorted(d.lower() for d in self.purge_expected()))
        self.assertEqual({r["action"] for r in rows}, {"removed"})
        # children before their parent
        self.assertLess(order.index(("cn=o1," + self.old1).lower()), order.index(self.old1.lower()))
        self.assertLess(order.index(("cn=o2," + self.old1).lower()), order.index(self.old1.lower()))
        for dn in self.purge_expected():
            self.assertFalse(self.exists(dn), dn)
            self.assertIn("mus: purge: removed %s (" % dn, stderr)
        for dn in (self.p1, self.p2, self.p3, "cn=a1," + self.p1, self.closed, self.draft,
                   "cn=d-old," + self.draft, self.e2, self.e3):
            self.assertTrue(self.exists(dn), dn)
        e2 = self.stack.ldap_entries(self.e2, "(objectClass=*)", "musPlanRef", scope="base")
        self.assertNotIn(self.old2.lower(),
                         [r.lower() for r in e2[self.e2].get("musPlanRef", [])])
        # nothing is left for a second purge
        self.assertEqual(self.purge_rows()[0], [])

    def test_9_purge_refuses_a_short_period(self):
        res = self.stack.doveadm("mus", "purge", "--older-than", "10d", check=False)
        self.assertEqual(res.returncode, 64)
        self.assertIn("the period '10d' is under the minimum of 30 days", res.stderr)
        res = self.stack.doveadm("mus", "purge", "--older-than", "5 years", check=False)
        self.assertEqual(res.returncode, 64)
        self.assertIn("invalid period '5 years'", res.stderr)


if __name__ == "__main__":
    unittest.main()
