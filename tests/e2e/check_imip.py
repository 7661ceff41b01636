#!/usr/bin/python3
"""Check an iMIP message the way a mail client would read it.

check_message(raw_bytes, expected_cards=None) parses a message with Python's email
package and icalendar and raises ImipProblem listing everything wrong with it:

  - multipart/mixed > multipart/alternative with text/plain, text/html and
    text/calendar (CalConnect's layout that clients show buttons for);
  - the Content-Type method= parameter equals METHOD inside the calendar;
  - a VTIMEZONE for every TZID a DTSTART uses;
  - an invite.ics attachment identical to the inline calendar;
  - From is the ORGANIZER when the organizer sends (REQUEST, CANCEL,
    DECLINECOUNTER): clients reply to From;
  - the decoded filenames of the other attachments equal expected_cards, if given;
  - every line ends in CRLF and has at most 998 octets.

It returns the parsed icalendar.Calendar. check_plain_message(raw_bytes) checks a
message without a calendar (the same layout minus text/calendar and invite.ics;
text/html may be missing).

As a program: check_imip.py FILE.eml... prints "ok" or the problems for each file,
and exits 1 if any file has a problem. A file without any calendar part is checked
as a plain message. Run with /usr/bin/python3 (Debian's python3-icalendar).
"""

import email
import email.policy
import email.utils
import sys

import icalendar

MAX_LINE = 998
ORGANIZER_METHODS = ("REQUEST", "CANCEL", "DECLINECOUNTER", "ADD", "PUBLISH")
CALENDAR_TYPES = ("text/calendar", "application/ics")


class ImipProblem(AssertionError):
    """A message that breaks the iMIP layout; .problems lists every finding."""

    def __init__(self, problems):
        self.problems = list(problems)
        super().__init__("; ".join(self.problems))


def line_problems(raw):
    """Lines that do not end in CRLF or are longer than 998 octets."""
    problems = []
    lines = raw.split(b"\r\n")
    if lines[-1] != b"":
        problems.append("the message does not end with CRLF")
    for number, line in enumerate(lines, 1):
        if b"\n" in line:
            problems.append("line %d ends in a bare LF" % number)
        if b"\r" in line:
            problems.append("line %d has a bare CR" % number)
        if len(line) > MAX_LINE:
            problems.append("line %d has %d octets (max %d)"
                            % (number, len(line), MAX_LINE))
    return problems


def parse(raw):
    return email.message_from_bytes(raw, policy=email.policy.default)


def _parts_of_type(msg, types):
    return [p for p in msg.walk() if p.get_content_type() in types]


def _alternative_problems(msg, *layouts):
    """The top of the tree: multipart/mixed whose first part is multipart/alternative
    with exactly the content types of one of the layouts, in order. Returns
    (problems, the parts of multipart/mixed or None)."""
    problems = []
    if msg.get("MIME-Version", "").strip() != "1.0":
        problems.append("MIME-Version is %r, not 1.0" % msg.get("MIME-Version"))
    if msg.get_content_type() != "multipart/mixed":
        return problems + ["top level is %s, not multipart/mixed"
                           % msg.get_content_type()], None
    parts = list(msg.iter_parts())
    if not parts or parts[0].get_content_type() != "multipart/alternative":
        return problems + ["the first part of multipart/mixed is not "
                           "multipart/alternative"], None
    alternatives = list(parts[0].iter_parts())
    got = [p.get_content_type() for p in alternatives]
    if tuple(got) not in layouts:
        problems.append("multipart/alternative holds %s, not %s"
                        % (", ".join(got) or "nothing",
                           " or ".join(", ".join(want) for want in layouts)))
    for part in alternatives:
        if part.get_content_maintype() == "text" and \
                (part.get_content_charset() or "").lower() != "utf-8":
            problems.append("%s has charset %r, not UTF-8"
                            % (part.get_content_type(), part.get_content_charset()))
    return problems, parts


def _filename_problems(attachments, expected_cards):
    names = [p.get_filename() for p in attachments]
    if expected_cards is not None and names != list(expected_cards):
        return ["attachments are named %r, not %r" % (names, list(expected_cards))]
    return []


