#!/usr/bin/python3
"""lmtp-load.py - the LMTP client of tests/bench/delivery (stdlib only).

  lmtp-load.py mail --port P --addresses FILE --exclude ADDR [--count N]
               [--connections C] [--seed S] [--cache FILE] [--describe] [--prime]
      Generates N ordinary messages (deterministic for a seed: plain text,
      some multipart/alternative with HTML, a few with a PDF-like base64
      attachment; about 5 % with two or three recipients) for the mailboxes
      in FILE except ADDR, and delivers them over C parallel LMTP connections
      (--describe: only say what they are; --cache: keep them in FILE, so
      that the next run with the same arguments does not build them again;
      --prime: one message to each mailbox instead, which makes them all).
  lmtp-load.py replies --port P --organizer ADDR --conversations LDIF
               --people LDIF [--connections C]
      Builds one iTIP REPLY (PARTSTAT=ACCEPTED) per conversation in LDIF
      (ldapsearch output with musICalUID, musLeader, musSequence), from the
      leader's mail (people LDIF: dn and mail) to the organizer, and delivers
      them the same way.
  lmtp-load.py verify --conversations LDIF
      Counts the conversations that hold exactly "ACCEPTED <musLeader>".

mail and replies build every message before they connect; all connections
LHLO first and then start together, driven by one process (the client
shares the machine it measures, so it should take little of it). They print one line:
  messages=M deliveries=D bytes=B first=T0 last=T1 seconds=S
with T0 the wall clock (epoch) when the first MAIL FROM was sent and T1 when
the last message was accepted. Any reply other than 2xx/354 aborts (exit 1).
"""

import argparse
import base64
import os
import pickle
import random
import selectors
import socket
import sys
import time
from email.header import Header
from email.utils import formataddr

# ---------------------------------------------------------------- LDIF


def read_ldif(path):
    """Entries of an unwrapped LDIF file (ldapsearch -o ldif-wrap=no) as
    dicts of lower-cased attribute -> list of values, "dn" included."""
    entries, cur, last = [], None, None
    with open(path, encoding="utf-8") as f:
        for line in f:
            line = line.rstrip("\n")
            if not line:
                if cur:
                    entries.append(cur)
                cur = None
                continue
            if line.startswith("#"):
                continue
            if line.startswith(" ") and cur is not None and last:  # wrapped anyway
                cur[last].append(cur[last].pop() + line[1:])
                continue
            attr, sep, value = line.partition(":")
            if not sep:
                continue
            if value.startswith(":"):
                value = base64.b64decode(value[1:].strip()).decode("utf-8", "replace")
            else:
                value = value.strip()
            if cur is None:
                cur = {}
            last = attr.lower()
            cur.setdefault(last, []).append(value)
    if cur:
        entries.append(cur)
    return entries


# ---------------------------------------------------------------- ordinary mail

WORDS = (
    "kommunen borgeren sagen mødet budget skolen plejecentret vejen bygningen "
    "forvaltningen udvalget høringen aftalen tilbuddet medarbejderne lederen "
    "afdelingen projektet tidsplanen referatet dagsordenen beslutningen "
    "og i at det er en til på med for som af ikke den har de vi om så kan "
    "skal vil også efter over under mellem før når hvis fordi men eller "
    "næste uge måned år tirsdag onsdag torsdag fredag mandag klokken "
    "venligst tak hilsen spørgsmål svar bemærkninger bilag vedhæftet "
    "økonomi personale ferie sygefravær vagtplan kørsel indkøb faktura "
    "the meeting agenda report please find attached regards update "
    "kontrakt leverandør tilsyn rapport status opfølgning arbejdsmiljø "
    "æblegrød søndag rødgrød fløde blåbær ørken ål å æ ø"
).split()

SENDERS = [
    ("Nyhedsbrev KL", "nyhedsbrev@kl.example"),
    ("Servicedesk", "servicedesk@eksempel.test"),
    ("Lone Bech", "lone.bech@leverandoer.example"),
    ("Peter Holm", "peter.holm@region.example"),
    ("Kalender", "no-reply@booking.example"),
    ("Økonomi", "oekonomi@eksempel.test"),
    ("Mette Krogh", "mette.krogh@borger.example"),
]


