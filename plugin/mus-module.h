#ifndef MUS_MODULE_H
#define MUS_MODULE_H

/* Modules of our own that are loaded when first needed: they are found
   next to the object that loads them, wherever that was installed (or
   built). */

/* "<directory of the shared object or program containing symbol>/file",
   allocated from the data stack; file alone if that is unknown. */
const char *mus_module_path(const void *symbol, const char *file);

#endif
