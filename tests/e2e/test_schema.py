"""Schema, sample data and ACL of MUS for Dovecot against a real slapd 2.5.

Needs only slapd and ldap-utils (no Dovecot, no Postfix, no test stack). Each slapd test
class starts its own slapd in a temporary directory, on a free loopback port and an ldapi
socket of its own:
  * SlapdConfFormTest: slapd.conf with `include` of ldap-schema/*.schema, converted to
    cn=config by `slaptest -f ... -F ... -n0`;
  * CnConfigFormTest: a cn=config LDIF that `include:`s ldap-schema/*.ldif, loaded with
    `slapadd -n0`.
Both load the sample organisation written by tests/stack/gen-org and
ldap-schema/example-round.ldif with `slapadd -n1`, then check searches (ordering,
substrings), the subschema against the contract, schema violations, and
ldap-schema/mus-acl.ldif (who may read conversations and plans).
The GenOrg* classes check the generator's output itself.

Run: /usr/bin/python3 -m unittest tests/e2e/test_schema.py -v
"""

import base64
import datetime as dt
import os
import re
import shutil
import signal
import socket
import subprocess
import tempfile
import time
import unittest
import urllib.parse
from pathlib import Path
from zoneinfo import ZoneInfo

REPO = Path(__file__).resolve().parents[2]
GEN_ORG = REPO / "tests" / "stack" / "gen-org"
SCHEMA_DIR = REPO / "ldap-schema"
BASE = "dc=eksempel,dc=test"
PEOPLE = "ou=people," + BASE
ADMIN_DN = "cn=admin," + BASE
ADMIN_PW = "admin-secret"
SERVICE_DN = "cn=mus-service,ou=services," + BASE
HR_DN = "cn=hr,ou=groups," + BASE
ROUND_DN = "cn=MUS 2027,ou=rounds," + BASE
USER_PW = "test-password"
SLAPD = shutil.which("slapd") or "/usr/sbin/slapd"
TZ = ZoneInfo("Europe/Copenhagen")
ARC = "2.25.12875905002601235520167602488964814188"

# The contract's schema table: number -> (name, kind, single)
CONTRACT_ATTRS = {
    1: ("musKind", "CODE", True), 2: ("musState", "CODE", True),
    3: ("musWindowStart", "GT", True), 4: ("musWindowEnd", "GT", True),
    5: ("musDuration", "INT", True), 6: ("musWorkdayStart", "NUM", True),
    7: ("musWorkdayEnd", "NUM", True), 8: ("musMaxPerDay", "INT", True),
    9: ("musBufferMinutes", "INT", True), 10: ("musScopeBase", "DN", True),
    11: ("musScopeFilter", "FILTER", True), 12: ("musCard", "CODE", False),
    13: ("musClosedDate", "NUM", False), 14: ("musLocation", "TEXT", True), 15: ("musLease", "FILTER", True),
    20: ("musEmployee", "DN", False), 21: ("musLeader", "DN", True),
    22: ("musStart", "GT", True), 23: ("musEnd", "GT", True), 24: ("musStatus", "CODE", True),
    25: ("musICalUID", "UIDSUB", True), 26: ("musSequence", "INT", True),
    27: ("musPartstat", "CODE", False), 28: ("musCardLeader", "CODE", False),
    29: ("musCardEmployee", "CODE", False), 30: ("musReason", "TEXT", True),
    31: ("musSentSequence", "INT", True), 32: ("musComment", "TEXT", False), 35: ("musSentTo", "CODE", False), 36: ("musSentDigest", "UIDSTR", True), 37: ("musPartstatComment", "TEXT", False),
    33: ("musTeam", "DN", True), 34: ("musDeclined", "TEXT", False),
    38: ("musCounter", "TEXT", True), 39: ("musCounterRefused", "TEXT", True),
    55: ("musRefresh", "CODE", False),
    40: ("musRoundRef", "DN", True), 41: ("musGoal", "TEXT", False),
    42: ("musFollowUp", "GT", True), 43: ("musApprovedByEmployee", "GT", True),
    44: ("musApprovedByLeader", "GT", True), 45: ("musPlanVersion", "INT", True),
    46: ("musApproverEmployee", "DN", True), 47: ("musApproverLeader", "DN", True),
    48: ("musPlanRef", "DN", False), 49: ("musConversationRef", "DN", True),
    50: ("musActivityKind", "CODE", True), 51: ("musResponsible", "DN", True),
    52: ("musDue", "GT", True), 53: ("musActivityStatus", "CODE", True),
    54: ("musResponsibleName", "TEXT", True),
    60: ("musAbsentUntil", "GT", True), 61: ("musExempt", "BOOL", True),
    62: ("musLanguage", "CODE", True), 63: ("musJobProfileRef", "DN", True),
    70: ("musCompetence", "TEXT", False),
    80: ("musPlanDraft", "FILTER", True), 81: ("musPlanRequested", "GT", True),
    82: ("musGoalShared", "TEXT", False),
    105: ("musPlanApproval", "TEXT", False), 106: ("musFollowUpUID", "UIDSUB", True),
    107: ("musPlanDeclined", "TEXT", False),
    115: ("musReminded", "GT", True), 116: ("musRemindedTo", "DN", False),
    117: ("musDoneAt", "GT", True),
    125: ("musFollowUpStart", "GT", True), 126: ("musFollowUpEnd", "GT", True),
    127: ("musFollowUpSentTo", "TEXT", False),
    140: ("musCompetenceFormSent", "GT", True), 141: ("musCompetenceFormSentTo", "TEXT", False),
    142: ("musAssessmentEmployee", "TEXT", False), 143: ("musAssessmentLeader", "TEXT", False),
    144: ("musAssessedEmployee", "TEXT", True), 145: ("musAssessedLeader", "TEXT", True),
    150: ("musIdleMark", "FILTER", True),
}
# kind -> (syntax, equality, ordering, substr)
KINDS = {
    "GT": ("1.3.6.1.4.1.1466.115.121.1.24", "generalizedTimeMatch",
           "generalizedTimeOrderingMatch", None),
    "DN": ("1.3.6.1.4.1.1466.115.121.1.12", "distinguishedNameMatch", None, None),
    "CODE": ("1.3.6.1.4.1.1466.115.121.1.15", "caseIgnoreMatch", None,
             "caseIgnoreSubstringsMatch"),
    "TEXT": ("1.3.6.1.4.1.1466.115.121.1.15", "caseIgnoreMatch", None,
             "caseIgnoreSubstringsMatch"),
    "INT": ("1.3.6.1.4.1.1466.115.121.1.27", "integerMatch", "integerOrderingMatch", None),
    "NUM": ("1.3.6.1.4.1.1466.115.121.1.36", "numericStringMatch",
            "numericStringOrderingMatch", None),
    "BOOL": ("1.3.6.1.4.1.1466.115.121.1.7", "booleanMatch", None, None),
    "UIDSTR": ("1.3.6.1.4.1.1466.115.121.1.26", "caseExactIA5Match", None, None),
    # a card mail names the conversation by the start of its UID
    "UIDSUB": ("1.3.6.1.4.1.1466.115.121.1.26", "caseExactIA5Match", None,
               "caseExactIA5SubstringsMatch"),
    "FILTER": ("1.3.6.1.4.1.1466.115.121.1.15", "caseExactMatch", None, None),
}
CONTRACT_CLASSES = {
    1: ("musRound", "STRUCTURAL",
        ["cn", "musKind", "musState", "musWindowStart", "musWindowEnd", "musDuration"],
        ["description", "musWorkdayStart", "musWorkdayEnd", "musMaxPerDay",
         "musBufferMinutes", "musScopeBase", "musScopeFilter", "musCard", "musClosedDate",
         "musLocation", "musLease"]),
    2: ("musConversation", "STRUCTURAL", ["cn", "musEmployee", "musLeader", "musStatus"],
        ["musStart", "musEnd", "musICalUID", "musSequence", "musSentSequence", "musPartstat",
         "musCardLeader", "musCardEmployee", "musReason", "musComment", "musTeam", "musSentTo", "musSentDigest", "musPartstatComment",
         "musDeclined", "musCounter", "musCounterRefused", "musRefresh", "musPlanVersion",
         "musPlanDraft", "musPlanRequested", "musPlanApproval", "musFollowUpUID", "musPlanDeclined", "musFollowUpStart", "musFollowUpEnd",
         "musFollowUpSentTo", "description"]),
    3: ("musPlan", "STRUCTURAL", ["cn", "musEmployee", "musPlanVersion"],
        ["musLeader", "musRoundRef", "musConversationRef", "musGoal", "musGoalShared", "musFollowUp",
         "musApprovedByEmployee", "musApprovedByLeader", "musApproverEmployee",
         "musApproverLeader", "musRemindedTo", "description"]),
    4: ("musActivity", "STRUCTURAL", ["cn", "description", "musActivityKind"],
        ["musResponsible", "musResponsibleName", "musDue", "musActivityStatus", "musCard",
         "musReminded", "musDoneAt"]),
    5: ("musPerson", "AUXILIARY", [],
        ["musAbsentUntil", "musExempt", "musLanguage", "musJobProfileRef", "musPlanRef"]),
    6: ("musJobProfile", "STRUCTURAL", ["cn"], ["description", "musCompetence"]),
    20: ("musCompetenceAssessment", "AUXILIARY", [],
         ["musJobProfileRef", "musCompetenceFormSent", "musCompetenceFormSentTo",
          "musAssessmentEmployee", "musAssessmentLeader", "musAssessedEmployee",
          "musAssessedLeader"]),
    30: ("musSyncState", "STRUCTURAL", ["cn"], ["musIdleMark"]),
}
CAL_ATTRS = {478: ("calCalURI", True), 479: ("calFBURL", True), 480: ("calCAPURI", True),
             481: ("calCalAdrURI", True), 482: ("calOtherCalURIs", False),
             483: ("calOtherFBURLs", False), 484: ("calOtherCAPURIs", False),
             485: ("calOtherCalAdrURIs", False)}

