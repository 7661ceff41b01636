"""The competence spider on the stack: a MUS round on the sample organisation
with its job profiles; the employee's answer to the competence form, sent
through Postfix, makes the next sync send the invitation again with
SEQUENCE+1 and the spider attached as a PNG (which decodes at 640 x 640) and
as SVG in the HTML competence card (one vertex per competence, at the level
in LDAP); the leader's answer adds the leader's vertices the same way; a sync
after that sends nothing. Then `doveadm mus competences -f json` counts what
LDAP holds.

People: niels.groenbaek and one of his staff whose profile is given by
musJobProfileRef."""

import json
import struct
import unittest
import zlib

import replymail
from mustest import Conv, Stack, wait_for

ROUND = "MUS competence spider test"
PEOPLE = "ou=people,dc=eksempel,dc=test"
LEVELS_DA = ["ikke relevant", "nybegynder", "avanceret begynder", "kompetent", "kyndig",
             "ekspert"]
# the size the README states for the PNG
PNG_SIZE = 640


def png_size(data):
    """(width, height) of a PNG (8-bit RGB, as the spider is), after checking
    that its image data inflates to exactly one row filter byte plus three
    octets per pixel for every row."""
    assert data[:8] == b"\x89PNG\r\n\x1a\n", data[:8]
    pos, idat, header = 8, b"", None
    while pos < len(data):
        length, kind = struct.unpack(">I4s", data[pos:pos + 8])
        body = data[pos + 8:pos + 8 + length]
        crc, = struct.unpack(">I", data[pos + 8 + length:pos + 12 + length])
        assert zlib.crc32(kind + body) == crc, kind
        if kind == b"IHDR":
            header = struct.unpack(">IIBBBBB", body)
        elif kind == b"IDAT":
            idat += body
        pos += 12 + length
    width, height, depth, colour = header[:4]
    assert (depth, colour) == (8, 2), header
    assert len(zlib.decompress(idat)) == height * (1 + 3 * width)
    return width, height


