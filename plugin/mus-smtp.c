/* Submission of messages over SMTP with libcurl. */

#include "lib.h"
#include "str.h"
#include "mus-settings.h"
#include "mus-smtp.h"

#include <ctype.h>
#include <curl/curl.h>

int mus_smtp_url_check(const char *value, const char **error_r)
{
	CURLU *url = curl_url();
	char *scheme = NULL, *host = NULL, *path = NULL, *user = NULL;
	CURLUcode code;
	int ret = -1;

	if (url == NULL) {
		*error_r = "curl_url() failed: out of memory";
		return -1;
	}
	code = curl_url_set(url, CURLUPART_URL, value, 0);
	if (code != CURLUE_OK) {
		*error_r = t_strdup_printf("not a URL: %s", curl_url_strerror(code));
	} else if (curl_url_get(url, CURLUPART_SCHEME, &scheme, 0) != CURLUE_OK ||
		   (strcmp(scheme, "smtp") != 0 && strcmp(scheme, "smtps") != 0)) {
		*error_r = "the scheme must be smtp:// or smtps://";
	} else if (curl_url_get(url, CURLUPART_HOST, &host, 0) != CURLUE_OK ||
		   host[0] == '\0') {
		*error_r = "the URL has no host";
	} else if (curl_url_get(url, CURLUPART_USER, &user, 0) == CURLUE_OK) {
		/* it would be in every error message and log line */
		*error_r = "the URL must not hold a user or password: "
			"set mus_smtp_user and mus_smtp_password_file";
	} else if (curl_url_get(url, CURLUPART_PATH, &path, 0) == CURLUE_OK &&
		   strcmp(path, "/") != 0 && path[0] != '\0') {
		/* curl would send the path as the EHLO name */
		*error_r = "the URL must not have a path";
	} else {
		ret = 0;
	}
	curl_free(scheme);
	curl_free(host);
	curl_free(path);
	curl_free(user);
	curl_url_cleanup(url);
	return ret;
}

struct mus_smtp {
	CURL *curl;
	char *url, *ca_file;
	char error[CURL_ERROR_SIZE];
	/* the last reply line the server sent before QUIT */
	string_t *reply;
	bool quit_sent;
	/* the message being sent */
	const unsigned char *data;
	size_t size, pos;
	mus_smtp_commit_t *commit;
	void *commit_context;
	const char *commit_error;
	bool committed;
};

static int mus_smtp_debug(CURL *curl ATTR_UNUSED, curl_infotype type,
			  char *data, size_t size, void *context)
{
	struct mus_smtp *smtp = context;

	/* curl says QUIT when it closes the connection after a failure:
	   keep the reply that failed, not the 221, until a new connection
	   greets */
	if (type == CURLINFO_HEADER_OUT && size >= 4 &&
	    strncasecmp(data, "QUIT", 4) == 0)
		smtp->quit_sent = TRUE;
	if (type == CURLINFO_HEADER_IN && smtp->quit_sent && size >= 4 &&
	    strncmp(data, "220 ", 4) == 0)
		smtp->quit_sent = FALSE;
	if (type != CURLINFO_HEADER_IN || smtp->quit_sent)
		return 0;
	str_truncate(smtp->reply, 0);
	str_append_data(smtp->reply, data, size > 512 ? 512 : size);
	while (str_len(smtp->reply) > 0 &&
	       (str_c(smtp->reply)[str_len(smtp->reply) - 1] == '\n' ||
		str_c(smtp->reply)[str_len(smtp->reply) - 1] == '\r'))
		str_truncate(smtp->reply, str_len(smtp->reply) - 1);
	return 0;
}

static size_t mus_smtp_read(char *buf, size_t size, size_t nitems,
			    void *context)
{
	struct mus_smtp *smtp = context;
	size_t n = size * nitems;

	if (n > smtp->size - smtp->pos)
		n = smtp->size - smtp->pos;
	/* curl ends the data by itself once it has read `size` bytes, so
	   the last bytes are held back until commit agrees */
	if (smtp->commit != NULL && !smtp->committed && n > 0 &&
	    smtp->pos + n == smtp->size) {
		if (smtp->commit(smtp->commit_context, &smtp->commit_error) < 0)
			return CURL_READFUNC_ABORT;
		smtp->committed = TRUE;
	}
	memcpy(buf, smtp->data + smtp->pos, n);
	smtp->pos += n;
	return n;
}

int mus_smtp_create(const struct mus_settings *set, unsigned int timeout_msecs,
		    struct mus_smtp **smtp_r, const char **error_r)
{
	struct mus_smtp *smtp;
	const char *password = NULL;

