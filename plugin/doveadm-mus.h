#ifndef DOVEADM_MUS_H
#define DOVEADM_MUS_H

/* The doveadm mus commands, in mus/libmus-doveadm.so: doveadm's plugin
   (doveadm-mus-plugin.c) registers them and loads this module when one is
   run. The function of "mus round create" is cmd_mus_round_create(): the
   command's name with "cmd_" before it and '_' for each space. */

struct doveadm_cmd_context;

/* Called once, right after the module is loaded. */
void mus_doveadm_module_init(void);

void cmd_mus_status(struct doveadm_cmd_context *cctx);
void cmd_mus_sync(struct doveadm_cmd_context *cctx);
void cmd_mus_report(struct doveadm_cmd_context *cctx);
void cmd_mus_purge(struct doveadm_cmd_context *cctx);
void cmd_mus_competences(struct doveadm_cmd_context *cctx);
void cmd_mus_profile_list(struct doveadm_cmd_context *cctx);
void cmd_mus_plan_submit(struct doveadm_cmd_context *cctx);
void cmd_mus_round_create(struct doveadm_cmd_context *cctx);
void cmd_mus_round_list(struct doveadm_cmd_context *cctx);
void cmd_mus_round_show(struct doveadm_cmd_context *cctx);

#endif