class CompetenceSpiderTest(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.stack = Stack()
        cls.people, by_manager = cls.stack.reports()
        cls.leader = "uid=niels.groenbaek,%s" % PEOPLE
        cls.employee = next(d for d in sorted(by_manager[cls.leader.lower()])
                            if cls.people[d.lower()].get("musJobProfileRef"))
        old = cls.stack.round_dn(ROUND)
        if old:
            cls.stack.ldap_delete(old)
        cls.stack.doveadm("mus", "round", "create", "--name", ROUND, "--kind", "MUS",
                          "--start", "2028-04-03", "--end", "2028-04-28", "--duration", "60",
                          "--workday", "0900-1500", "--scope-filter",
                          "(|(entryDN=%s)(entryDN=%s))" % (cls.leader, cls.employee))
        cls.round_dn = cls.stack.round_dn(ROUND)

    @classmethod
    def tearDownClass(cls):
        cls.stack.ldap_delete(cls.round_dn)

    def mail(self, pdn):
        return self.people[pdn.lower()]["mail"][0]

    def conv(self):
        convs = [Conv(d, e) for d, e in
                 self.stack.conversations(self.round_dn, operational=True).items()]
        return next(c for c in convs if c.musEmployee.lower() == self.employee.lower())

    def sync(self):
        return self.stack.doveadm("mus", "sync", "--round", ROUND)

    def invitations(self, address, uid):
        """[(SEQUENCE, message)] of the REQUESTs of uid in address's INBOX."""
        out = []
        for m in replymail.inbox(self.stack.imap(address)):
            cals = replymail.calendars([m], uid)
            if cals and cals[0][1] == "REQUEST":
                out.append((cals[0][2], m))
        return sorted(out, key=lambda x: x[0])

    def delivered(self, address, uid, count):
        """invitations() once there are count of them."""
        return wait_for("%d invitations to %s" % (count, address),
                        lambda: len(self.invitations(address, uid)) >= count and
                        self.invitations(address, uid))

    def answer(self, sender, subject, text=None, html=None):
        return self.stack.mail_organizer(sender, subject, text=text, html=html)

    def check_spider(self, msg, codes, employee, leader):
        """The PNG and the HTML card in msg show employee's (and leader's)
        levels {code: level} on one axis per code, sorted by code."""
        parts = {p.get_filename(): p for p in msg.walk() if p.get_filename()}
        png = parts.get("kompetencespind.png")
        self.assertIsNotNone(png, sorted(parts))
        self.assertEqual(png.get_content_type(), "image/png")
        self.assertEqual(png_size(png.get_content()), (PNG_SIZE, PNG_SIZE))
        card = parts.get("kompetencespind.html")
        self.assertIsNotNone(card, sorted(parts))
        html = card.get_content()
        self.assertIn("<svg", html)
        self.assertNotIn("<script", html.lower())
        for side, levels in (("employee", employee), ("leader", leader)):
            for i, code in enumerate(codes):
                want = 'class="vertex %s%s" data-axis="%d" data-level="%d"' % (
                    side, " not-relevant" if levels and levels[code] == 0 else "",
                    i, levels[code]) if levels else None
                if want:
                    self.assertIn(want, html)
            self.assertEqual(html.count('class="vertex %s' % side),
                             len(codes) if levels else 0)
        self.assertIn(LEVELS_DA[employee[codes[0]]], html)

    def stored(self, attr):
        values = self.conv().e.get(attr, [])
        return {v.split(" ")[0].lower(): int(v.split(" ")[1]) for v in values}

    def test_spider(self):
        res = self.sync()
        c = self.conv()
        self.assertEqual(c.musStatus, "invited", res.stdout + res.stderr)
        uid, ref = c.musICalUID, c.musICalUID[:8]
        profile = c.e["musJobProfileRef"][0]
        entry = self.stack.ldap_entries(profile, "(objectClass=*)", scope="base")[profile]
        codes = sorted(v.split("|")[0].strip().lower() for v in entry["musCompetence"])
        first = self.delivered(self.mail(self.employee), uid, 1)
        self.assertEqual(len(first), 1)
        seq = first[0][0]
        self.assertFalse([p for p in first[0][1].walk() if p.get_content_type() == "image/png"])
        form = wait_for("the form", lambda: self.stack.notices(self.mail(self.employee), ref))
        lead_form = wait_for("the leader's form",
                             lambda: self.stack.notices(self.mail(self.leader), ref))
        self.assertEqual((len(form), len(lead_form)), (1, 1))

        # the employee answers: the next sync sends SEQUENCE+1 with the spider
        levels = {code: (i * 2 + 1) % 6 for i, code in enumerate(codes)}
        self.answer(self.mail(self.employee), "SV: " + str(form[0]["Subject"]),
                    "".join("%s: %s\n" % (code, LEVELS_DA[levels[code]]) for code in codes))
        self.sync()
        self.assertEqual(self.stored("musAssessmentEmployee"), levels)
        for who in (self.employee, self.leader):
            got = self.delivered(self.mail(who), uid, 2)
            self.assertEqual([s for s, _ in got], [seq, seq + 1], who)
            self.check_spider(got[-1][1], codes, levels, None)

        # the leader answers: once more, with the leader's vertices
        leader_levels = {code: 5 - i % 6 for i, code in enumerate(codes)}
        self.answer(self.mail(self.leader), "SV: " + str(lead_form[0]["Subject"]),
                    "".join("%s: %d\n" % (code, leader_levels[code]) for code in codes))
        self.sync()
        self.assertEqual(self.stored("musAssessmentLeader"), leader_levels)
        got = self.delivered(self.mail(self.employee), uid, 3)
        self.assertEqual([s for s, _ in got], [seq, seq + 1, seq + 2])
        self.check_spider(got[-1][1], codes, levels, leader_levels)
        self.assertEqual(int(self.conv().e["musSentSequence"][0]), seq + 2)

        # nothing changed: nothing sent (the leader's third is in first)
        self.delivered(self.mail(self.leader), uid, 3)
        self.sync()
        self.assertEqual(len(self.invitations(self.mail(self.employee), uid)), 3)
        self.assertEqual(len(self.invitations(self.mail(self.leader), uid)), 3)
        self.assertEqual(int(self.conv().e["musSentSequence"][0]), seq + 2)

        self.check_competences()

        # an answer that fits no competence of the profile (written by
        # hand): the sync goes on, says why, and sends without the spider
        c = self.conv()
        self.stack.ldap_modify("dn: %s\nchangetype: modify\nadd: musAssessmentEmployee\n"
                               "musAssessmentEmployee: ledelse 3\n" % c.dn)
        res = self.sync()
        self.assertIn("no competence spider", res.stdout + res.stderr)
        self.assertIn("'ledelse 3' names no competence", res.stdout + res.stderr)
        got = self.delivered(self.mail(self.employee), uid, 4)
        self.assertEqual(got[-1][0], seq + 3)
        self.assertEqual([p for p in got[-1][1].walk()
                          if p.get_content_type() == "image/png"], [])

    def expected_levels(self, keep=lambda conv, person: True):
        """{code: {side: [count at level 0..5]}} of every answer in LDAP
        (of the conversations keep() takes), and the number of answers."""
        people = {d.lower(): p for d, p in self.stack.ldap_people().items()}
        out, answers = {}, 0
        for dn, c in self.stack.ldap_entries(
                "ou=rounds," + self.stack["MUS_LDAP_BASE"],
                "(&(objectClass=musConversation)"
                "(|(musAssessmentEmployee=*)(musAssessmentLeader=*)))").items():
            if not keep(c, people.get(c["musEmployee"][0].lower())):
                continue
            for side, attr in (("employee", "musAssessmentEmployee"),
                               ("leader", "musAssessmentLeader")):
                for v in c.get(attr, []):
                    code, level = v.split(" ")
                    levels = out.setdefault(code.lower(), {}).setdefault(side, [0] * 6)
                    levels[int(level)] += 1
                    answers += 1
        return out, answers

    def got_levels(self, competences):
        return {c["code"]: {side: c[side]["levels"] for side in ("employee", "leader")
                            if sum(c[side]["levels"])}
                for c in competences}

    def check_competences(self):
        """doveadm mus competences counts what LDAP holds, for the organisation,
        the employee's unit (by name and by DN) and leader."""
        got = json.loads(self.stack.doveadm("mus", "competences", "-f", "json").stdout)
        want, answers = self.expected_levels()
        self.assertEqual(got["answers"], answers)
        self.assertEqual(self.got_levels(got["organisation"]), want)

        p = self.people[self.employee.lower()]
        unit = (p.get("ou") or p.get("departmentNumber"))[0]
        want, answers = self.expected_levels(
            lambda c, p: p is not None and
            (p.get("ou") or p.get("departmentNumber"))[0].lower() == unit.lower())
        by_name = json.loads(self.stack.doveadm("mus", "competences", "--unit", unit,
                                                "-f", "json").stdout)
        self.assertEqual(by_name["answers"], answers)
        self.assertEqual([u["unit"] for u in by_name["units"]], [unit])
        self.assertEqual(self.got_levels(by_name["units"][0]["competences"]), want)
        self.assertEqual(self.got_levels(by_name["organisation"]), want)
        by_dn = self.stack.doveadm("mus", "competences", "--unit",
                                   "ou=%s,%s" % (unit, self.stack["MUS_LDAP_BASE"]),
                                   "-f", "json").stdout
        self.assertEqual(json.loads(by_dn), by_name)
        for empty in ("", "ou=", "ou=,%s" % self.stack["MUS_LDAP_BASE"]):
            res = self.stack.doveadm("mus", "competences", "--unit", empty, check=False)
            self.assertEqual(res.returncode, 64, res.stderr)
            self.assertIn("--unit names no unit", res.stderr)

        want, _ = self.expected_levels(lambda c, p: c["musLeader"][0].lower() ==
                                       self.leader.lower())
        mine = [g for g in got["leaders"] if g["leader"].lower() == self.leader.lower()]
        self.assertEqual(len(mine), 1, got["leaders"])
        self.assertEqual(mine[0]["name"], self.people[self.leader.lower()]["cn"][0])
        self.assertEqual(self.got_levels(mine[0]["competences"]), want)

        # the default is the text table, with a row per side of each competence
        text = self.stack.doveadm("mus", "competences").stdout
        for code in self.got_levels(got["organisation"]):
            self.assertIn(code, text)


if __name__ == "__main__":
    unittest.main()
