/* Where our lazily loaded modules are (see mus-module.h). */

/* dladdr() */
#ifndef _GNU_SOURCE
#  define _GNU_SOURCE
#endif
#include "lib.h"
#include "mus-module.h"

#include <dlfcn.h>

const char *mus_module_path(const void *symbol, const char *file)
{
	Dl_info info;
	const char *slash;

	if (dladdr(symbol, &info) == 0 || info.dli_fname == NULL ||
	    (slash = strrchr(info.dli_fname, '/')) == NULL)
		return file;
	return t_strdup_printf("%s/%s", t_strdup_until(info.dli_fname, slash),
			       file);
}