PLANTED = {
    "a_leader_without_reports": "mikkel.ravnsbaek",
    "b_leader_with_30": "soeren.hoejgaard",
    "c_no_mail": "grethe.juhl",
    "d_dangling_manager": "preben.dyhr",
    "e_cycle": ("jens.iversen", "bodil.kofoed"),
    "f_long_leave": "line.thygesen",
}
TOP = "aase.soendergaard"

ENV = dict(os.environ, LDAPNOINIT="1", LC_ALL="C.UTF-8")


# ---------------------------------------------------------------- helpers

def run(cmd, input=None, timeout=120):
    return subprocess.run(cmd, input=input, capture_output=True, text=True, env=ENV,
                          timeout=timeout)


def parse_ldif(text):
    """Minimal LDIF reader: [(dn, {attr_lower: [values]})]; handles folding and base64."""
    entries = []
    unfolded = []
    for raw in text.split("\n"):
        if raw.startswith(" ") and unfolded:
            unfolded[-1] += raw[1:]
        else:
            unfolded.append(raw)
    cur = None
    for ln in unfolded + [""]:
        if ln.startswith("#"):
            continue
        if not ln.strip():
            if cur:
                entries.append(cur)
            cur = None
            continue
        attr, _, rest = ln.partition(":")
        if rest.startswith(":"):
            value = base64.b64decode(rest[1:].strip()).decode("utf-8")
        else:
            value = rest[1:] if rest.startswith(" ") else rest
        if attr.lower() == "version" and cur is None:
            continue
        if attr.lower() == "dn":
            cur = (value, {})
        elif cur is not None:
            cur[1].setdefault(attr.lower(), []).append(value)
    return entries


def read_text(path):
    with open(path, encoding="utf-8") as f:
        return f.read()


def read_bytes(path):
    with open(path, "rb") as f:
        return f.read()


def uid_of(dn):
    m = re.match(r"uid=([^,]+),ou=people,", dn, re.I)
    return m.group(1) if m else None


def gen_org(outdir, *extra):
    ldif = os.path.join(outdir, "org.ldif")
    fbdir = os.path.join(outdir, "fb")
    r = run(["/usr/bin/python3", str(GEN_ORG), "--fb-base-url", "http://127.0.0.1:9/fb",
             "--ldif", ldif, "--fb-dir", fbdir, *extra])
    if r.returncode != 0 or r.stdout or r.stderr:
        raise AssertionError("gen-org failed (%d): %s%s" % (r.returncode, r.stdout, r.stderr))
    return ldif, fbdir


def free_port():
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def peercred_dn():
    return "gidNumber=%d+uidNumber=%d,cn=peercred,cn=external,cn=auth" % (os.getgid(),
                                                                          os.getuid())


MDB_DB_CONFIG = """\
dn: olcDatabase={{1}}mdb,cn=config
objectClass: olcDatabaseConfig
objectClass: olcMdbConfig
olcDatabase: {{1}}mdb
olcDbDirectory: {db}
olcSuffix: dc=eksempel,dc=test
olcRootDN: cn=admin,dc=eksempel,dc=test
olcRootPW: {pw}
olcDbMaxSize: 1073741824
olcDbIndex: objectClass eq
olcDbIndex: uid eq
olcDbIndex: manager eq
olcDbIndex: member eq
olcDbIndex: musEmployee eq
olcDbIndex: musLeader eq
"""


def cn_config_ldif(db):
    """cn=config LDIF for slapadd -n0 that includes the .ldif schema forms."""
    inc = "\n".join("include: file://%s" % p for p in (
        "/etc/ldap/schema/core.ldif", "/etc/ldap/schema/cosine.ldif",
        "/etc/ldap/schema/inetorgperson.ldif", SCHEMA_DIR / "calentry.ldif",
        SCHEMA_DIR / "mus.ldif"))
    return """\
dn: cn=config
objectClass: olcGlobal
cn: config

dn: cn=module{{0}},cn=config
objectClass: olcModuleList
cn: module{{0}}
olcModulePath: /usr/lib/ldap
olcModuleLoad: {{0}}back_mdb

dn: cn=schema,cn=config
objectClass: olcSchemaConfig
cn: schema

{inc}

dn: olcDatabase={{-1}}frontend,cn=config
objectClass: olcDatabaseConfig
objectClass: olcFrontendConfig
olcDatabase: {{-1}}frontend
olcAccess: {{0}}to dn.base="" by * read
olcAccess: {{1}}to dn.base="cn=Subschema" by * read

dn: olcDatabase={{0}}config,cn=config
objectClass: olcDatabaseConfig
olcDatabase: {{0}}config
olcAccess: {{0}}to * by dn.exact="{peer}" manage by * none

""".format(inc=inc, peer=peercred_dn()) + MDB_DB_CONFIG.format(db=db, pw=ADMIN_PW)


