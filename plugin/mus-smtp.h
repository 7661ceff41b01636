#ifndef MUS_SMTP_H
#define MUS_SMTP_H

/* Submission of messages over SMTP with libcurl. This file owns CURL
   handles. */

/* Returns 0 if value is an smtp:// or smtps:// URL with a host (and
   optionally a port), else -1 with the reason. */
int mus_smtp_url_check(const char *value, const char **error_r);

#endif
