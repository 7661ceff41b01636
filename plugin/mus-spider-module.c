/* Loading the spider module on first use (see mus-spider-module.h). */

/* RTLD_DEFAULT */
#ifndef _GNU_SOURCE
#  define _GNU_SOURCE
#endif
#include "lib.h"
#include "buffer.h"
#include "str.h"
#include "mus-module.h"
#include "mus-spider-module.h"

#include <dlfcn.h>

#define MUS_SPIDER_MODULE_FILE "libmus-spider.so"

typedef int mus_spider_png_t(const struct mus_spider *spider,
			     unsigned int size, buffer_t *png,
			     const char **error_r);
typedef int mus_spider_svg_t(const struct mus_spider *spider,
			     unsigned int size, string_t *svg,
			     const char **error_r);

/* Loaded once per process and kept: a sync may draw many. A failure is
   kept too, so that it is not tried (and logged) once per card. */
static struct {
	bool tried;
	void *handle;
	mus_spider_png_t *png;
	mus_spider_svg_t *svg;
	char *error;
} mus_spider_module;

static const char *mus_spider_module_path(void)
{
	return mus_module_path((const void *)mus_spider_module_path,
			       MUS_SPIDER_MODULE_FILE);
}

static int mus_spider_module_load(const char **error_r)
{
	const char *path;

	if (mus_spider_module.tried) {
		*error_r = mus_spider_module.error;
		return mus_spider_module.error == NULL ? 0 : -1;
	}
	mus_spider_module.tried = TRUE;
	/* a program with the spider linked in (the unit tests) uses its own */
	mus_spider_module.png = (mus_spider_png_t *)dlsym(RTLD_DEFAULT, "mus_spider_png");
	mus_spider_module.svg = (mus_spider_svg_t *)dlsym(RTLD_DEFAULT, "mus_spider_svg");
	if (mus_spider_module.png != NULL && mus_spider_module.svg != NULL)
		return 0;
	path = mus_spider_module_path();
	/* RTLD_LOCAL: its symbols stay its own; it takes Dovecot's and the
	   core's from the process, as the plugins do */
	mus_spider_module.handle = dlopen(path, RTLD_NOW | RTLD_LOCAL);
	if (mus_spider_module.handle != NULL) {
		mus_spider_module.png = (mus_spider_png_t *)
			dlsym(mus_spider_module.handle, "mus_spider_png");
		mus_spider_module.svg = (mus_spider_svg_t *)
			dlsym(mus_spider_module.handle, "mus_spider_svg");
	}
	if (mus_spider_module.png == NULL || mus_spider_module.svg == NULL) {
		const char *why = dlerror();

		mus_spider_module.error = i_strdup_printf(
			"loading the spider module %s failed: %s", path,
			why == NULL ? "mus_spider_png or mus_spider_svg missing" : why);
		if (mus_spider_module.handle != NULL) {
			(void)dlclose(mus_spider_module.handle);
			mus_spider_module.handle = NULL;
		}
		*error_r = mus_spider_module.error;
		return -1;
	}
	return 0;
}

int mus_spider_module_png(const struct mus_spider *spider, unsigned int size,
			  buffer_t *png, const char **error_r)
{
	if (mus_spider_module_load(error_r) < 0)
		return -1;
	return mus_spider_module.png(spider, size, png, error_r);
}

int mus_spider_module_svg(const struct mus_spider *spider, unsigned int size,
			  string_t *svg, const char **error_r)
{
	if (mus_spider_module_load(error_r) < 0)
		return -1;
	return mus_spider_module.svg(spider, size, svg, error_r);
}
