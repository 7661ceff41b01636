"""Replies on the stack: iTIP REPLY, COUNTER and REFRESH messages and card
choices sent through Postfix to the organizer address, in the shapes real
clients send, change the conversations in LDAP; spoofed, party-crashing and
stale replies change nothing; with slapd frozen a reply is still delivered
and the next sync applies it once.

The replies are written by hand (here and in replymail.py, as Outlook,
Gmail, Apple Mail and Thunderbird write them); nothing is shared with the
plugin's code."""

import datetime
import os
import signal
import time
import unittest
import urllib.request
from zoneinfo import ZoneInfo

from icalendar import Calendar, vDuration

import replymail
from mustest import Conv, Stack, TwoSyncs, alive, mus_stack, port_open, wait_for

ROUND = "MUS replies test"
PEOPLE = "ou=people,dc=eksempel,dc=test"
WINDOW = ("2027-09-06", "2027-10-29")
DURATION = 60
BUFFER = 15


def utc(ts):
    return datetime.datetime.strptime(ts, "%Y%m%d%H%M%SZ").replace(tzinfo=datetime.timezone.utc)


def ical_utc(dt):
    return dt.astimezone(datetime.timezone.utc).strftime("%Y%m%dT%H%M%SZ")


class RepliesTest(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.stack = Stack()
        cls.people, by_manager = cls.stack.reports()
        # a leader with mail and at least 13 reports with mail, none of
        # them on leave, so that every test has a conversation of its own
        def usable(d):
            p = cls.people[d.lower()]
            return p.get("mail") and not p.get("musAbsentUntil")
        cls.leader = sorted(m for m, r in by_manager.items()
                            if m in cls.people and usable(m) and
                            sum(1 for x in r if usable(x)) >= 13)[0]
        flt = "(|(manager=%s)(entryDN=%s))" % (cls.leader, cls.leader)
        old = cls.stack.round_dn(ROUND)
        if old:
            cls.stack.ldap_delete(old)
        cls.stack.doveadm("mus", "round", "create", "--name", ROUND, "--kind", "MUS",
                          "--start", WINDOW[0], "--end", WINDOW[1],
                          "--duration", str(DURATION), "--workday", "0900-1500",
                          "--max-per-day", "3", "--buffer", str(BUFFER),
                          "--scope-filter", flt)
        cls.round_dn = cls.stack.round_dn(ROUND)
        cls.stack.doveadm("mus", "sync", "--round", ROUND)
        convs = cls.convs()
        cls.free = sorted(c.dn for c in convs if c.musStatus == "invited"
                          and c.musLeader.lower() == cls.leader.lower())
        if len(cls.free) < 13:
            raise AssertionError("fewer than 13 invited conversations: %r" % [
                (c.dn, c.musStatus, c.musReason) for c in convs])

    @classmethod
    def tearDownClass(cls):
        cls.stack.ldap_delete(cls.round_dn)

    # -- helpers

    @classmethod
    def convs(cls):
        return [Conv(d, e) for d, e in cls.stack.conversations(cls.round_dn, operational=True).items()]

    def conv(self, dn):
        return next(c for c in self.convs() if c.dn == dn)

    def take(self):
        """A conversation no other test uses."""
        return self.conv(self.free.pop(0))

    def mail(self, pdn):
        return self.people[pdn.lower()]["mail"][0]

    def send(self, msg, also=()):
        return replymail.submit(self.stack, msg, also)

    def itip(self, method, conv, attendee, partstat=None, sequence=None, extra=(),
             vevent_extra=(), attendee_params=""):
        return replymail.itip(method, conv.musICalUID, attendee, partstat, sequence, extra,
                              vevent_extra, attendee_params)

    def message(self, sender, subject, ics=None, method=None, text="", b64=False):
        return replymail.message(self.stack["MUS_ORGANIZER"], sender, subject, ics, method,
                                 text, b64)

    def wait_log(self, msgid, outcome, timeout=15):
        return self.stack.wait_delivery_log(msgid, outcome, timeout=timeout)

    def organizer_flags(self, msgid):
        return self.stack.organizer_flags(msgid)

    def messages(self, address):
        """Every message of address's INBOX, parsed."""
        return replymail.inbox(self.stack.imap(address))

    def calendars(self, address, uid):
        """[(METHOD, SEQUENCE, VEVENT)] of the iMIP messages of uid in address's INBOX."""
        return [c[1:] for c in replymail.calendars(self.messages(address), uid)]

    def message_ids(self, address, uid):
        """The Message-IDs of the iMIP messages of uid in address's INBOX."""
        return [m["Message-ID"] for m in self.messages(address)
                if replymail.calendars([m], uid)]

    def wait_calendars(self, address, uid, count):
        """At least count iMIP messages of uid in address's INBOX, by
        SEQUENCE, then as they arrived: Postfix may deliver an update
        before the invitation it updates, and a calendar client takes
        the highest SEQUENCE whatever came first."""
        return sorted(wait_for("%d messages of %s for %s" % (count, uid, address),
                               lambda: (lambda c: c if len(c) >= count else None)(
                                   self.calendars(address, uid)),
                               timeout=15, interval=0.2),
                      key=lambda m: m[1])

    def texts(self, address, subject_part):
        """The plain bodies of the messages in address's INBOX whose subject has subject_part."""
        return [m.get_body(("plain",)).get_content() for m in self.messages(address)
                if subject_part in str(m["Subject"])]

    def sync(self):
        return self.stack.doveadm("mus", "sync", "--round", ROUND)

    # -- accept, decline

    def test_accept_by_leader_and_employee(self):
        c = self.take()
        employee = c.musEmployee
        # Outlook: no ORGANIZER, MAILTO: in capitals, base64, a COMMENT
        ics = self.itip("REPLY", c, self.mail(employee), "ACCEPTED", c.musSequence and int(c.musSequence),
                        extra=["COMMENT:Det passer fint"]).replace("mailto:", "MAILTO:")
        m1 = self.send(self.message(self.mail(employee), "Accepteret: MUS", ics, "REPLY", b64=True))
        self.wait_log(m1, "applied")
        self.assertEqual(self.conv(c.dn).musStatus, "invited")
        # Thunderbird: the leader, with ORGANIZER and SEQUENCE
        ics = self.itip("REPLY", c, self.mail(c.musLeader), "ACCEPTED", int(c.musSequence),
                        vevent_extra=["ORGANIZER:mailto:%s" % self.stack["MUS_ORGANIZER"]])
        m2 = self.send(self.message(self.mail(c.musLeader), "Accepted: MUS", ics, "REPLY"))
        self.wait_log(m2, "applied")
        after = self.conv(c.dn)
        self.assertEqual(after.musStatus, "accepted")
        self.assertEqual(after.partstat, {c.musLeader.lower(): "ACCEPTED", employee.lower(): "ACCEPTED"})
        self.assertIn("%s Det passer fint" % employee, after.e.get("musPartstatComment", []))
        # time, sequence and cards are untouched by replies
        for attr in ("musStart", "musEnd", "musSequence", "musICalUID"):
            self.assertEqual(getattr(after, attr), getattr(c, attr), attr)
        # the same reply again changes nothing
        csn = after.entryCSN
        m3 = self.send(self.message(self.mail(c.musLeader), "Accepted: MUS", ics, "REPLY"))
        self.wait_log(m3, "unchanged")
        self.assertEqual(self.conv(c.dn).entryCSN, csn)

    def test_an_update_at_the_same_time_keeps_the_answers(self):
        c = self.take()
        employee = self.mail(c.musEmployee)
        ics = self.itip("REPLY", c, employee, "ACCEPTED", int(c.musSequence))
        self.wait_log(self.send(self.message(employee, "Accepteret: MUS", ics, "REPLY")),
                      "applied")
        # a card the leader adds: an update, same time
        self.stack.ldap_modify("dn: %s\nchangetype: modify\nreplace: musCardLeader\n"
                               "musCardLeader: sparring\n-\n" % c.dn)
        self.sync()
        msgs = self.wait_calendars(employee, c.musICalUID, 2)
        method, seq, ev = msgs[-1]
        self.assertEqual((method, seq), ("REQUEST", int(c.musSequence) + 1))
        attendees = ev.get("ATTENDEE")
        answers = {str(a).lower().replace("mailto:", ""): (a.params.get("PARTSTAT"),
                                                           a.params.get("RSVP"))
                   for a in (attendees if isinstance(attendees, list) else [attendees])}
        # the employee is not asked again; the leader, who has not answered, is
        self.assertEqual(answers[employee.lower()], ("ACCEPTED", "FALSE"))
        self.assertEqual(answers[self.mail(c.musLeader).lower()], ("NEEDS-ACTION", "TRUE"))
        self.assertEqual(self.conv(c.dn).partstat, {c.musEmployee.lower(): "ACCEPTED"})

    def test_reply_to_all_reaches_the_organizer_as_a_copy(self):
        # "Reply all": the leader is the first recipient, so LMTP saves the
        # leader's copy and copies it into the organizer's mailbox
        c = self.take()
        ics = self.itip("REPLY", c, self.mail(c.musEmployee), "ACCEPTED", int(c.musSequence))
        mid = self.send(self.message(self.mail(c.musEmployee), "Accepteret: MUS", ics, "REPLY"),
                        also=[self.mail(c.musLeader)])
        self.wait_log(mid, "applied")
        self.assertEqual(self.conv(c.dn).partstat, {c.musEmployee.lower(): "ACCEPTED"})
        self.assertTrue(any(m["Message-ID"].strip("<>") == mid
                            for m in self.messages(self.mail(c.musLeader))))

    def test_decline_leads_to_a_new_slot_and_an_update(self):
        c = self.take()
        employee = c.musEmployee
        self.assertEqual(int(c.musSequence), 0)
        # before any move, an answer without SEQUENCE counts whatever its
        # client made of the time (here an hour off)
        off = utc(c.musStart) + datetime.timedelta(hours=1)
        ics = self.itip("REPLY", c, self.mail(c.musLeader), "TENTATIVE",
                        vevent_extra=[off.strftime("DTSTART:%Y%m%dT%H%M%SZ")])
        self.wait_log(self.send(self.message(self.mail(c.musLeader), "Foreløbig: MUS", ics,
                                             "REPLY")), "applied")
        # Google: the comment as X-RESPONSE-COMMENT on the ATTENDEE
        ics = self.itip("REPLY", c, self.mail(employee), "DECLINED", int(c.musSequence),
                        attendee_params=';X-RESPONSE-COMMENT="Jeg er på kursus den dag"')
        mid = self.send(self.message(self.mail(employee), "Afvist: MUS", ics, "REPLY"))
        self.wait_log(mid, "applied")
        declined = self.conv(c.dn)
        self.assertEqual(declined.musStatus, "rescheduling")
        self.assertIn("%s Jeg er på kursus den dag" % employee, declined.e["musPartstatComment"])
        self.assertEqual(declined.e["musDeclined"],
                         ["%s %s %s -- Jeg er på kursus den dag" % (c.musStart, c.musEnd, employee)])

        self.sync()
        moved = self.conv(c.dn)
        self.assertEqual(moved.musStatus, "invited")
        self.assertEqual(int(moved.musSequence), int(c.musSequence) + 1)
        new, old = (utc(moved.musStart), utc(moved.musEnd)), (utc(c.musStart), utc(c.musEnd))
        # not on the day the employee declined
        copenhagen = ZoneInfo("Europe/Copenhagen")
        self.assertNotEqual(new[0].astimezone(copenhagen).date(),
                            old[0].astimezone(copenhagen).date(), (new, old))
        self.assertEqual(moved.partstat, {})
        for who in (employee, c.musLeader):
            msgs = self.wait_calendars(self.mail(who), c.musICalUID, 2)
            self.assertEqual([(m, s) for m, s, _ in msgs],
                             [("REQUEST", int(c.musSequence)), ("REQUEST", int(c.musSequence) + 1)])
            self.assertEqual(msgs[1][2].decoded("DTSTART"), new[0])
        # the leader reads who declined the old time, and why; the
        # employee's copy is the invitation alone
        updates = {who: [t.replace("\r\n", "\n")
                         for t in self.texts(self.mail(who), c.musICalUID[:8])
                         if "afvist" in t] for who in (employee, c.musLeader)}
        self.assertEqual(updates[employee], [])
        self.assertEqual(len(updates[c.musLeader]), 1, updates)
        self.assertIn(": Jeg er på kursus den dag\n", updates[c.musLeader][0])
        self.assertIn(self.people[employee.lower()]["cn"][0], updates[c.musLeader][0])

        # a reply to the invitation before the move is stale now
        ics = self.itip("REPLY", c, self.mail(employee), "ACCEPTED", int(c.musSequence))
        mid = self.send(self.message(self.mail(employee), "Accepteret: MUS", ics, "REPLY"))
        self.wait_log(mid, "stale")
        self.assertEqual(self.conv(c.dn).entryCSN, moved.entryCSN)
        # so is one without SEQUENCE (some Outlook versions) that names the
        # old time; naming the new time, it counts
        for start, outcome in ((c.musStart, "stale"), (moved.musStart, "applied")):
            ics = self.itip("REPLY", c, self.mail(employee), "ACCEPTED",
                            vevent_extra=["DTSTART:%sT%sZ" % (start[:8], start[8:14])])
            mid = self.send(self.message(self.mail(employee), "Accepteret: MUS", ics, "REPLY"))
            self.wait_log(mid, outcome)
        self.assertEqual(self.conv(c.dn).partstat, {employee.lower(): "ACCEPTED"})

    def test_decline_without_a_free_slot_cancels_the_invitation(self):
        c = self.take()
        employee = c.musEmployee
        # only the conversation's own day stays open, and a conversation
        # now takes the whole working day: the declined hour leaves no room
        day = (utc(c.musStart) + datetime.timedelta(hours=2)).date()
        first, last = (datetime.date.fromisoformat(d) for d in WINDOW)
        closed = [first + datetime.timedelta(days=i) for i in range((last - first).days + 1)]
        closed = [d.strftime("%Y%m%d") for d in closed if d.weekday() < 5 and d != day]
        self.stack.ldap_modify("dn: %s\nchangetype: modify\nreplace: musClosedDate\n%s\n-\n"
                               "replace: musDuration\nmusDuration: 360\n-\n" % (
                                   self.round_dn, "\n".join("musClosedDate: %s" % d for d in closed)))
        try:
            ics = self.itip("REPLY", c, self.mail(employee), "DECLINED", int(c.musSequence))
            mid = self.send(self.message(self.mail(employee), "Afvist: MUS", ics, "REPLY"))
            self.wait_log(mid, "applied")
            self.sync()
            after = self.conv(c.dn)
            self.assertEqual(after.musStatus, "unschedulable")
            self.assertIn("no free slot", after.musReason)
            self.assertEqual((after.musStart, after.musEnd), (c.musStart, c.musEnd))
            for who in (employee, c.musLeader):
                msgs = self.wait_calendars(self.mail(who), c.musICalUID, 2)
                self.assertEqual([(m, s) for m, s, _ in msgs],
                                 [("REQUEST", int(c.musSequence)),
                                  ("CANCEL", int(c.musSequence) + 1)])
            # still no room: nothing more is sent
            self.sync()
            self.assertEqual(len(self.calendars(self.mail(c.musLeader), c.musICalUID)), 2)
            self.assertEqual(int(self.conv(c.dn).musSequence), int(c.musSequence) + 1)
        finally:
            self.stack.ldap_modify("dn: %s\nchangetype: modify\nreplace: musClosedDate\n-\n"
                                   "replace: musDuration\nmusDuration: %d\n-\n"
                                   % (self.round_dn, DURATION))
        # with room again, the next sync invites anew
        self.sync()
        again = self.conv(c.dn)
        self.assertEqual(again.musStatus, "invited")
        for who in (employee, c.musLeader):
            msgs = self.wait_calendars(self.mail(who), c.musICalUID, 3)
            self.assertEqual(msgs[-1][:2], ("REQUEST", int(c.musSequence) + 2))

    # -- security

    def test_spoofed_crasher_and_unknown_change_nothing(self):
        c = self.take()
        employee = c.musEmployee
        stranger = next(p["mail"][0] for d, p in self.people.items()
                        if p.get("mail") and d not in (employee.lower(), c.musLeader.lower()))
        cases = [
            # the employee's ATTENDEE, sent by someone else
            ("sender-mismatch", stranger,
             self.itip("REPLY", c, self.mail(employee), "DECLINED", int(c.musSequence))),
            # someone who is not invited answers for themself
            ("party-crasher", stranger,
             self.itip("REPLY", c, stranger, "ACCEPTED", int(c.musSequence))),
            # delegation is not supported: the invitation stays with the employee
            ("invalid", self.mail(employee),
             self.itip("REPLY", c, self.mail(employee), "DELEGATED", int(c.musSequence))),
            # a UID that is none of ours
            ("unknown-uid", self.mail(employee),
             self.itip("REPLY", c, self.mail(employee), "ACCEPTED", 0).replace(
                 c.musICalUID, "not-ours-%d@example.org" % os.getpid())),
        ]
        before = self.conv(c.dn)
        for outcome, sender, ics in cases:
            mid = self.send(self.message(sender, "Svar", ics, "REPLY"))
            self.wait_log(mid, outcome)
        self.assertEqual(self.conv(c.dn).entryCSN, before.entryCSN)
        # sync counts each kind in status
        self.sync()
        rows = self.stack.doveadm_json("mus", "status")
        counted = {r["detail"]: int(r["count"]) for r in rows if r["type"] == "mailbox"}
        for outcome, _, _ in cases:
            self.assertGreaterEqual(counted.get(outcome, 0), 1, (outcome, counted))

    # -- LDAP away

    def test_reply_while_slapd_is_frozen_is_applied_once_by_sync(self):
        c = self.take()
        slapd = next(pid for name, pid, _ in self.stack.pids() if name == "slapd")
        ics = self.itip("REPLY", c, self.mail(c.musLeader), "TENTATIVE", int(c.musSequence))
        msg = self.message(self.mail(c.musLeader), "Foreløbig: MUS", ics, "REPLY")
        mid = msg["Message-ID"].strip("<>")
        os.kill(slapd, signal.SIGSTOP)
        try:
            self.send(msg)
            wait_for("the delivery to give up on LDAP",
                     lambda: [line for line in self.stack.dovecot_log().splitlines()
                              if mid in line and "left for doveadm mus sync" in line],
                     timeout=20)
        finally:
            os.kill(slapd, signal.SIGCONT)
        flags = self.organizer_flags(mid)
        self.assertIsNotNone(flags, "the reply was not delivered")
        self.assertNotIn("$MusDone", flags)
        self.assertEqual(self.conv(c.dn).entryCSN, c.entryCSN)

        self.sync()
        after = self.conv(c.dn)
        self.assertEqual(after.partstat.get(c.musLeader.lower()), "TENTATIVE")
        self.assertIn("$MusDone", self.organizer_flags(mid))
        self.assertIn("$Mus-applied", self.organizer_flags(mid))
        self.sync()
        self.assertEqual(self.conv(c.dn).entryCSN, after.entryCSN)

    # -- COUNTER and REFRESH

    def busy(self, pdn):
        """Busy periods of a person from their calFBURL, as (start, end) in UTC."""
        url = self.people[pdn.lower()].get("calFBURL", [None])[0]
        if not url:
            return []
        with urllib.request.urlopen(url, timeout=5) as resp:
            cal = Calendar.from_ical(resp.read())
        out = []
        for fb in cal.walk("VFREEBUSY"):
            props = fb.get("FREEBUSY", [])
            for prop in props if isinstance(props, list) else [props]:
                for period in prop.to_ical().decode().split(","):
                    s, e = period.split("/")
                    start = datetime.datetime.strptime(s, "%Y%m%dT%H%M%SZ").replace(
                        tzinfo=datetime.timezone.utc)
                    if e.startswith("P"):
                        end = start + vDuration.from_ical(e)
                    else:
                        end = datetime.datetime.strptime(e, "%Y%m%dT%H%M%SZ").replace(
                            tzinfo=datetime.timezone.utc)
                    out.append((start, end))
        return out

    def free_time(self, c):
        """A working-day hour in the window that keeps every rule for c's people."""
        tz = datetime.timezone(datetime.timedelta(hours=2))    # CEST in September/October
        taken = []
        for other in self.convs():
            if other.musStart and other.dn != c.dn:
                taken.append((utc(other.musStart) - datetime.timedelta(minutes=BUFFER),
                              utc(other.musEnd) + datetime.timedelta(minutes=BUFFER)))
        busy = self.busy(c.musLeader) + self.busy(c.musEmployee) + taken
        day = datetime.date(2027, 10, 25)
        while True:
            if day.weekday() < 5:
                for hour in (13, 11, 9):
                    start = datetime.datetime(day.year, day.month, day.day, hour, 0, tzinfo=tz)
                    end = start + datetime.timedelta(minutes=DURATION)
                    if not any(s < end and start < e for s, e in busy):
                        return start, end
            day -= datetime.timedelta(days=1)

    def test_counter_applied_when_it_fits(self):
        c = self.take()
        start, end = self.free_time(c)
        ics = self.itip("COUNTER", c, self.mail(c.musEmployee), "ACCEPTED", int(c.musSequence),
                        vevent_extra=["DTSTART:%s" % ical_utc(start), "DTEND:%s" % ical_utc(end),
                                      "ORGANIZER:mailto:%s" % self.stack["MUS_ORGANIZER"]])
        mid = self.send(self.message(self.mail(c.musEmployee), "Nyt tidspunkt foreslået", ics, "COUNTER"))
        self.wait_log(mid, "applied")
        self.sync()
        after = self.conv(c.dn)
        self.assertEqual((utc(after.musStart), utc(after.musEnd)), (start, end))
        self.assertEqual(int(after.musSequence), int(c.musSequence) + 1)
        self.assertIsNone(after.musCounter)
        self.assertIsNone(after.musCounterRefused)
        for who in (c.musEmployee, c.musLeader):
            msgs = self.wait_calendars(self.mail(who), c.musICalUID, 2)
            self.assertEqual(msgs[-1][:2], ("REQUEST", int(c.musSequence) + 1))
            self.assertEqual(msgs[-1][2].decoded("DTSTART"), start)

    def test_counter_on_a_sunday_gets_a_declinecounter(self):
        c = self.take()
        tz = datetime.timezone(datetime.timedelta(hours=2))
        start = datetime.datetime(2027, 9, 12, 10, 0, tzinfo=tz)      # a Sunday
        end = start + datetime.timedelta(minutes=DURATION)
        ics = self.itip("COUNTER", c, self.mail(c.musEmployee), "ACCEPTED", int(c.musSequence),
                        vevent_extra=["DTSTART:%s" % ical_utc(start), "DTEND:%s" % ical_utc(end)])
        mid = self.send(self.message(self.mail(c.musEmployee), "Nyt tidspunkt foreslået", ics, "COUNTER"))
        self.wait_log(mid, "applied")
        self.sync()
        after = self.conv(c.dn)
        self.assertEqual((after.musStart, after.musSequence), (c.musStart, c.musSequence))
        self.assertIsNone(after.musCounter)
        self.assertIsNone(after.musCounterRefused)
        msgs = self.wait_calendars(self.mail(c.musEmployee), c.musICalUID, 2)
        method, seq, ev = msgs[-1]
        self.assertEqual((method, seq), ("DECLINECOUNTER", int(c.musSequence)))
        # to the employee alone, with the cards the text speaks of
        answer = next(m for m in self.messages(self.mail(c.musEmployee))
                      if "Nyt tidspunkt ikke muligt" in str(m["Subject"]))
        self.assertEqual([a.addr_spec.lower() for a in answer["To"].addresses],
                         [self.mail(c.musEmployee).lower()])
        self.assertTrue(any(p.get_filename() for p in answer.walk()
                            if p.get_content_type() == "text/html" and p.get_filename()))
        # the rule it breaks, in the employee's language (Danish on the stack)
        self.assertIn("arbejdstiden", str(ev["COMMENT"]))
        self.assertNotIn("working hours", self.texts(self.mail(c.musEmployee),
                                                     "Nyt tidspunkt ikke muligt")[0])
        self.assertEqual(ev.decoded("DTSTART"), utc(c.musStart))
        # the leader gets nothing new
        self.assertEqual(len(self.calendars(self.mail(c.musLeader), c.musICalUID)), 1)
        self.sync()
        self.assertEqual(len(self.calendars(self.mail(c.musEmployee), c.musICalUID)), 2)
        # a second proposal refused at the same SEQUENCE is a message of its own
        start += datetime.timedelta(days=-1)
        ics = self.itip("COUNTER", c, self.mail(c.musEmployee), "ACCEPTED", int(c.musSequence),
                        vevent_extra=["DTSTART:%s" % ical_utc(start),
                                      "DTEND:%s" % ical_utc(start + (end - start))])
        mid = self.send(self.message(self.mail(c.musEmployee), "Nyt tidspunkt", ics, "COUNTER"))
        self.wait_log(mid, "applied")
        self.sync()
        self.assertEqual([m for m, _, _ in self.wait_calendars(self.mail(c.musEmployee),
                                                                c.musICalUID, 3)],
                         ["REQUEST", "DECLINECOUNTER", "DECLINECOUNTER"])
        ids = self.message_ids(self.mail(c.musEmployee), c.musICalUID)
        self.assertEqual(len(set(ids)), 3, ids)

    def test_a_decline_makes_a_waiting_proposal_moot(self):
        c = self.take()
        employee = self.mail(c.musEmployee)
        start, end = self.free_time(c)
        counter = self.itip("COUNTER", c, employee, "ACCEPTED", int(c.musSequence),
                            vevent_extra=["DTSTART:%s" % ical_utc(start), "DTEND:%s" % ical_utc(end)])
        decline = self.itip("REPLY", c, employee, "DECLINED", int(c.musSequence))
        for ics, method in ((counter, "COUNTER"), (decline, "REPLY")):
            self.wait_log(self.send(self.message(employee, "Svar", ics, method)), "applied")
        self.assertEqual(self.conv(c.dn).musStatus, "rescheduling")
        self.sync()
        after = self.conv(c.dn)
        self.assertEqual(after.musStatus, "invited")
        self.assertIsNone(after.musCounter)
        self.assertEqual(int(after.musSequence), int(c.musSequence) + 1)
        # the next sync does not move it to the old proposal
        self.sync()
        self.assertEqual(self.conv(c.dn).musStart, after.musStart)

    def test_a_refresh_is_met_by_an_update(self):
        c = self.take()
        employee = self.mail(c.musEmployee)
        mid = self.send(self.message(employee, "Opdater", self.itip("REFRESH", c, employee), "REFRESH"))
        self.wait_log(mid, "applied")
        # a card change before the next sync: everybody gets the update,
        # and the refresh needs nothing more
        self.stack.ldap_modify("dn: %s\nchangetype: modify\nreplace: musCardLeader\n"
                               "musCardLeader: sparring\n-\n" % c.dn)
        self.sync()
        self.sync()
        msgs = self.wait_calendars(employee, c.musICalUID, 2)
        self.assertEqual([(m, s) for m, s, _ in msgs],
                         [("REQUEST", int(c.musSequence)), ("REQUEST", int(c.musSequence) + 1)])
        self.assertIsNone(self.conv(c.dn).musRefresh)

    def test_refresh_sends_the_current_invitation_again(self):
        c = self.take()
        lines = self.itip("REFRESH", c, self.mail(c.musEmployee))
        mid = self.send(self.message(self.mail(c.musEmployee), "Opdater", lines, "REFRESH"))
        self.wait_log(mid, "applied")
        self.sync()
        msgs = self.wait_calendars(self.mail(c.musEmployee), c.musICalUID, 2)
        self.assertEqual([(m, s) for m, s, _ in msgs],
                         [("REQUEST", int(c.musSequence))] * 2)
        # sent again, but a message of its own
        ids = self.message_ids(self.mail(c.musEmployee), c.musICalUID)
        self.assertEqual(len(set(ids)), 2, ids)
        self.assertEqual(len(self.calendars(self.mail(c.musLeader), c.musICalUID)), 1)
        self.sync()
        self.assertEqual(len(self.calendars(self.mail(c.musEmployee), c.musICalUID)), 2)

    # -- cards by mail

    def test_cards_by_mail(self):
        c = self.take()
        employee = self.mail(c.musEmployee)
        short = c.musICalUID[:8]
        bad = self.message(employee, "Samtalekort %s" % short, text="kort: sparring, findes-ikke\n")
        # each mail is in the organizer's INBOX before the sync reads it
        self.wait_log(self.send(bad), "deferred")
        self.sync()
        answers = wait_for("the answer naming the mistake",
                           lambda: self.texts(employee, "Samtalekort %s" % short), timeout=15)
        self.assertIn("findes-ikke", answers[0])
        self.assertEqual(self.conv(c.dn).e.get("musCardEmployee"), None)

        # a reference that is no conversation's is answered too
        self.wait_log(self.send(self.message(employee, "Samtalekort zzzzzzzz",
                                             text="kort: sparring\n")), "deferred")
        self.sync()
        answers = wait_for("the answer naming the reference",
                           lambda: self.texts(employee, "Samtalekort zzzzzzzz"), timeout=15)
        self.assertIn("zzzzzzzz", answers[0])

        # a mail in English without a reference is answered in English
        self.wait_log(self.send(self.message(employee, "Cards", text="cards: sparring\n")),
                      "deferred")
        self.sync()
        answers = wait_for("the answer in English",
                           lambda: self.texts(employee, "Re: Cards"), timeout=15)
        self.assertIn("no conversation reference in the subject: write 'Cards <code>'",
                      answers[0])
        self.assertIn("Your choice of conversation cards was not saved", answers[0])

        good = self.message(employee, "Samtalekort %s" % short, text="Hej\n\nkort: sparring\n")
        mid = self.send(good)
        self.wait_log(mid, "deferred")
        self.sync()
        after = self.conv(c.dn)
        self.assertEqual(after.e.get("musCardEmployee"), ["sparring"])
        msgs = self.wait_calendars(employee, c.musICalUID, 2)
        self.assertEqual(msgs[-1][:2], ("REQUEST", int(c.musSequence) + 1))

    def test_a_message_marked_in_the_inbox_by_an_earlier_version_is_moved(self):
        # what a sync of an earlier version left: marked, in the INBOX
        msgid = "earlier-version.%d@e2e.eksempel.test" % time.time_ns()
        raw = ("From: <%s>\r\nTo: <%s>\r\nSubject: Hej\r\nMessage-ID: <%s>\r\n\r\nHej\r\n"
               % (self.mail(self.take().musLeader), self.stack["MUS_ORGANIZER"], msgid))
        conn = self.stack.imap(self.stack["MUS_ORGANIZER"])
        try:
            typ, data = conn.append("INBOX", "($MusDone $Mus-not-ours)", None, raw.encode())
            self.assertEqual(typ, "OK", data)
        finally:
            conn.logout()
        self.assertEqual(self.stack.organizer_message(msgid)[0], "INBOX")
        self.sync()
        folder, flags = self.stack.organizer_message(msgid)
        self.assertEqual(folder, self.stack.PROCESSED)
        self.assertIn("$MusDone", flags)
        self.assertIn("$Mus-not-ours", flags)

    def test_the_sync_leaves_no_trace_of_what_it_moved_in_the_inbox(self):
        # every delivery reads the INBOX's list of names (dovecot-uidlist)
        # whole: the messages the sync moved are gone from the disk and
        # from that list when it ends, not only once something next opens
        # the INBOX
        msgid = self.send(self.message(self.mail(self.leader), "Hej", text="Hej\n"))
        self.wait_log(msgid, "not-ours")
        self.assertEqual(self.stack.organizer_files(msgid), {"INBOX": 1})
        self.sync()
        self.assertEqual(self.stack.organizer_files(msgid), {self.stack.PROCESSED: 1})
        files, listed = self.stack.organizer_inbox_names()
        self.assertEqual(listed, files)

    def test_a_message_that_cannot_be_answered_holds_up_no_other(self):
        # a card choice with a mistake needs an answer, which cannot go out
        # while Postfix is down; the leader's choice after it is applied all
        # the same
        c = self.take()

        def cards(who, line):
            """A card choice of who, in the organizer's INBOX for the sync."""
            mid = self.send(self.message(self.mail(who), "Samtalekort %s" % c.musICalUID[:8],
                                         text=line))
            self.wait_log(mid, "deferred")
            return mid
        bad = cards(c.musEmployee, "kort: findes-ikke\n")
        good = cards(c.musLeader, "kort: sparring\n")
        # the employee's next mail waits for the one before it
        later = cards(c.musEmployee, "kort: sparring\n")
        # another answer that cannot go out does not wait for the mail
        # server again
        leader_bad = cards(c.musLeader, "kort: findes-heller-ikke\n")
        smtp_port = int(self.stack["MUS_SMTP_PORT"])
        self.addCleanup(lambda: port_open(smtp_port) or mus_stack("restart", self.stack.dir, "postfix"))
        pid, start = next((p, s) for name, p, s in self.stack.pids() if name == "postfix")
        os.kill(pid, signal.SIGTERM)
        wait_for("Postfix to exit", lambda: not alive(pid, start) and not port_open(smtp_port))
        res = self.stack.doveadm("mus", "sync", "--round", ROUND, check=False)
        self.assertEqual(res.returncode, 75, res.stderr)    # EX_TEMPFAIL
        self.assertIn("the organizer's INBOX: 3 messages left for the next sync", res.stderr)
        self.assertIn("not sent, as the mail server failed earlier in this sync", res.stderr)
        self.assertIn("an earlier message from %s waits" % self.mail(c.musEmployee), res.stderr)
        self.assertNotIn("$MusDone", self.organizer_flags(bad))
        self.assertNotIn("$MusDone", self.organizer_flags(later))
        self.assertIn("$MusDone", self.organizer_flags(good))
        # the applied one left the INBOX, the waiting ones are still there
        self.assertEqual([self.stack.organizer_message(m)[0] for m in (bad, good, later)],
                         ["INBOX", self.stack.PROCESSED, "INBOX"])
        self.assertEqual(self.conv(c.dn).e.get("musCardLeader"), ["sparring"])
        self.assertIsNone(self.conv(c.dn).e.get("musCardEmployee"))

        res = mus_stack("restart", self.stack.dir, "postfix")
        self.assertEqual(res.returncode, 0, res.stdout + res.stderr)
        self.sync()
        self.assertIn("$Mus-cards-refused", self.organizer_flags(bad))
        self.assertIn("$Mus-cards-refused", self.organizer_flags(leader_bad))
        # in the order they came: the later choice stands
        self.assertEqual(self.conv(c.dn).e.get("musCardEmployee"), ["sparring"])


class ProposalAfterTheLeaderLeftTest(TwoSyncs, unittest.TestCase):
    """A proposal of a new time waits in musCounter when the leader leaves
    the round's scope (moved away, or their entry deleted while the
    employee's manager still names it): the conversation is still the same
    one (its name holds the manager's RDN), but there is no leader to place
    it with. Every sync goes on; the conversation keeps its time and the
    proposal waits."""
    ROUND = "MUS proposal without leader test"

    @classmethod
    def setUpClass(cls):
        cls.stack = Stack()
        cls.round_dn, leader, convs = cls.stack.invited_round(cls.ROUND, "2028-03-06",
                                                              "2028-04-28", 1)
        cls.dn = sorted(d for d, c in convs.items() if c["musStatus"][0] == "invited")[0]
        cls.before = convs[cls.dn]
        start = utc(cls.before["musStart"][0]) + datetime.timedelta(days=1)
        end = start + datetime.timedelta(minutes=30)
        cls.counter = "%s %s %s" % (start.strftime("%Y%m%d%H%M%SZ"),
                                    end.strftime("%Y%m%d%H%M%SZ"), cls.before["musEmployee"][0])
        cls.stack.ldap_modify("dn: %s\nchangetype: modify\nreplace: musCounter\n"
                              "musCounter: %s\n" % (cls.dn, cls.counter))
        # the leader leaves the scope; the employees' manager still names them
        cls.stack.ldap_modify("dn: %s\nchangetype: modify\nreplace: musScopeFilter\n"
                              "musScopeFilter: (manager=%s)\n" % (cls.round_dn, leader))
        cls.sync_twice(cls.ROUND)
        cls.after = cls.stack.conversations(cls.round_dn)[cls.dn]

    def test_the_conversation_keeps_its_time_and_the_proposal_waits(self):
        for attr in ("musStatus", "musStart", "musEnd", "musSequence"):
            self.assertEqual(self.after[attr], self.before[attr], attr)
        self.assertEqual(self.after.get("musCounter"), [self.counter])


if __name__ == "__main__":
    unittest.main()