def sentence(rng, n):
    w = [rng.choice(WORDS) for _ in range(n)]
    return " ".join(w).capitalize() + rng.choice(".......?!")


def paragraphs(rng, size):
    """Plain text of about size bytes, in paragraphs of wrapped lines."""
    out, total = [], 0
    while total < size:
        para = " ".join(sentence(rng, rng.randint(5, 18)) for _ in range(rng.randint(2, 6)))
        lines, line = [], ""
        for word in para.split():
            if len(line) + len(word) + 1 > 72:
                lines.append(line)
                line = word
            else:
                line = (line + " " + word) if line else word
        lines.append(line)
        text = "\n".join(lines)
        out.append(text)
        total += len(text.encode()) + 2
    return "\n\n".join(out)


def qp(text):
    """Quoted-printable of UTF-8 text (soft line breaks at 76)."""
    import quopri
    return quopri.encodestring(text.encode("utf-8")).decode("ascii")


def b64lines(data):
    s = base64.b64encode(data).decode("ascii")
    return "\n".join(s[i:i + 76] for i in range(0, len(s), 76))


def html_of(text):
    body = "".join(
        '<p style="margin:0 0 12px 0;font-family:Calibri,Arial,sans-serif;font-size:11pt">%s</p>\n'
        % p.replace("&", "&amp;").replace("<", "&lt;").replace("\n", " ")
        for p in text.split("\n\n"))
    return ('<!DOCTYPE html>\n<html><head><meta http-equiv="Content-Type" '
            'content="text/html; charset=utf-8"><style>p{margin:0}</style></head>\n'
            '<body lang="DA" style="word-wrap:break-word">\n<div class="WordSection1">\n'
            + body + '</div>\n</body></html>\n')


def headers(rng, i, sender, rcpts, subject, date):
    name, addr = sender
    return [
        "Received: from mx%d.example (mx%d.example [192.0.2.%d])\n"
        "\tby mx.eksempel.test (Postfix) with ESMTPS id %08X\n"
        "\tfor <%s>; %s" % (i % 3, i % 3, 10 + i % 200, rng.getrandbits(32), rcpts[0], date),
        "Received: from [10.0.%d.%d] (unknown [10.0.%d.%d])\n"
        "\tby mx%d.example (Postfix) with ESMTPSA; %s"
        % (i % 250, i % 199, i % 250, i % 199, i % 3, date),
        "DKIM-Signature: v=1; a=rsa-sha256; c=relaxed/relaxed; d=example; s=sel1;\n"
        "\th=from:to:subject:date:message-id; bh=%s;\n\tb=%s"
        % (base64.b64encode(rng.randbytes(32)).decode(),
           "\n\t  ".join(b64lines(rng.randbytes(256)).split("\n"))),
        "From: %s" % formataddr((name, addr)),
        "To: %s" % ", ".join(rcpts),
        "Subject: %s" % subject,
        "Date: %s" % date,
        "Message-ID: <bench.%d.%08x@mx.example>" % (i, rng.getrandbits(32)),
        "MIME-Version: 1.0",
    ]


