/* doveadm's plugin: registers the doveadm mus commands and loads their
   module (mus/libmus-doveadm.so, doveadm-mus.h) when one of them is run.
   doveadm loads every plugin for every command, twice (before and after
   reading its configuration), and the module links libical, ICU, libldap,
   libcurl and cJSON: loading it only for a mus command keeps every other
   doveadm command as fast as without MUS. */

#include "lib.h"
#include "module-dir.h"
#include "doveadm.h"
#include "doveadm-cmd.h"
#include "mus-module.h"

#include <dlfcn.h>
#include <sysexits.h>

#define MUS_DOVEADM_MODULE_FILE "mus/libmus-doveadm.so"

const char *doveadm_mus_plugin_version = DOVECOT_ABI_VERSION;

void doveadm_mus_plugin_init(struct module *module);
void doveadm_mus_plugin_deinit(void);

static void *mus_doveadm_module;

static void *mus_doveadm_module_load(void)
{
	const char *path;
	void (*init)(void);

	if (mus_doveadm_module != NULL)
		return mus_doveadm_module;
	path = mus_module_path((const void *)mus_doveadm_module_load,
			       MUS_DOVEADM_MODULE_FILE);
	/* RTLD_GLOBAL: the spider module takes the core's symbols from it */
	mus_doveadm_module = dlopen(path, RTLD_NOW | RTLD_GLOBAL);
	if (mus_doveadm_module == NULL) {
		i_error("mus: loading %s failed: %s", path, dlerror());
		return NULL;
	}
	init = (void (*)(void))dlsym(mus_doveadm_module, "mus_doveadm_module_init");
	if (init == NULL) {
		i_error("mus: %s has no mus_doveadm_module_init", path);
		(void)dlclose(mus_doveadm_module);
		mus_doveadm_module = NULL;
		return NULL;
	}
	init();
	return mus_doveadm_module;
}

static void mus_doveadm_cmd(struct doveadm_cmd_context *cctx)
{
	doveadm_command_ver2_t *cmd = NULL;
	const char *symbol;
	void *module;

	symbol = t_str_replace(t_strconcat("cmd_", cctx->cmd->name, NULL), ' ', '_');
	module = mus_doveadm_module_load();
	if (module != NULL)
		cmd = (doveadm_command_ver2_t *)dlsym(module, symbol);
	if (cmd == NULL) {
		if (module != NULL)
			i_error("mus: %s has no %s", MUS_DOVEADM_MODULE_FILE, symbol);
		doveadm_exit_code = EX_SOFTWARE;
		return;
	}
	cmd(cctx);
}