def slapd_conf(db):
    """slapd.conf that includes the .schema forms."""
    return """\
include /etc/ldap/schema/core.schema
include /etc/ldap/schema/cosine.schema
include /etc/ldap/schema/inetorgperson.schema
include {schema}/calentry.schema
include {schema}/mus.schema
modulepath /usr/lib/ldap
moduleload back_mdb
access to dn.base="" by * read
access to dn.base="cn=Subschema" by * read

database config
access to * by dn.exact="{peer}" manage by * none

database mdb
suffix "dc=eksempel,dc=test"
rootdn "cn=admin,dc=eksempel,dc=test"
rootpw {pw}
directory {db}
maxsize 1073741824
index objectClass eq
index uid eq
index manager eq
index member eq
index musEmployee eq
index musLeader eq
""".format(schema=SCHEMA_DIR, peer=peercred_dn(), pw=ADMIN_PW, db=db)


class Slapd:
    def __init__(self, tmp):
        self.tmp = tmp
        self.confdir = os.path.join(tmp, "slapd.d")
        self.db = os.path.join(tmp, "db")
        os.makedirs(self.confdir)
        os.makedirs(self.db)
        self.sock = os.path.join(tmp, "ldapi")
        self.ldapi = "ldapi://" + urllib.parse.quote(self.sock, safe="")
        self.port = None
        self.proc = None
        self.log = os.path.join(tmp, "slapd.log")

    def check(self, r, what):
        if r.returncode != 0:
            raise AssertionError("%s failed (%d):\n%s\n%s" % (what, r.returncode, r.stdout,
                                                             r.stderr))
        return r

    def configure_from_conf(self):
        path = os.path.join(self.tmp, "slapd.conf")
        with open(path, "w") as f:
            f.write(slapd_conf(self.db))
        self.check(run(["slaptest", "-f", path, "-F", self.confdir, "-n0"]), "slaptest")

    def configure_from_ldif(self):
        path = os.path.join(self.tmp, "config.ldif")
        with open(path, "w") as f:
            f.write(cn_config_ldif(self.db))
        self.check(run(["slapadd", "-n0", "-F", self.confdir, "-l", path]), "slapadd -n0")

    def load(self, ldif, quick=True):
        cmd = ["slapadd", "-n1", "-F", self.confdir, "-l", str(ldif)]
        if quick:
            cmd.insert(1, "-q")
        self.check(run(cmd), "slapadd -n1 %s" % ldif)

    def start(self):
        self.port = free_port()
        urls = "%s ldap://127.0.0.1:%d/" % (self.ldapi, self.port)
        logf = open(self.log, "w")
        self.proc = subprocess.Popen([SLAPD, "-d", "0", "-F", self.confdir, "-h", urls],
                                     stdout=logf, stderr=subprocess.STDOUT, env=ENV)
        logf.close()
        deadline = time.monotonic() + 20
        while True:
            if self.proc.poll() is not None:
                raise AssertionError("slapd exited (%d):\n%s" % (self.proc.returncode,
                                                                 read_text(self.log)))
            r = run(["ldapsearch", "-x", "-H", self.ldapi, "-s", "base", "-b", "",
                     "-LLL", "namingContexts"])
            if r.returncode == 0:
                return
            if time.monotonic() > deadline:
                self.stop()
                raise AssertionError("slapd not ready:\n" + read_text(self.log))
            time.sleep(0.05)   # poll interval, not a wait for readiness

    def stop(self):
        if self.proc and self.proc.poll() is None:
            os.kill(self.proc.pid, signal.SIGTERM)
            try:
                self.proc.wait(20)
            except subprocess.TimeoutExpired:
                os.kill(self.proc.pid, signal.SIGKILL)
                self.proc.wait(5)
        self.proc = None

    @property
    def ldap(self):
        return "ldap://127.0.0.1:%d/" % self.port

    def _bind(self, who):
        """who: None (anonymous), 'admin', 'root' (SASL EXTERNAL over ldapi), or (dn, pw)."""
        if who == "root":
            return ["-Y", "EXTERNAL", "-H", self.ldapi, "-Q"]
        if who is None:
            return ["-x", "-H", self.ldap]
        if who == "admin":
            who = (ADMIN_DN, ADMIN_PW)
        return ["-x", "-H", self.ldap, "-D", who[0], "-w", who[1]]

    def search(self, base, flt="(objectClass=*)", attrs=(), scope="sub", who="admin",
               extra=()):
        cmd = ["ldapsearch", *self._bind(who), "-LLL", "-o", "ldif-wrap=no", "-b", base,
               "-s", scope, *extra, flt, *attrs]
        r = run(cmd)
        return r.returncode, parse_ldif(r.stdout), r.stderr

    def dns(self, base, flt="(objectClass=*)", scope="sub", who="admin"):
        rc, entries, err = self.search(base, flt, ["1.1"], scope, who)
        if rc not in (0, 32):
            raise AssertionError("search %s %s failed (%d): %s" % (base, flt, rc, err))
        return [e[0].lower() for e in entries]

    def can_read(self, dn, who):
        rc, entries, err = self.search(dn, scope="base", who=who)
        if rc not in (0, 32, 50):
            raise AssertionError("search of %s as %s: rc %d %s" % (dn, who, rc, err))
        return bool(entries)

    def modify(self, ldif, who="admin", add=False):
        cmd = ["ldapadd" if add else "ldapmodify", *self._bind(who)]
        r = run(cmd, input=ldif)
        return r.returncode, r.stdout + r.stderr


# ---------------------------------------------------------------- generator tests