def make_mail(rng, i, rcpts):
    """One ordinary message (str, LF line ends) and its kind."""
    sender = rng.choice(SENDERS)
    subject = "Vedr.: " + sentence(rng, rng.randint(3, 8))[:-1]
    if any(ord(c) > 127 for c in subject):
        subject = Header(subject, "utf-8").encode(linesep="\n")
    date = time.strftime("%a, %d %b %Y %H:%M:%S +0100", time.gmtime(1795000000 + i * 37))
    h = headers(rng, i, sender, rcpts, subject, date)
    r = rng.random()
    if r < 0.75:
        kind = "plain"
        text = paragraphs(rng, min(60000, int(rng.lognormvariate(8.05, 0.7))))
        h += ["Content-Type: text/plain; charset=UTF-8; format=flowed",
              "Content-Transfer-Encoding: 8bit"]
        body = text + "\n"
    elif r < 0.96:
        kind = "alternative"
        text = paragraphs(rng, min(40000, int(rng.lognormvariate(7.6, 0.6))))
        b = "----=_Part_%d_%d" % (i, rng.getrandbits(30))
        h += ['Content-Type: multipart/alternative; boundary="%s"' % b]
        body = ("This is a multi-part message in MIME format.\n\n"
                "--%s\nContent-Type: text/plain; charset=UTF-8\n"
                "Content-Transfer-Encoding: quoted-printable\n\n%s\n"
                "--%s\nContent-Type: text/html; charset=UTF-8\n"
                "Content-Transfer-Encoding: quoted-printable\n\n%s\n--%s--\n"
                % (b, qp(text), b, qp(html_of(text)), b))
    else:
        kind = "attachment"
        text = paragraphs(rng, rng.randint(300, 1500))
        pdf = (b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\n1 0 obj\n<< /Type /Catalog /Pages 2 0 R >>\nendobj\n"
               + rng.randbytes(rng.randint(15000, 45000)) + b"\n%%EOF\n")
        b = "------------%024x" % rng.getrandbits(96)
        h += ['Content-Type: multipart/mixed; boundary="%s"' % b]
        body = ("This is a multi-part message in MIME format.\n"
                "--%s\nContent-Type: text/plain; charset=UTF-8; format=flowed\n"
                "Content-Transfer-Encoding: 8bit\n\n%s\n\n"
                "--%s\nContent-Type: application/pdf; name=\"bilag-%d.pdf\"\n"
                "Content-Disposition: attachment; filename=\"bilag-%d.pdf\"\n"
                "Content-Transfer-Encoding: base64\n\n%s\n\n--%s--\n"
                % (b, text, b, i, i, b64lines(pdf), b))
    return "\n".join(h) + "\n\n" + body, kind, sender[1]


def wire(text):
    """DATA payload: CRLF line ends, dot-stuffed, with the final dot line."""
    lines = text.encode("utf-8").split(b"\n")
    if lines and lines[-1] == b"":
        lines.pop()
    return b"".join((b"." + l if l.startswith(b".") else l) + b"\r\n" for l in lines) + b".\r\n"


# ---------------------------------------------------------------- replies


def make_reply(conv, leader_mail, organizer, i, partstat="ACCEPTED"):
    uid = conv["musicaluid"][0]
    seq = conv.get("mussequence", ["0"])[0]
    start = conv.get("musstart", [None])[0]
    end = conv.get("musend", [None])[0]
    stamp = time.strftime("%Y%m%dT%H%M%SZ", time.gmtime())
    times = ""
    if start and end:
        times = "DTSTART:%sT%sZ\r\nDTEND:%sT%sZ\r\n" % (start[:8], start[8:14], end[:8], end[8:14])
    ical = ("BEGIN:VCALENDAR\r\nPRODID:-//Mozilla.org/NONSGML Mozilla Calendar V1.1//EN\r\n"
            "VERSION:2.0\r\nMETHOD:REPLY\r\nBEGIN:VEVENT\r\n"
            "DTSTAMP:%s\r\nUID:%s\r\nSEQUENCE:%s\r\n%s"
            "SUMMARY:MUS\r\nORGANIZER;CN=MUS:mailto:%s\r\n"
            "ATTENDEE;PARTSTAT=%s:mailto:%s\r\nEND:VEVENT\r\nEND:VCALENDAR\r\n"
            % (stamp, uid, seq, times, organizer, partstat, leader_mail))
    b = "------------bench%016x" % i
    date = time.strftime("%a, %d %b %Y %H:%M:%S +0000", time.gmtime())
    return ("Message-ID: <bench-reply.%d.%s.%s>\n"
            "Date: %s\nMIME-Version: 1.0\nUser-Agent: Mozilla Thunderbird\n"
            "From: <%s>\nTo: %s\nSubject: Accepteret: MUS\n"
            'Content-Type: multipart/mixed; boundary="%s"\n\n'
            "This is a multi-part message in MIME format.\n"
            "--%s\nContent-Type: text/plain; charset=UTF-8; format=flowed\n"
            "Content-Transfer-Encoding: 8bit\n\n%s har svaret %s på denne invitation: MUS\n\n"
            "--%s\nContent-Type: text/calendar; charset=UTF-8; method=REPLY\n"
            "Content-Transfer-Encoding: 8bit\n\n%s\n--%s--\n"
            % (i, partstat, uid, date, leader_mail, organizer, b, b, leader_mail, partstat, b,
               ical.replace("\r\n", "\n"), b))


