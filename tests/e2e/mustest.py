"""Helpers shared by the end-to-end tests: a running stack's settings (DIR/stack.env),
IMAP and LDAP access as a client would have it, polling, and process bookkeeping.

The tests run against the stack in $MUS_STACK_DIR (tests/e2e/run brings one up).
Standard library only; run with /usr/bin/python3.
"""

import base64
import datetime
import imaplib
import json
import os
import shlex
import socket
import subprocess
import time

REPO = os.path.abspath(os.path.join(os.path.dirname(__file__), "..", ".."))
MUS_STACK = os.path.join(REPO, "tests", "stack", "mus-stack")


def load_env(path):
    """The KEY=value lines of a stack.env file as a dict."""
    env = {}
    with open(path, encoding="utf-8") as f:
        for line in f:
            line = line.strip()
            if not line or line.startswith("#"):
                continue
            for word in shlex.split(line):
                key, sep, value = word.partition("=")
                if sep:
                    env[key] = value
    return env


def wait_for(what, probe, timeout=20.0, interval=0.05):
    """Poll probe() until it returns something true and return that; fail after timeout
    seconds naming what was awaited."""
    deadline = time.monotonic() + timeout
    while True:
        result = probe()
        if result:
            return result
        if time.monotonic() >= deadline:
            raise AssertionError("timed out after %.0fs waiting for %s" % (timeout, what))
        time.sleep(interval)


def proc_start(pid):
    """Start time (clock ticks since boot) of a live process, or None if it is gone or a
    zombie. A pid plus its start time names one process even if the pid is reused."""
    try:
        with open("/proc/%d/stat" % pid) as f:
            stat = f.read()
    except OSError:
        return None
    fields = stat.rsplit(")", 1)[1].split()
    if fields[0] == "Z":
        return None
    return fields[19]


def alive(pid, start=None):
    st = proc_start(pid)
    return st is not None and (start is None or st == start)


def descendants(pid):
    """(pid, start) of every live descendant of pid."""
    children = {}
    for name in os.listdir("/proc"):
        if not name.isdigit():
            continue
        try:
            with open("/proc/%s/stat" % name) as f:
                ppid = int(f.read().rsplit(")", 1)[1].split()[1])
        except (OSError, IndexError, ValueError):
            continue
        children.setdefault(ppid, []).append(int(name))
    out, todo = [], [pid]
    while todo:
        for child in children.get(todo.pop(), []):
            st = proc_start(child)
            if st is not None:
                out.append((child, st))
                todo.append(child)
    return out


def port_open(port):
    try:
        with socket.create_connection(("127.0.0.1", int(port)), timeout=1):
            return True
    except OSError:
        return False


class HeldDelivery:
    """One LMTP delivery to one recipient, held before the final dot: release() sends
    the dot, answer() reads the server's answer and closes. Deliveries released one
    after the other reach their servers within microseconds."""

    def __init__(self, port, sender, rcpt, data):
        self.sock = socket.create_connection(("127.0.0.1", int(port)), timeout=60)
        self.f = self.sock.makefile("rb")
        try:
            self._expect("220")
            for cmd, code in (("LHLO e2e.eksempel.test", "250"), ("MAIL FROM:<%s>" % sender, "250"),
                              ("RCPT TO:<%s>" % rcpt, "250"), ("DATA", "354")):
                self.sock.sendall(cmd.encode() + b"\r\n")
                self._expect(code)
            lines = data.replace(b"\r\n", b"\n").rstrip(b"\n").split(b"\n")
            self.sock.sendall(b"".join((b"." if line.startswith(b".") else b"") + line + b"\r\n"
                                       for line in lines))
        except BaseException:
            self.close()
            raise

    def _expect(self, code):
        while True:
            line = self.f.readline().decode("utf-8", "replace")
            if not line.startswith(code):
                raise AssertionError("LMTP: expected %s, got %r" % (code, line))
            if line[3:4] != "-":
                return line

    def release(self):
        self.sock.sendall(b".\r\n")

    def answer(self):
        try:
            return self._expect("250")
        finally:
            self.close()

    def close(self):
        self.f.close()
        self.sock.close()


def mus_stack(*args, timeout=120):
    """Run tests/stack/mus-stack; returns the CompletedProcess (output captured)."""
    return subprocess.run([MUS_STACK] + list(args), capture_output=True, text=True,
                          timeout=timeout)