	if (set->smtp_user != NULL &&
	    mus_settings_read_password(pool_datastack_create(),
				       "mus_smtp_password_file",
				       set->smtp_password_file, &password,
				       error_r) < 0)
		return -1;
	smtp = i_new(struct mus_smtp, 1);
	smtp->curl = curl_easy_init();
	if (smtp->curl == NULL)
		i_fatal_status(FATAL_OUTOFMEM, "curl_easy_init() failed");
	smtp->reply = str_new(default_pool, 128);
	smtp->url = i_strdup(set->smtp_url);
	smtp->ca_file = i_strdup(set->smtp_ca_file);
	curl_easy_setopt(smtp->curl, CURLOPT_URL, set->smtp_url);
	curl_easy_setopt(smtp->curl, CURLOPT_PROTOCOLS_STR, "smtp,smtps");
	curl_easy_setopt(smtp->curl, CURLOPT_UPLOAD, 1L);
	curl_easy_setopt(smtp->curl, CURLOPT_READFUNCTION, mus_smtp_read);
	curl_easy_setopt(smtp->curl, CURLOPT_READDATA, smtp);
	curl_easy_setopt(smtp->curl, CURLOPT_ERRORBUFFER, smtp->error);
	curl_easy_setopt(smtp->curl, CURLOPT_VERBOSE, 1L);
	curl_easy_setopt(smtp->curl, CURLOPT_DEBUGFUNCTION, mus_smtp_debug);
	curl_easy_setopt(smtp->curl, CURLOPT_DEBUGDATA, smtp);
	curl_easy_setopt(smtp->curl, CURLOPT_NOSIGNAL, 1L);
	curl_easy_setopt(smtp->curl, CURLOPT_CONNECTTIMEOUT_MS, (long)timeout_msecs);
	curl_easy_setopt(smtp->curl, CURLOPT_SERVER_RESPONSE_TIMEOUT,
			 (long)(timeout_msecs + 999) / 1000);
	if (set->smtp_starttls)
		curl_easy_setopt(smtp->curl, CURLOPT_USE_SSL, (long)CURLUSESSL_ALL);
	/* the defaults, said out loud: the server's certificate is always
	   verified, its name included */
	curl_easy_setopt(smtp->curl, CURLOPT_SSL_VERIFYPEER, 1L);
	curl_easy_setopt(smtp->curl, CURLOPT_SSL_VERIFYHOST, 2L);
	if (set->smtp_ca_file != NULL) {
		/* these CAs instead of the system's, not in addition */
		curl_easy_setopt(smtp->curl, CURLOPT_CAINFO, set->smtp_ca_file);
		curl_easy_setopt(smtp->curl, CURLOPT_CAPATH, NULL);
	}
	if (set->smtp_user != NULL) {
		curl_easy_setopt(smtp->curl, CURLOPT_USERNAME, set->smtp_user);
		curl_easy_setopt(smtp->curl, CURLOPT_PASSWORD, password);
	}
	*smtp_r = smtp;
	return 0;
}

void mus_smtp_destroy(struct mus_smtp **_smtp)
{
	struct mus_smtp *smtp = *_smtp;

	if (smtp == NULL)
		return;
	*_smtp = NULL;
	curl_easy_cleanup(smtp->curl);
	str_free(&smtp->reply);
	i_free(smtp->url);
	i_free(smtp->ca_file);
	i_free(smtp);
}

/* RFC 3463 X.7.X, "security or policy": the server refuses this client
   (not logged in, not allowed to relay or to use this sender), whoever the
   recipient is. */
static bool mus_smtp_reply_is_policy(const char *reply)
{
	return strlen(reply) >= 8 && i_isdigit(reply[0]) && i_isdigit(reply[1]) &&
		i_isdigit(reply[2]) && (reply[3] == ' ' || reply[3] == '-') &&
		reply[4] == reply[0] && strncmp(reply + 5, ".7.", 3) == 0;
}

/* The one place that maps curl's outcome to ours. A TLS certificate that
   does not verify, a refused login or a policy refusal (530 or X.7.X) says
   that our side is set up wrong, not that this message will never be
   accepted: it is temporary, so that nothing is marked failed for good and
   the next sync after the fix sends everything. Else the server's reply
   code decides when there is one, a transport failure is temporary, and
   anything else (a bad URL) permanent. */
