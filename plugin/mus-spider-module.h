#ifndef MUS_SPIDER_MODULE_H
#define MUS_SPIDER_MODULE_H

/* The spider (mus-spider) as a module of its own, libmus-spider.so next
   to the object this code is linked into (mus/libmus-doveadm.so in
   doveadm's module directory), loaded when a spider is first drawn: cairo
   and the dozen libraries it pulls in (X11, fontconfig, freetype, ...)
   then cost nothing to the doveadm commands that draw none. A program
   that has mus_spider_png() and mus_spider_svg() linked in and exported
   (the unit tests) uses those instead. */

#include "mus-spider.h"

/* As mus_spider_png() and mus_spider_svg(); -1 also when the module
   cannot be loaded (the error names the file and why). */
int mus_spider_module_png(const struct mus_spider *spider, unsigned int size,
			  buffer_t *png, const char **error_r);
int mus_spider_module_svg(const struct mus_spider *spider, unsigned int size,
			  string_t *svg, const char **error_r);

#endif
