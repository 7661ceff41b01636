"""Two hosts at once: two Dovecot instances with the plugin share the stack's
slapd (the second one started by `mus-stack add-host`). Both run `doveadm mus
sync` of one round at the same moment, again and again, while leaders and
employees answer their invitations over LMTP to the organizer on both hosts
at once (both attendees of a conversation in the same instant, one on each
host). Afterwards every answer is in LDAP (no lost update), every declined
conversation got a new time and exactly one update, and every attendee's
mailbox holds exactly one invitation per UID and SEQUENCE (nothing sent
twice). A reply that answers the time a sync is replacing (the new one
written, not sent yet) changes nothing. Two full syncs at once, with
reminders of filed plans due, send each reminder once: both read the plans
before either reaches the mail server (a relay in front of Postfix holds the
first connection of each host until the other's comes)."""

import datetime
import re
import smtplib
import socket
import subprocess
import threading
import unittest
from zoneinfo import ZoneInfo

import replymail
from mustest import Conv, HeldDelivery, Stack, mus_stack, wait_for

ROUND = "MUS two hosts test"
WINDOW = ("2028-01-10", "2028-03-10")
WAVES = 3
# conversations kept apart for the test of replies to a time being replaced
ASIDE = 2
# the plans of the reminder test
REMINDER_MARK = "two-hosts-reminder"
DAY = datetime.timedelta(days=1)


def gt(dt):
    return dt.astimezone(datetime.timezone.utc).strftime("%Y%m%d%H%M%SZ")


class SmtpRendezvous:
    """One port per host in front of the stack's Postfix, relaying bytes as they
    are. The first connection on each port gets no banner until the first one on
    the other port has come too (or hold seconds have passed, under the plugin's
    30 s SMTP timeout); later connections are relayed at once. met tells whether
    the two first connections were open at the same time."""

    def __init__(self, target_port, hold=25):
        self.target = ("127.0.0.1", int(target_port))
        self.hold = hold
        self.met = False
        self.arrived = [threading.Event(), threading.Event()]
        self.listeners = []
        for _ in range(2):
            sock = socket.socket()
            sock.bind(("127.0.0.1", 0))
            sock.listen(16)
            self.listeners.append(sock)
        self.ports = [sock.getsockname()[1] for sock in self.listeners]
        for i, sock in enumerate(self.listeners):
            threading.Thread(target=self._accept, args=(i, sock), daemon=True).start()

    def _accept(self, i, sock):
        first = True
        while True:
            try:
                client, _ = sock.accept()
            except OSError:
                return
            threading.Thread(target=self._serve, args=(i, client, first), daemon=True).start()
            first = False

    def _serve(self, i, client, first):
        if first:
            self.arrived[i].set()
            if self.arrived[1 - i].wait(self.hold):
                self.met = True
        with client, socket.create_connection(self.target) as upstream:
            back = threading.Thread(target=self._copy, args=(upstream, client), daemon=True)
            back.start()
            self._copy(client, upstream)
            back.join()

    @staticmethod
    def _copy(src, dst):
        try:
            while True:
                data = src.recv(65536)
                if not data:
                    break
                dst.sendall(data)
        except OSError:
            pass
        for sock, how in ((dst, socket.SHUT_WR), (src, socket.SHUT_RD)):
            try:
                sock.shutdown(how)
            except OSError:
                pass

    def close(self):
        for sock in self.listeners:
            sock.close()


