/* Plain text mails from the organizer. */

#include "lib.h"
#include "str.h"
#include "hex-binary.h"
#include "randgen.h"
#include "mus-settings.h"
#include "mus-message.h"
#include "mus-smtp.h"
#include "mus-notice.h"

#include <time.h>

const char *mus_notice_msgid(const char *id)
{
	const char *at;

	if (id == NULL || (at = strchr(id, '@')) == NULL || at == id ||
	    at[1] == '\0' || strchr(at + 1, '@') != NULL || strlen(id) > 900)
		return NULL;
	for (const char *p = id; *p != '\0'; p++) {
		if (*p <= ' ' || *p > '~' || *p == '<' || *p == '>')
			return NULL;
	}
	return t_strdup_printf("<%s>", id);
}

int mus_send_notice_commit(struct mus_smtp *smtp,
			   const struct mus_settings *set,
			   enum mus_notice_kind kind, const char *to,
			   const char *in_reply_to, const char *subject,
			   const char *body, mus_smtp_commit_t *commit,
			   void *context, bool *committed_r,
			   const char **error_r)
{
	struct mus_message_address rcpt = { .address = to };
	const char *answered = mus_notice_msgid(in_reply_to);
	struct mus_message msg;
	string_t *out = t_str_new(4096);
	unsigned char token[12];
	const char *reply;

	*committed_r = FALSE;
	random_fill(token, sizeof(token));
	i_zero(&msg);
	msg.unique_token = t_strconcat("notice.", binary_to_hex(token, sizeof(token)), NULL);
	msg.from.name = "MUS";
	msg.from.address = set->organizer;
	msg.to = &rcpt;
	msg.to_count = 1;
	msg.subject = subject;
	msg.date = time(NULL);
	msg.text_plain = body;
	msg.text_plain_size = strlen(body);
	/* never answered by an autoresponder, never looped back to us */
	msg.headers = (const struct mus_message_header[]){
		{ .name = "Auto-Submitted",
		  .value = kind == MUS_NOTICE_REPLY ? "auto-replied" :
			"auto-generated" },
		{ .name = "In-Reply-To", .value = answered },
		{ .name = "References", .value = answered },
	};
	msg.header_count = answered == NULL ? 1 : 3;
	if (mus_message_build(&msg, out, error_r) < 0)
		return -1;
	switch (mus_smtp_send_commit(smtp, set->organizer, to, str_data(out),
				     str_len(out), commit, context,
				     committed_r, &reply)) {
	case MUS_SMTP_OK:
		return 1;
	case MUS_SMTP_PERMFAIL:
		*error_r = reply;
		return 0;
	case MUS_SMTP_TEMPFAIL:
		break;
	}
	*error_r = reply;
	return -1;
}

int mus_send_notice(struct mus_smtp *smtp, const struct mus_settings *set,
		    enum mus_notice_kind kind, const char *to,
		    const char *in_reply_to, const char *subject,
		    const char *body, const char **error_r)
{
	bool committed;

	return mus_send_notice_commit(smtp, set, kind, to, in_reply_to,
				      subject, body, NULL, NULL, &committed,
				      error_r);
}