class Entry(dict):
    """An LDAP entry's attributes: name (case-insensitive) -> list of str values."""

    def __init__(self):
        super().__init__()
        self._names = {}

    def add(self, name, value):
        key = self._names.setdefault(name.lower(), name)
        self.setdefault(key, []).append(value)

    def _key(self, name):
        return self._names.get(name.lower(), name) if isinstance(name, str) else name

    def __getitem__(self, name):
        return super().__getitem__(self._key(name))

    def __contains__(self, name):
        return super().__contains__(self._key(name))

    def get(self, name, default=None):
        return super().get(self._key(name), default)


class Conv:
    """One conversation (musConversation) as a test sees it: the first value of an
    attribute by name (None if absent), every value in e."""

    def __init__(self, dn, entry):
        self.dn = dn
        self.e = entry

    def __getattr__(self, name):
        return self.e.get(name, [None])[0]

    @property
    def partstat(self):
        return {v.split(" ", 1)[1].lower(): v.split(" ", 1)[0] for v in self.e.get("musPartstat", [])}


def parse_ldif(text):
    """Unwrapped LDIF (ldapsearch -o ldif-wrap=no) as {dn: Entry}, base64 values decoded."""
    out = {}
    for block in text.split("\n\n"):
        dn, entry = None, Entry()
        for line in block.splitlines():
            if not line or line.startswith("#") or ":" not in line:
                continue
            name, _, value = line.partition(":")
            if value.startswith(":"):
                value = base64.b64decode(value[1:].strip()).decode("utf-8", "replace")
            else:
                value = value[1:] if value.startswith(" ") else value
            if name.lower() == "dn":
                dn = value
            else:
                entry.add(name, value)
        if dn is not None:
            out[dn] = entry
    return out


