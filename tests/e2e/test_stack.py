"""Several private stacks side by side: two more stacks come up at the same time as the
main one runs, serve IMAP and LDAP at the same time without touching each other, keep
their logs under their own DIR and go down leaving no process behind."""

import concurrent.futures
import os
import shutil
import tempfile
import threading
import unittest

import mustest


class ParallelStacksTest(unittest.TestCase):
    # Both flavours of the organisation: the sample one, and a synthetic one of N people.
    EXTRA = ([], ["--people", "40"])

    @classmethod
    def setUpClass(cls):
        cls.main = mustest.Stack.from_environment()
        cls.dirs = [tempfile.mkdtemp(prefix="mus-par.", dir="/tmp") for _ in cls.EXTRA]
        with concurrent.futures.ThreadPoolExecutor(len(cls.dirs)) as pool:
            runs = list(pool.map(lambda a: mustest.mus_stack("up", a[0], *a[1]),
                                 zip(cls.dirs, cls.EXTRA)))
        failed = [(d, r) for d, r in zip(cls.dirs, runs) if r.returncode != 0]
        if failed:
            cls._cleanup()
            raise AssertionError("mus-stack up failed:\n" + "\n".join(
                "%s: %s%s" % (d, r.stdout, r.stderr) for d, r in failed))
        # the first one gets a second Dovecot host, which `down` stops too
        res = mustest.mus_stack("add-host", cls.dirs[0])
        if res.returncode != 0:
            cls._cleanup()
            raise AssertionError("mus-stack add-host failed: %s%s" % (res.stdout, res.stderr))
        cls.stacks = [mustest.Stack(d) for d in cls.dirs]

    @classmethod
    def tearDownClass(cls):
        cls._cleanup()

    @classmethod
    def _cleanup(cls):
        for d in cls.dirs:
            mustest.mus_stack("down", d)
            shutil.rmtree(d, ignore_errors=True)

    def test_1_ports_and_secrets_are_distinct(self):
        everything = [self.main] + self.stacks
        ports = [p for s in everything for p in s.ports().values()]
        self.assertEqual(len(ports), len(set(ports)), "ports shared between stacks: %s" % ports)
        for s in everything:
            for name, port in s.ports().items():
                self.assertTrue(mustest.port_open(port), "%s %s of %s is not listening" % (name, port, s.dir))
        passwords = {s["MUS_USER_PASSWORD"] for s in everything}
        self.assertEqual(len(passwords), len(everything))
        for s in self.stacks:
            self.assertEqual(s["MUS_DIR"], s.dir)
            self.assertTrue(s["MUS_DOVECOT_CONF"].startswith(s.dir + "/"))
            self.assertEqual(s["MUS_LDAP_URI"], "ldap://127.0.0.1:%s" % s["MUS_LDAP_PORT"])
            self.assertEqual(s["MUS_LDAPS_URI"], "ldaps://127.0.0.1:%s" % s["MUS_LDAPS_PORT"])
            self.assertEqual(s["MUS_ORGANIZER"], "mus@eksempel.test")

    def test_2_imap_and_ldap_at_the_same_time(self):
        everything = [self.main] + self.stacks
        barrier = threading.Barrier(len(everything) * 2)

        def imap_round(stack):
            barrier.wait(timeout=30)
            users = stack.addresses()[:4] + [stack["MUS_ORGANIZER"]]
            for user in users:
                conn = stack.imap(user)
                typ, _ = conn.select("INBOX")
                self.assertEqual(typ, "OK")
                conn.logout()
            return users

        def ldap_round(stack):
            barrier.wait(timeout=30)
            return stack.people()

        with concurrent.futures.ThreadPoolExecutor(len(everything) * 2) as pool:
            imap_jobs = [pool.submit(imap_round, s) for s in everything]
            ldap_jobs = [pool.submit(ldap_round, s) for s in everything]
            for job in imap_jobs:
                job.result(timeout=60)
            people = [job.result(timeout=60) for job in ldap_jobs]

        # Each stack answers with its own organisation: the synthetic one has 40 people.
        self.assertEqual(len(people[2]), 40, "synthetic organisation: %d people with mail" % len(people[2]))
        self.assertGreater(len(people[1]), 100)
        self.assertEqual(sorted(people[0]), sorted(people[1]))

        # A password of one stack does not open another.
        other = self.stacks[1]
        with self.assertRaises(Exception):
            other.imap(other.addresses()[0], password=self.stacks[0]["MUS_USER_PASSWORD"])
        # And the plugin's service account reads the people of its own directory.
        self.assertEqual(len(other.people()), 40)
        service = other.ldapsearch("ou=people," + other["MUS_LDAP_BASE"], "(mail=*)", "mail",
                                   bind="service", scope="one")
        self.assertEqual(service.count("\ndn: ") + service.startswith("dn: "), 40)

    def test_3_logs_under_each_dir(self):
        for s in self.stacks:
            for log in ("dovecot.log", "slapd.log", "fb-http.log", "setup.log", "postfix/maillog"):
                self.assertTrue(os.path.isfile(os.path.join(s.dir, log)), "%s missing in %s" % (log, s.dir))
            self.assertIn("starting up for imap, lmtp", s.dovecot_log())
            with open(os.path.join(s.dir, "postfix", "maillog")) as f:
                self.assertIn("daemon started", f.read())
            self.assertEqual(s["MUS_DOVECOT_LOG"], os.path.join(s.dir, "dovecot.log"))
            res = mustest.mus_stack("check", s.dir)
            self.assertEqual(res.returncode, 0, res.stdout + res.stderr)
        # the second host of the first stack: its own log, its own IMAP
        s = self.stacks[0]
        self.assertEqual(s["MUS_DOVECOT_LOG_B"], os.path.join(s.dir, "dovecot-b.log"))
        with open(s["MUS_DOVECOT_LOG_B"]) as f:
            self.assertIn("starting up for imap, lmtp", f.read())
        s.imap(s["MUS_ORGANIZER"], port=s["MUS_IMAP_PORT_B"]).logout()
        self.assertIn("dovecot-b.log", mustest.mus_stack("check", s.dir).stdout)

    def test_4_down_leaves_no_process(self):
        before = {s.dir: s.all_processes() for s in self.stacks}
        for d, procs in before.items():
            self.assertGreaterEqual(len(procs), 4, "too few processes recorded in %s" % d)
        with concurrent.futures.ThreadPoolExecutor(len(self.stacks)) as pool:
            runs = list(pool.map(lambda s: mustest.mus_stack("down", s.dir), self.stacks))
        for s, r in zip(self.stacks, runs):
            self.assertEqual(r.returncode, 0, r.stdout + r.stderr)
            left = [p for p, st in before[s.dir] if mustest.alive(p, st)]
            self.assertEqual(left, [], "processes of %s still running after down" % s.dir)
            for name, port in s.ports().items():
                self.assertFalse(mustest.port_open(port), "%s %d still open after down" % (name, port))
            self.assertEqual(s.pids(), [])
            # Down is idempotent.
            again = mustest.mus_stack("down", s.dir)
            self.assertEqual(again.returncode, 0, again.stdout + again.stderr)
        # The main stack is untouched.
        conn = self.main.imap(self.main["MUS_ORGANIZER"])
        conn.logout()


if __name__ == "__main__":
    unittest.main()
