/* The text a person typed into a reply: plain or HTML body, trimmed
   lines, and where the quoted original starts. */

#include "lib.h"
#include "str.h"
#include "mail-html2text.h"
#include "mus-mailtext.h"

#include <ctype.h>

static bool mus_mailtext_block_tag(const char *p)
{
	static const char *const tags[] = {
		"br", "p", "div", "tr", "li", "hr", "h1", "h2", "h3", "h4",
		"h5", "h6", "blockquote", "table", "pre", "ul", "ol", "dt",
		"dd",
	};

	if (*p == '/')
		p++;
	for (unsigned int i = 0; i < N_ELEMENTS(tags); i++) {
		size_t len = strlen(tags[i]);

		if (strncasecmp(p, tags[i], len) == 0 && !i_isalnum(p[len]))
			return TRUE;
	}
	return FALSE;
}

/* The text of an HTML body, one line per paragraph or <br>, without
   <blockquote>d quotes. Dovecot's html2text turns every tag into a space
   and keeps the source's line breaks, which in HTML mean nothing: so the
   source's line breaks become spaces first, and a line break goes before
   a block's tag where text came since the last one, and before every
   <br>. So "<p>a</p><p>b</p>" is two lines, as the writer saw it, and a
   blank line is one the writer made (Outlook's <p>&nbsp;</p>, Gmail's
   <div><br></div>). From the data stack. */
static const char *mus_mailtext_html_text(const char *html)
{
	size_t len = strlen(html);
	string_t *src = t_str_new(len + len / 16 + 16);
	string_t *text = t_str_new(len + 16);
	struct mail_html2text *ht;
	bool in_tag = FALSE, text_since_break = FALSE;

	for (const char *p = html; *p != '\0'; p++) {
		if (*p == '\r' || *p == '\n' || *p == '\t') {
			str_append_c(src, ' ');
			continue;
		}
		if (*p == '<' && mus_mailtext_block_tag(p + 1) &&
		    (text_since_break || strncasecmp(p + 1, "br", 2) == 0)) {
			str_append_c(src, '\n');
			text_since_break = FALSE;
		}
		if (*p == '<')
			in_tag = TRUE;
		else if (*p == '>')
			in_tag = FALSE;
		else if (!in_tag && *p != ' ')
			text_since_break = TRUE;
		str_append_c(src, *p);
	}
	if (str_len(src) == 0)
		return "";
	ht = mail_html2text_init(MAIL_HTML2TEXT_FLAG_SKIP_QUOTED);
	mail_html2text_more(ht, str_data(src), str_len(src), text);
	mail_html2text_deinit(&ht);
	return str_c(text);
}

static bool mus_mailtext_has_text(const char *text)
{
	if (text == NULL)
		return FALSE;
	for (; *text != '\0'; text++) {
		if (*text != ' ' && *text != '\t' && *text != '\r' &&
		    *text != '\n')
			return TRUE;
	}
	return FALSE;
}

const char *mus_mailtext_trim_line(const char *line)
{
	char *s = t_strdup_noconst(line), *end;

	for (char *p = s; *p != '\0'; p++) {
		if ((unsigned char)p[0] == 0xc2 && (unsigned char)p[1] == 0xa0) {
			p[0] = ' ';
			p[1] = ' ';
		} else if (*p == '\t' || *p == '\r') {
			*p = ' ';
		}
	}
	while (*s == ' ')
		s++;
	end = s + strlen(s);
	while (end > s && end[-1] == ' ')
		end--;
	*end = '\0';
	return s;
}

static bool mus_mailtext_strcasestr(const char *haystack, const char *needle)
{
	size_t len = strlen(needle);

	for (; *haystack != '\0'; haystack++) {
		if (strncasecmp(haystack, needle, len) == 0)
			return TRUE;
	}
	return FALSE;
}

static bool mus_mailtext_line_begins(const char *line,
				  const char *const *words)
{
	for (; *words != NULL; words++) {
		if (strncasecmp(line, *words, strlen(*words)) == 0)
			return TRUE;
	}
	return FALSE;
}

bool mus_mailtext_quote_starts(const char *const *lines, unsigned int i)
{
	static const char *const from_words[] = { "From:", "Fra:", NULL };
	static const char *const next_words[] = {
		"Sent:", "Sendt:", "Date:", "Dato:", "To:", "Til:", NULL
	};
	const char *line = lines[i];
	size_t len = strlen(line);

	/* -----Original Message----- / -----Oprindelig meddelelse----- /
	   ---------- Forwarded message --------- */
	if (str_begins(line, "-----") &&
	    (mus_mailtext_strcasestr(line, "original") ||
	     mus_mailtext_strcasestr(line, "oprindelig") ||
	     mus_mailtext_strcasestr(line, "forwarded") ||
	     mus_mailtext_strcasestr(line, "videresendt")))
		return TRUE;
	/* Outlook's rule above its From:/Sent: block */
	if (len >= 10 && strspn(line, "_") == len)
		return TRUE;
	/* "On ... wrote:", "Den ... skrev ... <x@y>:", also when wrapped */
	if (len > 0 && line[len-1] == ':' &&
	    (mus_mailtext_strcasestr(line, "wrote") ||
	     mus_mailtext_strcasestr(line, "skrev") ||
	     mus_mailtext_strcasestr(line, "schrieb")))
		return TRUE;
	if (mus_mailtext_line_begins(line, from_words)) {
		for (i++; lines[i] != NULL; i++) {
			if (lines[i][0] != '\0')
				return mus_mailtext_line_begins(lines[i], next_words);
		}
	}
	return FALSE;
}

const char *mus_mailtext_body(const char *body_text, const char *body_html)
{
	if (mus_mailtext_has_text(body_text))
		return body_text;
	if (body_html != NULL)
		return mus_mailtext_html_text(body_html);
	return "";
}

const char *const *mus_mailtext_reply_lines(const char *body)
{
	const char *const *raw = t_strsplit(body, "\n");
	const char **lines = t_new(const char *, str_array_length(raw) + 1);
	unsigned int i;

	for (i = 0; raw[i] != NULL; i++)
		lines[i] = mus_mailtext_trim_line(raw[i]);
	for (i = 0; lines[i] != NULL; i++) {
		/* the signature separator is "-- " exactly */
		if (strcmp(raw[i], "-- ") == 0 || strcmp(raw[i], "-- \r") == 0 ||
		    mus_mailtext_quote_starts(lines, i)) {
			lines[i] = NULL;
			break;
		}
	}
	return lines;
}