class Stack:
    """A running stack, read from DIR/stack.env (by default the one in $MUS_STACK_DIR)."""

    def __init__(self, directory=None):
        if directory is None:
            directory = os.environ.get("MUS_STACK_DIR")
            if not directory:
                raise RuntimeError("MUS_STACK_DIR is not set: run the tests with tests/e2e/run")
        self.dir = directory
        self.env = load_env(os.path.join(directory, "stack.env"))

    @classmethod
    def from_environment(cls):
        return cls()

    def __getitem__(self, key):
        return self.env[key]

    # -- processes

    def pids(self):
        """(name, pid, start) of each server `up` recorded; empty once it is down."""
        try:
            with open(os.path.join(self.dir, "stack.pids")) as f:
                return [(n, int(p), s) for n, p, s in (line.split() for line in f if line.strip())]
        except FileNotFoundError:
            return []

    def all_processes(self):
        """(pid, start) of every recorded server and all of its descendants."""
        out = []
        for _name, pid, start in self.pids():
            if alive(pid, start):
                out.append((pid, start))
                out.extend(descendants(pid))
        return out

    def ports(self):
        """The servers' ports by their stack.env key (the second host's too, if added)."""
        return {k: int(self.env[k]) for k in
                ("MUS_LDAP_PORT", "MUS_LDAPS_PORT", "MUS_HTTP_PORT", "MUS_IMAP_PORT", "MUS_LMTP_PORT",
                 "MUS_SMTP_PORT", "MUS_IMAP_PORT_B", "MUS_LMTP_PORT_B") if k in self.env}

    # -- mail

    def addresses(self):
        """Every mailbox address of the stack (the people's mail values and the organizer)."""
        with open(self.env["MUS_USERS_FILE"]) as f:
            return [line.strip() for line in f if line.strip()]

    def imap(self, user, password=None, port=None):
        """An IMAP4 connection logged in as user (with MUS_USER_PASSWORD by default), to
        MUS_IMAP_PORT or port."""
        conn = imaplib.IMAP4("127.0.0.1", int(port or self.env["MUS_IMAP_PORT"]), timeout=10)
        try:
            conn.login(user, password if password is not None else self.env["MUS_USER_PASSWORD"])
        except Exception:
            conn.shutdown()
            raise
        return conn

    def dovecot_log(self):
        with open(self.env["MUS_DOVECOT_LOG"], encoding="utf-8", errors="replace") as f:
            return f.read()

    # -- doveadm of this stack's Dovecot

    def doveadm(self, *args, check=True, timeout=60):
        """Run `doveadm -c <stack's dovecot.conf> ARGS`; returns the CompletedProcess (text);
        with check, a non-zero exit fails with its stderr."""
        cmd = ["doveadm", "-c", self.env["MUS_DOVECOT_CONF"]] + list(args)
        res = subprocess.run(cmd, capture_output=True, text=True, timeout=timeout)
        if check and res.returncode != 0:
            raise AssertionError("%s failed (%d): %s" % (" ".join(cmd), res.returncode, res.stderr.strip()))
        return res

    def doveadm_json(self, *args):
        """`doveadm -f json ARGS` parsed (doveadm prints a JSON array of objects)."""
        return json.loads(self.doveadm("-f", "json", *args).stdout or "[]")

    # -- LDAP (through the OpenLDAP command line tools)

    def ldapsearch(self, base, flt, *attrs, bind="admin", scope="sub"):
        """ldapsearch over TCP, bound as the admin or the plugin's service account; returns
        the LDIF text (unwrapped)."""
        cmd = ["ldapsearch", "-x", "-LLL", "-o", "ldif-wrap=no", "-H", self.env["MUS_LDAP_URI"],
               "-s", scope, "-b", base]
        if bind == "admin":
            cmd += ["-D", self.env["MUS_LDAP_ADMIN_DN"], "-w", self.env["MUS_LDAP_ADMIN_PW"]]
        elif bind == "service":
            cmd += ["-D", self.env["MUS_LDAP_SERVICE_DN"], "-y", self.env["MUS_LDAP_SERVICE_PW_FILE"],
                    "-E", "pr=500/noprompt"]
        cmd += [flt] + list(attrs)
        res = subprocess.run(cmd, capture_output=True, text=True, timeout=30)
        if res.returncode != 0:
            raise AssertionError("%s failed (%d): %s" % (" ".join(cmd), res.returncode, res.stderr.strip()))
        return res.stdout

    def ldap_people(self):
        """Every person entry under ou=people as {dn: Entry}, read as the admin."""
        return parse_ldif(self.ldapsearch("ou=people," + self.env["MUS_LDAP_BASE"],
                                          "(objectClass=inetOrgPerson)", scope="one"))

    def reports(self):
        """(people, by_manager): every person entry as {lower-case DN: Entry}, and the
        DNs of each manager's direct reports (first manager value) by the manager's
        lower-case DN."""
        people = self.ldap_people()
        by_manager = {}
        for pdn, p in people.items():
            for m in p.get("manager", [])[:1]:
                by_manager.setdefault(m.lower(), []).append(pdn)
        return {d.lower(): p for d, p in people.items()}, by_manager

    def leader_round(self, name, start, end, nth_leader):
        """Create (not sync) a MUS round of 30 minute conversations from start to end
        (YYYY-MM-DD) for the nth (in DN order) leader with mail and at least three
        reports, and that leader; returns (round DN, leader DN, the leader's reports'
        DNs)."""
        lower, by_manager = self.reports()
        leader = sorted(m for m, r in by_manager.items()
                        if m in lower and lower[m].get("mail") and len(r) >= 3)[nth_leader]
        self.doveadm("mus", "round", "create", "--name", name, "--kind", "MUS",
                     "--start", start, "--end", end, "--duration", "30",
                     "--scope-filter", "(|(manager=%s)(entryDN=%s))" % (leader, leader))
        return self.round_dn(name), leader, sorted(by_manager[leader])

    def invited_round(self, name, start, end, nth_leader):
        """leader_round() synced: returns (round DN, leader DN, {DN: Entry} of its
        conversations after the sync)."""
        round_dn, leader, _ = self.leader_round(name, start, end, nth_leader)
        self.doveadm("mus", "sync", "--round", name)
        return round_dn, leader, self.conversations(round_dn)

    @staticmethod
    def usable(people, dn):
        """Whether the person dn (people as reports() gives them) is in the
        directory with mail and neither absent nor exempt: a round calls for
        them and they can answer."""
        p = people.get(dn.lower())
        return bool(p and p.get("mail") and not p.get("musAbsentUntil")
                    and not p.get("musExempt"))

    def team_leaders(self, people, by_manager):
        """Sorted leaders with mail, not absent or exempt, with 4 to 12 reports
        who all have mail, are not absent or exempt and lead nobody (people,
        by_manager as reports() gives them): small teams that tests take by
        position, each file its own."""
        def usable(d):
            return self.usable(people, d)
        leaders = sorted(m for m, r in by_manager.items()
                         if m in people and usable(m) and 4 <= len(r) <= 12
                         and all(usable(x) and x.lower() not in by_manager for x in r))
        if len(leaders) < 6:
            raise AssertionError("too few leaders for the test: %r" % leaders)
        return leaders

    def group_members(self, group):
        """The lower-case member DNs of the groupOfNames group."""
        entries = self.ldap_entries(group, "(objectClass=*)", "member", scope="base")
        return {m.lower() for e in entries.values() for m in e.get("member", [])}

    def plan_leaders(self, people, by_manager, excluded):
        """Sorted leaders with mail and at least 3 reports who lead nobody, not in
        excluded (e.g. the HR group's members, who read every plan anyway)."""
        return sorted(m for m, reports in by_manager.items()
                      if m in people and people[m].get("mail") and len(reports) >= 3
                      and m not in excluded
                      and not any(r.lower() in by_manager for r in reports))

    def plan_pair(self, pick):
        """(leaders, leader, employee DN, the employee's entry) for a plan test: leaders
        as plan_leaders() gives them without the HR group's members, the leader that
        pick(leaders) returns, and the first (by DN) of the leader's reports who has
        mail, is not absent and is not in HR."""
        lower, by_manager = self.reports()
        hr_members = self.group_members("cn=hr,ou=groups," + self.env["MUS_LDAP_BASE"])
        leaders = self.plan_leaders(lower, by_manager, hr_members)
        leader = pick(leaders)
        emp = sorted(r for r in by_manager[leader]
                     if lower[r.lower()].get("mail") and not lower[r.lower()].get("musAbsentUntil")
                     and r.lower() not in hr_members)[0]
        return leaders, leader, emp, lower[emp.lower()]

    def pair_round(self, name, start, end, leader, emp, duration=45, options=()):
        """Create (in place of one a crashed run left) and sync a MUS round of
        conversations of duration minutes from start to end (YYYY-MM-DD) for leader
        and emp alone, with options for `round create` on top; returns (round DN, DN
        of emp's conversation, its Entry)."""
        old = self.round_dn(name)
        if old:
            self.ldap_delete(old)
        self.doveadm("mus", "round", "create", "--name", name, "--kind", "MUS",
                     "--start", start, "--end", end, "--duration", str(duration),
                     "--scope-filter", "(|(entryDN=%s)(entryDN=%s))" % (emp, leader),
                     *options)
        round_dn = self.round_dn(name)
        self.doveadm("mus", "sync", "--round", name)
        conv_dn, conv = next((d, e) for d, e in self.conversations(round_dn).items()
                             if [x.lower() for x in e.get("musEmployee", [])] == [emp.lower()])
        return round_dn, conv_dn, conv

    def people(self):
        """(uid, first mail value) of every person with a mail value, in directory order."""
        ldif = self.ldapsearch("ou=people," + self.env["MUS_LDAP_BASE"], "(mail=*)", "uid", "mail",
                               scope="one")
        out = []
        for entry in ldif.split("\n\n"):
            uid = mail = None
            for line in entry.splitlines():
                if line.startswith("uid: "):
                    uid = line[5:]
                elif line.startswith("mail: ") and mail is None:
                    mail = line[6:].lower()
            if uid and mail:
                out.append((uid, mail))
        return out

    # -- LDAP helpers for the scheduling tests (admin bind; nothing here knows MUS rules)

    def ldap_entries(self, base, flt="(objectClass=*)", *attrs, scope="sub"):
        """The entries of an admin search as {dn: Entry} (base64 values decoded); attrs
        may include "+" for the operational attributes (entryCSN, modifyTimestamp)."""
        return parse_ldif(self.ldapsearch(base, flt, *attrs, scope=scope))

    def round_dn(self, name):
        """DN of the musRound named name under ou=rounds, or None."""
        found = self.ldap_entries("ou=rounds," + self.env["MUS_LDAP_BASE"],
                                  "(&(objectClass=musRound)(cn=%s))" % ldap_escape(name),
                                  "cn", scope="one")
        return next(iter(found), None)

    def conversations(self, round_dn, operational=False):
        """Every musConversation directly under round_dn as {dn: Entry}; with operational,
        also entryCSN, modifyTimestamp and the other operational attributes."""
        attrs = ("*", "+") if operational else ()
        return self.ldap_entries(round_dn, "(objectClass=musConversation)", *attrs, scope="one")

    def _ldap_tool(self, tool, *args, input=None):
        cmd = [tool, "-x", "-H", self.env["MUS_LDAP_URI"], "-D", self.env["MUS_LDAP_ADMIN_DN"],
               "-w", self.env["MUS_LDAP_ADMIN_PW"]] + list(args)
        res = subprocess.run(cmd, input=input, capture_output=True, text=True, timeout=30)
        if res.returncode != 0:
            raise AssertionError("%s failed (%d): %s" % (tool, res.returncode, res.stderr.strip()))
        return res

    def ldap_modify(self, ldif):
        """Apply LDIF change records (ldapmodify) as the admin."""
        self._ldap_tool("ldapmodify", input=ldif)

    def ldap_delete(self, dn, recursive=True):
        """Delete dn (with everything below it by default) as the admin; a missing entry
        is not an error."""
        cmd = ["ldapdelete", "-x", "-H", self.env["MUS_LDAP_URI"], "-D", self.env["MUS_LDAP_ADMIN_DN"],
               "-w", self.env["MUS_LDAP_ADMIN_PW"]] + (["-r"] if recursive else []) + [dn]
        res = subprocess.run(cmd, capture_output=True, text=True, timeout=30)
        if res.returncode not in (0, 32):       # 32: noSuchObject
            raise AssertionError("ldapdelete %s failed (%d): %s" % (dn, res.returncode, res.stderr.strip()))

    def mail_organizer(self, sender, subject, text=None, html=None):
        """Send a plain text (or HTML only) mail from sender to the organizer
        through Postfix, and wait until its delivery leaves it to the sync
        (as an answer that may need an answer); its Message-ID."""
        from email.message import EmailMessage
        from email.utils import make_msgid
        import smtplib
        msg = EmailMessage()
        msg["From"] = sender
        msg["To"] = self.env["MUS_ORGANIZER"]
        msg["Subject"] = subject
        msg["Message-ID"] = make_msgid(domain="e2e.eksempel.test")
        if html is None:
            msg.set_content(text)
        else:
            msg.set_content(html, subtype="html")
        with smtplib.SMTP("127.0.0.1", int(self.env["MUS_SMTP_PORT"]), timeout=10) as smtp:
            refused = smtp.send_message(msg, to_addrs=[self.env["MUS_ORGANIZER"]])
        if refused:
            raise AssertionError("the MTA refused %s" % refused)
        mid = msg["Message-ID"].strip("<>")
        self.wait_delivery_log(mid, "deferred")
        return mid

    def wait_delivery_log(self, msgid, outcome, timeout=15):
        """The plugin's log lines of the delivery of msgid with outcome, once there is
        one (fails after timeout seconds)."""
        want = ": %s: " % outcome

        def probe():
            return [line for line in self.dovecot_log().splitlines()
                    if "mus: delivery to" in line and msgid in line and want in line]
        return wait_for("plugin outcome %r for %s" % (outcome, msgid), probe, timeout=timeout)

    # where the sync moves the organizer's messages it has applied
    PROCESSED = "MUS-behandlet"

    def organizer_message(self, msgid):
        """(folder, flags) of the message with msgid in the organizer's INBOX
        or the folder of applied messages; (None, None) if in neither."""
        conn = self.imap(self.env["MUS_ORGANIZER"])
        try:
            for folder in ("INBOX", self.PROCESSED):
                typ, _ = conn.select(folder, readonly=True)
                if typ != "OK":
                    continue
                typ, data = conn.search(None, "HEADER", "Message-ID", msgid)
                if data[0]:
                    typ, data = conn.fetch(data[0].split()[-1], "(FLAGS)")
                    return folder, data[0].decode()
            return None, None
        finally:
            conn.logout()

    def organizer_maildir(self):
        """The directory of the organizer's maildir (the INBOX's)."""
        local, domain = self.env["MUS_ORGANIZER"].split("@")
        return os.path.join(self.dir, "mail", domain, local)

    def organizer_files(self, msgid):
        """{folder: number of files} of the message with msgid in the
        organizer's maildir ("INBOX" or the folder's name), read from the
        disk: an IMAP login would carry out what a sync left pending."""
        top = self.organizer_maildir()
        found = {}
        for folder, path in [("INBOX", top)] + [
                (d[1:], os.path.join(top, d)) for d in os.listdir(top) if d.startswith(".")]:
            for sub in ("new", "cur"):
                for name in os.listdir(os.path.join(path, sub)):
                    with open(os.path.join(path, sub, name), "rb") as f:
                        if msgid.encode() in f.read():
                            found[folder] = found.get(folder, 0) + 1
        return found

    def organizer_inbox_names(self):
        """(the names of the files of the organizer's INBOX, the names its
        dovecot-uidlist lists), each sorted, without maildir's ":2,<flags>"."""
        top = self.organizer_maildir()
        files = sorted(n.split(":")[0] for d in ("new", "cur")
                       for n in os.listdir(os.path.join(top, d)))
        with open(os.path.join(top, "dovecot-uidlist"), encoding="utf-8") as f:
            # a header line, then "<uid> [<extensions>] :<name>"
            listed = sorted(line.rstrip("\n").split(":", 1)[1]
                            for line in f.readlines()[1:])
        return files, listed

    def organizer_flags(self, msgid):
        """The flags of the message with msgid in the organizer's mailbox
        (None: not there)."""
        return self.organizer_message(msgid)[1]

    def move_to_past(self, conv_dn, days):
        """As the admin: the conversation conv_dn took place days ago (an hour
        then), so that the next sync makes it held."""
        start = datetime.datetime.now(datetime.timezone.utc).replace(microsecond=0) - \
            datetime.timedelta(days=days)
        stamp = "%Y%m%d%H%M%SZ"
        self.ldap_modify("dn: %s\nchangetype: modify\nreplace: musStart\nmusStart: %s\n-\n"
                         "replace: musEnd\nmusEnd: %s\n" % (
                             conv_dn, start.strftime(stamp),
                             (start + datetime.timedelta(hours=1)).strftime(stamp)))

    def readable(self, who, password, dn):
        """Whether who, bound with password, reads the entry dn."""
        res = subprocess.run(["ldapsearch", "-x", "-LLL", "-H", self.env["MUS_LDAP_URI"],
                              "-D", who, "-w", password, "-s", "base", "-b", dn, "1.1"],
                             capture_output=True, text=True, timeout=30)
        if res.returncode not in (0, 32):       # 32: noSuchObject (or not visible)
            raise AssertionError("ldapsearch as %s failed (%d): %s"
                                 % (who, res.returncode, res.stderr.strip()))
        return "dn:" in res.stdout

    def notices(self, address, ref):
        """The messages in address's INBOX about the conversation ref (its
        reference in brackets in the subject) that are no invitation (no
        text/calendar part): plan forms and answers."""
        import replymail
        return [m for m in replymail.inbox(self.imap(address))
                if "[%s]" % ref in str(m["Subject"]) and
                not any(p.get_content_type() == "text/calendar" for p in m.walk())]

    def doveadm_command(self, *args):
        """The argv of `doveadm -c <stack's dovecot.conf> ARGS` (for subprocess.Popen)."""
        return ["doveadm", "-c", self.env["MUS_DOVECOT_CONF"]] + list(args)