class GenOrgSampleTest(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.tmp = tempfile.mkdtemp(prefix="mus-genorg-")
        cls.ldif, cls.fbdir = gen_org(cls.tmp)
        cls.text = read_text(cls.ldif)
        cls.entries = parse_ldif(cls.text)
        cls.people = {uid_of(dn): a for dn, a in cls.entries
                      if uid_of(dn) and dn.lower().endswith("," + PEOPLE)}

    @classmethod
    def tearDownClass(cls):
        shutil.rmtree(cls.tmp, ignore_errors=True)

    def manager(self, uid):
        m = self.people[uid].get("manager")
        return uid_of(m[0]) if m else None

    def test_deterministic(self):
        with tempfile.TemporaryDirectory() as t:
            ldif, fbdir = gen_org(t)
            self.assertEqual(read_text(ldif), self.text)
            self.assertEqual(sorted(os.listdir(fbdir)), sorted(os.listdir(self.fbdir)))
            for name in os.listdir(fbdir):
                self.assertEqual(read_bytes(os.path.join(fbdir, name)),
                                 read_bytes(os.path.join(self.fbdir, name)))

    def test_counts_and_levels(self):
        self.assertEqual(len(self.people), 150)
        self.assertNotIn("manager", self.people[TOP])
        depth = {}
        for uid in self.people:
            chain, cur = [uid], uid
            while True:
                m = self.manager(cur)
                if m is None or m not in self.people or m in chain:
                    break
                chain.append(m)
                cur = m
            if chain[-1] == TOP:
                depth[uid] = len(chain)
        outside = set(self.people) - set(depth)
        self.assertEqual(outside, {PLANTED["d_dangling_manager"], *PLANTED["e_cycle"]})
        self.assertEqual(max(depth.values()), 4)
        self.assertEqual(sorted(set(depth.values())), [1, 2, 3, 4])
        self.assertEqual(sum(1 for d in depth.values() if d == 2), 4)

    def test_planted_problems(self):
        reports = {}
        for uid in self.people:
            reports.setdefault(self.manager(uid), []).append(uid)
        a = PLANTED["a_leader_without_reports"]
        self.assertEqual(self.people[a]["employeetype"], ["leder"])
        self.assertNotIn(a, reports)
        leaders_without = [u for u, at in self.people.items()
                           if at.get("employeetype") == ["leder"] and u not in reports]
        self.assertEqual(leaders_without, [a])
        self.assertEqual(len(reports[PLANTED["b_leader_with_30"]]), 30)
        self.assertNotIn("mail", self.people[PLANTED["c_no_mail"]])
        self.assertEqual([u for u, at in self.people.items() if "mail" not in at],
                         [PLANTED["c_no_mail"]])
        d = PLANTED["d_dangling_manager"]
        self.assertTrue(self.people[d]["manager"][0].startswith("uid=gunnar.fratraadt,"))
        self.assertNotIn(self.manager(d), self.people)
        x, y = PLANTED["e_cycle"]
        self.assertEqual((self.manager(x), self.manager(y)), (y, x))
        f = self.people[PLANTED["f_long_leave"]]
        self.assertIn("musPerson", f["objectclass"])
        self.assertEqual(f["musabsentuntil"], ["20270901000000Z"])

    def test_names_mail_language(self):
        cns = " ".join(a["cn"][0] for a in self.people.values())
        for ch in "æøå":
            self.assertIn(ch, cns)
        for uid, at in self.people.items():
            self.assertRegex(uid, r"^[a-z0-9.-]+$")
            self.assertEqual(at["uid"], [uid])
            if "mail" in at:
                self.assertEqual(at["mail"][0], uid + "@eksempel.test")
        self.assertEqual(self.people["soeren.hoejgaard"]["cn"], ["Søren Højgaard"])
        self.assertGreaterEqual(sum(len(a.get("mail", [])) == 2 for a in self.people.values()),
                                2)
        self.assertGreaterEqual(sum(a.get("preferredlanguage") == ["en"]
                                    for a in self.people.values()), 2)
        for at in self.people.values():
            for k in ("title", "ou", "departmentnumber", "employeetype", "givenname", "sn"):
                self.assertIn(k, at)

    def test_job_profiles(self):
        dns = {dn.lower(): a for dn, a in self.entries}
        profiles = {dn: a for dn, a in dns.items() if dn.endswith(",ou=profiles," + BASE)}
        self.assertIn("ou=profiles," + BASE, dns)
        self.assertEqual(sorted(a["cn"][0] for a in profiles.values()),
                         ["Administrativ medarbejder", "Leder", "Pædagog", "Sagsbehandler"])
        code_re = re.compile(r"^[a-z0-9-]{1,32}$")
        for dn, a in profiles.items():
            self.assertEqual(a["objectclass"], ["top", "musJobProfile"])
            self.assertTrue(6 <= len(a["muscompetence"]) <= 8, dn)
            codes = []
            for value in a["muscompetence"]:
                parts = [x.strip() for x in value.split("|", 3)]
                self.assertEqual(len(parts), 4, value)
                self.assertRegex(parts[0], code_re)
                self.assertTrue(0 < len(parts[1]) <= 100 and 0 < len(parts[2]) <= 100, value)
                self.assertLessEqual(len(parts[3]), 500)
                codes.append(parts[0])
            self.assertEqual(len(set(codes)), len(codes), dn)
        names = {a["cn"][0].lower(): dn for dn, a in profiles.items()}
        by_ref, by_title, none = 0, 0, 0
        for at in self.people.values():
            ref = at.get("musjobprofileref")
            if ref:
                self.assertIn(ref[0].lower(), profiles)
                self.assertIn("musPerson", at["objectclass"])
                by_ref += 1
            elif at["title"][0].lower() in names:
                by_title += 1
            else:
                none += 1
        self.assertGreaterEqual(by_ref, 10)
        self.assertGreaterEqual(by_title, 5)
        self.assertGreaterEqual(none, 50)
        # an employee who reads English has one, through the reference
        self.assertEqual(self.people["tomasz.nowak"]["musjobprofileref"],
                         ["cn=Administrativ medarbejder,ou=profiles," + BASE])

    def test_teams_hr_and_base(self):
        dns = {dn.lower(): a for dn, a in self.entries}
        for ou in ("people", "teams", "groups", "services", "rounds", "plans"):
            self.assertIn("ou=%s,%s" % (ou, BASE), dns)
        self.assertIn("uid=mus,ou=services," + BASE, dns)
        self.assertNotIn(SERVICE_DN, dns)
        self.assertNotIn(ADMIN_DN, dns)
        self.assertEqual(len(dns[HR_DN]["member"]), 2)
        teams = [dn for dn in dns if dn.endswith(",ou=teams," + BASE)]
        self.assertGreaterEqual(len(teams), 2)
        for t in teams:
            a = dns[t]
            self.assertIn("groupOfNames", a["objectclass"])
            self.assertIn(uid_of(a["owner"][0]), self.people)
            for m in a["member"]:
                self.assertEqual(self.manager(uid_of(m)), uid_of(a["owner"][0]))

    def test_freebusy_files(self):
        with_fb = {u for u, a in self.people.items() if "calfburl" in a}
        self.assertTrue(40 <= len(with_fb) <= 60, len(with_fb))
        self.assertEqual({n[:-4] for n in os.listdir(self.fbdir)}, with_fb)
        for u in with_fb:
            self.assertEqual(self.people[u]["calfburl"], ["http://127.0.0.1:9/fb/%s.ifb" % u])
            self.assertIn("calEntry", self.people[u]["objectclass"])

    def test_freebusy_content_and_dst(self):
        """Busy blocks lie in local working hours; the Monday 9-10 staff meeting sits at
        08:00Z in winter and 07:00Z after 2027-03-28."""
        mondays_checked = {"winter": 0, "summer": 0}
        for name in sorted(os.listdir(self.fbdir)):
            raw = read_bytes(os.path.join(self.fbdir, name))
            self.assertTrue(raw.endswith(b"\r\n"))
            self.assertNotIn(b"\n", raw.replace(b"\r\n", b""))
            text = raw.decode("utf-8").replace("\r\n ", "")
            lines = text.split("\r\n")
            self.assertEqual(lines[:4], ["BEGIN:VCALENDAR", "VERSION:2.0",
                                         "PRODID:-//MUS for Dovecot//gen-org//DA",
                                         "METHOD:PUBLISH"])
            for must in ("BEGIN:VFREEBUSY", "DTSTART:20261130T230000Z",
                         "DTEND:20270630T220000Z", "END:VFREEBUSY", "END:VCALENDAR"):
                self.assertIn(must, lines)
            self.assertTrue(any(ln.startswith("ORGANIZER;CN=") and "mailto:" in ln
                                for ln in lines))
            busy = []
            for ln in lines:
                if not ln.startswith("FREEBUSY"):
                    continue
                params, _, period = ln.partition(":")
                s, e = period.split("/")
                s = dt.datetime.strptime(s, "%Y%m%dT%H%M%SZ").replace(tzinfo=dt.timezone.utc)
                e = dt.datetime.strptime(e, "%Y%m%dT%H%M%SZ").replace(tzinfo=dt.timezone.utc)
                self.assertLess(s, e)
                ls, le = s.astimezone(TZ), e.astimezone(TZ)
                if "BUSY-UNAVAILABLE" in params:
                    self.assertEqual((ls.hour, ls.minute, le.hour, le.minute), (0, 0, 0, 0))
                else:
                    self.assertEqual(ls.date(), le.date())
                    self.assertLess(ls.weekday(), 5)
                    self.assertGreaterEqual(ls.hour * 60 + ls.minute, 7 * 60)
                    self.assertLessEqual(le.hour * 60 + le.minute, 16 * 60)
                busy.append((ls, le))
            self.assertGreater(len(busy), 50)
            # the weekly staff meeting on Mondays 09:00-10:00 local
            for ls, le in busy:
                if ls.weekday() == 0 and ls.hour * 60 + ls.minute <= 9 * 60 <= \
                        le.hour * 60 + le.minute - 60 and ls.date() == le.date():
                    mondays_checked["summer" if ls.date() > dt.date(2027, 3, 28)
                                    else "winter"] += 1
            mondays = {ls.date() for ls, le in busy if ls.weekday() == 0
                       and ls.date() == le.date()}
            for d in mondays:
                self.assertTrue(any(ls.date() == d and ls.hour * 60 + ls.minute <= 540 and
                                    le.hour * 60 + le.minute >= 600 for ls, le in busy),
                                "%s: no 09-10 meeting on %s" % (name, d))
        self.assertGreater(mondays_checked["winter"], 0)
        self.assertGreater(mondays_checked["summer"], 0)

    def test_freebusy_parses_with_icalendar(self):
        try:
            import icalendar
        except ImportError:
            self.skipTest("python3-icalendar not installed")
        raw = read_bytes(os.path.join(self.fbdir, "soeren.hoejgaard.ifb"))
        cal = icalendar.Calendar.from_ical(raw)
        fb = [c for c in cal.walk("VFREEBUSY")]
        self.assertEqual(len(fb), 1)
        self.assertTrue(fb[0].get("FREEBUSY"))


class GenOrgSyntheticTest(unittest.TestCase):
    def test_synthetic_org(self):
        n = 3000
        with tempfile.TemporaryDirectory() as t:
            ldif, fbdir = gen_org(t, "--people", str(n), "--seed", "7")
            entries = parse_ldif(read_text(ldif))
            people = {uid_of(dn): a for dn, a in entries if uid_of(dn)}
            self.assertEqual(len(people), n)
            reports = {}
            roots = []
            for u, a in people.items():
                if "manager" in a:
                    m = uid_of(a["manager"][0])
                    self.assertIn(m, people)
                    reports.setdefault(m, []).append(u)
                else:
                    roots.append(u)
            self.assertEqual(len(roots), 1)
            for m, rs in reports.items():
                self.assertTrue(5 <= len(rs) <= 30, (m, len(rs)))
                self.assertEqual(people[m]["employeetype"], ["leder"])
            fb = [u for u, a in people.items() if "calfburl" in a]
            self.assertEqual(len(fb), n // 10)
            self.assertEqual(len(os.listdir(fbdir)), n // 10)
            self.assertTrue(all("mail" in a for a in people.values()))
            # loadable with slapadd
            s = Slapd(os.path.join(t, "slapd"))
            s.configure_from_ldif()
            s.load(ldif)

    def test_50000_people_a_tenth_with_busy_time(self):
        # how long it takes is for tests/bench, not for a test
        with tempfile.TemporaryDirectory() as t:
            ldif, fbdir = gen_org(t, "--people", "50000")
            self.assertEqual(len(os.listdir(fbdir)), 5000)


# ---------------------------------------------------------------- slapd tests

class SlapdMixin:
    """Shared checks; subclasses set up cls.slapd by one of the two config forms."""

    form = None

    @classmethod
    def setUpClass(cls):
        cls.tmp = tempfile.mkdtemp(prefix="mus-schema-")
        cls.ldif, cls.fbdir = gen_org(cls.tmp)
        cls.org = {dn.lower(): a for dn, a in parse_ldif(read_text(cls.ldif))}
        cls.slapd = Slapd(os.path.join(cls.tmp, "slapd"))
        try:
            if cls.form == "conf":
                cls.slapd.configure_from_conf()
                cls.slapd.load(cls.ldif, quick=True)
            else:
                cls.slapd.configure_from_ldif()
                cls.slapd.load(cls.ldif, quick=False)
            cls.slapd.load(SCHEMA_DIR / "example-round.ldif", quick=False)
            cls.slapd.start()
        except BaseException:
            cls.slapd.stop()
            shutil.rmtree(cls.tmp, ignore_errors=True)
            raise

    @classmethod
    def tearDownClass(cls):
        cls.slapd.stop()
        shutil.rmtree(cls.tmp, ignore_errors=True)

    # --- data and matching rules

    def test_people_loaded(self):
        dns = self.slapd.dns(PEOPLE, "(objectClass=inetOrgPerson)", "one")
        self.assertEqual(len(dns), 150)
        self.assertEqual(len(self.slapd.dns(PEOPLE, "(manager=uid=soeren.hoejgaard,%s)"
                                            % PEOPLE)), 30)
        self.assertEqual(len(self.slapd.dns(PEOPLE, "(objectClass=calEntry)")),
                         len(os.listdir(self.fbdir)))
        self.assertEqual(self.slapd.dns(PEOPLE, "(calFBURL=*/SOEREN.HOEJGAARD.ifb)"),
                         ["uid=soeren.hoejgaard," + PEOPLE])
        self.assertEqual(self.slapd.dns(PEOPLE, "(musAbsentUntil>=20270101000000Z)"),
                         ["uid=line.thygesen," + PEOPLE])
        rc, entries, _ = self.slapd.search("uid=soeren.hoejgaard," + PEOPLE, scope="base",
                                           attrs=["cn"])
        self.assertEqual(entries[0][1]["cn"], ["Søren Højgaard"])

    def test_round_ordering_and_matching(self):
        rounds = "ou=rounds," + BASE
        r = ROUND_DN.lower()
        self.assertEqual(self.slapd.dns(rounds, "(musWindowStart<=20270201000000Z)"), [r])
        self.assertEqual(self.slapd.dns(rounds, "(musWindowStart>=20270201000000Z)"), [])
        self.assertEqual(self.slapd.dns(rounds, "(&(musWindowStart<=20270110120000Z)"
                                                "(musWindowEnd>=20270326000000Z))"), [r])
        self.assertEqual(self.slapd.dns(rounds, "(musDuration>=45)"), [r])
        self.assertEqual(self.slapd.dns(rounds, "(musDuration<=45)"), [])
        self.assertEqual(self.slapd.dns(rounds, "(musWorkdayStart<=0900)"), [r])
        self.assertEqual(self.slapd.dns(rounds, "(musClosedDate>=20270301)"), [r])
        self.assertEqual(self.slapd.dns(rounds, "(musCard=DIGI*)"), [r])
        self.assertEqual(self.slapd.dns(rounds, "(&(musKind=mus)(musState=Active))"), [r])
        self.assertEqual(self.slapd.dns(rounds, r"(musScopeFilter=\28objectClass=inetOrgPerson\29)"),
                         [r])
        self.assertEqual(self.slapd.dns(rounds, r"(musScopeFilter=\28objectclass=inetorgperson\29)"),
                         [])     # caseExactMatch
        self.assertEqual(self.slapd.dns(rounds, "(musScopeBase=OU=People,DC=eksempel,DC=test)"),
                         [r])    # distinguishedNameMatch
        self.assertEqual(self.slapd.dns(rounds, "(musLocation=*rådhuset*)"), [r])

    def test_subschema_matches_contract(self):
        rc, entries, err = self.slapd.search("cn=subschema", "(objectClass=*)",
                                             ["attributeTypes", "objectClasses"], "base",
                                             who=None)
        self.assertEqual(rc, 0, err)
        at = entries[0][1]["attributetypes"]
        oc = entries[0][1]["objectclasses"]
        self.assertTrue(any("NAME 'musRound'" in v for v in oc))
        by_oid = {v.split()[1]: v for v in at + oc}
        for n, (name, kind, single) in CONTRACT_ATTRS.items():
            v = by_oid.get("%s.1.%d" % (ARC, n))
            self.assertIsNotNone(v, name)
            syntax, eq, order, sub = KINDS[kind]
            self.assertIn("NAME '%s'" % name, v)
            self.assertRegex(v, r"DESC '[^']+'")
            self.assertIn("EQUALITY %s " % eq, v)
            self.assertIn("SYNTAX %s " % syntax, v)
            self.assertEqual("ORDERING %s " % order in v if order else "ORDERING" not in v,
                             True, v)
            self.assertEqual("SUBSTR %s " % sub in v if sub else "SUBSTR" not in v, True, v)
            self.assertEqual("SINGLE-VALUE" in v, single, v)
        mus_attrs = [v for v in at if v.split()[1].startswith(ARC + ".")]
        self.assertEqual(len(mus_attrs), len(CONTRACT_ATTRS))
        for n, (name, kind, must, may) in CONTRACT_CLASSES.items():
            v = by_oid.get("%s.2.%d" % (ARC, n))
            self.assertIsNotNone(v, name)
            self.assertIn("NAME '%s'" % name, v)
            self.assertIn(kind, v)
            m = re.search(r"MUST \(?([^()]*?)\)? (MAY|\))", v)
            got_must = [x.strip() for x in m.group(1).split("$")] if m else []
            self.assertEqual(got_must if must else [], must, v)
            m = re.search(r"MAY \(?([^()]*?)\)? \)", v)
            self.assertEqual([x.strip() for x in m.group(1).split("$")], may, v)
        for n, (name, single) in CAL_ATTRS.items():
            v = by_oid.get("1.2.840.113556.1.4.%d" % n)
            self.assertIsNotNone(v, name)
            self.assertIn("NAME '%s'" % name, v)
            self.assertIn("EQUALITY caseIgnoreIA5Match", v)
            self.assertIn("SUBSTR caseIgnoreIA5SubstringsMatch", v)
            self.assertIn("SYNTAX 1.3.6.1.4.1.1466.115.121.1.26", v)
            self.assertEqual("SINGLE-VALUE" in v, single, v)
        cal = by_oid.get("1.2.840.113556.1.5.87")
        self.assertIn("NAME 'calEntry'", cal)
        self.assertIn("AUXILIARY", cal)
        for name, _ in CAL_ATTRS.values():
            self.assertIn(name, cal)

    def test_schema_accepts_full_entries(self):
        conv = "cn=full-%s,%s" % (self.form, ROUND_DN)
        emp = "uid=pia.broendum," + PEOPLE
        lead = "uid=joergen.baekgaard," + PEOPLE
        rc, out = self.slapd.modify("""\
dn: {conv}
objectClass: musConversation
cn: full-{form}
musEmployee: {emp}
musLeader: {lead}
musStatus: invited
musStart: 20270111090000Z
musEnd: 20270111100000Z
musICalUID: mus-2027-{form}@eksempel.test
musSequence: 2
musSentSequence: 1
musPartstat: ACCEPTED {lead}
musPartstat: NEEDS-ACTION {emp}
musCardLeader: ledelse
musCardEmployee: karriere
musComment: Jeg kommer gerne.
musTeam: cn=vejteam,ou=teams,dc=eksempel,dc=test
musReason: -
description: prøve
objectClass: musCompetenceAssessment
musJobProfileRef: cn=Leder,ou=profiles,dc=eksempel,dc=test
musCompetenceFormSent: 20270105080000Z
musCompetenceFormSentTo: pia.broendum@eksempel.test
musCompetenceFormSentTo: joergen.baekgaard@eksempel.test
musAssessmentEmployee: strategi 3
musAssessmentEmployee: oekonomi 0
musAssessmentLeader: strategi 4
musAssessedEmployee: 20270106101500Z {emp}
musAssessedLeader: 20270107101500Z {lead}

dn: cn=plan-{form},uid=pia.broendum,{people}
objectClass: musPlan
cn: plan-{form}
musEmployee: {emp}
musLeader: {lead}
musPlanVersion: 1
musRoundRef: {round}
musConversationRef: {conv}
musGoal: Bliv bedre til digital dokumentation
musFollowUp: 20270901080000Z
musApprovedByEmployee: 20270120101500Z
musApprovedByLeader: 20270121111500Z
musApproverEmployee: {emp}
musApproverLeader: {lead}

dn: cn=akt-1,cn=plan-{form},uid=pia.broendum,{people}
objectClass: musActivity
cn: akt-1
description: Kursus i journalføring
musActivityKind: kursus
musResponsible: {lead}
musResponsibleName: HR-afdelingen
musDue: 20270601000000Z
musActivityStatus: planned
musCard: digitalisering

dn: cn=socialraadgiver,ou=plans,dc=eksempel,dc=test
objectClass: musJobProfile
cn: socialraadgiver
musCompetence: Lovgivning
musCompetence: Samtaleteknik

dn: uid=pia.broendum,{people}
changetype: modify
add: musExempt
musExempt: FALSE
-
add: musLanguage
musLanguage: da
-
replace: musJobProfileRef
musJobProfileRef: cn=socialraadgiver,ou=plans,dc=eksempel,dc=test
-
add: musPlanRef
musPlanRef: cn=plan-{form},uid=pia.broendum,{people}
""".format(conv=conv, form=self.form, emp=emp, lead=lead, people=PEOPLE, round=ROUND_DN),
            add=True)
        self.assertEqual(rc, 0, out)
        self.assertEqual(self.slapd.dns(ROUND_DN, "(&(musSequence>=2)(musStatus=INVITED))"),
                         [conv.lower()])
        self.assertEqual(self.slapd.dns(ROUND_DN, "(musPartstat=accepted *)"), [conv.lower()])
        self.assertEqual(self.slapd.dns(ROUND_DN, "(&(musAssessmentEmployee=STRATEGI 3)"
                                        "(musCompetenceFormSent<=20270105080000Z))"),
                         [conv.lower()])
        self.assertEqual(self.slapd.dns(PEOPLE, "(musExempt=FALSE)"),
                         ["uid=pia.broendum," + PEOPLE])
        self.assertEqual(self.slapd.dns(PEOPLE, "(musDue<=20270701000000Z)"),
                         [("cn=akt-1,cn=plan-%s,uid=pia.broendum," % self.form + PEOPLE)])

    def assertRefused(self, ldif, codes, why):
        rc, out = self.slapd.modify(ldif, add=True)
        self.assertIn(rc, codes, "%s: rc %d\n%s" % (why, rc, out))

    def test_schema_refuses_violations(self):
        round_tpl = """\
dn: cn=bad,ou=rounds,dc=eksempel,dc=test
objectClass: musRound
cn: bad
musKind: MUS
musState: draft
musWindowStart: 20270103230000Z
musWindowEnd: 20270326230000Z
musDuration: 60
"""
        self.assertRefused(round_tpl + "musKind: GRUS\n", (19, 20), "musKind twice")
        self.assertRefused(round_tpl.replace("musDuration: 60\n", ""), (65,),
                           "round without musDuration")
        self.assertRefused(round_tpl.replace("musDuration: 60", "musDuration: sixty"), (21,),
                           "musDuration not an integer")
        self.assertRefused(round_tpl.replace("musWindowStart: 20270103230000Z",
                                             "musWindowStart: 2027-01-04"), (21,),
                           "musWindowStart not GeneralizedTime")
        self.assertRefused(round_tpl + "musClosedDate: 2027-01-29\n", (21,),
                           "musClosedDate not a numeric string")
        self.assertRefused(round_tpl + "musWorkdayStart: 0830\nmusWorkdayStart: 0900\n",
                           (19, 20), "musWorkdayStart twice")
        self.assertRefused(round_tpl + "musScopeBase: not a dn\n", (21, 34),
                           "musScopeBase not a DN")
        self.assertRefused(round_tpl + "mail: x@eksempel.test\n", (65,),
                           "attribute not allowed")
        self.assertRefused("""\
dn: cn=bad,cn=MUS 2027,ou=rounds,dc=eksempel,dc=test
objectClass: musConversation
cn: bad
musEmployee: uid=pia.broendum,ou=people,dc=eksempel,dc=test
musStatus: new
""", (65,), "musConversation without musLeader")
        self.assertRefused("""\
dn: cn=bad,cn=MUS 2027,ou=rounds,dc=eksempel,dc=test
objectClass: musConversation
cn: bad
musEmployee: uid=pia.broendum,ou=people,dc=eksempel,dc=test
musLeader: uid=joergen.baekgaard,ou=people,dc=eksempel,dc=test
musLeader: uid=aase.soendergaard,ou=people,dc=eksempel,dc=test
musStatus: new
""", (19, 20), "musLeader twice")
        self.assertRefused("""\
dn: uid=pia.broendum,ou=people,dc=eksempel,dc=test
changetype: modify
add: musExempt
musExempt: yes
""", (21, 65), "musExempt not boolean")
        self.assertEqual(self.slapd.dns("ou=rounds," + BASE, "(cn=bad)"), [])

    # --- ACL

    def pick_people(self):
        people = {uid_of(dn): a for dn, a in self.org.items() if uid_of(dn)}
        mgr = {u: uid_of(a["manager"][0]) if "manager" in a else None
               for u, a in people.items()}
        hr = [uid_of(m) for m in self.org[HR_DN.lower()]["member"]]
        reports = {}
        for u, m in mgr.items():
            reports.setdefault(m, []).append(u)
        # an ordinary employee of a unit leader below a director, with a colleague
        for leader in sorted(u for u in reports if u):
            if mgr.get(leader) is None or mgr.get(mgr[leader]) is None:
                continue
            staff = sorted(u for u in reports[leader] if u not in hr and u not in reports
                           and "mail" in people[u])
            if len(staff) >= 2 and leader not in hr:
                emp, peer = staff[0], staff[1]
                break
        man = mgr[emp]
        skip = mgr[man]
        other = sorted(u for u in reports[skip] if u != man and u in reports)[0]
        return dict(emp=emp, man=man, skip=skip, peer=peer, hr=hr[0], other=other)

    def test_acl(self):
        s = self.slapd
        p = self.pick_people()
        dn = {k: "uid=%s,%s" % (v, PEOPLE) for k, v in p.items()}
        # the rootdn (admin) sets passwords and creates the service account
        mods = "".join("dn: %s\nchangetype: modify\nreplace: userPassword\nuserPassword: %s\n\n"
                       % (d, USER_PW) for d in dn.values())
        rc, out = s.modify(mods)
        self.assertEqual(rc, 0, out)
        rc, out = s.modify("""\
dn: {svc}
objectClass: applicationProcess
objectClass: simpleSecurityObject
cn: mus-service
userPassword: {pw}
""".format(svc=SERVICE_DN, pw=USER_PW), add=True)
        self.assertEqual(rc, 0, out)
        # apply the example ACL as root over ldapi
        r = run(["ldapmodify", "-Y", "EXTERNAL", "-Q", "-H", s.ldapi,
                 "-f", str(SCHEMA_DIR / "mus-acl.ldif")])
        self.assertEqual(r.returncode, 0, r.stdout + r.stderr)
        rc, entries, err = s.search("olcDatabase={1}mdb,cn=config", scope="base", who="root",
                                    attrs=["olcAccess", "olcLimits"])
        self.assertEqual(rc, 0, err)
        self.assertGreaterEqual(len(entries[0][1]["olcaccess"]), 10)
        self.assertIn("size.prtotal=unlimited", entries[0][1]["olclimits"][0])

        conv = "cn=acl-test,%s" % ROUND_DN
        grus = "cn=acl-grus,%s" % ROUND_DN
        plan = "cn=plan-acl,%s" % dn["emp"]
        act = "cn=akt-1,%s" % plan
        plan2 = "cn=plan-acl-%s,ou=plans,%s" % (p["emp"], BASE)
        act2 = "cn=akt-1,%s" % plan2
        rc, out = s.modify("""\
dn: {conv}
objectClass: musConversation
cn: acl-test
musEmployee: {emp}
musLeader: {man}
musStatus: new
objectClass: musCompetenceAssessment
musAssessmentEmployee: borgerkontakt 3

dn: {grus}
objectClass: musConversation
cn: acl-grus
musEmployee: {emp}
musEmployee: {peer}
musLeader: {man}
musStatus: new

dn: {plan}
objectClass: musPlan
cn: plan-acl
musEmployee: {emp}
musLeader: {man}
musPlanVersion: 1

dn: {act}
objectClass: musActivity
cn: akt-1
description: Kursus
musActivityKind: kursus

dn: {plan2}
objectClass: musPlan
cn: plan-acl-x
musEmployee: {emp}
musPlanVersion: 1

dn: {act2}
objectClass: musActivity
cn: akt-1
description: Sidemandsoplæring
musActivityKind: praksis
""".format(conv=conv, grus=grus, plan=plan, act=act, plan2=plan2, act2=act2, **dn),
            add=True)
        self.assertEqual(rc, 0, out)

        who = {k: (d, USER_PW) for k, d in dn.items()}
        # bind DNs are normalized: the leader binds with another spelling
        who["man"] = (dn["man"].upper().replace("UID=", "uid=", 1), USER_PW)
        who["svc"] = (SERVICE_DN, USER_PW)
        who["anon"] = None
        private = {"emp": True, "man": True, "skip": False, "peer": False, "hr": True,
                   "other": False, "svc": True, "anon": False}
        for target in (conv, plan, act, plan2, act2):
            for k, expected in private.items():
                self.assertEqual(s.can_read(target, who[k]), expected,
                                 "%s reading %s" % (k, target))
        # the assessment on the conversation: its circle sees the values
        for k in ("emp", "man", "hr"):
            rc, entries, _ = s.search(conv, scope="base", who=who[k],
                                      attrs=["musAssessmentEmployee"])
            self.assertEqual(entries[0][1].get("musassessmentemployee"),
                             ["borgerkontakt 3"], k)
        for k, expected in dict(private, peer=True).items():
            self.assertEqual(s.can_read(grus, who[k]), expected, "%s reading GRUS" % k)
        # searching finds only what may be read
        self.assertEqual(s.dns(BASE, "(objectClass=musPlan)", who=who["peer"]), [])
        self.assertEqual(sorted(s.dns(BASE, "(|(objectClass=musPlan)(objectClass=musActivity))",
                                      who=who["emp"])),
                         sorted(x.lower() for x in (plan, act, plan2, act2)))
        # people, org and rounds: authenticated users yes, anonymous no
        for k in ("emp", "peer", "skip", "other"):
            self.assertTrue(s.can_read(dn["emp"], who[k]), k)
            self.assertTrue(s.can_read(ROUND_DN, who[k]), k)
            self.assertTrue(s.can_read("cn=vejteam,ou=teams," + BASE, who[k]), k)
            self.assertTrue(s.can_read(BASE, who[k]), k)
        for target in (dn["emp"], ROUND_DN, BASE, HR_DN, "ou=people," + BASE):
            self.assertFalse(s.can_read(target, None), "anonymous reading " + target)
        # userPassword: self only; never the service, the manager or HR
        for k, expected in (("emp", True), ("man", False), ("hr", False), ("svc", False)):
            rc, entries, _ = s.search(dn["emp"], scope="base", who=who[k],
                                      attrs=["userPassword", "cn"])
            self.assertEqual("userpassword" in entries[0][1], expected, k)
            self.assertIn("cn", entries[0][1])
        # writes: the service writes; the employee and the manager do not
        bump = "dn: %s\nchangetype: modify\nreplace: musPlanVersion\nmusPlanVersion: %s\n"
        self.assertEqual(s.modify(bump % (plan, 2), who=who["svc"])[0], 0)
        self.assertEqual(s.modify(bump % (plan, 3), who=who["emp"])[0], 50)
        self.assertEqual(s.modify(bump % (plan, 3), who=who["man"])[0], 50)
        self.assertEqual(s.modify(bump % (plan, 3), who=who["hr"])[0], 50)
        rc, out = s.modify("dn: cn=svc-made,%s\nobjectClass: musConversation\ncn: svc-made\n"
                           "musEmployee: %s\nmusLeader: %s\nmusStatus: new\n"
                           % (ROUND_DN, dn["peer"], dn["man"]), who=who["svc"], add=True)
        self.assertEqual(rc, 0, out)
        rc, out = s.modify("dn: cn=svc-plan,%s\nobjectClass: musPlan\ncn: svc-plan\n"
                           "musEmployee: %s\nmusPlanVersion: 1\n" % (dn["peer"], dn["peer"]),
                           who=who["svc"], add=True)
        self.assertEqual(rc, 0, out)
        rc, out = s.modify("dn: cn=emp-made,%s\nobjectClass: musConversation\ncn: emp-made\n"
                           "musEmployee: %s\nmusLeader: %s\nmusStatus: new\n"
                           % (ROUND_DN, dn["emp"], dn["man"]), who=who["emp"], add=True)
        self.assertEqual(rc, 50, out)
        pw = "dn: %s\nchangetype: modify\nreplace: userPassword\nuserPassword: %s\n"
        self.assertEqual(s.modify(pw % (dn["emp"], "x"), who=who["svc"])[0], 50)
        self.assertEqual(s.modify(pw % (dn["emp"], "x"), who=who["peer"])[0], 50)
        self.assertEqual(s.modify(pw % (dn["emp"], USER_PW), who=who["emp"])[0], 0)
        # the CURRENT manager: move the employee to another leader
        mv = "dn: %s\nchangetype: modify\nreplace: manager\nmanager: %s\n"
        self.assertEqual(s.modify(mv % (dn["emp"], dn["other"]))[0], 0)
        try:
            for target in (plan, act, plan2, act2):
                self.assertFalse(s.can_read(target, who["man"]), "old manager " + target)
                self.assertTrue(s.can_read(target, who["other"]), "new manager " + target)
            # the conversation follows musLeader, not the manager attribute
            self.assertTrue(s.can_read(conv, who["man"]))
            self.assertFalse(s.can_read(conv, who["other"]))
        finally:
            self.assertEqual(s.modify(mv % (dn["emp"], dn["man"]))[0], 0)
        # size limits: ordinary users hit olcSizeLimit, the service pages without limit
        lim = "dn: olcDatabase={1}mdb,cn=config\nchangetype: modify\n%s: olcSizeLimit\n%s"
        self.assertEqual(s.modify(lim % ("replace", "olcSizeLimit: 20\n"), who="root")[0], 0)
        try:
            rc, entries, _ = s.search(PEOPLE, "(objectClass=inetOrgPerson)", ["1.1"], "one",
                                      who=who["peer"])
            self.assertEqual((rc, len(entries)), (4, 20))
            rc, entries, err = s.search(PEOPLE, "(objectClass=inetOrgPerson)", ["1.1"], "one",
                                        who=who["svc"])
            self.assertEqual((rc, len(entries)), (0, 150), err)
            rc, entries, err = s.search(PEOPLE, "(objectClass=inetOrgPerson)", ["1.1"], "one",
                                        who=who["svc"], extra=["-E", "pr=40/noprompt"])
            self.assertEqual((rc, len(entries)), (0, 150), err)
        finally:
            self.assertEqual(s.modify(lim % ("delete", ""), who="root")[0], 0)


class SlapdConfFormTest(SlapdMixin, unittest.TestCase):
    """Schema from ldap-schema/*.schema via slapd.conf + slaptest."""
    form = "conf"


class CnConfigFormTest(SlapdMixin, unittest.TestCase):
    """Schema from ldap-schema/*.ldif via slapadd -n0."""
    form = "ldif"


if __name__ == "__main__":
    unittest.main()
