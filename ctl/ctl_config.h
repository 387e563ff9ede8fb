/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The saved configuration: what the user asked for, replayed on start.
 *
 * The file is one JSON object:
 *
 *   {"version": 1,
 *    "bds":   [{"name": "blue", "aging": 60, "max-macs": 1000}, ...],
 *    "ports": [{"name": "vm1", "type": "kernel", "bd": "blue", "iface": "tap0",
 *               "max-macs": 16, "allowed-macs": "02:00:00:00:00:01"}, ...],
 *    "fdb_static": [{"bd": "blue", "mac": "02:00:00:00:00:02", "port": "vm1"}, ...],
 *    "uplink": {"port": "up0", "mtu": 1500},
 *    "pas": [{"address": "198.51.100.1/24"}, ...],
 *    "routes": [{"prefix": "0.0.0.0/0", "via": "198.51.100.254"}, ...],
 *    "neighbours": [{"ip": "198.51.100.254", "mac": "02:00:00:00:00:fe"}, ...],
 *    "lookups": [{"vsid": 5001, "ca_ip": "203.0.113.1", "ca_mac": "02:00:00:00:00:01",
 *                 "pa": "198.51.100.1"}, ...]}
 *
 * A bridge-domain object holds its name and the settings given to bd.set
 * (a "default" entry holds only settings: that domain always exists).  A
 * port object holds its name, type and bridge domain, its type-specific
 * options, and the settings given to port.set (ctl_port_is_setting()).
 * "fdb_static" holds the static MAC entries, replayed after every port.
 * The overlay (NVGRE) members are written only once something was configured
 * there: the uplink port and its IP MTU, the provider addresses, provider
 * routes, static neighbours and customer->provider lookup records; a bridge
 * domain's VSID is one of its settings ("vsid").  An entry of "pas" is
 * identified by its address without the prefix length, of "routes" by its
 * prefix, of "neighbours" by its IP, of "lookups" by VSID and customer IP.
 * Files written before settings, "fdb_static" or the overlay existed load
 * unchanged.
 * Top-level members this version does not know are kept as they are when
 * the file is rewritten, so an older daemon never drops what a newer one
 * saved.
 *
 * Every save writes a temporary file in the same directory, syncs it, renames
 * it over the old one and syncs the directory, so a crash leaves either the
 * old or the new file, never a mix.  A file that cannot be parsed is never
 * overwritten: loading fails and the daemon refuses to start.
 *
 * Thread-safety: control thread only.
 */
#ifndef VSW_CTL_CONFIG_H
#define VSW_CTL_CONFIG_H

#include <stddef.h>

#include <jansson.h>

#define CTL_CONFIG_VERSION 1 /* the file format this daemon writes */

struct ctl_config {
	char *path;   /**< the file */
	json_t *root; /**< its content, an object with "version", "bds" and "ports" */
};

/**
 * Load 'path' into 'cfg'.  A missing file is an empty configuration and is
 * created.  @return 0, or -EINVAL (bad JSON or shape: 'err' gives the reason
 * and the line:column or member), or another -errno for I/O errors.
 */
int ctl_config_load(struct ctl_config *cfg, const char *path, char *err, size_t errlen);

/** Write 'cfg' atomically to its file. @return 0 or -errno with a message in 'err'. */
int ctl_config_save(const struct ctl_config *cfg, char *err, size_t errlen);

/** Release what 'cfg' holds.  Accepts a zeroed struct. */
void ctl_config_free(struct ctl_config *cfg);

/**
 * Check that 'root' has the shape described above.
 * @return 0 or -EINVAL with the offending member named in 'err'.
 */
int ctl_config_check(const json_t *root, char *err, size_t errlen);

/**
 * @return the member 'section' of 'cfg' (borrowed): the arrays "bds", "ports"
 *   and "fdb_static" are never NULL after a load; the overlay members may be
 *   NULL (never configured).
 */
json_t *ctl_config_section(const struct ctl_config *cfg, const char *section);

/** @return the object named 'name' in 'section' (borrowed), or NULL. */
json_t *ctl_config_find(const struct ctl_config *cfg, const char *section, const char *name);

/** Append 'obj' (a reference is taken) to 'section'. @return 0 or -ENOMEM. */
int ctl_config_add(struct ctl_config *cfg, const char *section, json_t *obj);

/** Remove the object named 'name' from 'section'. @return 0 or -ENOENT. */
int ctl_config_remove(struct ctl_config *cfg, const char *section, const char *name);

/** @return the static entry for 'bd' and 'mac' (canonical text) in "fdb_static", or NULL. */
json_t *ctl_config_find_static(const struct ctl_config *cfg, const char *bd, const char *mac);

/**
 * Remove the static entries of "fdb_static" whose member 'key' ("bd",
 * "port" or "mac") is 'value' and, if 'mac' is not NULL, whose "mac" is
 * 'mac'.  @return the number removed.
 */
unsigned int ctl_config_remove_static(struct ctl_config *cfg, const char *key, const char *value,
				      const char *mac);

/**
 * The entry of overlay section 'section' ("pas", "routes", "neighbours",
 * "lookups") that is the same as 'probe' (an object holding at least the
 * identity members).  @return it (borrowed), or NULL.
 */
json_t *ctl_config_find_entry(const struct ctl_config *cfg, const char *section, json_t *probe);

/** Replace the entry the same as 'obj' (a reference is taken), or append it. @return 0 or -ENOMEM. */
int ctl_config_put_entry(struct ctl_config *cfg, const char *section, json_t *obj);

/** Remove the entry the same as 'probe'. @return 0 or -ENOENT. */
int ctl_config_remove_entry(struct ctl_config *cfg, const char *section, json_t *probe);

#endif /* VSW_CTL_CONFIG_H */