static struct doveadm_cmd_ver2 mus_doveadm_commands[] = {
	{
		.name = "mus profile list",
		.cmd = mus_doveadm_cmd,
		.usage = "",
		DOVEADM_CMD_PARAMS_START
		DOVEADM_CMD_PARAMS_END
	},
	{
		.name = "mus competences",
		.cmd = mus_doveadm_cmd,
		.usage = "[--unit <DN or name>] [-f text|json]",
		DOVEADM_CMD_PARAMS_START
		DOVEADM_CMD_PARAM('u', "unit", CMD_PARAM_STR, 0)
		DOVEADM_CMD_PARAM('f', "format", CMD_PARAM_STR, 0)
		DOVEADM_CMD_PARAMS_END
	},
	{
		.name = "mus status",
		.cmd = mus_doveadm_cmd,
		.usage = "",
		DOVEADM_CMD_PARAMS_START
		DOVEADM_CMD_PARAMS_END
	},
	{
		.name = "mus report",
		.cmd = mus_doveadm_cmd,
		.usage = "--html <file>",
		DOVEADM_CMD_PARAMS_START
		DOVEADM_CMD_PARAM('\0', "html", CMD_PARAM_STR, 0)
		DOVEADM_CMD_PARAMS_END
	},
	{
		.name = "mus sync",
		.cmd = mus_doveadm_cmd,
		.usage = "[--dry-run [--eml-dir <dir>]] [--round <name>]",
		DOVEADM_CMD_PARAMS_START
		DOVEADM_CMD_PARAM('n', "dry-run", CMD_PARAM_BOOL, 0)
		DOVEADM_CMD_PARAM('r', "round", CMD_PARAM_STR, 0)
		DOVEADM_CMD_PARAM('e', "eml-dir", CMD_PARAM_STR, 0)
		DOVEADM_CMD_PARAMS_END
	},
	{
		.name = "mus purge",
		.cmd = mus_doveadm_cmd,
		.usage = "--older-than <period> [--dry-run]",
		DOVEADM_CMD_PARAMS_START
		DOVEADM_CMD_PARAM('\0', "older-than", CMD_PARAM_STR, 0)
		DOVEADM_CMD_PARAM('n', "dry-run", CMD_PARAM_BOOL, 0)
		DOVEADM_CMD_PARAMS_END
	},
	{
		.name = "mus round create",
		.cmd = mus_doveadm_cmd,
		.usage = "--name <name> --kind MUS|GRUS|TUS|LUS --start <YYYY-MM-DD> "
			"--end <YYYY-MM-DD> --duration <minutes> [--workday <HHMM-HHMM>] "
			"[--max-per-day <n>] [--buffer <minutes>] [--scope-base <dn>] "
			"[--scope-filter <filter>] [--card <code> ...] "
			"[--closed <YYYY-MM-DD> ...] [--location <text>] "
			"[--state draft|active|closed]",
		DOVEADM_CMD_PARAMS_START
		DOVEADM_CMD_PARAM('\0', "name", CMD_PARAM_STR, 0)
		DOVEADM_CMD_PARAM('\0', "kind", CMD_PARAM_STR, 0)
		DOVEADM_CMD_PARAM('\0', "start", CMD_PARAM_STR, 0)
		DOVEADM_CMD_PARAM('\0', "end", CMD_PARAM_STR, 0)
		DOVEADM_CMD_PARAM('\0', "duration", CMD_PARAM_STR, 0)
		DOVEADM_CMD_PARAM('\0', "workday", CMD_PARAM_STR, 0)
		DOVEADM_CMD_PARAM('\0', "max-per-day", CMD_PARAM_STR, 0)
		DOVEADM_CMD_PARAM('\0', "buffer", CMD_PARAM_STR, 0)
		DOVEADM_CMD_PARAM('\0', "scope-base", CMD_PARAM_STR, 0)
		DOVEADM_CMD_PARAM('\0', "scope-filter", CMD_PARAM_STR, 0)
		DOVEADM_CMD_PARAM('\0', "card", CMD_PARAM_ARRAY, 0)
		DOVEADM_CMD_PARAM('\0', "closed", CMD_PARAM_ARRAY, 0)
		DOVEADM_CMD_PARAM('\0', "location", CMD_PARAM_STR, 0)
		DOVEADM_CMD_PARAM('\0', "state", CMD_PARAM_STR, 0)
		DOVEADM_CMD_PARAMS_END
	},
	{
		.name = "mus plan submit",
		.cmd = mus_doveadm_cmd,
		.usage = "<conversation DN, UID or reference> <file.json>",
		DOVEADM_CMD_PARAMS_START
		DOVEADM_CMD_PARAM('\0', "conversation", CMD_PARAM_STR, CMD_PARAM_FLAG_POSITIONAL)
		DOVEADM_CMD_PARAM('\0', "file", CMD_PARAM_STR, CMD_PARAM_FLAG_POSITIONAL)
		DOVEADM_CMD_PARAMS_END
	},
	{
		.name = "mus round show",
		.cmd = mus_doveadm_cmd,
		.usage = "--name <name>",
		DOVEADM_CMD_PARAMS_START
		DOVEADM_CMD_PARAM('\0', "name", CMD_PARAM_STR, 0)
		DOVEADM_CMD_PARAMS_END
	},
	{
		.name = "mus round list",
		.cmd = mus_doveadm_cmd,
		.usage = "",
		DOVEADM_CMD_PARAMS_START
		DOVEADM_CMD_PARAMS_END
	},
};

void doveadm_mus_plugin_init(struct module *module ATTR_UNUSED)
{
	for (unsigned int i = 0; i < N_ELEMENTS(mus_doveadm_commands); i++)
		doveadm_cmd_register_ver2(&mus_doveadm_commands[i]);
}

void doveadm_mus_plugin_deinit(void)
{
	/* the module stays loaded until the process ends: what its
	   commands registered (atexit, the data stack) may point into it */
}
