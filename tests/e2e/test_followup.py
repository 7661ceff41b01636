"""Follow-up of approved plans on the stack: plans and activities are filed
in LDAP as admin (as the filer does), `doveadm mus sync` mails exactly one
reminder per due activity to its responsible person and one per party
before the follow-up meeting, a second sync mails none, and `doveadm mus
status` counts the overdue activities per unit and leader as the directory
holds them.

The people are kirsten.boegh (Plejecenter Solhøj) and her reports with a
mail address: no other test file uses this leader (grethe.juhl, in her
team without mail, keeps her out of test_two_hosts)."""

import datetime
import email
import email.header
import email.policy
import email.utils
import smtplib
import unittest
from email.message import EmailMessage

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
            cls.plan(cls.p2, cls.e2, True, None),
            cls.activity(cls.p2, "b1", "Nye opgaver i aftenvagten", "new-tasks",
                         now - 2 * DAY, responsible=cls.e2),
            cls.plan(cls.p3, cls.e3, False, now + 3 * DAY),
            cls.activity(cls.p3, "c1", "Kursus i forflytning", "course", now + DAY,
                         responsible=cls.e3),
        ]
        cls.stack.ldap_modify("\n".join(records))
        cls.uuid = {}
        for base in (cls.people_base, cls.plan_base):
            for dn, e in cls.stack.ldap_entries(base, "(objectClass=musActivity)",
                                                "cn", "entryUUID").items():
                if MARK in dn:
                    cls.uuid[e["cn"][0]] = e["entryUUID"][0]
        cls.sync1 = cls.stack.doveadm("mus", "sync")

    @classmethod
    def plan(cls, dn, employee, approved, follow_up):
        lines = ["dn: " + dn, "changetype: add", "objectClass: musPlan",
                 "cn: " + dn.split(",")[0][3:], "musEmployee: " + employee,
                 "musLeader: " + cls.leader, "musPlanVersion: 1",
                 "musGoal: Styrke den palliative indsats",
                 "musApprovedByEmployee: " + gt(cls.now - 60 * DAY)]
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
    def mail(cls, dn):
        return cls.people[dn.lower()]["mail"][0].lower()

    @classmethod
    def cleanup(cls):
        for base in (cls.people_base, cls.plan_base):
            for dn in cls.stack.ldap_entries(base, "(&(objectClass=musPlan)(cn=%s-*))" % MARK,
                                             "cn"):
                cls.stack.ldap_delete(dn)

    @classmethod
    def tearDownClass(cls):
        cls.cleanup()

    def subjects(self, dn):
        """The decoded subjects of every message in the INBOX of the person dn."""
        conn = self.stack.imap(self.mail(dn))
        try:
            conn.select("INBOX", readonly=True)
            typ, data = conn.search(None, "ALL")
            out = []
            for num in data[0].split():
                typ, msg = conn.fetch(num, "(BODY.PEEK[HEADER])")
                parsed = email.message_from_bytes(msg[0][1], policy=email.policy.default)
                out.append(str(parsed["Subject"] or ""))
            return out
        finally:
            conn.logout()

    def reminders(self):
        """For each person of the test: how many messages name each activity's
        reference, and how many are follow-up reminders of plan 1 and plan 3."""
        out = {}
        for dn in (self.leader, self.e1, self.e2, self.e3):
            subjects = self.subjects(dn)
            counts = {cn: sum(1 for s in subjects if "[%s]" % uuid in s)
                      for cn, uuid in self.uuid.items()}
            counts["meeting-1"] = sum(1 for s in subjects if "%s-1" % MARK in s)
            counts["meeting-3"] = sum(1 for s in subjects if "%s-3" % MARK in s)
            out[dn] = {k: v for k, v in counts.items() if v}
        return out

    def expected(self):
        return {self.leader: {"a1": 1, "meeting-1": 1},
                self.e1: {"a2": 1, "meeting-1": 1},
                self.e2: {"a3": 1, "b1": 1},
                self.e3: {}}

    def wait_reminders(self):
        want = self.expected()
        wait_for("the reminders in the mailboxes",
                 lambda: self.reminders() == want, timeout=30, interval=0.3)

    def test_1_one_reminder_per_due_activity_and_party(self):
        self.assertEqual(len(self.uuid), 7, self.uuid)
        self.wait_reminders()
        self.assertEqual(self.reminders(), self.expected())
        # the sync logs each reminder with the activity and the address
        for cn, plan, to in (("a1", self.p1, self.leader), ("a2", self.p1, self.e1),
                             ("a3", self.p1, self.e2), ("b1", self.p2, self.e2)):
            self.assertIn("activity cn=%s,%s: reminded %s" % (cn, plan, self.mail(to)),
                          self.sync1.stderr)

    def test_2_each_reminder_is_recorded(self):
        acts = {}
        for base in (self.people_base, self.plan_base):
            for dn, e in self.stack.ldap_entries(base, "(objectClass=musActivity)").items():
                if MARK in dn:
                    acts[e["cn"][0]] = e
        reminded = {cn for cn, e in acts.items() if "musReminded" in e}
        self.assertEqual(reminded, {"a1", "a2", "a3", "b1"})
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
        # what the directory holds: activities of approved plans, due before now, not done
        now = gt(datetime.datetime.now(datetime.timezone.utc))
        by_unit, by_leader, overdue = {}, {}, set()
        for base in (self.people_base, self.plan_base):
            plans = self.stack.ldap_entries(
                base, "(&(objectClass=musPlan)(musApprovedByEmployee=*)(musApprovedByLeader=*))")
            for pdn, plan in plans.items():
                employee = self.people[plan["musEmployee"][0].lower()]
                acts = self.stack.ldap_entries(pdn, "(objectClass=musActivity)", scope="one")
                for adn, a in acts.items():
                    if (a.get("musDue", ["99991231000000Z"])[0] < now and
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

    def send(self, sender_dn, subject):
        msg = EmailMessage()
        msg["From"] = self.mail(sender_dn)
        msg["To"] = self.stack["MUS_ORGANIZER"]
        msg["Subject"] = subject
        msg["Message-ID"] = email.utils.make_msgid(domain="eksempel.test")
        msg["Date"] = email.utils.formatdate()
        msg.set_content("Hermed besked.\n")
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

    def test_6_a_done_mail_from_someone_else_is_refused_and_answered(self):
        msgid = self.send(self.e3, "Done [%s]" % self.uuid["a5"])
        self.stack.doveadm("mus", "sync")
        self.assertEqual(self.activity_entry(self.p1, "a5")["musActivityStatus"], ["planned"])
        self.assertIn("$Mus-party-crasher", self.stack.organizer_flags(msgid))
        wait_for("the answer to %s" % self.mail(self.e3),
                 lambda: any("Done [%s]" % self.uuid["a5"] in s and s.startswith("SV:")
                             for s in self.subjects(self.e3)), timeout=20, interval=0.3)


if __name__ == "__main__":
    unittest.main()
