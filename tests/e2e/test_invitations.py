"""Invitations on the stack: iTIP REQUESTs with the cards attached, sent
through Postfix and read back over IMAP; updates, cancels and no repeats.

Every message is checked by parsers we did not write (Python's email
package and python3-icalendar, through check_imip)."""

import email
import email.policy
import os
import tempfile
import time
import unittest

import replymail
from check_imip import check_message
from mustest import Stack, wait_for

ROUND = "MUS invitations test"
PEOPLE = "ou=people,dc=eksempel,dc=test"


def dn(uid):
    return "uid=%s,%s" % (uid, PEOPLE)


def imip_inbox(stack, address):
    """[(method, uid, sequence, raw bytes)] of every iMIP message in the INBOX."""
    found = []
    for raw in replymail.raw_inbox(stack.imap(address)):
        parsed = email.message_from_bytes(raw, policy=email.policy.default)
        for part in parsed.walk():
            if part.get_content_type() == "text/calendar":
                cal = part.get_content()
                uid = seq = method = None
                for line in cal.replace("\r\n ", "").splitlines():
                    if line.startswith("METHOD:"):
                        method = line[7:]
                    elif line.startswith("UID:"):
                        uid = line[4:]
                    elif line.startswith("SEQUENCE:"):
                        seq = int(line[9:])
                found.append((method, uid, seq, raw))
                break
    return found


