/* Unit test of the directory connection's timeout against a peer that
   stops in the middle of an answer (a process on loopback that speaks
   just enough LDAP). */

#include "lib.h"
#include "mus-settings.h"
#include "mus-ldap.h"
#include "mus-test.h"

#include <netinet/in.h>
#include <signal.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

/* the message ID of the LDAP request in buf (short forms only) */
static unsigned char request_id(const unsigned char *buf, ssize_t len)
{
	ssize_t pos = 2;

	if (len > 1 && (buf[1] & 0x80) != 0)
		pos += buf[1] & 0x7f;
	return pos + 2 < len && buf[pos] == 0x02 && buf[pos + 1] == 1 ?
		buf[pos + 2] : 0;
}

/* Answer the bind, then send one search entry and the first bytes of the
   next, and say no more. */
static void ATTR_NORETURN stalling_peer(int listen_fd)
{
	unsigned char buf[4096];
	int fd = accept(listen_fd, NULL, NULL);
	ssize_t len;

	if (fd < 0)
		_exit(1);
	len = read(fd, buf, sizeof(buf));
	unsigned char bind[] = { 0x30, 0x0c, 0x02, 0x01, request_id(buf, len),
		0x61, 0x07, 0x0a, 0x01, 0x00, 0x04, 0x00, 0x04, 0x00 };
	if (write(fd, bind, sizeof(bind)) != (ssize_t)sizeof(bind))
		_exit(1);
	len = read(fd, buf, sizeof(buf));
	unsigned char entry[] = { 0x30, 0x0d, 0x02, 0x01, request_id(buf, len),
		0x64, 0x08, 0x04, 0x04, 'd', 'c', '=', 'x', 0x30, 0x00 };
	unsigned char out[sizeof(entry) + 5];

	memcpy(out, entry, sizeof(entry));
	memcpy(out + sizeof(entry), entry, 5);
	if (write(fd, out, sizeof(out)) != (ssize_t)sizeof(out))
		_exit(1);
	sleep(60);
	_exit(0);
}

static int count_entry(const struct mus_ldap_entry *entry ATTR_UNUSED,
		       void *context, const char **error_r ATTR_UNUSED)
{
	(*(unsigned int *)context)++;
	return 0;
}

void test_ldap_timeout(void)
{
	static const char *const attrs[] = { "cn", NULL };
	union {
		struct sockaddr sa;
		struct sockaddr_in sin;
	} addr;
	socklen_t addr_len = sizeof(addr);
	const struct mus_settings *set;
	struct mus_ldap *conn = NULL;
	const char *error = NULL;
	unsigned int entries = 0;
	bool retry;
	pid_t pid;
	int fd;

	mus_test_begin("ldap: a server that stops in the middle of an answer times out");
	i_zero(&addr);
	addr.sin.sin_family = AF_INET;
	addr.sin.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	fd = socket(AF_INET, SOCK_STREAM, 0);
	if (fd < 0 || bind(fd, &addr.sa, sizeof(addr.sin)) < 0 ||
	    listen(fd, 1) < 0 || getsockname(fd, &addr.sa, &addr_len) < 0)
		i_fatal("listening on loopback failed: %m");
	pid = fork();
	if (pid < 0)
		i_fatal("fork() failed: %m");
	if (pid == 0)
		stalling_peer(fd);
	i_close_fd(&fd);
	test_assert(mus_settings_parse(pool_datastack_create(),
		test_settings_envs("mus_ldap_uri", t_strdup_printf(
			"ldap://127.0.0.1:%u/", ntohs(addr.sin.sin_port))),
		&set, &error) == 0);
	/* a hang is a failure too: the alarm ends the tests */
	alarm(30);
	test_assert(mus_ldap_connect(set, 1000, &conn, &retry, &error) == 0);
	if (conn != NULL) {
		test_assert(mus_ldap_read(conn, "dc=x", attrs, count_entry,
					  &entries, &error) < 0);
		test_assert_contains(error, "Timed out");
		mus_ldap_disconnect(&conn);
	}
	alarm(0);
	(void)kill(pid, SIGKILL);
	(void)waitpid(pid, NULL, 0);
	mus_test_end();
}
