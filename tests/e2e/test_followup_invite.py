"""The follow-up meeting of a pending plan on the stack: `doveadm mus sync`
invites leader and employee to it (musFollowUpUID, a UID of its own; SEQUENCE
= musPlanVersion) at a time on or after the plan's follow-up date inside the
round's working hours, with the plan attached as HTML and plain text; a second
sync sends nothing; a new plan version goes out as an update with the next
SEQUENCE at the same time; when both accept by mail, the sync files the plan.
An employee or leader whose mail address is gone by the time the plan waits
cannot approve by mail: the sync says so and names the values an admin records
once they have approved it otherwise, and with them the plan is filed.

The plan's state before (plan-pending, musPlanDraft, musPlanVersion) is
written here as the LDAP admin, the way the plan form leaves it.

Leader: the sample organisation's leaders with mail and at least three
reports who lead nobody, sorted by DN, the one at two thirds of the list
(test_plan_approval takes a third, test_plan_flow a quarter, test_two_hosts
the middle, test_invitations the first, test_ldap_tls and test_smtp_tls the
last ones)."""

import datetime
import email
import email.policy
import json
import re
import unittest
from zoneinfo import ZoneInfo

import check_imip
import replymail
from mustest import Stack, ldap_escape, wait_for

ROUND = "MUS follow-up invitation test"
PLANS = "ou=plans,dc=eksempel,dc=test"
HR = "cn=hr,ou=groups,dc=eksempel,dc=test"
TZ = ZoneInfo("Europe/Copenhagen")
# the round's rules the follow-up meeting must keep
DURATION = 45
WORKDAY = (9 * 60, 15 * 60)


def set_plan(stack, conv_dn, version, draft):
    """Leave conv_dn waiting for approval of plan version with draft, as the plan
    form does."""
    requested = datetime.datetime.now(datetime.timezone.utc).strftime("%Y%m%d%H%M%SZ")
    stack.ldap_modify(
        "dn: %s\nchangetype: modify\nreplace: musStatus\nmusStatus: plan-pending\n-\n"
        "replace: musPlanVersion\nmusPlanVersion: %d\n-\n"
        "replace: musPlanDraft\nmusPlanDraft: %s\n-\n"
        "replace: musPlanRequested\nmusPlanRequested: %s\n-\n"
        "replace: musPlanApproval\n-\n" % (conv_dn, version, json.dumps(draft), requested))


def clean_up(stack, round_dn, emp, before):
    """Delete the round and the employee's filed plans; give the employee's entry
    back its object classes (those of before) and no musPlanRef."""
    stack.ldap_delete(round_dn)
    for dn in stack.ldap_entries(PLANS, "(musEmployee=%s)" % ldap_escape(emp), "dn",
                                 scope="one"):
        stack.ldap_delete(dn)
    stack.ldap_modify("dn: %s\nchangetype: modify\nreplace: musPlanRef\n-\n"
                      "replace: objectClass\n%s-\n" % (emp, "".join(
                          "objectClass: %s\n" % v for v in before["objectClass"])))


def utc(value):
    """A GeneralizedTime value as an aware datetime."""
    return datetime.datetime.strptime(value, "%Y%m%d%H%M%SZ").replace(tzinfo=datetime.timezone.utc)


