"""Approving and filing a development plan on the stack: answers to the
follow-up meeting (musFollowUpUID, SEQUENCE = plan version) sent through
Postfix record approvals (musPlanApproval) when they come from the
attendee and name the current version; a conversation whose plan draft
(musPlanDraft, version musPlanVersion) both the leader and the employee
have approved is filed by `doveadm mus sync`
as a musPlan entry with one musActivity per activity under
mus_plan_base (ou=plans on the stack), linked from the employee's entry
(musPlanRef, musPerson); approvals of another version do not count; a
filing cut short is completed, not duplicated; the ACL lets the employee
and the current manager read the plan, and follows a change of manager.

The plan's state before approval is written here as the LDAP admin, the
way the step before (the plan form, `doveadm mus plan submit`) leaves it.

Leaders: the sample organisation's leaders with mail and at least three
reports who lead nobody, sorted by DN, the ones at a third of the list
(the other test files take the first, the last or the middle ones)."""

import datetime
import json
import smtplib
import subprocess
import time
import unittest
from zoneinfo import ZoneInfo

import replymail
from mustest import Stack, ldap_escape, parse_ldif, wait_for

ROUND = "MUS plan approval test"
PLANS = "ou=plans,dc=eksempel,dc=test"
PASSWORD = "plan-reader-secret"


def gt(day):
    """A local date's midnight in Copenhagen as GeneralizedTime (UTC)."""
    local = datetime.datetime(day.year, day.month, day.day, tzinfo=ZoneInfo("Europe/Copenhagen"))
    return local.astimezone(datetime.timezone.utc).strftime("%Y%m%d%H%M%SZ")


def set_conversation(stack, conv_dn, uid, version, draft, approvals):
    """Leave conv_dn waiting for approval of plan version with draft, its follow-up
    meeting's UID uid, with the approvals (musPlanApproval values) given."""
    requested = datetime.datetime.now(datetime.timezone.utc).strftime("%Y%m%d%H%M%SZ")
    ldif = ("dn: %s\nchangetype: modify\nreplace: musStatus\nmusStatus: plan-pending\n-\n"
            "replace: musFollowUpUID\nmusFollowUpUID: " + uid + "\n-\n"
            "replace: musPlanVersion\nmusPlanVersion: %d\n-\n"
            "replace: musPlanDraft\nmusPlanDraft: %s\n-\n"
            "replace: musPlanRequested\nmusPlanRequested: %s\n-\n"
            "replace: musPlanApproval\n%s-\nreplace: musPlanDeclined\n-\n") % (
        conv_dn, version, json.dumps(draft), requested,
        "".join("musPlanApproval: %s\n" % a for a in approvals))
    stack.ldap_modify(ldif)


def answer(stack, uid, attendee, sender, sequence, partstat="ACCEPTED", comment=None):
    """An iTIP REPLY to the follow-up meeting uid sent through Postfix; its Message-ID."""
    extra = ("COMMENT:%s" % comment,) if comment else ()
    ics = replymail.itip("REPLY", uid, attendee, partstat, sequence, extra)
    msg = replymail.message(stack["MUS_ORGANIZER"], sender, "Accepted: follow-up", ics, "REPLY")
    with smtplib.SMTP("127.0.0.1", int(stack["MUS_SMTP_PORT"]), timeout=10) as smtp:
        if smtp.send_message(msg, to_addrs=[stack["MUS_ORGANIZER"]]):
            raise AssertionError("Postfix refused the answer")
    return msg["Message-ID"].strip("<>")


def lower(values):
    return [v.lower() for v in values]


