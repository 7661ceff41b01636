#ifndef MUS_FILE_H
#define MUS_FILE_H

/* Reading the files admins edit (catalogue, templates, texts, cards). */

/* Read the regular file path, of at most max_size bytes, as a
   NUL-terminated string on the data stack; *size_r is its length (a NUL
   byte inside makes it differ from strlen()). Returns 0, or -1 with an
   error that starts with the path. */
int mus_file_read(const char *path, size_t max_size, const char **text_r,
		  size_t *size_r, const char **error_r);

/* The line (from 1) of text that pos, inside text, is on. */
unsigned int mus_file_line_of(const char *text, const char *pos);

#endif
