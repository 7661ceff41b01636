"""Faults on the stack: slapd killed in the middle of a sync, Postfix
stopped in the middle of sending, Postfix refusing one recipient, the
free/busy server down or answering garbage, a reply delivered while slapd
is down. Whatever happens, every attendee ends with exactly one invitation
per (UID, SEQUENCE) in the mailbox, and LDAP (musStatus, musSequence,
musSentSequence, musSentTo) says what was sent.

Every test stops or breaks a server only with a cleanup that restores it
(tests/stack/mus-stack restart), so the test files after this one find the
stack as it was. Each test has a round of its own over leaders that no
other test file uses."""

import collections
import email
import email.policy
import os
import re
import signal
import socket
import subprocess
import time
import unittest

from mustest import Stack, alive, mus_stack, port_open, wait_for
import replymail

PEOPLE = "ou=people,dc=eksempel,dc=test"


def dn(uid):
    return "uid=%s,%s" % (uid, PEOPLE)


class FaultTest(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.stack = Stack()
        cls.people, _ = cls.stack.reports()

    # -- helpers

    def make_round(self, name, leaders, start, end):
        """A round of the leaders and their direct reports (the leaders' own
        conversations, with a manager outside the scope, stay unschedulable);
        removed after the test."""
        old = self.stack.round_dn(name)
        if old:
            self.stack.ldap_delete(old)
        flt = "(|%s)" % "".join("(manager=%s)(entryDN=%s)" % (dn(u), dn(u)) for u in leaders)
        self.stack.doveadm("mus", "round", "create", "--name", name, "--kind", "MUS",
                           "--start", start, "--end", end, "--duration", "30",
                           "--workday", "0800-1600", "--max-per-day", "6",
                           "--scope-filter", flt)
        rdn = self.stack.round_dn(name)
        self.addCleanup(self.stack.ldap_delete, rdn)
        return rdn

    def sync(self, name, check=True):
        return self.stack.doveadm("mus", "sync", "--round", name, check=check, timeout=300)

    def start_sync(self, name):
        proc = subprocess.Popen(self.stack.doveadm_command("mus", "sync", "--round", name),
                                stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
        self.addCleanup(lambda: proc.poll() is not None or (proc.kill(), proc.wait()))
        return proc

    def wait_for_first_send(self, rdn):
        """Block until the MTA has accepted at least one message of the round."""
        wait_for("a first invitation of %s" % rdn,
                 lambda: self.stack.ldapsearch(rdn, "(musSentTo=*)", "musSentTo",
                                               scope="one").strip(),
                 timeout=60, interval=0.02)

    def restart(self, server):
        res = mus_stack("restart", self.stack.dir, server)
        self.assertEqual(res.returncode, 0, res.stdout + res.stderr)

    def pid(self, server):
        return next((pid, start) for name, pid, start in self.stack.pids() if name == server)

    def reports_with_mail(self, leader):
        return sorted(d for d, p in self.people.items()
                      if [m.lower() for m in p.get("manager", [])[:1]] == [leader.lower()]
                      and p.get("mail"))

    def refuse(self, which, address, reply):
        """Postfix answers reply to address until the test's cleanup: at
        RCPT (which is MUS_POSTFIX_REFUSE_MAP) or at the end of the data
        (MUS_POSTFIX_REFUSE_AT_END_MAP)."""
        path = self.stack[which]
        with open(path, "w") as f:
            f.write("%s %s\n" % (address, reply))

        def unrefuse():
            open(path, "w").close()
            self.postfix("reload")
        self.addCleanup(unrefuse)
        self.postfix("reload")
        return unrefuse

    def postfix(self, *args):
        subprocess.run(["postfix", "-c", self.stack["MUS_POSTFIX_CONFIG_DIR"]] + list(args),
                       capture_output=True, timeout=60, check=True)

    def delay_data(self, seconds):
        """Postfix waits seconds before it answers DATA (a `sleep` in
        smtpd_data_restrictions) until the returned function, or at the
        latest the test's cleanup, puts the old setting back. Each change
        waits for the master's reload, so that a new SMTP session gets it."""
        conf = self.stack["MUS_POSTFIX_CONFIG_DIR"]
        old = subprocess.run(["postconf", "-c", conf, "-h", "smtpd_data_restrictions"],
                             capture_output=True, text=True, timeout=60,
                             check=True).stdout.strip()

        def reloads():
            with open(self.stack["MUS_POSTFIX_LOG"], errors="replace") as f:
                return sum(1 for line in f if re.search(r"/master\[[0-9]+\]: reload ", line))

        def set_restrictions(value):
            before = reloads()
            subprocess.run(["postconf", "-c", conf, "-e", "smtpd_data_restrictions = " + value],
                           capture_output=True, timeout=60, check=True)
            self.postfix("reload")
            wait_for("Postfix to reload", lambda: reloads() > before, timeout=30)

        self.addCleanup(set_restrictions, old)
        set_restrictions(", ".join(filter(None, ["sleep %d" % seconds, old])))
        return lambda: set_restrictions(old)

    def connections(self, port):
        """(Recv-Q, Send-Q, local port, peer port, pids) of every
        established TCP connection from or to 127.0.0.1:port."""
        res = subprocess.run(["ss", "-tnpH", "state", "established",
                              "( sport = :%s or dport = :%s )" % (port, port)],
                             capture_output=True, text=True, timeout=30, check=True)
        for line in res.stdout.splitlines():
            recv_q, send_q, local, peer = line.split()[:4]
            yield (int(recv_q), int(send_q), int(local.rpartition(":")[2]),
                   int(peer.rpartition(":")[2]), {int(p) for p in re.findall(r"pid=(\d+)", line)})

    def waiting_for_data_reply(self, pid):
        """Whether the process pid is waiting for Postfix's answer to DATA:
        its one SMTP connection has nothing unsent or unread, and the smtpd
        at the other end sleeps in the delay_data() pause (smtpd has no other
        reason to sleep here). The sync's LDAP calls are synchronous, so it
        has no LDAP request outstanding then; its LDAP connection must hold
        nothing unsent or unread either."""
        smtp_port = int(self.stack["MUS_SMTP_PORT"])
        smtp = list(self.connections(smtp_port))
        mine = [c for c in smtp if pid in c[4]]
        if len(mine) != 1 or mine[0][:2] != (0, 0):
            return False
        smtpds = [p for c in smtp if c[2] == smtp_port and c[3] == mine[0][2] for p in c[4]]
        for smtpd in smtpds:
            try:
                with open("/proc/%d/wchan" % smtpd) as f:
                    if "nanosleep" not in f.read():
                        return False
            except FileNotFoundError:
                return False
        return bool(smtpds) and all(c[:2] == (0, 0) for c in
                                    self.connections(self.stack["MUS_LDAP_PORT"])
                                    if pid in c[4])

    def at_data_reply(self, proc, what, action):
        """Stop the sync proc (SIGSTOP) again and again until it is seen
        waiting for Postfix's answer to DATA (see waiting_for_data_reply;
        with delay_data() in force); then run action() while it is still
        stopped, and let it go on. what: the action, for the failures."""
        deadline = time.monotonic() + 30
        while True:
            os.kill(proc.pid, signal.SIGSTOP)
            try:
                if self.waiting_for_data_reply(proc.pid):
                    action()
                    return
                self.assertIsNone(proc.poll(), "the sync ended before %s" % what)
                self.assertLess(time.monotonic(), deadline,
                                "the sync was never seen waiting for Postfix's answer to DATA")
            finally:
                os.kill(proc.pid, signal.SIGCONT)
            time.sleep(0.05)

    def wait_queue_empty(self):
        """Postfix has delivered (or bounced) everything it accepted."""
        def empty():
            res = subprocess.run(["postqueue", "-c", self.stack["MUS_POSTFIX_CONFIG_DIR"], "-p"],
                                 capture_output=True, text=True, timeout=30)
            return "Mail queue is empty" in res.stdout
        wait_for("an empty Postfix queue", empty, timeout=60, interval=0.2)

    def mail(self, pdn):
        return self.people[pdn.lower()]["mail"][0].lower()

    def itip_messages(self, address):
        """Counter of (METHOD, UID, SEQUENCE, Postfix queue id) of the iMIP
        messages in address's INBOX. The queue id tells a submission of ours
        from Postfix delivering one queued message again."""
        conn = self.stack.imap(address)
        try:
            conn.select("INBOX", readonly=True)
            typ, data = conn.search(None, "ALL")
            found = collections.Counter()
            for num in data[0].split():
                typ, msg = conn.fetch(num, "(BODY.PEEK[])")
                parsed = email.message_from_bytes(msg[0][1], policy=email.policy.default)
                queue_id = next((m.group(1) for m in (
                    re.search(r"\(Postfix\) with E?SMTP id (\w+)", str(r))
                    for r in parsed.get_all("Received", [])) if m), None)
                for part in parsed.walk():
                    if part.get_content_type() == "text/calendar":
                        fields = {}
                        for line in part.get_content().replace("\r\n ", "").splitlines():
                            key, _, value = line.partition(":")
                            fields.setdefault(key, value)
                        found[(fields.get("METHOD"), fields.get("UID"),
                               int(fields.get("SEQUENCE", "0")), queue_id)] += 1
                        break
            return found
        finally:
            conn.logout()

    def assert_consistent(self, rdn, redelivered=False):
        """Each attendee's mailbox holds exactly what LDAP says was sent:
        one REQUEST per SEQUENCE sent in full (musSentSequence) or to them
        alone (musSentTo), and nothing else of that UID. With redelivered,
        Postfix may have delivered one submission twice (it was killed
        between Dovecot's "250 Saved" and its own bookkeeping): still one
        submission each. Returns the conversations."""
        self.wait_queue_empty()
        convs = self.stack.conversations(rdn)
        inboxes = {}
        for cdn, c in convs.items():
            uid = c.get("musICalUID", [None])[0]
            if uid is None:
                continue
            sent_to = collections.defaultdict(set)
            for value in c.get("musSentTo", []):
                seq, _, addr = value.partition(" ")
                sent_to[addr.lower()].add(int(seq))
            for attendee in c["musLeader"] + c["musEmployee"]:
                if not self.people[attendee.lower()].get("mail"):
                    continue
                addr = self.mail(attendee)
                want = set(sent_to[addr])
                if "musSentSequence" in c:
                    want.add(int(c["musSentSequence"][0]))
                if addr not in inboxes:
                    inboxes[addr] = self.itip_messages(addr)
                submissions = collections.Counter()
                for (method, u, seq, queue_id), copies in inboxes[addr].items():
                    if u == uid:
                        submissions[(method, u, seq)] += 1
                        if not redelivered:
                            self.assertEqual(copies, 1, (cdn, addr, seq, queue_id))
                self.assertEqual(dict(submissions), {("REQUEST", uid, s): 1 for s in want},
                                 (cdn, addr, c.get("musStatus"), c.get("musReason")))
        return convs

    def assert_all_invited(self, convs, minimum):
        invited = [c for c in convs.values() if c["musStatus"] == ["invited"]]
        self.assertGreaterEqual(len(invited), minimum,
                                sorted({(c["musStatus"][0], c.get("musReason", [""])[0])
                                        for c in convs.values()}))
        for c in invited:
            self.assertEqual(c["musSentSequence"], c["musSequence"])
            self.assertNotIn("musSentTo", c)

    # -- a) slapd killed in the middle of a sync

    def test_a_slapd_killed_during_a_sync(self):
        name = "MUS faults slapd killed"
        rdn = self.make_round(name, ("kasper.vestergaard", "kirsten.boegh", "niels.groenbaek",
                                     "pia.broendum"), "2028-02-07", "2028-03-31")
        # Postfix pauses before it answers DATA, and slapd is killed while
        # the sync is stopped inside that pause: between two of its directory
        # operations, before the musSentTo record of the message in hand.
        # (A kill that cuts off that write inside slapd leaves it unknown
        # whether it was done; then the sync sends rather than risk an
        # invitation recorded but never sent, and the next sync may send an
        # identical copy. That window is not what this test is about.)
        undelay = self.delay_data(1)
        proc = self.start_sync(name)
        self.wait_for_first_send(rdn)
        pid, start = self.pid("slapd")
        self.addCleanup(lambda: alive(*self.pid("slapd")) or self.restart("slapd"))

        def kill_slapd():
            os.kill(pid, signal.SIGKILL)
            wait_for("slapd to exit", lambda: not alive(pid, start))
        self.at_data_reply(proc, "slapd could be killed", kill_slapd)
        out, err = proc.communicate(timeout=120)
        undelay()
        self.assertEqual(proc.returncode, 75, out + err)     # EX_TEMPFAIL
        # the message in hand is not sent, as its record cannot be written
        # (the last of its conversation's carries musSentSequence)
        self.assertRegex(err, r"mus: sync failed: [^:\n]+: recording (musSentTo '[0-9]+ [^']+'|"
                         r"musSentSequence [0-9]+ \(with the message to [^)]+\)) "
                         r"failed, so the message was withheld from the mail server: "
                         r"the directory closed the connection", err)

        self.restart("slapd")
        before = self.stack.conversations(rdn)
        self.assertTrue(any(c["musStatus"] != ["invited"] for c in before.values()),
                        "the sync was done before slapd was killed: nothing to test")
        self.sync(name)
        self.assert_all_invited(self.assert_consistent(rdn), 30)

    # -- b) Postfix stopped in the middle of sending

    def test_b_postfix_stopped_during_sending(self):
        name = "MUS faults postfix stopped"
        rdn = self.make_round(name, ("signe.moelgaard", "torben.froeslev"),
                              "2028-02-07", "2028-03-31")
        # Postfix pauses before it answers DATA, and is stopped while the
        # sync is stopped inside that pause: before the end of data of the
        # message in hand, so Postfix has none of it. (Stopped after it took
        # the end of data but before the sync read its 250, Postfix may have
        # queued a message the sync counts as not sent, and the next sync
        # sends it again: the "250 OK lost" window of mus-send.h, not what
        # this test is about.) The delay's cleanup reloads Postfix, so the
        # restart's cleanup comes after it, to run first.
        undelay = self.delay_data(1)
        smtp_port = int(self.stack["MUS_SMTP_PORT"])
        self.addCleanup(lambda: port_open(smtp_port) or self.restart("postfix"))
        proc = self.start_sync(name)
        self.wait_for_first_send(rdn)
        pid, start = self.pid("postfix")

        def stop_postfix():
            # what `postfix stop` does, without the script's checks first;
            # the master takes its smtpd (and the sync's session) with it
            os.kill(pid, signal.SIGTERM)
            wait_for("Postfix to exit", lambda: not alive(pid, start) and not any(
                c[2] == smtp_port for c in self.connections(smtp_port)))
        self.at_data_reply(proc, "Postfix could be stopped", stop_postfix)
        out, err = proc.communicate(timeout=120)
        self.assertEqual(proc.returncode, 75, out + err)     # EX_TEMPFAIL
        self.assertIn("mus: sync failed: the mail server %s failed 3 times in a row"
                      % self.stack["MUS_SMTP_URL"], err)
        self.assertIn("the rest is left for the next sync", err)
        convs = self.stack.conversations(rdn)
        self.assertTrue(any(c["musStatus"] != ["invited"] for c in convs.values()),
                        "the sync was done before Postfix stopped: nothing to test")
        self.assertEqual([c for c in convs.values() if c["musStatus"] == ["failed"]], [])

        self.restart("postfix")
        undelay()
        self.sync(name)
        self.assert_all_invited(self.assert_consistent(rdn, redelivered=True), 15)

    # -- c) Postfix refuses one recipient for good

    def test_c_a_refused_recipient_fails_only_its_conversation(self):
        name = "MUS faults refused recipient"
        leader = dn("dorthe.skovgaard")
        rdn = self.make_round(name, ("dorthe.skovgaard",), "2028-02-07", "2028-03-31")
        victim = self.reports_with_mail(leader)[0]
        self.refuse("MUS_POSTFIX_REFUSE_MAP", self.mail(victim),
                    "550 5.1.1 MUS fault test: no such mailbox here")
        res = self.sync(name)
        convs = self.assert_consistent(rdn)
        failed = {d: c for d, c in convs.items() if c["musStatus"] == ["failed"]}
        self.assertEqual([c["musEmployee"][0].lower() for c in failed.values()],
                         [victim.lower()], res.stderr)
        reason = next(iter(failed.values()))["musReason"][0]
        self.assertIn(self.mail(victim), reason)
        self.assertRegex(reason, "550 5.1.1 .*MUS fault test: no such mailbox here")
        self.assert_all_invited(convs, 7)
        self.assertEqual(sorted(c["musStatus"][0] for c in convs.values()),
                         sorted(["failed", "unschedulable"] + ["invited"] * (len(convs) - 2)))

    def test_c_a_message_refused_at_its_end_of_data_leaves_no_record(self):
        """The last message of a conversation carries the record that
        everybody has it (musSentSequence and the status invited, written
        while Postfix waits for its end of data). Refused only there, as by
        a content filter or a size limit, that record is taken back, and
        the conversation fails with the refusal, as one refused at RCPT
        does: the leader's message stays recorded, the employee's is not."""
        name = "MUS faults refused at end of data"
        leader = dn("dorthe.skovgaard")
        rdn = self.make_round(name, ("dorthe.skovgaard",), "2028-02-07", "2028-03-31")
        victim = self.reports_with_mail(leader)[-1]
        self.refuse("MUS_POSTFIX_REFUSE_AT_END_MAP", self.mail(victim),
                    "554 5.6.0 MUS fault test: refused at the end of the data")
        res = self.sync(name)
        self.assertIn("the mail server refused %s" % self.mail(victim), res.stderr)
        convs = self.assert_consistent(rdn)
        failed = {d: c for d, c in convs.items() if c["musStatus"] == ["failed"]}
        self.assertEqual([c["musEmployee"][0].lower() for c in failed.values()],
                         [victim.lower()], res.stderr)
        c = next(iter(failed.values()))
        self.assertRegex(c["musReason"][0], "MUS fault test: refused at the end of the data")
        self.assertNotIn("musSentSequence", c)
        self.assertEqual([v.lower() for v in c["musSentTo"]],
                         ["0 " + self.mail(leader).lower()])
        self.assert_all_invited(convs, 7)

    def test_c_a_decline_while_the_last_message_waits_keeps_the_sequence_sent(self):
        """The leader declines in the seconds the last message waits for
        Postfix's answer to its end of data (the leader's invitation is
        out, the record that everybody has it written), and Postfix then
        defers that message: the conversation stays declined, and since the
        leader has SEQUENCE 0, the new time goes out as an update to both."""
        name = "MUS faults decline while the last message waits"
        leader = dn("dorthe.skovgaard")
        rdn = self.make_round(name, ("dorthe.skovgaard",), "2028-02-07", "2028-03-31")
        victim = self.reports_with_mail(leader)[0]
        unrefuse = self.refuse("MUS_POSTFIX_REFUSE_AT_END_MAP", self.mail(victim),
                               "mus_slow_defer")
        proc = self.start_sync(name)
        flt = "(&(musEmployee=%s)(musSentSequence=0))" % victim
        wait_for("the record of the last message to %s" % victim,
                 lambda: self.stack.ldapsearch(rdn, flt, "musICalUID", scope="one").strip(),
                 timeout=60, interval=0.02)
        cdn, c = next((d, c) for d, c in self.stack.conversations(rdn).items()
                      if c["musEmployee"][0].lower() == victim.lower())
        self.assertEqual(c["musStatus"], ["invited"])
        ics = replymail.itip("REPLY", c["musICalUID"][0], self.mail(leader), "DECLINED", 0)
        replymail.submit(self.stack, replymail.message(
            self.stack["MUS_ORGANIZER"], self.mail(leader), "Afvist: MUS", ics, "REPLY"))
        wait_for("the decline to be applied",
                 lambda: self.stack.conversations(rdn)[cdn]["musStatus"] == ["rescheduling"],
                 timeout=10)
        self.assertIsNone(proc.poll(), "the sync ended before the decline was applied")
        out, err = proc.communicate(timeout=120)
        self.assertEqual(proc.returncode, 0, out + err)
        self.assertIn("%s deferred" % self.mail(victim), err)
        c = self.stack.conversations(rdn)[cdn]
        self.assertEqual(c["musStatus"], ["rescheduling"])
        self.assertEqual(c["musSentSequence"], ["0"])
        self.assertNotIn("musSentDigest", c)

        # (Postfix's reload waits for an idle queue: a message being
        # delivered then would stay queued until the next queue run)
        self.wait_queue_empty()
        unrefuse()
        self.sync(name)
        c = self.stack.conversations(rdn)[cdn]
        self.assertEqual((c["musStatus"], c["musSequence"], c["musSentSequence"]),
                         (["invited"], ["1"], ["1"]))
        self.wait_queue_empty()
        for person, sequences in ((leader, [0, 1]), (victim, [1])):
            got = sorted(seq for method, uid, seq, _ in self.itip_messages(self.mail(person))
                         if method == "REQUEST" and uid == c["musICalUID"][0])
            self.assertEqual(got, sequences, person)

    # -- d) the free/busy server down or answering garbage

    def test_d_free_busy_garbage_is_logged_and_scheduling_goes_on(self):
        name = "MUS faults free/busy garbage"
        leader = dn("hanne.lykkegaard")
        rdn = self.make_round(name, ("hanne.lykkegaard",), "2028-02-07", "2028-03-31")
        reports = sorted(d for d, p in self.people.items()
                         if [m.lower() for m in p.get("manager", [])[:1]] == [leader.lower()]
                         and p.get("mail"))[:3]
        fb_dir, base = self.stack["MUS_FB_DIR"], self.stack["MUS_FB_BASE_URL"]
        with open(os.path.join(fb_dir, "faults-binary.ifb"), "wb") as f:
            f.write(b"BEGIN:VCALENDAR\r\n\x00\xff\xfe" + os.urandom(4096) + b"\r\n")
        with open(os.path.join(fb_dir, "faults-huge.ifb"), "wb") as f:
            f.write(b"BEGIN:VCALENDAR\r\nBEGIN:VFREEBUSY\r\n")
            f.write(b"FREEBUSY:20280207T080000Z/PT1H\r\n" * 80000)
        # a port nobody listens on: bound, never listened to, closed at the end
        closed = socket.socket()
        closed.bind(("127.0.0.1", 0))
        self.addCleanup(closed.close)
        urls = [base + "/faults-binary.ifb", base + "/faults-huge.ifb",
                "http://127.0.0.1:%d/closed.ifb" % closed.getsockname()[1]]
        for d, url in zip(reports, urls):
            person = self.people[d.lower()]
            if "calEntry" in person["objectClass"]:
                self.addCleanup(self.stack.ldap_modify,
                                "dn: %s\nchangetype: modify\nreplace: calFBURL\n%s"
                                % (d, "".join("calFBURL: %s\n" % u
                                              for u in person.get("calFBURL", []))))
                self.stack.ldap_modify("dn: %s\nchangetype: modify\nreplace: calFBURL\n"
                                       "calFBURL: %s\n" % (d, url))
            else:
                self.addCleanup(self.stack.ldap_modify,
                                "dn: %s\nchangetype: modify\ndelete: calFBURL\n-\n"
                                "delete: objectClass\nobjectClass: calEntry\n" % d)
                self.stack.ldap_modify("dn: %s\nchangetype: modify\nadd: objectClass\n"
                                       "objectClass: calEntry\n-\nadd: calFBURL\n"
                                       "calFBURL: %s\n" % (d, url))
        res = self.sync(name)
        for url in urls:
            self.assertIn(url, res.stderr)
        self.assertRegex(res.stderr, r"faults-huge.ifb: more than [0-9]+ bytes")
        self.assert_all_invited(self.assert_consistent(rdn), 8)

    def test_d_free_busy_server_stopped(self):
        name = "MUS faults free/busy down"
        rdn = self.make_round(name, ("anders.naesby",), "2028-02-07", "2028-03-31")
        pid, start = self.pid("http")
        self.addCleanup(lambda: alive(*self.pid("http")) or self.restart("http"))
        os.kill(pid, signal.SIGKILL)
        wait_for("nginx to exit", lambda: not alive(pid, start))
        began = time.monotonic()
        res = self.sync(name)
        self.assertLess(time.monotonic() - began, 60, res.stderr)
        self.assertIn(self.stack["MUS_FB_BASE_URL"], res.stderr)
        self.assertIn("scheduling without it", res.stderr)
        self.restart("http")
        self.assert_all_invited(self.assert_consistent(rdn), 8)

    # -- e) a reply delivered while slapd is down

    def test_e_reply_while_slapd_is_down_is_applied_once_later(self):
        name = "MUS faults reply while slapd is down"
        rdn = self.make_round(name, ("tove.damgaard",), "2028-02-07", "2028-03-31")
        self.sync(name)
        cdn, c = sorted(self.stack.conversations(rdn, operational=True).items())[0]
        self.assertEqual(c["musStatus"], ["invited"])
        leader = self.mail(c["musLeader"][0])
        ics = replymail.itip("REPLY", c["musICalUID"][0], leader, "ACCEPTED",
                             int(c["musSequence"][0]))
        msg = replymail.message(self.stack["MUS_ORGANIZER"], leader, "Accepteret: MUS", ics,
                                "REPLY")
        mid = msg["Message-ID"].strip("<>")

        pid, start = self.pid("slapd")
        self.addCleanup(lambda: alive(*self.pid("slapd")) or self.restart("slapd"))
        os.kill(pid, signal.SIGKILL)
        wait_for("slapd to exit", lambda: not alive(pid, start))
        replymail.submit(self.stack, msg)
        wait_for("the delivery to give up on LDAP",
                 lambda: [line for line in self.stack.dovecot_log().splitlines()
                          if mid in line and "left for doveadm mus sync" in line], timeout=20)
        flags = self.stack.organizer_flags(mid)
        self.assertIsNotNone(flags, "the reply was not delivered")
        self.assertNotIn("$MusDone", flags)

        self.restart("slapd")
        self.assertEqual(self.stack.conversations(rdn, operational=True)[cdn]["entryCSN"],
                         c["entryCSN"])
        self.sync(name)
        after = self.stack.conversations(rdn, operational=True)[cdn]
        partstat = {v.split(" ", 1)[1].lower(): v.split(" ", 1)[0]
                    for v in after.get("musPartstat", [])}
        self.assertEqual(partstat.get(c["musLeader"][0].lower()), "ACCEPTED")
        flags = self.stack.organizer_flags(mid)
        self.assertIn("$MusDone", flags)
        self.assertIn("$Mus-applied", flags)
        self.sync(name)
        self.assertEqual(self.stack.conversations(rdn, operational=True)[cdn]["entryCSN"],
                         after["entryCSN"])
        self.assert_consistent(rdn)


if __name__ == "__main__":
    unittest.main()
