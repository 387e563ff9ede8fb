/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * VLAN settings of ports in JSON: parsed from port.set params into the
 * dataplane's typed struct, and written back for port.list and the
 * configuration file.  Control thread (pure functions, no dataplane state).
 */
#ifndef VSW_CTL_VLAN_H
#define VSW_CTL_VLAN_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <jansson.h>

#include "dp.h"

#define CTL_VLAN_LIST_TEXT \
	12288 /* a trunk list as text; every other VLAN, the longest, is under 10 KB */

/** "none", "access" or "trunk". */
const char *ctl_vlan_mode_name(enum dp_vlan_mode mode);

/**
 * A VLAN list, "10,20-29" or one integer, into a bitmap.
 * @return 0, or -EINVAL with 'err' naming the bad part.
 */
int ctl_vlan_list_parse(const json_t *v, uint64_t bits[DP_VLAN_WORDS], char *err, size_t errlen);

/** The bitmap as "10,20-29" ("" if empty), cut at 'len'. */
void ctl_vlan_list_format(const uint64_t bits[DP_VLAN_WORDS], char *out, size_t len);

/**
 * The VLAN members of port.set 'params' (vlan-mode, vlan, trunks, native)
 * applied to the port's 'current' settings: a vlan-mode starts afresh, other
 * members change the current mode's values.  '*given' says whether any was
 * there (if not, 'out' is untouched).
 * @return 0, or -EINVAL with 'err' saying what was wrong and what to give.
 */
int ctl_port_vlan_parse(const json_t *params, const struct dp_port_vlan *current,
			struct dp_port_vlan *out, bool *given, char *err, size_t errlen);

/**
 * Set the VLAN members of 'obj': for port.list ('config' false: vlan_mode,
 * vlan, trunks, native, null when unused) or for a saved port entry ('config'
 * true: the port.set keys, only those in use).  @return 0 or -ENOMEM.
 */
int ctl_port_vlan_to_json(json_t *obj, const struct dp_port_vlan *v, bool config);

#endif /* VSW_CTL_VLAN_H */
