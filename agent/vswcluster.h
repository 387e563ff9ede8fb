/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * What vswcluster's command files share: the etcd client, the key prefix,
 * the output mode and the helpers for errors and listings (vswcluster.c).
 */
#ifndef VSW_VSWCLUSTER_H
#define VSW_VSWCLUSTER_H

#include <stdbool.h>
#include <stdint.h>

#include <jansson.h>

#include "etcd.h"

enum { EXIT_REFUSED = 1, EXIT_USAGE = 2, EXIT_CONNECT = 3 };

extern const char *prefix;	/**< key prefix, "/vsw/v1" unless --prefix */
extern bool json_out;		/**< --json */
extern struct etcd_client *etcd; /**< the cluster */

/** Print the usage; @return EXIT_USAGE. */
int usage(void);
/** Report a failed etcd call; @return EXIT_CONNECT when etcd is unreachable, else EXIT_REFUSED. */
int etcd_fail(int rc, const char *what);
/** Parse a VSID argument (4096-16777214), complaining on stderr. */
bool parse_vsid(const char *s, uint32_t *vsid);
void print_json(json_t *j);
/** Every value under PREFIX/'sub' as objects with "key" and "revision" added ('vsid' 0 = all). */
int list(const char *sub, uint32_t vsid, json_t **rows);
/** The same, and the revision the rows reflect (for a transaction's comparison). */
int list_rev(const char *sub, uint32_t vsid, json_t **rows, int64_t *revision);
/** row.k as a string, "-" when absent. */
const char *str(json_t *row, const char *k);

/* vswcluster_rd.c */
/** subnet add NAME vsid=N [rd=RD gateway=IP/LEN] (argv[0] = "add"). */
int subnet_add(int argc, char **argv);
/** subnet set VSID rd=RD gateway=IP/LEN | rd=none (argv[0] = "set"). */
int subnet_set(int argc, char **argv);
/** rd add|del|list|route ... (argv[0] = the verb). */
int rd_cmd(int argc, char **argv);

#endif