class FollowUpInviteTest(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.stack = Stack()
        _, cls.leader, cls.emp, cls.emp_before = cls.stack.plan_pair(
            lambda leaders: leaders[2 * len(leaders) // 3])
        cls.emp_mail = cls.emp_before["mail"][0]
        cls.leader_mail = cls.stack.reports()[0][cls.leader]["mail"][0]
        cls.round_dn, cls.conv_dn, conv = cls.stack.pair_round(
            ROUND, "2027-05-03", "2027-05-28", cls.leader, cls.emp, DURATION,
            ("--workday", "0900-1500", "--max-per-day", "4", "--buffer", "15"))
        cls.conv_cn = conv["cn"][0]

    @classmethod
    def tearDownClass(cls):
        clean_up(cls.stack, cls.round_dn, cls.emp, cls.emp_before)

    # -- helpers

    def draft(self, goal):
        today = datetime.date.today()
        return {
            "goals": [{"kind": "individual", "text": goal},
                      {"kind": "shared", "text": "Shorter waiting lists"}],
            "activities": [
                {"description": "Course in <case> handling & records", "kind": "course",
                 "responsible": "leader",
                 "due": (today + datetime.timedelta(days=50)).isoformat()},
                {"description": "Learn from a senior colleague", "kind": "practice",
                 "responsible": {"name": "Ole Olsen", "mail": "ole@eksempel.test"},
                 "due": (today + datetime.timedelta(days=90)).isoformat()}],
            "follow_up": (today + datetime.timedelta(days=150)).isoformat(),
        }

    def set_plan(self, version, draft):
        set_plan(self.stack, self.conv_dn, version, draft)

    def conv(self):
        return self.stack.conversations(self.round_dn)[self.conv_dn]

    def sync(self):
        rows = self.stack.doveadm_json("mus", "sync", "--round", ROUND)
        return next(r for r in rows if r["round"] == ROUND)

    def followups(self, mail, uid):
        """(raw message, (UID, METHOD, SEQUENCE, VEVENT)) of every message of uid in
        mail's INBOX."""
        out = []
        for raw in replymail.raw_inbox(self.stack.imap(mail)):
            parsed = email.message_from_bytes(raw, policy=email.policy.default)
            for cal in replymail.calendars([parsed], uid):
                out.append((raw, cal))
        return out

    def check_invitation(self, raw, event, sequence, draft, start, end):
        check_imip.check_message(raw, ["plan-v%d.html" % sequence, "plan-v%d.txt" % sequence])
        self.assertEqual(event[1], "REQUEST")
        self.assertEqual(event[2], sequence)
        # a leader with many employees tells the meetings apart by the name
        subject = str(email.message_from_bytes(raw, policy=email.policy.default)["Subject"])
        self.assertIn(self.emp_before["cn"][0], subject)
        # a new time cannot be proposed for it: Outlook must not offer it
        self.assertEqual(str(event[3]["X-MICROSOFT-DISALLOW-COUNTER"]), "TRUE")
        self.assertEqual(event[3].decoded("DTSTART").astimezone(datetime.timezone.utc), start)
        self.assertEqual(event[3].decoded("DTEND").astimezone(datetime.timezone.utc), end)
        parts = {p.get_filename(): p for p in check_imip.parse(raw).walk() if p.get_filename()}
        html = parts["plan-v%d.html" % sequence]
        text = parts["plan-v%d.txt" % sequence]
        self.assertEqual(html.get_content_type(), "text/html")
        self.assertEqual(text.get_content_type(), "text/plain")
        html, text = html.get_content(), text.get_content()
        for goal in draft["goals"]:
            self.assertIn(goal["text"], text)
        for act in draft["activities"]:
            self.assertIn(act["description"], text)
            self.assertIn(act["due"], text)
            self.assertIn(act["due"], html)
        self.assertIn(draft["follow_up"], text)
        self.assertIn(draft["follow_up"], html)
        self.assertIn("Ole Olsen", html)
        # every value is escaped in the HTML
        self.assertIn("Course in &lt;case&gt; handling &amp; records", html)
        self.assertNotIn("<case>", html)
        self.assertIn(draft["goals"][0]["text"].replace("&", "&amp;").replace("<", "&lt;")
                      .replace(">", "&gt;"), html)

    def answer(self, mail, uid, sequence):
        ics = replymail.itip("REPLY", uid, mail, "ACCEPTED", sequence)
        msg = replymail.message(self.stack["MUS_ORGANIZER"], mail, "Accepted: follow-up",
                                ics, "REPLY")
        self.stack.wait_delivery_log(replymail.submit(self.stack, msg), "applied")

    # -- the flow, in order

    def test_flow(self):
        # version 1: one invitation each, a time of its own
        draft = self.draft("Chair <b>team</b> meetings & more")
        self.set_plan(1, draft)
        self.assertEqual(int(self.sync()["follow-ups"]), 1)
        conv = self.conv()
        (uid,) = conv["musFollowUpUID"]
        self.assertNotEqual(uid, conv["musICalUID"][0])
        start, end = utc(conv["musFollowUpStart"][0]), utc(conv["musFollowUpEnd"][0])
        local = start.astimezone(TZ)
        self.assertGreaterEqual(local.date(), datetime.date.fromisoformat(draft["follow_up"]))
        self.assertLess(local.weekday(), 5)
        minute = local.hour * 60 + local.minute
        self.assertGreaterEqual(minute, WORKDAY[0])
        self.assertLessEqual(minute + DURATION, WORKDAY[1])
        self.assertEqual(end - start, datetime.timedelta(minutes=DURATION))
        for mail in (self.leader_mail, self.emp_mail):
            got = wait_for("the follow-up meeting in %s's INBOX" % mail,
                           lambda: self.followups(mail, uid))
            self.assertEqual(len(got), 1, mail)
            self.check_invitation(got[0][0], got[0][1], 1, draft, start, end)
        self.assertEqual(sorted(v.lower() for v in conv["musFollowUpSentTo"]),
                         sorted("1 %s" % m.lower() for m in (self.leader_mail, self.emp_mail)))

        # a second sync sends nothing
        self.assertEqual(int(self.sync()["follow-ups"]), 0)
        self.assertEqual(self.conv()["musFollowUpSentTo"], conv["musFollowUpSentTo"])
        for mail in (self.leader_mail, self.emp_mail):
            self.assertEqual(len(self.followups(mail, uid)), 1, mail)

        # version 2: an update, same UID and time, SEQUENCE 2
        draft = self.draft("Chair the weekly meetings")
        self.set_plan(2, draft)
        self.assertEqual(int(self.sync()["follow-ups"]), 1)
        self.assertEqual(self.conv()["musFollowUpUID"], [uid])
        for mail in (self.leader_mail, self.emp_mail):
            got = wait_for("the update in %s's INBOX" % mail,
                           lambda: [g for g in self.followups(mail, uid) if g[1][2] == 2])
            self.assertEqual(len(got), 1, mail)
            self.check_invitation(got[0][0], got[0][1], 2, draft, start, end)
            self.assertEqual(len(self.followups(mail, uid)), 2, mail)

        # both accept version 2 by mail: the sync files the plan
        self.answer(self.leader_mail, uid, 2)
        self.answer(self.emp_mail, uid, 2)
        self.assertEqual(int(self.sync()["plans-filed"]), 1)
        self.assertEqual(self.conv()["musStatus"], ["approved"])
        plan_dn = "cn=plan-%s-v2,%s" % (self.conv_cn, PLANS)
        plan = self.stack.ldap_entries(plan_dn, "(objectClass=musPlan)", scope="base")
        self.assertEqual(list(plan), [plan_dn])
        self.assertEqual(plan[plan_dn]["musGoal"], ["Chair the weekly meetings"])


class TwoRoundsCase(unittest.TestCase):
    """A leader and one employee in two rounds of their own, and a plan whose
    follow-up date falls on the second round's one day."""

    def people(self, nth):
        """The leader (after test_flow's, by nth) and their first usable employee."""
        self.stack = Stack()
        lower, by_manager = self.stack.reports()
        leaders = self.stack.plan_leaders(lower, by_manager, self.stack.group_members(HR))
        self.leader = leaders[2 * len(leaders) // 3 + nth]
        self.emp = sorted(r for r in by_manager[self.leader]
                          if lower[r.lower()].get("mail") and
                          not lower[r.lower()].get("musAbsentUntil"))[0]

    @staticmethod
    def day(days, weekday):
        """The weekday (0 Monday) on or after today + days: after the sample
        busy time, which ends in June 2027, and not in Christmas week."""
        day = datetime.date.today() + datetime.timedelta(days=days)
        if (day.month, day.day) >= (12, 18):
            day += datetime.timedelta(days=21)
        return day + datetime.timedelta(days=(weekday - day.weekday()) % 7)

    def create(self, name, start, end):
        """The round of the two from start to end, synced; its DN."""
        self.stack.ldap_delete(self.stack.round_dn(name) or
                               "cn=%s,ou=rounds,dc=eksempel,dc=test" % name)
        self.stack.doveadm("mus", "round", "create", "--name", name, "--kind", "MUS",
                           "--start", start.isoformat(), "--end", end.isoformat(),
                           "--duration", str(DURATION), "--workday", "0900-1500",
                           "--max-per-day", "4", "--buffer", "15", "--scope-filter",
                           "(|(entryDN=%s)(entryDN=%s))" % (self.emp, self.leader))
        dn = self.stack.round_dn(name)
        self.addCleanup(self.stack.ldap_delete, dn)
        self.stack.doveadm("mus", "sync", "--round", name)
        return dn

    def conv_of(self, round_dn):
        """(DN, entry) of the employee's conversation in round_dn."""
        return next((d, e) for d, e in self.stack.conversations(round_dn).items()
                    if [x.lower() for x in e.get("musEmployee", [])] == [self.emp.lower()])

    def plan(self, conv_dn, follow_up):
        """Leave conv_dn waiting for approval of a plan with follow_up."""
        set_plan(self.stack, conv_dn, 1, {
            "goals": [{"kind": "individual", "text": "Lead the project"}],
            "activities": [{"description": "Project course", "kind": "course",
                            "responsible": "leader",
                            "due": (follow_up - datetime.timedelta(days=30)).isoformat()}],
            "follow_up": follow_up.isoformat()})
        self.addCleanup(lambda: [self.stack.ldap_delete(dn) for dn in self.stack.ldap_entries(
            PLANS, "(musEmployee=%s)" % ldap_escape(self.emp), "dn", scope="one")])

    def assert_clear(self, a, b, what):
        """The spans a and b (start, end) are apart by the buffer at least."""
        buffer = datetime.timedelta(minutes=15)
        self.assertTrue(a[1] + buffer <= b[0] or a[0] >= b[1] + buffer,
                        "%s: %s-%s and %s-%s" % (what, a[0], a[1], b[0], b[1]))


class FollowUpOtherRoundTest(TwoRoundsCase):
    """The follow-up meeting keeps clear of the conversations of another round:
    the leader and the employee have a conversation of a second round on the
    plan's follow-up date; the meeting is placed after it and the buffer, not
    on top of it."""

    def test_placed_around_another_rounds_conversation(self):
        self.people(1)
        follow_up = self.day(240, 2)
        today = datetime.date.today()
        own_dn = self.create("MUS follow-up own round", today + datetime.timedelta(days=60),
                             today + datetime.timedelta(days=90))
        other = self.conv_of(self.create("TUS follow-up other round", follow_up, follow_up))[1]
        self.assertEqual(other["musStatus"], ["invited"])
        busy = (utc(other["musStart"][0]), utc(other["musEnd"][0]))
        self.assertEqual(busy[0].astimezone(TZ).date(), follow_up)
        conv_dn = self.conv_of(own_dn)[0]
        self.plan(conv_dn, follow_up)
        rows = self.stack.doveadm_json("mus", "sync", "--round", "MUS follow-up own round")
        self.assertEqual(int(rows[0]["follow-ups"]), 1, rows)
        conv = self.stack.conversations(own_dn)[conv_dn]
        start, end = utc(conv["musFollowUpStart"][0]), utc(conv["musFollowUpEnd"][0])
        self.assert_clear((start, end), busy,
                          "the follow-up meeting and the other round's conversation")
        self.assertGreaterEqual(start.astimezone(TZ).date(), follow_up)


class ConversationAroundFollowUpTest(TwoRoundsCase):
    """The other way round: a leader's follow-up meeting is placed first; a
    round created later over that day places the leader's conversation
    clear of it and the buffer."""

    def test_a_later_round_keeps_clear_of_the_follow_up_meeting(self):
        self.people(2)
        follow_up = self.day(250, 3)
        today = datetime.date.today()
        own = "MUS follow-up first round"
        own_dn = self.create(own, today + datetime.timedelta(days=60),
                             today + datetime.timedelta(days=90))
        conv_dn = self.conv_of(own_dn)[0]
        self.plan(conv_dn, follow_up)
        self.stack.doveadm("mus", "sync", "--round", own)
        conv = self.stack.conversations(own_dn)[conv_dn]
        meeting = (utc(conv["musFollowUpStart"][0]), utc(conv["musFollowUpEnd"][0]))
        self.assertEqual(meeting[0].astimezone(TZ).date(), follow_up)
        later = self.conv_of(self.create("TUS after the follow-up round", follow_up,
                                         follow_up))[1]
        self.assertEqual(later["musStatus"], ["invited"])
        self.assert_clear((utc(later["musStart"][0]), utc(later["musEnd"][0])), meeting,
                          "the later conversation and the follow-up meeting")


class ApprovalWithoutMail:
    """Someone's mail address is removed after the invitation (the employee's, or the
    leader's), so the plan's follow-up meeting goes to nobody (a meeting with one
    side alone is none); every sync names the values that stand in for the answers
    of both, until an admin writes them, and then the plan is filed. Subclasses set
    who (which address goes), nth (which plan leader) and the round's name and
    window."""

    @classmethod
    def setUpClass(cls):
        cls.stack = Stack()
        _, cls.leader, cls.emp, cls.emp_before = cls.stack.plan_pair(cls.nth)
        cls.mailless = cls.emp if cls.who == "employee" else cls.leader
        cls.before = cls.stack.ldap_entries(cls.mailless, scope="base")[cls.mailless]
        cls.round_dn, cls.conv_dn, _ = cls.stack.pair_round(
            cls.round, cls.window[0], cls.window[1], cls.leader, cls.emp)
        cls.stack.ldap_modify("dn: %s\nchangetype: modify\ndelete: mail\n" % cls.mailless)
        today = datetime.date.today()
        set_plan(cls.stack, cls.conv_dn, 1, {
            "goals": [{"kind": "individual", "text": "Know the new records system"}],
            "activities": [{"description": "Course in the records system", "kind": "course",
                            "responsible": "leader",
                            "due": (today + datetime.timedelta(days=40)).isoformat()}],
            "follow_up": (today + datetime.timedelta(days=120)).isoformat()})
        cls.first = cls.stack.doveadm("mus", "sync", "--round", cls.round).stderr
        cls.again = cls.stack.doveadm("mus", "sync", "--round", cls.round).stderr

    @classmethod
    def tearDownClass(cls):
        clean_up(cls.stack, cls.round_dn, cls.emp, cls.emp_before)
        cls.stack.ldap_modify("dn: %s\nchangetype: modify\nreplace: mail\n%s" % (
            cls.mailless, "".join("mail: %s\n" % m for m in cls.before["mail"])))

    def said(self, stderr):
        """{approver DN (lower case): the musPlanApproval value the sync's log names}."""
        found = {}
        for part in re.split(r"; |\n", stderr):
            m = re.search(r"(\S+) cannot approve plan version 1 by mail.* on (.+) as "
                          r"musPlanApproval: (1 \d{14}Z (.+))$", part)
            if m is None:
                continue
            self.assertEqual(m.group(2).lower(), self.conv_dn.lower())
            self.assertEqual(m.group(1).lower(), m.group(4).lower())
            found[m.group(4).lower()] = m.group(3)
        return found

    def test_every_sync_names_the_values_and_filing_waits(self):
        for stderr in (self.first, self.again):
            self.assertEqual(sorted(self.said(stderr)), sorted([self.emp.lower(), self.leader]),
                             stderr)
            self.assertIn("nobody to send it to", stderr)
        conv = self.stack.conversations(self.round_dn)[self.conv_dn]
        self.assertEqual(conv["musStatus"], ["plan-pending"])
        self.assertNotIn("musFollowUpSentTo", conv)

    def test_the_values_written_by_an_admin_file_the_plan(self):
        values = self.said(self.again)
        self.stack.ldap_modify("dn: %s\nchangetype: modify\nadd: musPlanApproval\n%s"
                               % (self.conv_dn, "".join("musPlanApproval: %s\n" % v
                                                        for v in values.values())))
        res = self.stack.doveadm("-f", "json", "mus", "sync", "--round", self.round)
        row = next(r for r in json.loads(res.stdout) if r["round"] == self.round)
        self.assertEqual(row["plans-filed"], "1", res.stderr)
        self.assertEqual(self.said(res.stderr), {})
        self.assertEqual(self.stack.conversations(self.round_dn)[self.conv_dn]["musStatus"],
                         ["approved"])


class EmployeeWithoutMailTest(ApprovalWithoutMail, unittest.TestCase):
    who = "employee"
    nth = staticmethod(lambda leaders: leaders[2 * len(leaders) // 3 + 1])
    round = "MUS approval without the employee's mail test"
    window = ("2027-06-07", "2027-06-25")


class LeaderWithoutMailTest(ApprovalWithoutMail, unittest.TestCase):
    who = "leader"
    nth = staticmethod(lambda leaders: leaders[2 * len(leaders) // 3 + 2])
    round = "MUS approval without the leader's mail test"
    window = ("2027-06-28", "2027-07-16")


if __name__ == "__main__":
    unittest.main()