# ---------------------------------------------------------------- LMTP


class LmtpError(Exception):
    pass


class Conn:
    """One LMTP connection working through its jobs: MAIL, RCPT and DATA
    pipelined in one write, then the message; the replies are read as they
    come, by one loop for every connection (one process: the client should
    take as little of the machine as it can, as it shares it with the
    server it measures)."""

    def __init__(self, port, jobs):
        self.sock = socket.create_connection(("127.0.0.1", port))
        self.sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        self.jobs, self.next = jobs, 0
        self.buf = b""
        self.want = []  # the reply classes still to come, in order
        self.sent = self.deliveries = 0

    def replies(self, data):
        """Add received bytes; yields each complete reply's last line."""
        self.buf += data
        while True:
            i = self.buf.find(b"\r\n")
            if i < 0:
                return
            line, self.buf = self.buf[:i], self.buf[i + 2:]
            if line[3:4] != b"-":
                yield line.decode("utf-8", "replace")

    def expect_now(self, ok):
        """Block until the next reply (greeting, LHLO); returns its lines."""
        lines = []
        while True:
            data = self.sock.recv(65536)
            if not data:
                raise LmtpError("connection closed by the server")
            self.buf += data
            while b"\r\n" in self.buf:
                line, self.buf = self.buf.split(b"\r\n", 1)
                lines.append(line.decode("utf-8", "replace"))
                if line[3:4] != b"-":
                    if lines[-1][:1] not in ok:
                        raise LmtpError("server said: " + " / ".join(lines))
                    return lines

    def start_job(self):
        """Send the next job's commands; False when there is none."""
        if self.next >= len(self.jobs):
            return False
        sender, rcpts, _ = self.jobs[self.next]
        cmds = [b"MAIL FROM:<%s>\r\n" % sender.encode()]
        cmds += [b"RCPT TO:<%s>\r\n" % r.encode() for r in rcpts]
        cmds.append(b"DATA\r\n")
        self.want = ["2"] * (1 + len(rcpts)) + ["3"]
        self.sock.sendall(b"".join(cmds))
        return True

    def got(self, line):
        """One reply; returns False when this connection is done."""
        if line[:1] != self.want[0]:
            raise LmtpError("server said: " + line)
        self.want.pop(0)
        if self.want:
            return True
        sender, rcpts, payload = self.jobs[self.next]
        if line[:1] == "3":  # DATA accepted: the message, then one reply per recipient
            self.sock.sendall(payload)
            self.want = ["2"] * len(rcpts)
            return True
        self.next += 1
        self.sent += 1
        self.deliveries += len(rcpts)
        return self.start_job()


def deliver(port, jobs, connections):
    conns = [Conn(port, jobs[c::connections]) for c in range(connections)]
    for c in conns:
        c.expect_now("2")
        c.sock.sendall(b"LHLO bench.eksempel.test\r\n")
        caps = c.expect_now("2")
        if not any(l[4:].upper().startswith("PIPELINING") for l in caps):
            sys.exit("lmtp-load: the server does not offer PIPELINING")
    sel = selectors.DefaultSelector()
    first = time.time()
    for c in conns:
        if c.start_job():
            sel.register(c.sock, selectors.EVENT_READ, c)
    try:
        while sel.get_map():
            for key, _ in sel.select():
                c = key.data
                data = c.sock.recv(65536)
                if not data:
                    raise LmtpError("connection closed by the server")
                for line in c.replies(data):
                    if not c.got(line):
                        sel.unregister(c.sock)
                        break
    except (LmtpError, OSError) as e:
        sys.exit("lmtp-load: delivery failed: %s: %s" % (type(e).__name__, e))
    last = time.time()
    for c in conns:
        c.sock.sendall(b"QUIT\r\n")
        c.sock.close()
    total = sum(len(j[2]) for j in jobs)
    print("messages=%d deliveries=%d bytes=%d first=%.6f last=%.6f seconds=%.6f"
          % (sum(c.sent for c in conns), sum(c.deliveries for c in conns), total, first, last,
             last - first))


# ---------------------------------------------------------------- main