class PlanApprovalTest(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.stack = Stack()
        leaders, cls.l1, cls.emp, cls.emp_before = cls.stack.plan_pair(
            lambda leaders: leaders[len(leaders) // 3])
        cls.l2 = leaders[len(leaders) // 3 + 1]
        people = cls.stack.reports()[0]
        cls.emp_mail = cls.emp_before["mail"][0]
        cls.l1_mail = people[cls.l1]["mail"][0]
        flt = "(|(entryDN=%s)(entryDN=%s))" % (cls.emp, cls.l1)
        cls.stack.ldap_delete(cls.stack.round_dn(ROUND) or "cn=%s,ou=rounds,dc=eksempel,dc=test" % ROUND)
        cls.stack.doveadm("mus", "round", "create", "--name", ROUND, "--kind", "MUS",
                          "--start", "2027-05-03", "--end", "2027-05-28", "--duration", "45",
                          "--workday", "0900-1500", "--max-per-day", "4", "--buffer", "15",
                          "--scope-filter", flt)
        cls.round_dn = cls.stack.round_dn(ROUND)
        cls.stack.doveadm("mus", "sync", "--round", ROUND)
        convs = cls.stack.conversations(cls.round_dn)
        cls.conv_dn = next(d for d, e in convs.items()
                           if [x.lower() for x in e.get("musEmployee", [])] == [cls.emp.lower()])
        cls.conv_cn = convs[cls.conv_dn]["cn"][0]
        cls.plan_dn = "cn=plan-%s-v2,%s" % (cls.conv_cn, PLANS)
        # the people whose reading the ACL decides log in with a password
        for who in (cls.emp, cls.l1, cls.l2):
            cls.stack.ldap_modify("dn: %s\nchangetype: modify\nreplace: userPassword\n"
                                  "userPassword: %s\n" % (who, PASSWORD))

    @classmethod
    def tearDownClass(cls):
        cls.stack.ldap_delete(cls.round_dn)
        for dn in cls.stack.ldap_entries(PLANS, "(musEmployee=%s)" % ldap_escape(cls.emp),
                                         "dn", scope="one"):
            cls.stack.ldap_delete(dn)
        restore = "dn: %s\nchangetype: modify\nreplace: manager\nmanager: %s\n-\n" \
                  "replace: musPlanRef\n-\n" % (cls.emp, cls.l1)
        classes = [c for c in cls.emp_before["objectClass"]]
        restore += "replace: objectClass\n" + "".join("objectClass: %s\n" % c for c in classes) + "-\n"
        cls.stack.ldap_modify(restore)
        for who in (cls.emp, cls.l1, cls.l2):
            cls.stack.ldap_modify("dn: %s\nchangetype: modify\ndelete: userPassword\n" % who)

    # -- helpers

    uid = "mus-followup-e2e-plan-approval@eksempel.test"

    def set_conversation(self, version, draft, approvals):
        set_conversation(self.stack, self.conv_dn, self.uid, version, draft, approvals)

    def answer(self, attendee, sender, sequence, partstat="ACCEPTED", comment=None):
        return answer(self.stack, self.uid, attendee, sender, sequence, partstat, comment)

    def approvals(self):
        return self.stack.conversations(self.round_dn)[self.conv_dn].get("musPlanApproval", [])

    def approval(self, version, who, when="20270101100000Z"):
        return "%d %s %s" % (version, when, who)

    def sync(self):
        rows = self.stack.doveadm_json("mus", "sync", "--round", ROUND)
        return int(next(r for r in rows if r["round"] == ROUND)["plans-filed"])

    def status(self):
        return self.stack.conversations(self.round_dn)[self.conv_dn]["musStatus"][0]

    def plans(self):
        """The employee's plan entries (and their activities) under ou=plans."""
        plans = self.stack.ldap_entries(PLANS, "(musEmployee=%s)" % ldap_escape(self.emp), "dn",
                                        scope="one")
        out = {}
        for dn in plans:
            out.update(self.stack.ldap_entries(dn))
        return out

    def read_as(self, who, base):
        """The entries below base that who may read (bound with the password)."""
        cmd = ["ldapsearch", "-x", "-LLL", "-o", "ldif-wrap=no", "-H", self.stack["MUS_LDAP_URI"],
               "-D", who, "-w", PASSWORD, "-b", base, "(objectClass=*)"]
        res = subprocess.run(cmd, capture_output=True, text=True, timeout=30)
        if res.returncode not in (0, 32):
            raise AssertionError("ldapsearch as %s failed (%d): %s" % (who, res.returncode, res.stderr))
        return parse_ldif(res.stdout)

    def draft(self):
        today = datetime.date.today()
        due1 = today + datetime.timedelta(days=60)
        due2 = today + datetime.timedelta(days=120)
        follow = today + datetime.timedelta(days=200)
        return {
            "goals": [{"kind": "individual", "text": "Lead team meetings"},
                      {"kind": "shared", "text": "Fewer handovers lost"}],
            "activities": [
                {"description": "Course in meeting leadership", "kind": "course",
                 "responsible": "leader", "due": due1.isoformat()},
                {"description": "Shadow a senior colleague", "kind": "practice",
                 "responsible": {"name": "Ole Olsen", "mail": "ole@eksempel.test"},
                 "due": due2.isoformat()}],
            "follow_up": follow.isoformat(),
        }, due1, due2, follow

    # -- the flow, in order

    def test_flow(self):
        draft, due1, due2, follow = self.draft()

        # approved by both, but the draft does not read: a dry run counts
        # what filing would file, so neither files it
        self.set_conversation(2, "not a plan", [self.approval(2, self.l1),
                                                self.approval(2, self.emp)])
        res = self.stack.doveadm("-f", "json", "mus", "sync", "--dry-run", "--round", ROUND)
        self.assertEqual([r["plans-filed"] for r in json.loads(res.stdout)], ["0"])
        self.assertIn("cannot file the plan of %s" % self.conv_dn, res.stderr)
        self.assertEqual(self.sync(), 0)

        # waiting: nobody has approved yet, or only one of them, or an
        # older version: nothing is filed
        self.set_conversation(2, draft, [])
        self.assertEqual(self.sync(), 0)
        self.set_conversation(2, draft, [self.approval(2, self.l1), self.approval(1, self.emp)])
        self.assertEqual(self.sync(), 0)
        self.assertEqual(self.status(), "plan-pending")
        self.assertEqual(self.plans(), {})

        # a decline with a comment: the delivery leaves it for the sync,
        # which mails the comment to the leader and waits for a new plan
        self.set_conversation(1, draft, [])
        self.stack.wait_delivery_log(self.answer(self.l1_mail, self.l1_mail, 1), "applied")
        comment = "Please add a course in spreadsheets %d" % id(self)
        self.stack.wait_delivery_log(self.answer(self.emp_mail, self.emp_mail, 1, "DECLINED",
                                                 comment), "deferred")
        self.assertEqual(self.status(), "plan-pending")
        self.assertEqual(self.sync(), 0)
        conv = self.stack.conversations(self.round_dn)[self.conv_dn]
        self.assertEqual(conv["musStatus"], ["plan-requested"])
        self.assertEqual(conv["musPlanDraft"], [json.dumps(draft)])
        (declined,) = conv["musPlanDeclined"]
        self.assertTrue(declined.startswith("1 "))
        self.assertTrue(declined.lower().endswith(("%s %s" % (self.emp, comment)).lower()))
        def told_leader():
            return [m for m in replymail.inbox(self.stack.imap(self.l1_mail))
                    if comment in m.get_body(("plain",)).get_content()]
        told = wait_for("the comment in the leader's INBOX", told_leader)
        self.assertEqual(len(told), 1)
        self.assertIn("(version 1)", str(told[0]["Subject"]))
        # news of what the employee did, no answer to the leader's mail
        self.assertEqual(told[0]["Auto-Submitted"], "auto-generated")
        # a second sync tells nobody again
        self.sync()
        time.sleep(1)
        self.assertEqual(len(told_leader()), 1)
        # the leader answers that mail with the new version
        new = ("Shared goal: Fewer handovers lost\nIndividual goal: Lead team meetings\n\n"
               "Activity: Course in spreadsheets\nKind: course\nResponsible: leader\n"
               "Due: %s\n\nFollow-up: %s\n" % (due1.isoformat(), follow.isoformat()))
        version2 = self.stack.mail_organizer(self.l1_mail, "Re: " + str(told[0]["Subject"]),
                                             new, None)
        self.sync()
        self.assertIn("$Mus-plan-received", self.stack.organizer_flags(version2))
        conv = self.stack.conversations(self.round_dn)[self.conv_dn]
        self.assertEqual((conv["musStatus"], conv["musPlanVersion"]), (["plan-pending"], ["2"]))
        self.assertEqual(json.loads(conv["musPlanDraft"][0])["activities"][0]["description"],
                         "Course in spreadsheets")

        # approvals by mail: only the attendee's own answer to the
        # current version counts; the leader's approval of version 1
        # stays, but does not count for version 2
        self.set_conversation(2, draft, [a for a in self.approvals()])
        self.assertEqual(self.sync(), 0)
        approvals_v1 = self.approvals()
        self.assertEqual(len(approvals_v1), 1)
        self.stack.wait_delivery_log(self.answer(self.emp_mail, self.emp_mail, 1), "stale")
        self.stack.wait_delivery_log(self.answer(self.l1_mail, self.emp_mail, 2),
                                     "sender-mismatch")
        self.stack.wait_delivery_log(self.answer("someone@eksempel.test",
                                                 "someone@eksempel.test", 2), "party-crasher")
        self.stack.wait_delivery_log(self.answer(self.emp_mail, self.emp_mail, 2,
                                                 "TENTATIVE"), "unchanged")
        self.assertEqual(self.approvals(), approvals_v1)
        self.stack.wait_delivery_log(self.answer(self.emp_mail, self.emp_mail, 2), "applied")
        approvals = [a for a in self.approvals() if a not in approvals_v1]
        self.assertEqual(len(approvals), 1)
        version, emp_when, who = approvals[0].split(" ", 2)
        self.assertEqual((version, who.lower()), ("2", self.emp.lower()))
        self.stack.wait_delivery_log(self.answer(self.emp_mail, self.emp_mail, 2), "unchanged")
        self.assertEqual(self.sync(), 0)
        self.assertEqual(self.status(), "plan-pending")
        self.stack.wait_delivery_log(self.answer(self.l1_mail, self.l1_mail, 2), "applied")
        l1_when = next(a.split(" ")[1] for a in self.approvals() if a.startswith("2 ")
                       and a.split(" ", 2)[2].lower() == self.l1.lower())
        self.assertEqual(self.sync(), 1)
        self.assertEqual(self.status(), "approved")
        plans = self.plans()
        self.assertEqual(sorted(d.lower() for d in plans), sorted(d.lower() for d in [
            self.plan_dn, "cn=activity-1," + self.plan_dn, "cn=activity-2," + self.plan_dn]))
        plan = next(e for d, e in plans.items() if d.lower() == self.plan_dn.lower())
        self.assertEqual(plan["objectClass"], ["musPlan"])
        self.assertEqual(lower(plan["musEmployee"]), [self.emp.lower()])
        self.assertEqual(lower(plan["musLeader"]), [self.l1.lower()])
        self.assertEqual(plan["musPlanVersion"], ["2"])
        self.assertEqual(lower(plan["musRoundRef"]), [self.round_dn.lower()])
        self.assertEqual(lower(plan["musConversationRef"]), [self.conv_dn.lower()])
        self.assertEqual(plan["musGoal"], ["Lead team meetings"])
        self.assertEqual(plan["musGoalShared"], ["Fewer handovers lost"])
        self.assertEqual(plan["musFollowUp"], [gt(follow)])
        self.assertEqual(plan["musApprovedByLeader"], [l1_when])
        self.assertEqual(plan["musApprovedByEmployee"], [emp_when])
        self.assertEqual(lower(plan["musApproverLeader"]), [self.l1.lower()])
        self.assertEqual(lower(plan["musApproverEmployee"]), [self.emp.lower()])
        act = {d.split(",", 1)[0].lower(): e for d, e in plans.items()}
        a1, a2 = act["cn=activity-1"], act["cn=activity-2"]
        self.assertEqual(a1["description"], ["Course in meeting leadership"])
        self.assertEqual(a1["musActivityKind"], ["course"])
        self.assertEqual(lower(a1["musResponsible"]), [self.l1.lower()])
        self.assertNotIn("musResponsibleName", a1)
        self.assertEqual(a1["musDue"], [gt(due1)])
        self.assertEqual(a1["musActivityStatus"], ["planned"])
        self.assertEqual(a2["musActivityKind"], ["practice"])
        self.assertEqual(a2["musResponsibleName"], ["Ole Olsen <ole@eksempel.test>"])
        self.assertNotIn("musResponsible", a2)
        self.assertEqual(a2["musDue"], [gt(due2)])
        emp = self.stack.ldap_entries(self.emp, "(objectClass=*)", "objectClass", "musPlanRef",
                                      scope="base")[self.emp]
        self.assertIn("musPerson", emp["objectClass"])
        self.assertEqual([r.lower() for r in emp["musPlanRef"]], [self.plan_dn.lower()])

        # a sync after that files nothing again
        self.assertEqual(self.sync(), 0)

        # a filing cut short (the status not yet written, an activity
        # missing) is completed by the next sync, nothing twice
        self.stack.ldap_delete("cn=activity-2," + self.plan_dn)
        self.stack.ldap_modify("dn: %s\nchangetype: modify\nreplace: musStatus\n"
                               "musStatus: plan-pending\n" % self.conv_dn)
        self.assertEqual(self.sync(), 1)
        self.assertEqual(self.status(), "approved")
        self.assertEqual(len(self.plans()), 3)
        emp = self.stack.ldap_entries(self.emp, "(objectClass=*)", "musPlanRef",
                                      scope="base")[self.emp]
        self.assertEqual(len(emp["musPlanRef"]), 1)

        # the ACL: the employee and the current manager read the plan and
        # its activities; the next leader along does not
        self.assertEqual(len(self.read_as(self.emp, self.plan_dn)), 3)
        self.assertEqual(len(self.read_as(self.l1, self.plan_dn)), 3)
        self.assertEqual(self.read_as(self.l2, self.plan_dn), {})
        # a new manager: the plan stays, the new one reads it, the old not
        self.stack.ldap_modify("dn: %s\nchangetype: modify\nreplace: manager\nmanager: %s\n"
                               % (self.emp, self.l2))
        self.assertEqual(len(self.read_as(self.l2, self.plan_dn)), 3)
        self.assertEqual(self.read_as(self.l1, self.plan_dn), {})
        self.assertEqual(len(self.read_as(self.emp, self.plan_dn)), 3)


class ClosedRoundTest(unittest.TestCase):
    """A round closed while a plan waits for approval: the approval that comes in by
    mail after the close is recorded, and the next sync files the plan. While nothing
    is due, a closed round gets no row and nothing is written to it."""

    uid = "mus-followup-e2e-closed-round@eksempel.test"

    @classmethod
    def setUpClass(cls):
        cls.stack = Stack()
        _, cls.leader, cls.emp, cls.emp_before = cls.stack.plan_pair(
            lambda leaders: leaders[len(leaders) // 3 + 2])
        cls.round = "MUS closed round plan test"
        cls.round_dn, cls.conv_dn, conv = cls.stack.pair_round(
            cls.round, "2027-04-05", "2027-04-23", cls.leader, cls.emp)
        cls.plan_dn = "cn=plan-%s-v1,%s" % (conv["cn"][0], PLANS)
        today = datetime.date.today()
        set_conversation(cls.stack, cls.conv_dn, cls.uid, 1, {
            "goals": [{"kind": "individual", "text": "Plan the handover of the archive"}],
            "activities": [{"description": "Course in records management", "kind": "course",
                            "responsible": "leader",
                            "due": (today + datetime.timedelta(days=45)).isoformat()}],
            "follow_up": (today + datetime.timedelta(days=150)).isoformat()},
            ["1 20270101100000Z %s" % cls.leader])
        cls.stack.ldap_modify("dn: %s\nchangetype: modify\nreplace: musState\n"
                              "musState: closed\n" % cls.round_dn)

    @classmethod
    def tearDownClass(cls):
        cls.stack.ldap_delete(cls.round_dn)
        cls.stack.ldap_delete(cls.plan_dn)
        cls.stack.ldap_modify("dn: %s\nchangetype: modify\nreplace: musPlanRef\n-\n"
                              "replace: objectClass\n%s" % (cls.emp, "".join(
                                  "objectClass: %s\n" % c for c in cls.emp_before["objectClass"])))

    def rows(self, *args):
        """The rows of this round in `mus sync ARGS`."""
        return [r for r in self.stack.doveadm_json("mus", "sync", *args)
                if r["round"] == self.round]

    def conv(self):
        return self.stack.conversations(self.round_dn, operational=True)[self.conv_dn]

    def test_flow(self):
        # closed, the employee's approval missing: no row, nothing written
        csn = self.conv()["entryCSN"]
        res = self.stack.doveadm("-f", "json", "mus", "sync", "--round", self.round)
        self.assertEqual(json.loads(res.stdout), [])
        self.assertIn("round %s is closed: no plan waits to be filed" % self.round, res.stderr)
        self.assertEqual(self.conv()["entryCSN"], csn)
        self.assertNotIn("musLease", self.stack.ldap_entries(self.round_dn, scope="base")[self.round_dn])

        # the employee approves by mail after the close: recorded
        mail = self.emp_before["mail"][0]
        self.stack.wait_delivery_log(answer(self.stack, self.uid, mail, mail, 1), "applied")

        # a dry run counts the plan and files nothing
        self.assertEqual([r["plans-filed"] for r in self.rows("--dry-run", "--round", self.round)],
                         ["1"])
        self.assertEqual(self.conv()["musStatus"], ["plan-pending"])

        # the next sync of every round (as cron runs it) files it
        self.assertEqual([r["plans-filed"] for r in self.rows()], ["1"])
        self.assertEqual(self.conv()["musStatus"], ["approved"])
        plan = self.stack.ldap_entries(self.plan_dn, scope="base")[self.plan_dn]
        self.assertEqual([e.lower() for e in plan["musEmployee"]], [self.emp.lower()])
        self.assertEqual(self.rows("--round", self.round), [])

        # a plan there that both approved but that cannot be filed (its draft
        # does not read): every sync says so, but a dry run, as the idle check
        # runs it, finds nothing to do in the round
        set_conversation(self.stack, self.conv_dn, self.uid, 2, "not a plan",
                         ["2 20270101100000Z %s" % who for who in (self.leader, self.emp)])
        self.assertEqual(self.rows("--dry-run", "--round", self.round), [])
        res = self.stack.doveadm("-f", "json", "mus", "sync", "--round", self.round)
        self.assertEqual([r["plans-filed"] for r in json.loads(res.stdout)], ["0"])
        self.assertIn("cannot file the plan of %s" % self.conv_dn, res.stderr)
        self.assertEqual(self.conv()["musStatus"], ["plan-pending"])


if __name__ == "__main__":
    unittest.main()
