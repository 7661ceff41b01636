"""HR's figures: doveadm mus status (plans and agreed activities) and the HTML page of
doveadm mus report --html, rendered in headless Chromium.

The test files plans, activities and conversations waiting for a plan as the admin
(like the filer does), for employees of bjoern.kraemer (Vej og Park), hanne.lykkegaard
(Byg og Miljø) and kirsten.boegh (Plejecenter Solhøj), whom no other test file uses,
and removes them afterwards. Expectations are computed here from what ldapsearch
returns, never from our code.
"""

import datetime as dt
import html.parser
import json
import os
import shutil
import subprocess
import tempfile
import unittest

from mustest import REPO, Stack

LEADERS = ("bjoern.kraemer", "hanne.lykkegaard", "kirsten.boegh")
HOSTILE = "<script>alert(\"x\")</script> & 'kursus'"
HELD = {"held", "plan-requested", "plan-pending", "approved"}
KINDS = ("course", "education", "practice", "supervision", "mentoring", "new-tasks")


def gtime(days):
    """GeneralizedTime `days` days from now (negative: in the past)."""
    t = dt.datetime.now(dt.timezone.utc) + dt.timedelta(days=days)
    return t.strftime("%Y%m%d%H%M%SZ")


def ldif_entry(dn, attrs):
    return "dn: %s\nchangetype: add\n%s\n" % (dn, "".join("%s: %s\n" % a for a in attrs))


class PageParser(html.parser.HTMLParser):
    """The dumped DOM: data- attributes of rows and bars per section id, every tag and
    attribute name seen, and the text."""

    def __init__(self):
        super().__init__()
        self.section = None
        self.rows = {}
        self.bars = {}
        self.cells = {}         # (competence code, unit): (percent, relevant)
        self.code = None
        self.tags = set()
        self.attrs = []
        self.text = []

    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        self.tags.add(tag)
        self.attrs.extend(attrs)
        if tag == "section":
            self.section = a.get("id")
        elif tag in ("tr", "p") and any(k.startswith("data-") for k in a):
            self.rows.setdefault(self.section, []).append(a)
        elif tag == "g" and a.get("class") == "row" and "data-code" in a:
            self.code = a["data-code"]
        elif tag == "rect" and a.get("class") == "cell":
            self.cells[(self.code, a["data-unit"])] = (int(a["data-percent"]),
                                                      int(a["data-relevant"]))
        elif tag == "rect" and a.get("class") == "bar":
            self.bars.setdefault(self.section, []).append(int(a["data-value"]))

    def handle_data(self, data):
        self.text.append(data)


