#ifndef MUS_MAILTEXT_H
#define MUS_MAILTEXT_H

/* The words a person typed into a reply, as the readers of card choices
   and development plans need them: the plain body, or the HTML body as
   text; each line trimmed; where the quoted original starts. */

/* The body to read: body_text if it has any text, else body_html as
   text (one line per paragraph, <br> or block; <blockquote>d quotes
   left out), else "". Either may be NULL. From the data stack. */
const char *mus_mailtext_body(const char *body_text, const char *body_html);

/* line with no-break spaces (U+00A0, which HTML mail is full of), tabs
   and CRs as spaces, and surrounding spaces trimmed. From the data
   stack. */
const char *mus_mailtext_trim_line(const char *line);

/* Does the quoted original start at lines[i] (a NULL-terminated array of
   trimmed lines)? TRUE for "-----Original Message-----" and its Danish
   and forwarding variants, Outlook's rule of underscores, "On ...
   wrote:" / "Den ... skrev:", and a "From:"/"Fra:" line whose next
   non-empty line is "Sent:", "Date:", "To:" or their Danish words. */
bool mus_mailtext_quote_starts(const char *const *lines, unsigned int i);

/* The lines the person wrote: body split at LF, each trimmed, ending
   (NULL) before the signature separator "-- " or where the quoted
   original starts. Line i is line i+1 of body. From the data stack. */
const char *const *mus_mailtext_reply_lines(const char *body);

#endif
