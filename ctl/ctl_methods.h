/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The methods vswd serves, one table per feature (ctl_port.c, ctl_bd.c,
 * ctl_fdb.c, ctl_stats.c, ctl_system.c), and the replay of the saved
 * configuration through those same methods at start-up.
 *
 * Handlers validate nothing the method row already checks, call only the
 * public dataplane API (dp.h) and build JSON; the dataplane never sees
 * jansson.
 *
 * Thread-safety: control thread only.
 */
#ifndef VSW_CTL_METHODS_H
#define VSW_CTL_METHODS_H

#include <jansson.h>

#include "ctl_rpc.h"

struct ctl_config;

/* What the handlers share. */
struct ctl_state {
	struct ctl_config *config; /**< saved configuration, or NULL to save nothing */
	json_t *port_errors;	   /**< port name -> why the configured port could not be opened */
};

extern const struct ctl_method ctl_port_methods[];   /* port.add, port.del, port.list */
extern const struct ctl_method ctl_bd_methods[];     /* bd.add, bd.del, bd.list */
extern const struct ctl_method ctl_fdb_methods[];    /* fdb.show, fdb.flush */
extern const struct ctl_method ctl_stats_methods[];  /* stats.show, stats.pmd */
extern const struct ctl_method ctl_system_methods[]; /* system.version */

/**
 * Prepare 'st' for 'config' (may be NULL), register every method table on
 * 'rpc' and, with a configuration, save it after every accepted change.
 * @return 0 or -errno.
 */
int ctl_methods_init(struct ctl_rpc *rpc, struct ctl_state *st, struct ctl_config *config);

/** Release what ctl_methods_init() took.  Accepts a zeroed struct. */
void ctl_methods_fini(struct ctl_state *st);

/**
 * Re-create the saved bridge domains, then the saved ports.  What cannot be
 * re-created is logged and stays in the configuration; such ports are listed
 * with their error.  @return the number of entries that failed.
 */
unsigned int ctl_restore(struct ctl_rpc *rpc, struct ctl_state *st);

#endif /* VSW_CTL_METHODS_H */