class InvitationTest(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.stack = Stack()
        lower, by_manager = cls.stack.reports()
        # two leaders with mail whose reports lead nobody: moving one of
        # them to the other leader can make no manager cycle
        leaders = sorted(m for m, reports in by_manager.items()
                         if m in lower and lower[m].get("mail") and len(reports) >= 3
                         and not any(r.lower() in by_manager for r in reports))
        cls.l1, cls.l2, cls.l3 = leaders[0], leaders[1], leaders[2]
        cls.people = lower
        # the leaders are in scope too (their own conversations, with a
        # manager outside the scope, cannot be held and are not sent)
        flt = "(|(manager=%s)(manager=%s)(entryDN=%s)(entryDN=%s))" % (
            cls.l1, cls.l2, cls.l1, cls.l2)
        cls.stack.ldap_delete(cls.stack.round_dn(ROUND) or "cn=%s,ou=rounds,dc=eksempel,dc=test" % ROUND)
        cls.stack.doveadm("mus", "round", "create", "--name", ROUND, "--kind", "MUS",
                          "--start", "2027-04-05", "--end", "2027-05-28", "--duration", "45",
                          "--workday", "0900-1500", "--max-per-day", "4", "--buffer", "15",
                          "--scope-filter", flt, "--card", "engagement",
                          "--location", "Mødelokale 2, Rådhuset")
        cls.round_dn = cls.stack.round_dn(ROUND)
        cls.first = cls.stack.doveadm("mus", "sync", "--round", ROUND)

    @classmethod
    def tearDownClass(cls):
        cls.stack.ldap_delete(cls.round_dn)

    def person(self, pdn):
        return next(p for d, p in self.people.items() if d.lower() == pdn.lower())

    def mail_of(self, pdn):
        return self.person(pdn)["mail"][0]

    def inbox(self, address):
        return imip_inbox(self.stack, address)

    def convs(self):
        return self.stack.conversations(self.round_dn)

    def ours(self, address, uid, expect=1):
        """The messages of uid in address's INBOX, once at least `expect`
        have arrived (Postfix delivers a moment after the sync) or after
        10 s."""
        deadline = time.monotonic() + 10
        while True:
            found = [m for m in self.inbox(address) if m[1] == uid]
            if len(found) >= expect or time.monotonic() > deadline:
                return found
            time.sleep(0.1)

    def test_1_every_attendee_has_one_checked_invitation(self):
        convs = self.convs()
        invited = [c for c in convs.values() if c["musStatus"][0] == "invited"]
        self.assertGreaterEqual(len(invited), 6, self.first.stdout)
        for c in invited:
            uid = c["musICalUID"][0]
            for attendee in [c["musLeader"][0]] + c["musEmployee"]:
                msgs = self.ours(self.mail_of(attendee), uid)
                self.assertEqual(len(msgs), 1, (attendee, uid))
                method, _, seq, raw = msgs[0]
                self.assertEqual((method, seq), ("REQUEST", 0))
                cal = check_message(raw)
                event = cal.walk("VEVENT")[0]
                self.assertEqual(str(event["UID"]), uid)
                self.assertIn("Rådhuset", str(event["LOCATION"]))
                self.assertEqual(event["DTSTART"].params.get("TZID"), "Europe/Copenhagen")
                att = [str(a) for a in event.get("ATTENDEE")]
                self.assertEqual(len(att), 2)
                parsed = email.message_from_bytes(raw, policy=email.policy.default)
                names = [p.get_filename() for p in parsed.iter_attachments()]
                # invite.ics, the three mandatory cards and the LMU card
                self.assertEqual(len(names), 5, names)
                self.assertIn("invite.ics", names)
            self.assertEqual(c["musSentSequence"], ["0"])

    def test_2_second_sync_sends_nothing(self):
        before = {c: self.inbox(self.mail_of(c)) for c in (self.l1, self.l2)}
        res = self.stack.doveadm("-f", "json", "mus", "sync", "--round", ROUND)
        self.assertIn('"messages":"0"', res.stdout.replace(" ", ""))
        after = {c: self.inbox(self.mail_of(c)) for c in (self.l1, self.l2)}
        self.assertEqual({k: len(v) for k, v in before.items()},
                         {k: len(v) for k, v in after.items()})

    def test_3_a_card_chosen_in_ldap_sends_an_update(self):
        convs = self.convs()
        cdn, c = sorted((d, c) for d, c in convs.items()
                        if c["musStatus"][0] == "invited")[0]
        uid = c["musICalUID"][0]
        self.stack.ldap_modify("dn: %s\nchangetype: modify\nadd: musCardEmployee\n"
                               "musCardEmployee: sparring\n" % cdn)
        self.stack.doveadm("mus", "sync", "--round", ROUND)
        for attendee in [c["musLeader"][0]] + c["musEmployee"]:
            msgs = sorted(self.ours(self.mail_of(attendee), uid, 2), key=lambda m: m[2])
            self.assertEqual([(m[0], m[2]) for m in msgs], [("REQUEST", 0), ("REQUEST", 1)])
            parsed = email.message_from_bytes(msgs[1][3], policy=email.policy.default)
            names = [p.get_filename() for p in parsed.iter_attachments()]
            self.assertEqual(len(names), 6, names)
            self.assertTrue(any("Sparring" in n for n in names), names)
            check_message(msgs[1][3])
        after = self.convs()[cdn]
        self.assertEqual(after["musSequence"], ["1"])
        self.assertEqual(after["musSentSequence"], ["1"])

    def test_4_a_moved_employee_gets_a_cancel_and_a_new_request(self):
        convs = self.convs()
        old_dn, old = sorted((d, c) for d, c in convs.items()
                             if c["musStatus"][0] == "invited"
                             and c["musLeader"][0].lower() == self.l1)[-1]
        employee = old["musEmployee"][0]
        old_uid, old_seq = old["musICalUID"][0], int(old["musSequence"][0])
        self.stack.ldap_modify("dn: %s\nchangetype: modify\nreplace: manager\nmanager: %s\n"
                               % (employee, self.l2))
        try:
            self.stack.doveadm("mus", "sync", "--round", ROUND)
            convs = self.convs()
            self.assertEqual(convs[old_dn]["musStatus"], ["cancelled"])
            new = [c for c in convs.values()
                   if c["musEmployee"][0].lower() == employee.lower()
                   and c["musLeader"][0].lower() == self.l2]
            self.assertEqual(len(new), 1)
            new_uid = new[0]["musICalUID"][0]
            self.assertNotEqual(new_uid, old_uid)
            cancels = [m for m in self.ours(self.mail_of(employee), old_uid, 2)
                       if m[0] == "CANCEL"]
            self.assertEqual([m[2] for m in cancels], [old_seq + 1])
            self.assertEqual(len([m for m in self.ours(self.mail_of(self.l1), old_uid, 2)
                                  if m[0] == "CANCEL"]), 1)
            check_message(cancels[0][3])
            for who in (employee, self.l2):
                self.assertEqual([m[0] for m in self.ours(self.mail_of(who), new_uid)],
                                 ["REQUEST"])
        finally:
            self.stack.ldap_modify("dn: %s\nchangetype: modify\nreplace: manager\nmanager: %s\n"
                                   % (employee, self.l1))

    def test_6_a_refused_recipient_fails_only_that_conversation(self):
        convs = self.convs()
        cdn, c = sorted((d, c) for d, c in convs.items()
                        if c["musStatus"][0] == "invited"
                        and c["musLeader"][0].lower() == self.l2)[0]
        employee = c["musEmployee"][0]
        mails = self.person(employee)["mail"]
        # Postfix answers 550 for an address that has no mailbox
        self.stack.ldap_modify("dn: %s\nchangetype: modify\nreplace: mail\n"
                               "mail: nobody.here@eksempel.test\n" % employee)
        try:
            res = self.stack.doveadm("mus", "sync", "--round", ROUND)
            convs = self.convs()
            self.assertEqual(convs[cdn]["musStatus"], ["failed"], res.stderr)
            self.assertIn("nobody.here@eksempel.test", convs[cdn]["musReason"][0])
            self.assertIn("550", convs[cdn]["musReason"][0])
            others = [d for d, o in convs.items()
                      if d != cdn and o["musStatus"][0] == "failed"]
            self.assertEqual(others, [])
            # unchanged, the failed one is not tried again
            again = self.stack.doveadm("-f", "json", "mus", "sync", "--round", ROUND)
            self.assertIn('"messages":"0"', again.stdout.replace(" ", ""))
        finally:
            self.stack.ldap_modify("dn: %s\nchangetype: modify\nreplace: mail\n%s"
                                   % (employee, "".join("mail: %s\n" % m for m in mails)))
        # with the address fixed, the next sync sends it again
        self.stack.doveadm("mus", "sync", "--round", ROUND)
        fixed = self.convs()[cdn]
        self.assertEqual(fixed["musStatus"], ["invited"])
        uid = fixed["musICalUID"][0]
        self.assertEqual(len(self.ours(mails[0], uid, 2)), 2)

    def test_5_dry_run_writes_checked_eml_files(self):
        with tempfile.TemporaryDirectory() as tmp:
            os.chmod(tmp, 0o755)
            self.stack.ldap_modify("dn: %s\nchangetype: modify\nreplace: musLocation\n"
                                   "musLocation: Byrådssalen\n" % self.round_dn)
            res = self.stack.doveadm("mus", "sync", "--dry-run", "--eml-dir", tmp,
                                     "--round", ROUND)
            files = sorted(os.listdir(tmp))
            self.assertGreater(len(files), 0, res.stdout + res.stderr)
            for name in files:
                with open(os.path.join(tmp, name), "rb") as f:
                    cal = check_message(f.read())
                self.assertIn("Byrådssalen", str(cal.walk("VEVENT")[0]["LOCATION"]))
            # nothing was sent or written
            for c in self.convs().values():
                self.assertNotIn("Byrådssalen", str(c))

    def test_5_dry_run_needs_an_eml_dir_that_is_a_directory(self):
        with tempfile.NamedTemporaryFile() as f:
            for arg, rc, says in (("", 64, "--eml-dir is empty"),
                                  (f.name, 73, "is not a directory"),
                                  (f.name + ".d/x", 73, "No such file or directory")):
                res = self.stack.doveadm("mus", "sync", "--dry-run", "--eml-dir", arg,
                                         "--round", ROUND, check=False)
                self.assertEqual(res.returncode, rc, res.stderr)
                self.assertIn(says, res.stderr)

    def test_6_dry_run_of_a_round_never_synced_writes_every_message(self):
        # the conversations exist only in the plan: none of their lists
        # (sent to, follow-up, competence form) has been read from LDAP.
        # The third leader's people are in no other round.
        name = "MUS dry run only"
        self.stack.doveadm("mus", "round", "create", "--name", name, "--kind", "MUS",
                           "--start", "2027-04-05", "--end", "2027-05-28",
                           "--duration", "45", "--workday", "0900-1500",
                           "--scope-filter", "(|(manager=%s)(entryDN=%s))" % (self.l3, self.l3))
        rdn = self.stack.round_dn(name)
        try:
            with tempfile.TemporaryDirectory() as tmp:
                os.chmod(tmp, 0o755)
                res = self.stack.doveadm("-f", "tab", "mus", "sync", "--dry-run",
                                         "--eml-dir", tmp, "--round", name)
                head, row = res.stdout.splitlines()[:2]
                counts = dict(zip(head.split("\t"), row.split("\t")))
                files = sorted(os.listdir(tmp))
                # one message to the leader and one to the employee of
                # every conversation the plan places
                self.assertGreater(int(counts["scheduled"]), 2, res.stdout)
                self.assertEqual(int(counts["messages"]), 2 * int(counts["scheduled"]))
                self.assertEqual(len(files), int(counts["messages"]))
                for fname in files:
                    with open(os.path.join(tmp, fname), "rb") as f:
                        self.assertEqual(check_message(f.read()).get("METHOD"), "REQUEST")
            # the dry run wrote no conversation
            self.assertEqual(self.stack.ldap_entries(rdn, "(objectClass=musConversation)",
                                                     "cn"), {})
        finally:
            self.stack.ldap_delete(rdn)


class ManagerChangeTest(unittest.TestCase):
    """Employees move to another leader in the middle of a round. One whose
    conversation took place (held, or its plan approved) keeps it as it is
    and gets no second one with the new leader; one whose conversation is
    still to come has it withdrawn and gets one with the new leader."""
    ROUND = "MUS manager change test"

    @classmethod
    def setUpClass(cls):
        cls.stack = Stack()
        cls.round_dn, leader, reports = cls.stack.leader_round(
            cls.ROUND, "2029-03-05", "2029-04-27", 4)
        people, by_manager = cls.stack.reports()
        cls.moved = [r for r in reports if Stack.usable(people, r)][:3]
        cls.new_leader = sorted(m for m in by_manager if m != leader and m in people
                                and Stack.usable(people, m))[0]
        scope = "(|(manager=%s)(entryDN=%s)%s)" % (
            leader, leader, "".join("(entryDN=%s)" % d for d in cls.moved + [cls.new_leader]))
        cls.stack.ldap_modify("dn: %s\nchangetype: modify\nreplace: musScopeFilter\n"
                              "musScopeFilter: %s\n" % (cls.round_dn, scope))
        cls.stack.doveadm("mus", "sync", "--round", cls.ROUND)
        cls.by_employee = {c["musEmployee"][0].lower(): d
                           for d, c in cls.stack.conversations(cls.round_dn).items()}
        approved, past, _ = (cls.by_employee[d.lower()] for d in cls.moved)
        cls.stack.ldap_modify("dn: %s\nchangetype: modify\nreplace: musStatus\n"
                              "musStatus: approved\n" % approved)
        # an invitation whose time has passed: the conversation was held
        cls.stack.ldap_modify("dn: %s\nchangetype: modify\nreplace: musStart\n"
                              "musStart: 20200106080000Z\n-\nreplace: musEnd\n"
                              "musEnd: 20200106083000Z\n" % past)
        cls.old_manager = leader
        for d in cls.moved:
            cls.stack.ldap_modify("dn: %s\nchangetype: modify\nreplace: manager\n"
                                  "manager: %s\n" % (d, cls.new_leader))
        # and the old leader leaves the round's scope (still in the
        # directory): the CANCEL reaches them and the employee
        cls.stack.ldap_modify("dn: %s\nchangetype: modify\nreplace: musScopeFilter\n"
                              "musScopeFilter: (|%s)\n" % (cls.round_dn, "".join(
                                  "(entryDN=%s)" % d for d in cls.moved + [cls.new_leader])))
        cls.sync = cls.stack.doveadm("mus", "sync", "--round", cls.ROUND, check=False)
        cls.after = cls.stack.conversations(cls.round_dn)

    @classmethod
    def tearDownClass(cls):
        for d in cls.moved:
            cls.stack.ldap_modify("dn: %s\nchangetype: modify\nreplace: manager\n"
                                  "manager: %s\n" % (d, cls.old_manager))
        cls.stack.ldap_delete(cls.round_dn)

    def convs_of(self, employee):
        return {d: c for d, c in self.after.items()
                if c["musEmployee"][0].lower() == employee.lower()}

    def test_sync_goes_on(self):
        self.assertEqual(self.sync.returncode, 0, self.sync.stderr)

    def test_a_conversation_that_took_place_stays_and_gets_no_second(self):
        # the one whose time passed is held; its plan form waits: the
        # leader who held it has left the scope
        for employee, statuses in zip(self.moved[:2], (["approved"], ["held"])):
            convs = self.convs_of(employee)
            self.assertEqual(list(convs), [self.by_employee[employee.lower()]])
            conv = convs[self.by_employee[employee.lower()]]
            self.assertEqual(conv["musStatus"], statuses)
            self.assertEqual(conv["musLeader"][0].lower(), self.old_manager.lower())

    def test_one_still_to_come_moves_to_the_new_leader(self):
        convs = self.convs_of(self.moved[2])
        old = convs.pop(self.by_employee[self.moved[2].lower()])
        self.assertEqual(old["musStatus"], ["cancelled"])
        self.assertEqual(old["musSentSequence"], old["musSequence"])
        people, _ = self.stack.reports()
        got = imip_inbox(self.stack, people[self.moved[2].lower()]["mail"][0])
        self.assertIn(("CANCEL", old["musICalUID"][0], int(old["musSequence"][0])),
                      [m[:3] for m in got])
        got = imip_inbox(self.stack, people[self.old_manager.lower()]["mail"][0])
        self.assertIn(("CANCEL", old["musICalUID"][0], int(old["musSequence"][0])),
                      [m[:3] for m in got])
        self.assertEqual(len(convs), 1, convs)
        new = next(iter(convs.values()))
        self.assertEqual(new["musLeader"][0].lower(), self.new_leader.lower())
        self.assertEqual(new["musStatus"], ["invited"])


class LeftTheScopeTest(unittest.TestCase):
    """Two employees leave the round's people after their invitations went
    out: one moves out of the round's scope and is still in the directory,
    the other's entry is deleted. Their calendars and the leader's lose the
    meetings: the CANCEL reaches the one who moved and the leader, and for
    the deleted one the leader alone. Nothing is sent twice."""
    ROUND = "MUS left the scope test"

    @classmethod
    def setUpClass(cls):
        cls.stack = Stack()
        cls.round_dn, cls.leader, reports = cls.stack.leader_round(
            cls.ROUND, "2030-05-06", "2030-06-21", 11)
        cls.people, by_manager = cls.stack.reports()

        def leaf(dn):
            return (dn.lower() not in by_manager and
                    not cls.stack.ldapsearch(dn, "(objectClass=*)", "1.1", scope="one").strip())
        usable = [r for r in reports if Stack.usable(cls.people, r)]
        cls.moved = usable[0]
        cls.deleted = next(r for r in usable[1:] if leaf(r))
        cls.stack.doveadm("mus", "sync", "--round", cls.ROUND)
        cls.before = {c["musEmployee"][0].lower(): (d, c)
                      for d, c in cls.stack.conversations(cls.round_dn).items()}
        cls.saved = cls.stack.ldapsearch(cls.deleted, "(objectClass=*)", scope="base")
        cls.stack.ldap_modify(
            "dn: %s\nchangetype: modify\nreplace: musScopeFilter\n"
            "musScopeFilter: (&(|(manager=%s)(entryDN=%s))(!(entryDN=%s)))\n"
            % (cls.round_dn, cls.leader, cls.leader, cls.moved))
        cls.stack.ldap_delete(cls.deleted, recursive=False)
        cls.sync = cls.stack.doveadm("mus", "sync", "--round", cls.ROUND, check=False)
        cls.again = cls.stack.doveadm("mus", "sync", "--round", cls.ROUND, check=False)
        cls.after = cls.stack.conversations(cls.round_dn)

    @classmethod
    def tearDownClass(cls):
        if cls.saved.strip():
            cls.stack._ldap_tool("ldapadd", input=cls.saved)
        cls.stack.ldap_delete(cls.round_dn)

    def cancels(self, address, conv):
        return [m[:3] for m in imip_inbox(self.stack, address)
                if m[0] == "CANCEL" and m[1] == conv["musICalUID"][0]]

    def test_syncs_go_on(self):
        self.assertEqual(self.sync.returncode, 0, self.sync.stderr)
        self.assertEqual(self.again.returncode, 0, self.again.stderr)
        self.assertNotIn("nobody to send it to", self.sync.stderr + self.again.stderr)

    def test_the_one_who_moved_and_the_leader_get_the_cancel_once(self):
        dn, conv = self.before[self.moved.lower()]
        after = self.after[dn]
        self.assertEqual(after["musStatus"], ["cancelled"])
        self.assertEqual(after["musSentSequence"], after["musSequence"])
        want = [("CANCEL", conv["musICalUID"][0], int(after["musSequence"][0]))]
        self.assertEqual(self.cancels(self.people[self.moved.lower()]["mail"][0], conv), want)
        self.assertEqual(self.cancels(self.people[self.leader.lower()]["mail"][0], conv), want)

    def test_the_leader_alone_gets_the_cancel_of_the_deleted_one(self):
        dn, conv = self.before[self.deleted.lower()]
        after = self.after[dn]
        self.assertEqual(after["musStatus"], ["cancelled"])
        self.assertEqual(after["musSentSequence"], after["musSequence"])
        got = [m for m in imip_inbox(self.stack, self.people[self.leader.lower()]["mail"][0])
               if m[0] == "CANCEL" and m[1] == conv["musICalUID"][0]]
        self.assertEqual([m[:3] for m in got],
                         [("CANCEL", conv["musICalUID"][0], int(after["musSequence"][0]))])
        # the text still names the employee who is gone, by their RDN
        name = self.deleted.split(",")[0].split("=", 1)[1]
        text = email.message_from_bytes(got[0][3], policy=email.policy.default)
        self.assertIn(name, text.get_body(("plain",)).get_content())
        self.assertIn("no longer in the directory", self.sync.stderr)


class BackToTheFirstLeaderTest(unittest.TestCase):
    """An employee moves to another leader (their conversation is withdrawn
    and one with the new leader is made), has that conversation, and moves
    back: the withdrawn one is not invited again, as they had theirs."""
    ROUND = "MUS back to the first leader test"

    @classmethod
    def setUpClass(cls):
        cls.stack = Stack()
        cls.round_dn, cls.leader, reports = cls.stack.leader_round(
            cls.ROUND, "2030-03-04", "2030-04-26", 9)
        people, by_manager = cls.stack.reports()
        cls.employee = next(r for r in reports if Stack.usable(people, r))
        other = sorted(m for m in by_manager if m != cls.leader and Stack.usable(people, m))[0]
        cls.stack.ldap_modify("dn: %s\nchangetype: modify\nreplace: musScopeFilter\n"
                              "musScopeFilter: (|(manager=%s)(entryDN=%s)(entryDN=%s)(entryDN=%s))\n"
                              % (cls.round_dn, cls.leader, cls.leader, cls.employee, other))
        cls.stack.doveadm("mus", "sync", "--round", cls.ROUND)
        cls.first = cls.conv_with(cls.leader)[0]
        cls.move(other)
        cls.stack.doveadm("mus", "sync", "--round", cls.ROUND)
        cls.second = cls.conv_with(other)[0]
        cls.stack.ldap_modify("dn: %s\nchangetype: modify\nreplace: musStatus\n"
                              "musStatus: held\n" % cls.second)
        cls.move(cls.leader)
        cls.sync = cls.stack.doveadm("mus", "sync", "--round", cls.ROUND, check=False)

    @classmethod
    def move(cls, manager):
        cls.stack.ldap_modify("dn: %s\nchangetype: modify\nreplace: manager\n"
                              "manager: %s\n" % (cls.employee, manager))

    @classmethod
    def conv_with(cls, leader):
        """(DN, status) of the employee's conversation with leader"""
        return next((d, c["musStatus"][0]) for d, c in cls.stack.conversations(cls.round_dn).items()
                    if c["musEmployee"][0].lower() == cls.employee.lower()
                    and c["musLeader"][0].lower() == leader.lower())

    @classmethod
    def tearDownClass(cls):
        cls.move(cls.leader)
        cls.stack.ldap_delete(cls.round_dn)

    def test_the_withdrawn_conversation_stays_withdrawn(self):
        self.assertEqual(self.sync.returncode, 0, self.sync.stderr)
        self.assertEqual(self.conv_with(self.leader), (self.first, "cancelled"))
        # and the one that took place stays (its plan form goes out)
        self.assertIn(self.stack.conversations(self.round_dn)[self.second]["musStatus"][0],
                      ("held", "plan-requested"))


class ExemptAfterTheInvitationTest(unittest.TestCase):
    """HR marks an invited employee musExempt (long-term sick, say): the next
    sync withdraws the conversation, and employee and leader get the CANCEL
    once. When the mark goes, a new time is found and invited."""
    ROUND = "MUS exempt after the invitation test"

    @classmethod
    def setUpClass(cls):
        cls.stack = Stack()
        cls.round_dn, cls.leader, reports = cls.stack.leader_round(
            cls.ROUND, "2031-03-03", "2031-04-25", 16)
        cls.people, _ = cls.stack.reports()
        cls.emp = next(r for r in reports if Stack.usable(cls.people, r))
        cls.stack.doveadm("mus", "sync", "--round", cls.ROUND)
        cls.dn, cls.before = next((d, c) for d, c in cls.stack.conversations(cls.round_dn).items()
                                  if c["musEmployee"][0].lower() == cls.emp.lower())
        classes = [c.lower() for c in cls.people[cls.emp.lower()]["objectClass"]]
        cls.add_class = "musperson" not in classes
        cls.stack.ldap_modify("dn: %s\nchangetype: modify\n%sadd: musExempt\nmusExempt: TRUE\n-\n"
                              % (cls.emp, "add: objectClass\nobjectClass: musPerson\n-\n"
                                 if cls.add_class else ""))
        cls.sync = cls.stack.doveadm("mus", "sync", "--round", cls.ROUND)
        cls.again = cls.stack.doveadm("mus", "sync", "--round", cls.ROUND)
        cls.after = cls.stack.conversations(cls.round_dn)[cls.dn]

    @classmethod
    def tearDownClass(cls):
        cls.stack.ldap_modify("dn: %s\nchangetype: modify\ndelete: musExempt\n-\n%s"
                              % (cls.emp, "delete: objectClass\nobjectClass: musPerson\n-\n"
                                 if cls.add_class else ""))
        cls.stack.ldap_delete(cls.round_dn)

    def cancels(self, who):
        return [m[:3] for m in imip_inbox(self.stack, self.people[who.lower()]["mail"][0])
                if m[0] == "CANCEL" and m[1] == self.before["musICalUID"][0]]

    def test_1_the_invitation_is_withdrawn_once(self):
        self.assertEqual(self.before["musStatus"], ["invited"])
        self.assertEqual(self.after["musStatus"], ["cancelled"])
        self.assertIn("exempt", self.after["musReason"][0])
        want = [("CANCEL", self.before["musICalUID"][0], int(self.after["musSequence"][0]))]
        for who in (self.emp, self.leader):
            self.assertEqual(wait_for("the CANCEL for %s" % who,
                                      lambda: self.cancels(who) or None), want)

    def test_2_back_again_a_new_invitation(self):
        self.stack.ldap_modify("dn: %s\nchangetype: modify\nreplace: musExempt\n"
                               "musExempt: FALSE\n-\n" % self.emp)
        self.stack.doveadm("mus", "sync", "--round", self.ROUND)
        back = self.stack.conversations(self.round_dn)[self.dn]
        self.assertEqual(back["musStatus"], ["invited"])
        self.assertGreater(int(back["musSequence"][0]), int(self.after["musSequence"][0]))


if __name__ == "__main__":
    unittest.main()