class TwoHostsTest(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        stack = Stack()
        if "MUS_LMTP_PORT_B" not in stack.env:
            res = mus_stack("add-host", stack.dir)
            if res.returncode != 0:
                raise AssertionError("mus-stack add-host failed: %s%s" % (res.stdout, res.stderr))
            stack = Stack()
        cls.stack = stack
        cls.hosts = [(stack["MUS_DOVECOT_CONF"], stack["MUS_LMTP_PORT"], stack["MUS_DOVECOT_LOG"]),
                     (stack["MUS_DOVECOT_CONF_B"], stack["MUS_LMTP_PORT_B"],
                      stack["MUS_DOVECOT_LOG_B"])]
        cls.people, by_manager = stack.reports()

        # two leaders from the middle of those whose reports all have mail
        # and lead nobody (other test files take theirs from the ends)
        leaders = stack.team_leaders(cls.people, by_manager)
        cls.leaders = leaders[len(leaders) // 2 - 1:len(leaders) // 2 + 1]
        flt = "(|%s)" % "".join("(manager=%s)(entryDN=%s)" % (m, m) for m in cls.leaders)
        old = stack.round_dn(ROUND)
        if old:
            stack.ldap_delete(old)
        stack.doveadm("mus", "round", "create", "--name", ROUND, "--kind", "MUS",
                      "--start", WINDOW[0], "--end", WINDOW[1], "--duration", "30",
                      "--workday", "0900-1500", "--max-per-day", "4", "--buffer", "15",
                      "--scope-filter", flt)
        cls.round_dn = stack.round_dn(ROUND)
        # the first syncs, on both hosts at once, create the conversations
        # and send the invitations
        cls.first_syncs = cls.sync_both()
        cls.free = sorted(c.dn for c in cls.convs().values() if c.musStatus == "invited"
                          and c.musLeader.lower() in cls.leaders)

    @classmethod
    def tearDownClass(cls):
        cls.stack.ldap_delete(cls.round_dn)
        cls.delete_reminder_plans()

    @classmethod
    def delete_reminder_plans(cls):
        base = "ou=plans," + cls.stack["MUS_LDAP_BASE"]
        for dn in cls.stack.ldap_entries(base, "(&(objectClass=musPlan)(cn=%s-*))"
                                         % REMINDER_MARK, "cn"):
            cls.stack.ldap_delete(dn)

    # -- helpers

    @classmethod
    def convs(cls):
        return {d: Conv(d, e) for d, e in cls.stack.conversations(cls.round_dn, operational=True).items()}

    @classmethod
    def start_syncs(cls):
        return [subprocess.Popen(["doveadm", "-c", conf, "mus", "sync", "--round", ROUND],
                                 stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
                for conf, _, _ in cls.hosts]

    @staticmethod
    def finish_syncs(procs):
        """(exit status, stderr) of each sync."""
        out = []
        for p in procs:
            _, err = p.communicate(timeout=300)
            out.append((p.returncode, err))
        return out

    @classmethod
    def sync_both(cls):
        return cls.finish_syncs(cls.start_syncs())

    def sync(self, host, *options):
        conf = self.hosts[host][0]
        return subprocess.run(["doveadm", "-c", conf] + list(options) + ["mus", "sync", "--round", ROUND],
                              capture_output=True, text=True, timeout=300)

    def mail(self, pdn):
        return self.people[pdn.lower()]["mail"][0]

    def reply(self, conv, who, partstat):
        ics = replymail.itip("REPLY", conv.musICalUID, self.mail(who), partstat, int(conv.musSequence))
        return replymail.message(self.stack["MUS_ORGANIZER"], self.mail(who), "Svar: MUS", ics, "REPLY")

    def deliver(self, host, msg):
        """Deliver msg over LMTP to the organizer on host (0 or 1): the plugin applies
        it before LMTP answers."""
        with smtplib.LMTP("127.0.0.1", int(self.hosts[host][1]), timeout=60) as lmtp:
            self.assertEqual(lmtp.send_message(msg, to_addrs=[self.stack["MUS_ORGANIZER"]]), {})

    def deliver_pair(self, pair):
        """pair: (message for host 0, message for host 1), both to the organizer; they
        reach their hosts in the same instant (both held before the final dot, then
        released together), and each is applied before its host answers."""
        held = [HeldDelivery(self.hosts[host][1], msg["From"], self.stack["MUS_ORGANIZER"],
                             msg.as_bytes()) for host, msg in enumerate(pair)]
        for h in held:
            h.release()
        for h in held:
            h.answer()

    def outcome(self, host, msg):
        """The plugin's outcome for msg in host's log."""
        mid = msg["Message-ID"].strip("<>")

        def probe():
            with open(self.hosts[host][2], encoding="utf-8", errors="replace") as f:
                for line in f:
                    if "mus: delivery to" in line and "(message-id=%s)" % mid in line:
                        return line.split("mus: delivery to ", 1)[1].split(": ")[1]
            return None
        return wait_for("the outcome of %s on host %d" % (mid, host), probe, timeout=15)

    def invitations(self, address):
        """{(UID, SEQUENCE): number of REQUESTs} in address's INBOX (host 0, where Postfix
        delivers)."""
        out = {}
        for uid, method, seq, _ in replymail.calendars(replymail.inbox(self.stack.imap(address))):
            if method == "REQUEST":
                out[(uid, seq)] = out.get((uid, seq), 0) + 1
        return out

    def assert_one_invitation_each(self, conv, sequences):
        for who in [conv.musLeader] + conv.e["musEmployee"]:
            got = {seq: n for (uid, seq), n in self.invitations(self.mail(who)).items()
                   if uid == conv.musICalUID}
            self.assertEqual(got, {s: 1 for s in sequences},
                             "invitations (SEQUENCE: count) of %s for %s" % (self.mail(who), conv.dn))

    # -- tests

    def test_concurrent_syncs_and_replies(self):
        for status, err in self.first_syncs:
            self.assertEqual(status, 0, err)
        convs = self.free[ASIDE:]
        self.assertGreaterEqual(len(convs), 3 * WAVES)
        first = self.convs()
        # what each conversation should end as
        declined = {}           # dn -> the DNs of who declined the first time
        accepted = set()        # dn: both accepted the time they have now
        for wave in range(WAVES):
            now = self.convs()
            pairs = []
            for i, dn in enumerate(convs[wave::WAVES]):
                c = now[dn]
                self.assertEqual((c.musStatus, c.musSequence), ("invited", "0"), dn)
                leader, employee = c.musLeader, c.musEmployee
                kind = i % 3
                if kind == 0:
                    answers = ((leader, "ACCEPTED"), (employee, "ACCEPTED"))
                    accepted.add(dn)
                elif kind == 1:
                    answers = ((leader, "ACCEPTED"), (employee, "DECLINED"))
                    declined[dn] = {employee.lower()}
                else:
                    answers = ((leader, "DECLINED"), (employee, "DECLINED"))
                    declined[dn] = {leader.lower(), employee.lower()}
                msgs = [self.reply(c, who, ps) for who, ps in answers]
                pairs.append((dn, kind == 0, tuple(msgs) if i % 2 == 0 else tuple(reversed(msgs))))
            # what was declined in an earlier wave and has its new time now
            # is accepted by both
            for dn in sorted(declined):
                c = now[dn]
                if dn not in accepted and c.musStatus == "invited" and c.musSequence == "1":
                    pairs.append((dn, True, (self.reply(c, c.musLeader, "ACCEPTED"),
                                             self.reply(c, c.musEmployee, "ACCEPTED"))))
                    accepted.add(dn)
            syncs = self.start_syncs()
            try:
                for dn, both_accept, pair in pairs:
                    self.deliver_pair(pair)
                    if both_accept:
                        # both were applied before LMTP answered; nothing
                        # else writes the answers of a conversation that
                        # keeps its time
                        c = self.convs()[dn]
                        self.assertEqual(c.partstat, {c.musLeader.lower(): "ACCEPTED",
                                                      c.musEmployee.lower(): "ACCEPTED"},
                                         "%s: answers delivered at once on both hosts" % dn)
            finally:
                synced = self.finish_syncs(syncs)
            for status, err in synced:
                self.assertEqual(status, 0, err)
        # what the last syncs left (a decline that came after they read it)
        for host in (0, 1, 0):
            res = self.sync(host)
            self.assertEqual(res.returncode, 0, res.stderr)

        after = self.convs()
        for dn in convs:
            c, before = after[dn], first[dn]
            people = {c.musLeader.lower(), c.musEmployee.lower()}
            if dn in declined:
                self.assertEqual(c.musSequence, "1", "%s: one update after the decline" % dn)
                self.assertNotEqual(c.musStart, before.musStart, dn)
                # the first decline recorded the time it declined, and
                # nothing recorded the new time
                spans = c.e.get("musDeclined", [])
                self.assertTrue(spans, dn)
                for span in spans:
                    start, end, who = span.split(" ")[:3]   # and a comment
                    self.assertEqual((start, end), (before.musStart, before.musEnd), dn)
                    self.assertIn(who.lower(), declined[dn], dn)
                sequences = (0, 1)
            else:
                self.assertEqual((c.musSequence, c.musStart), ("0", before.musStart), dn)
                sequences = (0,)
            if dn in accepted:
                self.assertEqual(c.partstat, {p: "ACCEPTED" for p in people}, dn)
                self.assertEqual(c.musStatus, "accepted", dn)
            else:
                # answers to the old time do not count for the new one
                self.assertEqual(c.partstat, {}, dn)
                self.assertEqual(c.musStatus, "invited", dn)
            self.assert_one_invitation_each(c, sequences)

    def test_a_reply_to_the_time_being_replaced_changes_nothing(self):
        # the employee declines; a sync writes the new time but cannot send
        # it (the mail server is unreachable); the leader's answer to the
        # old time comes after that: it is stale, whatever it says
        for dn, answer in zip(self.free[:ASIDE], ("DECLINED", "ACCEPTED")):
            c = self.convs()[dn]
            decline = self.reply(c, c.musEmployee, "DECLINED")
            self.deliver(1, decline)
            self.assertEqual(self.outcome(1, decline), "applied")
            res = self.sync(0, "-o", "plugin/mus_smtp_url=smtp://127.0.0.1:1")
            moved = self.convs()[dn]
            self.assertEqual((moved.musStatus, moved.musSequence, moved.musSentSequence),
                             ("scheduled", "1", "0"), "%s: %s" % (dn, res.stderr))
            late = self.reply(c, c.musLeader, answer)
            self.deliver(0, late)
            self.assertEqual(self.outcome(0, late), "stale")
            self.assertEqual(self.convs()[dn].entryCSN, moved.entryCSN)

            for host in (1, 0):
                res = self.sync(host)
                self.assertEqual(res.returncode, 0, res.stderr)
            after = self.convs()[dn]
            self.assertEqual((after.musStatus, after.musSequence, after.musStart),
                             ("invited", "1", moved.musStart), dn)
            self.assertEqual(after.partstat, {}, dn)
            self.assert_one_invitation_each(after, (0, 1))

    def reminder_plans(self, now):
        """For each of the two leaders, one of their reports: an approved plan
        under mus_plan_base with an overdue activity of the employee's, one due in
        three days of the leader's, and the follow-up meeting in five days. Returns
        {person DN: the texts that name their reminders in a subject}."""
        base = "ou=plans," + self.stack["MUS_LDAP_BASE"]
        _, by_manager = self.stack.reports()
        records, want = [], {}
        for n, leader in enumerate(self.leaders):
            employee = sorted(d for d in by_manager[leader.lower()]
                              if self.people[d].get("mail"))[0]
            cn = "%s-%d" % (REMINDER_MARK, n)
            plan = "cn=%s,%s" % (cn, base)
            records.append("\n".join([
                "dn: " + plan, "changetype: add", "objectClass: musPlan", "cn: " + cn,
                "musEmployee: " + employee, "musLeader: " + leader, "musPlanVersion: 1",
                "musGoal: Blive tryg i den nye vagtplan",
                "musApprovedByEmployee: " + gt(now - 30 * DAY),
                "musApprovedByLeader: " + gt(now - 30 * DAY),
                "musFollowUp: " + gt(now + 5 * DAY)]) + "\n")
            for act, who, due in (("e", employee, now - 2 * DAY), ("l", leader, now + 3 * DAY)):
                records.append("\n".join([
                    "dn: cn=%s,%s" % (act, plan), "changetype: add",
                    "objectClass: musActivity", "cn: " + act,
                    "description: Sidemandsoplæring %s" % act, "musActivityKind: practice",
                    "musDue: " + gt(due), "musActivityStatus: planned",
                    "musResponsible: " + who]) + "\n")
            # the follow-up meeting's reminder names the employee and the date
            meeting = "for %s den %s" % (
                self.people[employee.lower()]["cn"][0],
                (now + 5 * DAY).astimezone(ZoneInfo("Europe/Copenhagen")).strftime("%Y-%m-%d"))
            want.setdefault(employee.lower(), []).append(meeting)
            want.setdefault(leader.lower(), []).append(meeting)
        self.stack.ldap_modify("\n".join(records))
        for dn, e in self.stack.ldap_entries(base, "(objectClass=musActivity)",
                                             "entryUUID", "musResponsible").items():
            if REMINDER_MARK in dn:
                want[e["musResponsible"][0].lower()].append("[%s]" % e["entryUUID"][0])
        return want

    def reminders(self, want):
        """{person DN: {text: how many subjects in their INBOX hold it}}."""
        out = {}
        for who, texts in want.items():
            subjects = [str(m["Subject"] or "") for m in
                        replymail.inbox(self.stack.imap(self.mail(who)))]
            out[who] = {t: sum(1 for s in subjects if t in s) for t in texts}
        return out

    def test_reminders_two_syncs_at_once_send_each_once(self):
        self.delete_reminder_plans()
        conf = [h[0] for h in self.hosts]
        # whatever else waits to be sent goes now, so that the first mail of
        # the syncs below is a reminder
        res = subprocess.run(["doveadm", "-c", conf[0], "mus", "sync"],
                             capture_output=True, text=True, timeout=300)
        self.assertEqual(res.returncode, 0, res.stderr)
        want = self.reminder_plans(datetime.datetime.now(datetime.timezone.utc))
        rv = SmtpRendezvous(self.stack["MUS_SMTP_PORT"])
        try:
            procs = [subprocess.Popen(["doveadm", "-c", conf[h], "-o",
                                       "plugin/mus_smtp_url=smtp://127.0.0.1:%d" % rv.ports[h],
                                       "mus", "sync"],
                                      stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
                     for h in (0, 1)]
            synced = self.finish_syncs(procs)
        finally:
            rv.close()
        for status, err in synced:
            self.assertEqual(status, 0, err)
        self.assertTrue(rv.met, "the two syncs did not reach the mail server at the same time")
        once = {who: {t: 1 for t in texts} for who, texts in want.items()}

        def arrived():
            got = self.reminders(want)
            return got if all(n >= 1 for c in got.values() for n in c.values()) else None
        wait_for("the reminders in the mailboxes", arrived, timeout=30, interval=0.3)
        try:
            # the Postfix queue of this stack delivers within a second or two
            wait_for("a second reminder", lambda: self.reminders(want) != once,
                     timeout=5, interval=0.5)
        except AssertionError:
            pass
        self.assertEqual(self.reminders(want), once)
        # both read the plans before either sent anything: each reminder was
        # tried by both, sent by one and withheld by the other
        total = sum(len(t) for t in want.values())
        sent = raced = 0
        for _, err in synced:
            m = re.search(r"follow-up: \d+ plans, (\d+) activity reminders, (\d+) follow-up "
                          r"reminders, \d+ failed, (\d+) sent by another sync", err)
            self.assertIsNotNone(m, err)
            sent += int(m.group(1)) + int(m.group(2))
            raced += int(m.group(3))
        self.assertEqual((sent, raced), (total, total))
        base = "ou=plans," + self.stack["MUS_LDAP_BASE"]
        for dn, e in self.stack.ldap_entries(base, "(objectClass=musPlan)",
                                             "musRemindedTo").items():
            if REMINDER_MARK in dn:
                self.assertEqual(len(e["musRemindedTo"]), 2, dn)


if __name__ == "__main__":
    unittest.main()