static enum mus_smtp_result
mus_smtp_classify(CURLcode code, long reply_code, const char *reply)
{
	if (code == CURLE_OK)
		return MUS_SMTP_OK;
	switch (code) {
	case CURLE_PEER_FAILED_VERIFICATION:
	case CURLE_SSL_CONNECT_ERROR:
	case CURLE_SSL_CACERT_BADFILE:
	case CURLE_USE_SSL_FAILED:
	case CURLE_LOGIN_DENIED:
		return MUS_SMTP_TEMPFAIL;
	default:
		break;
	}
	if (reply_code == 530 ||
	    (reply_code >= 500 && reply_code < 600 && mus_smtp_reply_is_policy(reply)))
		return MUS_SMTP_TEMPFAIL;
	if (reply_code >= 500 && reply_code < 600)
		return MUS_SMTP_PERMFAIL;
	if (reply_code >= 400 && reply_code < 500)
		return MUS_SMTP_TEMPFAIL;
	switch (code) {
	case CURLE_COULDNT_RESOLVE_HOST:
	case CURLE_COULDNT_CONNECT:
	case CURLE_OPERATION_TIMEDOUT:
	case CURLE_SEND_ERROR:
	case CURLE_RECV_ERROR:
	case CURLE_GOT_NOTHING:
	case CURLE_WEIRD_SERVER_REPLY:
	case CURLE_AGAIN:
		return MUS_SMTP_TEMPFAIL;
	default:
		return MUS_SMTP_PERMFAIL;
	}
}

/* What failed, for the log and musReason: the server's refusal if there
   was one, and curl's error with the server's URL. */
static const char *mus_smtp_failure(struct mus_smtp *smtp, CURLcode code)
{
	const char *error = smtp->error[0] != '\0' ? smtp->error :
		curl_easy_strerror(code);
	const char *reply = str_c(smtp->reply);

	if (code == CURLE_PEER_FAILED_VERIFICATION) {
		error = t_strdup_printf(
			"TLS certificate of %s not verified with %s: %s",
			smtp->url, smtp->ca_file != NULL ? smtp->ca_file :
			"the system's CAs", error);
	} else {
		error = t_strdup_printf("%s: %s", smtp->url, error);
	}
	if (reply[0] == '4' || reply[0] == '5')
		return t_strdup_printf("%s (%s)", reply, error);
	return error;
}

enum mus_smtp_result
mus_smtp_send(struct mus_smtp *smtp, const char *from, const char *rcpt,
	      const void *data, size_t size, const char **reply_r)
{
	bool committed;

	return mus_smtp_send_commit(smtp, from, rcpt, data, size, NULL, NULL,
				    &committed, reply_r);
}

enum mus_smtp_result
mus_smtp_send_commit(struct mus_smtp *smtp, const char *from,
		     const char *rcpt, const void *data, size_t size,
		     mus_smtp_commit_t *commit, void *context,
		     bool *committed_r, const char **reply_r)
{
	struct curl_slist *rcpts;
	enum mus_smtp_result result;
	long reply_code = 0;
	CURLcode code;

	rcpts = curl_slist_append(NULL, t_strdup_printf("<%s>", rcpt));
	if (rcpts == NULL)
		i_fatal_status(FATAL_OUTOFMEM, "curl_slist_append() failed");
	smtp->data = data;
	smtp->size = size;
	smtp->pos = 0;
	smtp->commit = commit;
	smtp->commit_context = context;
	smtp->commit_error = NULL;
	smtp->committed = FALSE;
	smtp->error[0] = '\0';
	str_truncate(smtp->reply, 0);
	smtp->quit_sent = FALSE;
	curl_easy_setopt(smtp->curl, CURLOPT_MAIL_FROM,
			 t_strdup_printf("<%s>", from));
	curl_easy_setopt(smtp->curl, CURLOPT_MAIL_RCPT, rcpts);
	curl_easy_setopt(smtp->curl, CURLOPT_INFILESIZE_LARGE, (curl_off_t)size);
	code = curl_easy_perform(smtp->curl);
	(void)curl_easy_getinfo(smtp->curl, CURLINFO_RESPONSE_CODE, &reply_code);
	curl_easy_setopt(smtp->curl, CURLOPT_MAIL_RCPT, NULL);
	curl_slist_free_all(rcpts);
	smtp->commit = NULL;
	*committed_r = smtp->committed;
	if (smtp->commit_error != NULL) {
		/* withheld by us: the server's reply says nothing about it */
		*reply_r = smtp->commit_error;
		return MUS_SMTP_TEMPFAIL;
	}

	result = mus_smtp_classify(code, reply_code, str_c(smtp->reply));
	*reply_r = result == MUS_SMTP_OK ? t_strdup(str_c(smtp->reply)) :
		mus_smtp_failure(smtp, code);
	return result;
}