def _calendar_problems(cal):
    """VTIMEZONE for every TZID of a DTSTART."""
    problems = []
    zones = {str(tz.get("TZID")) for tz in cal.walk("VTIMEZONE")}
    for component in cal.walk():
        dtstart = component.get("DTSTART")
        if dtstart is None or component.name == "VTIMEZONE" or \
                (component.name in ("STANDARD", "DAYLIGHT")):
            continue
        tzid = dtstart.params.get("TZID")
        if tzid is not None and str(tzid) not in zones:
            problems.append("%s DTSTART uses TZID %s but there is no VTIMEZONE for it"
                            % (component.name, tzid))
    return problems


def _mailto(value):
    value = str(value)
    if value.lower().startswith("mailto:"):
        value = value[7:]
    return value.strip().lower()


def check_message(raw_bytes, expected_cards=None):
    """Check an iMIP message (see the module comment); returns the
    icalendar.Calendar, or raises ImipProblem."""
    problems = line_problems(raw_bytes)
    msg = parse(raw_bytes)
    layout, parts = _alternative_problems(
        msg, ("text/plain", "text/html", "text/calendar"))
    problems += layout
    if parts is None:
        raise ImipProblem(problems)

    inline = _parts_of_type(parts[0], ("text/calendar",))
    if not inline:
        raise ImipProblem(problems + ["no text/calendar part"])
    inline = inline[0]
    data = inline.get_payload(decode=True)
    try:
        cal = icalendar.Calendar.from_ical(data)
    except ValueError as e:
        raise ImipProblem(problems + ["the calendar does not parse: %s" % e])

    method = str(cal.get("METHOD", "")).upper()
    param = (inline.get_param("method") or "").upper()
    if not method:
        problems.append("the calendar has no METHOD")
    if param != method:
        problems.append("Content-Type method=%s but the calendar says METHOD:%s"
                        % (param or "(none)", method))
    problems += _calendar_problems(cal)

    ics = [p for p in parts[1:] if p.get_filename() == "invite.ics"]
    if len(ics) != 1:
        problems.append("%d invite.ics attachments, not 1" % len(ics))
    else:
        if ics[0].get_content_type() not in CALENDAR_TYPES:
            problems.append("invite.ics is %s" % ics[0].get_content_type())
        if ics[0].get_content_disposition() != "attachment":
            problems.append("invite.ics is not Content-Disposition: attachment")
        if ics[0].get_payload(decode=True) != data:
            problems.append("invite.ics differs from the inline calendar")
    if parts[1:2] != ics[:1]:
        problems.append("invite.ics is not the part after multipart/alternative")

    if method in ORGANIZER_METHODS:
        organizers = {_mailto(c.get("ORGANIZER")) for c in cal.walk()
                      if c.get("ORGANIZER") is not None}
        sender = email.utils.parseaddr(str(msg.get("From", "")))[1].lower()
        if organizers and organizers != {sender}:
            problems.append("From %s is not the ORGANIZER %s"
                            % (sender, ", ".join(sorted(organizers))))

    attachments = [p for p in parts[1:] if p not in ics]
    problems += _filename_problems(attachments, expected_cards)
    if problems:
        raise ImipProblem(problems)
    return cal


def check_plain_message(raw_bytes, expected_cards=None):
    """Check a message without a calendar: multipart/mixed > multipart/alternative
    with text/plain and optionally text/html, no calendar anywhere, the
    attachment names and the lines; raises ImipProblem."""
    problems = line_problems(raw_bytes)
    msg = parse(raw_bytes)
    layout, parts = _alternative_problems(msg, ("text/plain", "text/html"),
                                          ("text/plain",))
    problems += layout
    if parts is not None:
        if _parts_of_type(msg, CALENDAR_TYPES):
            problems.append("a plain message has a calendar part")
        problems += _filename_problems(parts[1:], expected_cards)
    if problems:
        raise ImipProblem(problems)


def main(argv):
    if len(argv) < 2 or argv[1] in ("-h", "--help"):
        print("usage: check_imip.py FILE.eml...", file=sys.stderr)
        return 2
    failed = 0
    for path in argv[1:]:
        try:
            with open(path, "rb") as f:
                raw = f.read()
            if _parts_of_type(parse(raw), CALENDAR_TYPES):
                cal = check_message(raw)
                print("%s: ok (METHOD:%s)" % (path, cal.get("METHOD")))
            else:
                check_plain_message(raw)
                print("%s: ok (no calendar)" % path)
        except ImipProblem as e:
            failed += 1
            print("%s: %d problem(s)" % (path, len(e.problems)))
            for problem in e.problems:
                print("  - %s" % problem)
        except OSError as e:
            failed += 1
            print("%s: %s" % (path, e))
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