def cmd_mail(a):
    with open(a.addresses) as f:
        addrs = [l.strip() for l in f if l.strip() and l.strip() != a.exclude.lower()]
    key = (a.seed, a.count, a.prime, addrs)
    if a.cache and not a.describe:
        try:
            with open(a.cache, "rb") as f:
                cached = pickle.load(f)
            if cached[0] == key:
                deliver(a.port, cached[1], a.connections)
                return
        except (OSError, EOFError, pickle.PickleError, IndexError):
            pass
    rng = random.Random(a.seed)
    jobs, kinds = [], {}
    for i in range(len(addrs) if a.prime else a.count):
        k = 1 if rng.random() < 0.95 else rng.randint(2, 3)
        rcpts = [addrs[i]] if a.prime else rng.sample(addrs, k)
        text, kind, sender = make_mail(rng, i, rcpts)
        kinds[kind] = kinds.get(kind, 0) + 1
        jobs.append((sender, rcpts, wire(text)))
    if a.cache:
        with open(a.cache + ".tmp", "wb") as f:
            pickle.dump((key, jobs), f, protocol=pickle.HIGHEST_PROTOCOL)
        os.replace(a.cache + ".tmp", a.cache)
    if a.describe:
        size = sum(len(j[2]) for j in jobs)
        print("%d messages (%s), mean %.1f KB, %d deliveries to %d mailboxes"
              % (len(jobs), ", ".join("%d %s" % (v, k) for k, v in sorted(kinds.items())),
                 size / len(jobs) / 1024, sum(len(j[1]) for j in jobs), len(addrs)))
        return
    deliver(a.port, jobs, a.connections)


def cmd_replies(a):
    mails = {}
    for e in read_ldif(a.people):
        if "mail" in e:
            mails[e["dn"][0].lower()] = e["mail"][0]
    jobs = []
    for i, c in enumerate(read_ldif(a.conversations)):
        if "musicaluid" not in c or "musleader" not in c:
            continue
        m = mails.get(c["musleader"][0].lower())
        if m is None:
            sys.exit("lmtp-load: no mail for leader %s" % c["musleader"][0])
        jobs.append((m, [a.organizer], wire(make_reply(c, m, a.organizer, i, a.partstat))))
    if not jobs:
        sys.exit("lmtp-load: no conversations with musICalUID and musLeader in " + a.conversations)
    deliver(a.port, jobs, a.connections)


def cmd_verify(a):
    exact = ci = total = 0
    for c in read_ldif(a.conversations):
        if "musleader" not in c:
            continue
        total += 1
        want = a.partstat + " " + c["musleader"][0]
        vals = c.get("muspartstat", [])
        if want in vals:
            exact += 1
        elif want.lower() in (v.lower() for v in vals):
            ci += 1
    print("conversations=%d exact=%d other_case=%d" % (total, exact, ci))


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    sub = ap.add_subparsers(dest="cmd", required=True)
    m = sub.add_parser("mail")
    m.add_argument("--port", type=int)
    m.add_argument("--addresses", required=True)
    m.add_argument("--exclude", default="")
    m.add_argument("--count", type=int, default=5000)
    m.add_argument("--connections", type=int, default=4)
    m.add_argument("--seed", type=int, default=5)
    m.add_argument("--describe", action="store_true", help="only describe the messages")
    m.add_argument("--prime", action="store_true", help="one message to each mailbox (not --count)")
    m.add_argument("--cache", help="keep the generated messages in this file (pickle) for the next run")
    r = sub.add_parser("replies")
    r.add_argument("--port", type=int, required=True)
    r.add_argument("--organizer", required=True)
    r.add_argument("--conversations", required=True)
    r.add_argument("--people", required=True)
    r.add_argument("--connections", type=int, default=4)
    r.add_argument("--partstat", default="ACCEPTED", choices=("ACCEPTED", "TENTATIVE"),
                   help="what every leader answers (a run that changes nothing is not measured)")
    v = sub.add_parser("verify")
    v.add_argument("--conversations", required=True)
    v.add_argument("--partstat", default="ACCEPTED")
    a = ap.parse_args()
    {"mail": cmd_mail, "replies": cmd_replies, "verify": cmd_verify}[a.cmd](a)


if __name__ == "__main__":
    main()
