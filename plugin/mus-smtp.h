#ifndef MUS_SMTP_H
#define MUS_SMTP_H

/* Submission of messages over SMTP with libcurl. This file owns CURL
   handles for SMTP. One struct mus_smtp keeps its connection open, so a
   round of thousands of messages uses one SMTP session. */

struct mus_settings;
struct mus_smtp;

enum mus_smtp_result {
	MUS_SMTP_OK = 0,
	/* 4xx, the connection failed, or our side is set up wrong (TLS
	   certificate, login, a 530 or 5.7.x refusal): try again on the
	   next sync */
	MUS_SMTP_TEMPFAIL,
	/* 5xx for this recipient or message: it will never be accepted */
	MUS_SMTP_PERMFAIL,
};

/* Returns 0 if value is an smtp:// or smtps:// URL with a host (and
   optionally a port), else -1 with the reason. */
int mus_smtp_url_check(const char *value, const char **error_r);

/* Prepare a sender for set->smtp_url (with STARTTLS, AUTH and the CAs of
   set->smtp_ca_file as set; TLS certificates are always verified).
   Every step of a transaction gives up after timeout_msecs. Returns 0, or
   -1 if the password file cannot be read. */
int mus_smtp_create(const struct mus_settings *set, unsigned int timeout_msecs,
		    struct mus_smtp **smtp_r, const char **error_r);
void mus_smtp_destroy(struct mus_smtp **smtp);

/* Submit the message (CRLF lines) from `from` to one recipient. reply_r is
   the server's last reply, or on failure the refusal and curl's error with
   the server's URL; from the data stack. */
enum mus_smtp_result
mus_smtp_send(struct mus_smtp *smtp, const char *from, const char *rcpt,
	      const void *data, size_t size, const char **reply_r);

/* Called once, after the server took the recipient and before the last
   bytes of the message (and so the end of data) go out: returns 0
   to let the message go, or -1 with the reason to withhold it (the server
   then never sees the end of data and keeps nothing). */
typedef int mus_smtp_commit_t(void *context, const char **error_r);

/* mus_smtp_send() that calls commit(context) before the end of data.
   committed_r says whether commit returned 0 (the message may have been
   delivered even if the result is not OK: the server's answer to the end
   of data can be lost). If commit failed, the result is
   MUS_SMTP_TEMPFAIL and reply_r is commit's reason. */
enum mus_smtp_result
mus_smtp_send_commit(struct mus_smtp *smtp, const char *from,
		     const char *rcpt, const void *data, size_t size,
		     mus_smtp_commit_t *commit, void *context,
		     bool *committed_r, const char **reply_r);

#endif