class ReportTest(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.stack = Stack()
        base = cls.stack["MUS_LDAP_BASE"]
        cls.people_base = "ou=people," + base
        cls.plan_base = "ou=plans," + base
        people = cls.stack.ldap_people()
        staff = {}
        for dn, p in people.items():
            for leader in LEADERS:
                if [m.lower() for m in p.get("manager", [])] == [
                        ("uid=%s,%s" % (leader, cls.people_base)).lower()]:
                    if p["uid"][0] != "grethe.juhl":
                        staff.setdefault(leader, []).append(dn)
        cls.staff = {k: sorted(v)[:4] for k, v in staff.items()}
        cls.created = []
        cls.round_dn = "cn=report-test,ou=rounds," + base
        cls.add(cls.round_dn, [("objectClass", "musRound"), ("cn", "report-test"),
                               ("musKind", "MUS"), ("musState", "closed"),
                               ("musWindowStart", "20260105000000Z"),
                               ("musWindowEnd", "20260227000000Z"), ("musDuration", "60")])
        b, h, k = (cls.staff[x] for x in LEADERS)
        convs = [(b[0], "bjoern.kraemer", "plan-pending"), (b[1], "bjoern.kraemer", "plan-requested"),
                 (b[2], "bjoern.kraemer", "approved"), (b[3], "bjoern.kraemer", "cancelled"),
                 (h[0], "hanne.lykkegaard", "plan-pending"), (h[1], "hanne.lykkegaard", "held"),
                 (k[0], "kirsten.boegh", "invited")]
        # answers to the competence form on some of them (the codes need no
        # profile: a code without one is shown as itself)
        answers = {0: ["report-jura 4", "report-it 1", "report-samarbejde 0"],
                   1: ["report-jura 2", "report-it 3", "report-samarbejde 5"],
                   4: ["report-jura 3", "report-it 0", "report-samarbejde 1"]}
        for i, (emp, leader, status) in enumerate(convs):
            attrs = [("objectClass", "musConversation"), ("cn", "report-%d" % i),
                     ("musEmployee", emp), ("musLeader", "uid=%s,%s" % (leader, cls.people_base)),
                     ("musStatus", status)]
            if i in answers:
                attrs += [("objectClass", "musCompetenceAssessment")] + [
                    ("musAssessmentEmployee", v) for v in answers[i]]
            cls.add("cn=report-%d,%s" % (i, cls.round_dn), attrs)
        # (employee, leader, approved, parent, activities: (kind, card, due days, status, text))
        plans = [
            (b[2], "bjoern.kraemer", True, None, [
                ("course", "faglighed", -10, "planned", "Kursus i vintervedligehold"),
                ("course", "faglighed", 30, "planned", "Kursus i asfalt"),
                ("practice", "arbejdsopgaver", -5, "done", "Sidemandsoplæring"),
            ]),
            (b[0], "bjoern.kraemer", True, cls.plan_base, [
                ("education", "ukendt-kort", -3, "planned", HOSTILE),
                ("mentoring", None, 60, None, "Mentor fra Byg og Miljø"),
            ]),
            (h[0], "hanne.lykkegaard", True, None, [
                ("supervision", "faglighed", 90, "planned", "Faglig supervision"),
                ("new-tasks", "arbejdsopgaver", -1, "planned", "Nye sager om jordforurening"),
            ]),
            (k[0], "kirsten.boegh", True, None, [
                ("course", "faglighed", -20, "planned", "Kursus i demens"),
            ]),
            (k[1], "kirsten.boegh", False, None, [
                ("course", "faglighed", -20, "planned", "Ikke godkendt endnu"),
            ]),
        ]
        for i, (emp, leader, approved, parent, acts) in enumerate(plans):
            dn = "cn=report-plan-%d,%s" % (i, parent or emp)
            attrs = [("objectClass", "musPlan"), ("cn", "report-plan-%d" % i),
                     ("musEmployee", emp), ("musLeader", "uid=%s,%s" % (leader, cls.people_base)),
                     ("musPlanVersion", "1"), ("musApprovedByEmployee", gtime(-40))]
            if approved:
                attrs.append(("musApprovedByLeader", gtime(-39)))
            cls.add(dn, attrs)
            for j, (kind, card, due, status, text) in enumerate(acts):
                attrs = [("objectClass", "musActivity"), ("cn", "a%d" % j),
                         ("description", text), ("musActivityKind", kind),
                         ("musDue", gtime(due))]
                if card:
                    attrs.append(("musCard", card))
                if status:
                    attrs.append(("musActivityStatus", status))
                cls.add("cn=a%d,%s" % (j, dn), attrs)
        cls.status = cls.stack.doveadm_json("mus", "status")
        cls.expect = cls.expected()

    @classmethod
    def add(cls, dn, attrs):
        cls.stack.ldap_modify(ldif_entry(dn, attrs))
        cls.created.append(dn)

    @classmethod
    def tearDownClass(cls):
        for dn in reversed(cls.created):
            cls.stack.ldap_delete(dn)

    @classmethod
    def expected(cls):
        """Every figure as read from the directory with ldapsearch."""
        st = cls.stack
        people = {dn.lower(): p for dn, p in st.ldap_people().items()}

        def unit(dn):
            p = people.get((dn or "").lower().replace(", ", ","))
            if p is None:
                return "(unknown)"
            return (p.get("ou") or p.get("departmentNumber") or ["(unknown)"])[0]

        e = {"pending": {}, "approved": {}, "leader_pending": {}, "leader_approved": {},
             "kind": {}, "topic": {}, "overdue": {}, "overdue_dns": set(),
             "held": {}, "convs": {}, "leader_held": {}, "leader_convs": {}}

        def inc(table, key):
            e[table][key] = e[table].get(key, 0) + 1

        rounds = st.ldap_entries("ou=rounds," + st["MUS_LDAP_BASE"], "(objectClass=musConversation)")
        for c in rounds.values():
            status = c["musStatus"][0]
            if status == "cancelled":
                continue
            u = unit(c["musEmployee"][0])
            inc("convs", u)
            inc("leader_convs", c["musLeader"][0])
            if status in HELD:
                inc("held", u)
                inc("leader_held", c["musLeader"][0])
            if status in ("plan-requested", "plan-pending"):
                inc("pending", u)
                inc("leader_pending", c["musLeader"][0])
        plans, acts = {}, []
        for base in (cls.people_base, cls.plan_base):
            plans.update({dn.lower(): p for dn, p in
                          st.ldap_entries(base, "(objectClass=musPlan)").items()})
            acts += st.ldap_entries(base, "(objectClass=musActivity)").items()
        now = gtime(0)
        for pdn, p in plans.items():
            if "musApprovedByEmployee" in p and "musApprovedByLeader" in p:
                inc("approved", unit(p["musEmployee"][0]))
                inc("leader_approved", p["musLeader"][0])
        for adn, a in acts:
            p = plans.get(adn.split(",", 1)[1].lower())
            if p is None or not ("musApprovedByEmployee" in p and "musApprovedByLeader" in p):
                continue
            u = unit(p["musEmployee"][0])
            kind = a["musActivityKind"][0]
            inc("kind", (u, kind if kind in KINDS else "other"))
            inc("topic", (u, a.get("musCard", [""])[0].lower()))
            if a.get("musActivityStatus", ["planned"])[0] != "done" and \
                    a.get("musDue", [now])[0] < now:
                inc("overdue", u)
                e["overdue_dns"].add(adn.lower())
        return e

    def rows(self, type_):
        return [r for r in self.status if r["type"] == type_]

    def test_expectations_hold_what_the_test_filed(self):
        e = self.expect
        self.assertGreaterEqual(e["approved"].get("Vej og Park", 0), 2)
        self.assertGreaterEqual(e["pending"].get("Vej og Park", 0), 2)
        self.assertGreaterEqual(e["overdue"].get("Vej og Park", 0), 2)
        self.assertGreaterEqual(e["kind"].get(("Byg og Miljø", "new-tasks"), 0), 1)
        self.assertGreaterEqual(len({u for u, _ in e["topic"]}), 3)

    def test_status_plans_per_unit_and_leader(self):
        for type_, pending, approved in (("unit-plans", "pending", "approved"),
                                         ("leader-plans", "leader_pending", "leader_approved")):
            got = {(r["subject"], r["detail"]): int(r["count"]) for r in self.rows(type_)}
            want = {(k, "pending"): v for k, v in self.expect[pending].items()}
            want.update({(k, "approved"): v for k, v in self.expect[approved].items()})
            self.assertEqual(got, want, type_)

    def test_status_activities_by_kind_and_topic(self):
        got = {(r["subject"], r["detail"]): int(r["count"]) for r in self.rows("unit-activity-kind")}
        self.assertEqual(got, self.expect["kind"])
        with open(os.path.join(REPO, "ical-templates", "cards", "catalogue.json")) as f:
            titles = {c["code"]: c["title"]["da"] for c in json.load(f)["cards"]}
        want = {}
        for (u, code), n in self.expect["topic"].items():
            detail = "(none)" if not code else (
                "%s: %s" % (code, titles[code]) if code in titles else code)
            want[(u, detail)] = n
        got = {(r["subject"], r["detail"]): int(r["count"]) for r in self.rows("unit-activity-topic")}
        self.assertEqual(got, want)
        self.assertIn(("Vej og Park", "ukendt-kort"), got)

    def test_status_overdue(self):
        got = {r["subject"]: int(r["count"]) for r in self.rows("overdue-unit")}
        self.assertEqual(got, self.expect["overdue"])
        self.assertEqual({r["subject"].lower() for r in self.rows("overdue-activity")},
                         self.expect["overdue_dns"])
        self.assertTrue(any(HOSTILE in r["detail"] for r in self.rows("overdue-activity")))

    def render(self, path, *extra):
        chromium = shutil.which("chromium")
        self.assertIsNotNone(chromium, "chromium is not installed (tests/stack/install-deps)")
        profile = tempfile.mkdtemp(prefix="mus-chromium-")
        try:
            res = subprocess.run([chromium, "--headless", "--no-sandbox", "--disable-gpu",
                                  "--user-data-dir=" + profile] + list(extra) +
                                 ["file://" + path], capture_output=True, text=True, timeout=120)
        finally:
            shutil.rmtree(profile, ignore_errors=True)
        self.assertEqual(res.returncode, 0, res.stderr[-2000:])
        return res.stdout

    def test_html_page(self):
        tmp = tempfile.mkdtemp(prefix="mus-report-")
        try:
            path = os.path.join(tmp, "hr.html")
            self.stack.doveadm("mus", "report", "--html", path)
            self.assertEqual(os.listdir(tmp), ["hr.html"])       # no temporary file left
            with open(path, encoding="utf-8") as f:
                raw = f.read()
            self.assertNotIn("<script", raw)
            self.assertNotIn(HOSTILE, raw)
            dom = self.render(path, "--dump-dom")
            png = os.path.join(tmp, "hr.png")
            self.render(path, "--screenshot=" + png, "--window-size=1200,2400")
            with open(png, "rb") as f:
                self.assertEqual(f.read(8), b"\x89PNG\r\n\x1a\n")
        finally:
            shutil.rmtree(tmp)
        page = PageParser()
        page.feed(dom)
        self.assertNotIn("script", page.tags)
        self.assertIn("svg", page.tags)
        for name, value in page.attrs:
            self.assertNotIn(name, ("src", "href", "srcset", "action"), value)
            self.assertFalse(name.startswith("on"), name)
        self.assertIn(HOSTILE, "".join(page.text))
        e = self.expect
        rows = page.rows

        def table(section, key, *values):
            return {r[key]: tuple(int(r[v]) for v in values) for r in rows[section] if key in r}

        self.assertEqual(table("completion-units", "data-unit", "data-held", "data-conversations"),
                         {u: (e["held"].get(u, 0), n) for u, n in e["convs"].items()})
        plans = table("plans", "data-unit", "data-approved", "data-pending")
        self.assertEqual({u: v for u, v in plans.items() if v != (0, 0)},
                         {u: (e["approved"].get(u, 0), e["pending"].get(u, 0))
                          for u in set(e["approved"]) | set(e["pending"])})
        total = [r for r in rows["plans"] if r.get("class") == "total"][0]
        self.assertEqual(int(total["data-approved"]), sum(e["approved"].values()))
        self.assertEqual(sorted(page.bars["plans"]), sorted(v[0] for v in plans.values()))
        self.assertEqual({r["data-dn"].lower() for r in rows["overdue"] if "data-dn" in r},
                         e["overdue_dns"])
        total = [r for r in rows["overdue"] if r.get("class") == "total"][0]
        self.assertEqual(int(total["data-overdue"]), len(e["overdue_dns"]))
        self.assertEqual({(r["data-unit"], r["data-kind"]): int(r["data-count"])
                          for r in rows["activities-kind"]}, e["kind"])
        self.assertEqual({(r["data-unit"], r["data-card"]): int(r["data-count"])
                          for r in rows["activities-topic"]}, e["topic"])
        kinds = {}
        for (_u, k), n in e["kind"].items():
            kinds[k] = kinds.get(k, 0) + n
        self.assertEqual(page.bars["activities-kind"],
                         [kinds.get(k, 0) for k in KINDS + ("other",)])
        leaders = table("completion-leaders", "data-leader", "data-held", "data-conversations")
        self.assertEqual(leaders, {k: (e["leader_held"].get(k, 0), n)
                                   for k, n in e["leader_convs"].items()})
        self.assertEqual(leaders["uid=bjoern.kraemer,%s" % self.people_base][0], 3)

        # the competence heatmap: each cell of a unit of this test's answers
        # is the employees' share at competent or above among relevant answers
        # in all of LDAP (other answers may be there too)
        people = {d.lower(): p for d, p in self.stack.ldap_people().items()}
        counts = {}
        for dn, c in self.stack.ldap_entries(
                "ou=rounds," + self.stack["MUS_LDAP_BASE"],
                "(&(objectClass=musConversation)(musAssessmentEmployee=*))").items():
            p = people.get(c["musEmployee"][0].lower())
            unit = (p.get("ou") or p.get("departmentNumber"))[0] if p else "(unknown)"
            for v in c["musAssessmentEmployee"]:
                code, level = v.split(" ")
                n = counts.setdefault((code.lower(), unit), [0, 0])
                if int(level) > 0:
                    n[0] += 1
                    n[1] += int(level) >= 3
        mine = {k: n for k, n in counts.items() if k[0].startswith("report-")}
        self.assertGreaterEqual(len(mine), 6)
        for key, (relevant, competent) in mine.items():
            want = (int(100 * competent / relevant + 0.5) if relevant else -1, relevant)
            self.assertEqual(page.cells.get(key), want, key)


if __name__ == "__main__":
    unittest.main()
