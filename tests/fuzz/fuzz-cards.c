/* libFuzzer target for the card catalogue: every input is written as
   cards/catalogue.json of a private templates directory, whose other
   files are links to the card texts of ical-templates/cards/, and read
   with mus_cards_load() (through mus_file_read()). Built and run by
   `make fuzz`. */

#include "lib.h"
#include "mus-cards.h"
#include "mus-fuzz.h"

#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <unistd.h>

static const char *fuzz_dir, *fuzz_catalogue;

static void fuzz_cleanup(void)
{
	const char *cards_dir = t_strconcat(fuzz_dir, "/cards", NULL);
	DIR *dir = opendir(cards_dir);
	struct dirent *d;

	while (dir != NULL && (d = readdir(dir)) != NULL) {
		if (d->d_name[0] != '.')
			i_unlink(t_strconcat(cards_dir, "/", d->d_name, NULL));
	}
	if (dir != NULL)
		closedir(dir);
	(void)rmdir(cards_dir);
	(void)rmdir(fuzz_dir);
}

/* a templates directory in /tmp whose cards/ links to the real card
   texts, removed when the fuzzer exits */
static void fuzz_dir_create(void)
{
	const char *src = MUS_FUZZ_TEMPLATES_DIR "/cards";
	char template[] = "/tmp/mus-fuzz-cards.XXXXXX";
	struct dirent *d;
	DIR *dir;

	if (mkdtemp(template) == NULL)
		i_fatal("mkdtemp(%s) failed: %m", template);
	fuzz_dir = i_strdup(template);
	fuzz_catalogue = i_strconcat(fuzz_dir, "/cards/catalogue.json", NULL);
	if (mkdir(t_strconcat(fuzz_dir, "/cards", NULL), 0700) < 0)
		i_fatal("mkdir(%s/cards) failed: %m", fuzz_dir);
	atexit(fuzz_cleanup);
	if ((dir = opendir(src)) == NULL)
		i_fatal("opendir(%s) failed: %m", src);
	while ((d = readdir(dir)) != NULL) {
		if (d->d_name[0] == '.' ||
		    strcmp(d->d_name, "catalogue.json") == 0)
			continue;
		if (symlink(t_strconcat(src, "/", d->d_name, NULL),
			    t_strconcat(fuzz_dir, "/cards/", d->d_name,
					NULL)) < 0)
			i_fatal("symlink(%s) failed: %m", d->d_name);
	}
	closedir(dir);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	mus_fuzz_init();
	if (fuzz_dir == NULL)
		fuzz_dir_create();
	T_BEGIN {
		struct mus_cards *cards;
		const char *error;
		FILE *f = fopen(fuzz_catalogue, "w");

		if (f == NULL || fwrite(data, 1, size, f) != size ||
		    fclose(f) != 0)
			i_fatal("writing %s failed: %m", fuzz_catalogue);
		if (mus_cards_load(fuzz_dir, &cards, &error) == 0) {
			i_assert(mus_cards_count(cards) > 0);
			mus_cards_free(&cards);
		}
	} T_END;
	return 0;
}
