/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The bridge-domain settings as users see them: one table (ctl_bd_settings.c)
 * gives each member of struct dp_bd_settings (dp.h) its bd.set key, its type
 * and range, its help, how bd.list shows it and how the configuration saves
 * it.  bd.set, bd.add's vsid, bd.list, fdb.stats and the saved "bds" entries
 * all go through it, so adding a setting is one row here and one member
 * there (with its default in dp_bd_defaults).
 *
 * Thread-safety: control thread only.
 */
#ifndef VSW_CTL_BD_SETTINGS_H
#define VSW_CTL_BD_SETTINGS_H

#include <stdbool.h>

#include <jansson.h>

#include "ctl_rpc.h"
#include "dp.h"

/**
 * bd.set's declared parameters ("name" and every setting, with its JSON
 * type), for the method table and system.methods; filled by
 * ctl_bd_settings_init(), which ctl_methods_init() calls first.
 */
extern struct ctl_param ctl_bd_set_params[];
void ctl_bd_settings_init(void);

/**
 * Parse the member 'key' = 'v' of a bd.set (or bd.add) call into 's'.
 * @return 0; -EINVAL with call->err and call->code set (unknown key, wrong
 * type, out of range); 'saved' (may be NULL) receives the value to record
 * in the configuration (a new reference).
 */
int ctl_bd_setting_parse(struct ctl_call *call, const char *key, json_t *v,
			 struct dp_bd_settings *s, json_t **saved);

/** Add every setting of 's' to the bd.list row 'row'; fdb_only: only the MAC-table ones. */
int ctl_bd_settings_show(json_t *row, const struct dp_bd_settings *s, bool fdb_only);

/** The bd.set keys, comma-separated, for sentences that list them. */
const char *ctl_bd_setting_keys(void);

/**
 * Put dp_bd_apply()'s refusal 'rc'/'why' of settings 's' for bridge domain
 * 'name' into call->err (and call->code for -EINVAL).  @return rc.
 */
int ctl_bd_refusal(struct ctl_call *call, const char *name, const struct dp_bd_settings *s, int rc,
		   const struct dp_bd_refusal *why);

#endif /* VSW_CTL_BD_SETTINGS_H */
