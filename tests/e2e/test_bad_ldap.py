"""Values an admin can write into LDAP that the schema lets through but we
cannot use: an unknown musStatus, a round with an unknown musKind, and
reply state (musCounter, musCounterRefused, musDeclined, musRefresh) that
does not parse. Nothing crashes, nothing is overwritten or sent by mistake,
and the problem is named."""

import email
import email.policy
import hashlib
import json
import subprocess
import unittest

import replymail

from mustest import Stack, TwoSyncs, ldap_escape

ROUND = "MUS bad values test"
BAD_ROUND = "MUS bad kind test"


class BadLdapValuesTest(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.stack = Stack()
        people = cls.stack.ldap_people()
        managers = sorted({p["manager"][0].lower() for p in people.values() if p.get("manager")})
        lower = {d.lower() for d in people}
        leader = next(m for m in reversed(managers) if m in lower)
        flt = "(|(manager=%s)(entryDN=%s))" % (leader, leader)
        cls.stack.doveadm("mus", "round", "create", "--name", ROUND, "--kind", "MUS",
                          "--start", "2027-12-01", "--end", "2027-12-22", "--duration", "30",
                          "--scope-filter", flt)
        cls.round_dn = cls.stack.round_dn(ROUND)
        cls.stack.doveadm("mus", "sync", "--round", ROUND)
        convs = cls.stack.conversations(cls.round_dn)
        cls.bad_dn, cls.bad = sorted((d, c) for d, c in convs.items()
                                     if c["musStatus"][0] in ("invited", "scheduled"))[0]
        cls.stack.ldap_modify("dn: %s\nchangetype: modify\nreplace: musStatus\n"
                              "musStatus: maybe-later\n" % cls.bad_dn)
        cls.stack.ldap_modify(
            "dn: cn=%s,ou=rounds,dc=eksempel,dc=test\nchangetype: add\nobjectClass: musRound\n"
            "cn: %s\nmusKind: KAFFE\nmusState: active\nmusWindowStart: 20271201000000Z\n"
            "musWindowEnd: 20271222000000Z\nmusDuration: 30\n" % (BAD_ROUND, BAD_ROUND))
        cls.sync = cls.stack.doveadm("mus", "sync", check=False)

    @classmethod
    def tearDownClass(cls):
        cls.stack.ldap_delete(cls.round_dn)
        cls.stack.ldap_delete("cn=%s,ou=rounds,dc=eksempel,dc=test" % BAD_ROUND)

    def test_sync_goes_on_and_names_the_bad_round(self):
        self.assertEqual(self.sync.returncode, 0, self.sync.stderr)
        self.assertIn("musKind: unknown value 'KAFFE'", self.sync.stderr)

    def test_the_bad_conversation_is_left_as_it_is(self):
        conv = self.stack.conversations(self.round_dn)[self.bad_dn]
        self.assertEqual(conv["musStatus"], ["maybe-later"])
        self.assertEqual(conv["musStart"], self.bad["musStart"])

    def test_status_reports_both(self):
        rows = json.loads(self.stack.doveadm("-f", "json", "mus", "status").stdout)
        failed = [r for r in rows if r["type"] == "failed"
                  and r["subject"].lower() == self.bad["musEmployee"][0].lower()]
        self.assertEqual(len(failed), 1, rows)
        self.assertIn("musStatus 'maybe-later'", failed[0]["detail"])
        invalid = [r for r in rows if r["type"] == "invalid-round"]
        self.assertTrue(any("KAFFE" in r["detail"] for r in invalid), invalid)


class BadReplyValuesTest(unittest.TestCase):
    ROUND = "MUS bad reply values test"

    @classmethod
    def setUpClass(cls):
        cls.stack = Stack()
        lower, by_manager = cls.stack.reports()
        leader = sorted(m for m, r in by_manager.items()
                        if m in lower and lower[m].get("mail") and len(r) >= 6)[-1]
        flt = "(|(manager=%s)(entryDN=%s))" % (leader, leader)
        cls.stack.doveadm("mus", "round", "create", "--name", cls.ROUND, "--kind", "MUS",
                          "--start", "2028-01-10", "--end", "2028-02-25", "--duration", "30",
                          "--scope-filter", flt)
        cls.round_dn = cls.stack.round_dn(cls.ROUND)
        cls.stack.doveadm("mus", "sync", "--round", cls.ROUND)
        invited = sorted(d for d, c in cls.stack.conversations(cls.round_dn).items()
                         if c["musStatus"][0] == "invited")
        if len(invited) < 5:
            raise AssertionError("fewer than five invited conversations")
        cls.counter, cls.refused, cls.declined, cls.refresh, cls.draft = invited[:5]
        cls.before = cls.stack.conversations(cls.round_dn)
        for dn, change in (
                (cls.counter, "replace: musCounter\nmusCounter: tomorrow at noon, please\n"),
                (cls.refused, "replace: musCounterRefused\nmusCounterRefused: no\n"),
                (cls.declined, "replace: musDeclined\nmusDeclined: 2028 sometime\n-\n"
                               "replace: musStatus\nmusStatus: rescheduling\n"),
                (cls.refresh, "replace: musRefresh\nmusRefresh: nobody@example.org\n"),
                # a plan waiting for approval whose draft and approval an admin broke
                (cls.draft, "replace: musStatus\nmusStatus: plan-pending\n-\n"
                            "replace: musPlanVersion\nmusPlanVersion: 1\n-\n"
                            "replace: musPlanDraft\nmusPlanDraft: {\"goals\": [\n-\n"
                            "replace: musPlanApproval\nmusPlanApproval: 1 soon somebody\n")):
            cls.stack.ldap_modify("dn: %s\nchangetype: modify\n%s" % (dn, change))
        cls.first = cls.stack.doveadm("mus", "sync", "--round", cls.ROUND, check=False)
        cls.second = cls.stack.doveadm("mus", "sync", "--round", cls.ROUND, check=False)
        cls.after = cls.stack.conversations(cls.round_dn)

    @classmethod
    def tearDownClass(cls):
        cls.stack.ldap_delete(cls.round_dn)

    def test_syncs_go_on(self):
        self.assertEqual(self.first.returncode, 0, self.first.stderr)
        self.assertEqual(self.second.returncode, 0, self.second.stderr)

    def test_a_proposal_that_does_not_parse_is_named_and_dropped(self):
        conv = self.after[self.counter]
        self.assertNotIn("musCounter", conv)
        self.assertNotIn("musCounterRefused", conv)
        self.assertEqual(conv["musStart"], self.before[self.counter]["musStart"])
        self.assertEqual(conv["musSequence"], self.before[self.counter]["musSequence"])
        self.assertIn("does not parse", self.first.stderr)

    def test_a_refusal_that_does_not_parse_is_named_and_dropped(self):
        conv = self.after[self.refused]
        self.assertNotIn("musCounterRefused", conv)
        self.assertEqual(conv["musSequence"], self.before[self.refused]["musSequence"])
        self.assertIn("cannot answer the proposal 'no'", self.first.stderr)
        self.assertNotIn("cannot answer the proposal 'no'", self.second.stderr)

    def test_a_declined_time_that_does_not_parse_is_ignored(self):
        conv = self.after[self.declined]
        self.assertEqual(conv["musStatus"], ["invited"])
        self.assertEqual(int(conv["musSequence"][0]),
                         int(self.before[self.declined]["musSequence"][0]) + 1)

    def test_a_refresh_for_a_stranger_sends_nothing(self):
        conv = self.after[self.refresh]
        self.assertEqual(conv["musSequence"], self.before[self.refresh]["musSequence"])
        self.assertEqual(conv.get("musSentSequence"),
                         self.before[self.refresh].get("musSentSequence"))

    def test_a_draft_that_does_not_read_sends_and_files_nothing(self):
        conv = self.after[self.draft]
        self.assertEqual(conv["musStatus"], ["plan-pending"])
        self.assertNotIn("musFollowUpUID", conv)
        self.assertNotIn("musFollowUpSentTo", conv)
        cn = conv["cn"][0]
        self.assertIn("%s: no follow-up meeting" % cn, self.first.stderr)
        self.assertEqual(self.stack.ldap_entries(
            self.stack["MUS_LDAP_BASE"], "(&(objectClass=musPlan)(musConversationRef=%s))"
            % ldap_escape(self.draft), "dn"), {})


class HiddenValuesTest(unittest.TestCase):
    """Values the schema makes mandatory that the service account may not
    read (an admin's ACL): what the plugin gets is what the ACL lets
    through. A conversation without its musLeader is shown as failed with
    the reason; a person without cn is named by uid. Sync, status and
    round show go on."""
    ROUND = "MUS hidden values test"
    ROOT = "gidNumber=0+uidNumber=0,cn=peercred,cn=external,cn=auth"

    @classmethod
    def config(cls, ldif):
        subprocess.run(["ldapmodify", "-Q", "-Y", "EXTERNAL", "-H", cls.stack.env["MUS_LDAPI_URI"]],
                       input=ldif, text=True, capture_output=True, check=True, timeout=30)

    @classmethod
    def setUpClass(cls):
        cls.stack = Stack()
        cls.round_dn, _, convs = cls.stack.invited_round(cls.ROUND, "2028-05-01",
                                                         "2028-06-16", 2)
        cls.dn, cls.nameless = sorted(d for d, c in convs.items()
                                      if c["musStatus"][0] == "invited")[:2]
        cls.nameless_before = convs[cls.nameless]
        cls.employee = cls.nameless_before["musEmployee"][0]
        hide = "olcAccess: {%d}to dn.exact=\"%s\" attrs=%s by dn.exact=%s manage " \
               "by dn.exact=\"%s\" none by * break\n"
        service = cls.stack.env["MUS_LDAP_SERVICE_DN"]
        cls.config("dn: olcDatabase={1}mdb,cn=config\nchangetype: modify\nadd: olcAccess\n" +
                   hide % (0, cls.dn, "musLeader", cls.ROOT, service) +
                   hide % (1, cls.employee, "cn", cls.ROOT, service))
        # a new place for every conversation: updates go out
        cls.stack.ldap_modify("dn: %s\nchangetype: modify\nreplace: musLocation\n"
                              "musLocation: Lokale 7\n" % cls.round_dn)
        try:
            cls.sync = cls.stack.doveadm("mus", "sync", "--round", cls.ROUND, check=False)
            cls.status = cls.stack.doveadm("-f", "json", "mus", "status", check=False)
            cls.show = cls.stack.doveadm("mus", "round", "show", "--name", cls.ROUND,
                                         check=False)
        finally:
            cls.config("dn: olcDatabase={1}mdb,cn=config\nchangetype: modify\n"
                       "delete: olcAccess\nolcAccess: {1}\n-\n"
                       "delete: olcAccess\nolcAccess: {0}\n")

    @classmethod
    def tearDownClass(cls):
        cls.stack.ldap_delete(cls.round_dn)

    def test_sync_goes_on(self):
        self.assertEqual(self.sync.returncode, 0, self.sync.stderr)

    def test_status_names_it(self):
        self.assertEqual(self.status.returncode, 0, self.status.stderr)
        rows = json.loads(self.status.stdout)
        self.assertTrue(any(r["type"] == "failed" and "musLeader is missing" in r["detail"]
                            for r in rows), rows)

    def test_round_show_lists_it(self):
        self.assertEqual(self.show.returncode, 0, self.show.stderr)
        rows = [l for l in self.show.stdout.splitlines() if "musLeader is missing" in l]
        self.assertEqual(len(rows), 1, self.show.stdout)
        self.assertTrue(rows[0].startswith("(unknown)"), rows[0])

    def test_the_conversation_was_left_as_it_was(self):
        conv = self.stack.conversations(self.round_dn)[self.dn]
        self.assertEqual(conv["musStatus"], ["invited"])


    def test_a_person_without_cn_is_named_by_uid(self):
        conv = self.stack.conversations(self.round_dn)[self.nameless]
        sequence = int(self.nameless_before["musSequence"][0]) + 1
        self.assertEqual(conv["musSentSequence"], [str(sequence)], self.sync.stdout + self.sync.stderr)
        people, _ = self.stack.reports()
        person = people[self.employee.lower()]
        uid, mail = person["uid"][0], person["mail"][0]
        self.assertNotEqual(uid, person["cn"][0])
        raws = [raw for raw in replymail.raw_inbox(self.stack.imap(mail))
                if b"Lokale 7" in raw.replace(b"=\r\n", b"")]
        self.assertEqual(len(raws), 1)
        to = email.message_from_bytes(raws[0], policy=email.policy.default)["To"]
        self.assertIn((uid, mail), [(a.display_name, a.addr_spec) for a in to.addresses])


class HandMadeConversationTest(TwoSyncs, unittest.TestCase):
    """A held conversation an admin added by hand (last year's, say),
    without the musICalUID a sync writes: the sync gives it the UID it
    would have given it, and its plan form goes out."""
    ROUND = "MUS hand-made conversation test"

    @classmethod
    def setUpClass(cls):
        cls.stack = Stack()
        cls.round_dn, cls.leader, reports = cls.stack.leader_round(
            cls.ROUND, "2029-08-06", "2029-09-28", 6)
        cls.dn = "cn=hand-made,%s" % cls.round_dn
        cls.stack.ldap_modify("dn: %s\nchangetype: add\nobjectClass: musConversation\n"
                              "cn: hand-made\nmusEmployee: %s\nmusLeader: %s\n"
                              "musStatus: held\nmusStart: 20290806070000Z\n"
                              "musEnd: 20290806073000Z\n" % (cls.dn, reports[0], cls.leader))
        cls.sync_twice(cls.ROUND)
        cls.after = cls.stack.conversations(cls.round_dn)[cls.dn]

    def test_the_first_sync_says_so(self):
        self.assertIn("hand-made: had no musICalUID", self.syncs[0].stderr)
        self.assertNotIn("had no musICalUID", self.syncs[1].stderr)

    def test_it_gets_the_uid_a_sync_gives(self):
        digest = hashlib.sha256(("%s\nhand-made" % self.round_dn).encode()).hexdigest()
        self.assertEqual(self.after["musICalUID"], [digest[:32] + "@eksempel.test"])

    def test_its_plan_form_goes_out(self):
        self.assertEqual(self.after["musStatus"], ["plan-requested"])


class UnanswerableRefusalTest(TwoSyncs, unittest.TestCase):
    """A leader's proposal of a new time was refused, and the employee lost
    their address before the answer (a DECLINECOUNTER with the meeting)
    went out: it can never go out, so the first sync says so and drops it,
    and the next one is quiet."""
    ROUND = "MUS unanswerable refusal test"

    @classmethod
    def setUpClass(cls):
        cls.stack = Stack()
        cls.round_dn, leader, convs = cls.stack.invited_round(cls.ROUND, "2029-10-01",
                                                              "2029-11-23", 7)
        cls.dn, conv = sorted(convs.items())[0]
        cls.employee = conv["musEmployee"][0]
        cls.mails = cls.stack.reports()[0][cls.employee.lower()]["mail"]
        cls.stack.ldap_modify(
            "dn: %s\nchangetype: modify\nreplace: musCounterRefused\n"
            "musCounterRefused: 20291001070000Z 20291001073000Z %s -- the leader is busy\n"
            % (cls.dn, leader))
        cls.stack.ldap_modify("dn: %s\nchangetype: modify\ndelete: mail\n" % cls.employee)
        try:
            cls.sync_twice(cls.ROUND)
        finally:
            cls.stack.ldap_modify("dn: %s\nchangetype: modify\nadd: mail\n%s"
                                  % (cls.employee, "".join("mail: %s\n" % m for m in cls.mails)))
        cls.after = cls.stack.conversations(cls.round_dn)[cls.dn]

    def test_it_is_dropped_once(self):
        self.assertIn("cannot answer the proposal", self.syncs[0].stderr)
        self.assertNotIn("cannot answer the proposal", self.syncs[1].stderr)
        self.assertNotIn("musCounterRefused", self.after)


if __name__ == "__main__":
    unittest.main()
