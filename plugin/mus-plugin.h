#ifndef MUS_PLUGIN_H
#define MUS_PLUGIN_H

extern const char *mus_plugin_dependencies[];

void mus_plugin_init(struct module *module);
void mus_plugin_deinit(void);

#endif
