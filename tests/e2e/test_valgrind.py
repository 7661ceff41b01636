"""doveadm mus sync, status and round show under valgrind on the stack:
no memory error and no definite leak in our doveadm plugin (scheduling,
free/busy, sending invitations through Postfix)."""

import subprocess
import unittest

from mustest import Stack

ROUND = "MUS valgrind test"


class ValgrindTest(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.stack = Stack()
        people = cls.stack.ldap_people()
        managers = sorted({p["manager"][0].lower() for p in people.values() if p.get("manager")})
        lower = {d.lower() for d in people}
        # a leader in scope with a few reports, one with a calFBURL among them
        cls.leader = next(m for m in managers if m in lower)
        flt = "(|(manager=%s)(entryDN=%s))" % (cls.leader, cls.leader)
        cls.stack.doveadm("mus", "round", "create", "--name", ROUND, "--kind", "MUS",
                          "--start", "2027-11-01", "--end", "2027-11-30", "--duration", "30",
                          "--scope-filter", flt, "--card", "sparring")
        cls.round_dn = cls.stack.round_dn(ROUND)

    @classmethod
    def tearDownClass(cls):
        cls.stack.ldap_delete(cls.round_dn)

    def valgrind(self, *args):
        cmd = ["valgrind", "-q", "--leak-check=full", "--errors-for-leak-kinds=definite",
               "--error-exitcode=3"] + self.stack.doveadm_command(*args)
        res = subprocess.run(cmd, capture_output=True, text=True, timeout=300)
        problems = [line for line in res.stderr.splitlines() if line.startswith("==")]
        self.assertEqual(problems, [], res.stderr)
        self.assertEqual(res.returncode, 0, res.stderr)
        return res

    def test_1_sync(self):
        res = self.valgrind("mus", "sync", "--round", ROUND)
        self.assertIn(ROUND, res.stdout)

    def test_2_status_and_show(self):
        self.valgrind("mus", "status")
        self.valgrind("mus", "round", "show", "--name", ROUND)


if __name__ == "__main__":
    unittest.main()
