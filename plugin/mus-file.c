/* Reading the files admins edit. */

#include "lib.h"
#include "str.h"
#include "mus-file.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

int mus_file_read(const char *path, size_t max_size, const char **text_r,
		  size_t *size_r, const char **error_r)
{
	char chunk[8192];
	struct stat st;
	string_t *text;
	ssize_t ret;
	int fd;

	fd = open(path, O_RDONLY);
	if (fd < 0) {
		*error_r = t_strdup_printf("%s: open() failed: %m", path);
		return -1;
	}
	if (fstat(fd, &st) < 0) {
		*error_r = t_strdup_printf("%s: fstat() failed: %m", path);
		i_close_fd(&fd);
		return -1;
	}
	if (!S_ISREG(st.st_mode)) {
		*error_r = t_strdup_printf("%s: not a regular file", path);
		i_close_fd(&fd);
		return -1;
	}
	if ((uintmax_t)st.st_size > max_size) {
		*error_r = t_strdup_printf("%s: larger than %zu bytes", path,
					   max_size);
		i_close_fd(&fd);
		return -1;
	}
	text = t_str_new(st.st_size + 1);
	/* the size from fstat() is only a hint: the file may grow meanwhile */
	while ((ret = read(fd, chunk, sizeof(chunk))) > 0) {
		str_append_data(text, chunk, ret);
		if (str_len(text) > max_size)
			break;
	}
	i_close_fd(&fd);
	if (ret < 0) {
		*error_r = t_strdup_printf("%s: read() failed: %m", path);
		return -1;
	}
	if (str_len(text) > max_size) {
		*error_r = t_strdup_printf("%s: larger than %zu bytes", path,
					   max_size);
		return -1;
	}
	*text_r = str_c(text);
	*size_r = str_len(text);
	return 0;
}

unsigned int mus_file_line_of(const char *text, const char *pos)
{
	unsigned int line = 1;

	for (const char *p = text; p < pos && *p != '\0'; p++) {
		if (*p == '\n')
			line++;
	}
	return line;
}