class TwoSyncs:
    """Mixin of a unittest.TestCase with a round of its own (cls.round_dn)
    that syncs it twice after a change (sync_twice()): both syncs go on, and
    the round goes with the class."""

    @classmethod
    def sync_twice(cls, name):
        cls.syncs = [cls.stack.doveadm("mus", "sync", "--round", name, check=False)
                     for _ in range(2)]

    @classmethod
    def tearDownClass(cls):
        cls.stack.ldap_delete(cls.round_dn)

    def test_syncs_go_on(self):
        for res in self.syncs:
            self.assertEqual(res.returncode, 0, res.stderr)


def dmy(day):
    """A date as leaders write it in plans: 1.3.2027."""
    return "%d.%d.%d" % (day.day, day.month, day.year)


def ldap_escape(value):
    """value escaped for use inside an LDAP search filter (RFC 4515)."""
    out = []
    for ch in value:
        if ch in "*()\\\0":
            out.append("\\%02x" % ord(ch))
        else:
            out.append(ch)
    return "".join(out)


def dn_escape(value):
    """value escaped as the value of an RDN (RFC 4514)."""
    out = []
    for i, ch in enumerate(value):
        if ch in '\\,+"<>;=' or (ch == " " and i in (0, len(value) - 1)) or (ch == "#" and i == 0):
            out.append("\\" + ch)
        elif ch == "\0":
            out.append("\\00")
        else:
            out.append(ch)
    return "".join(out)
