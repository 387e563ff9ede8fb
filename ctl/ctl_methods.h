/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The methods vswd serves, one table per feature (ctl_port.c, ctl_bd.c,
 * ctl_fdb.c, ctl_events.c, ctl_overlay.c, ctl_lookup.c, ctl_stats.c, ctl_show.c,
 * ctl_system.c), and the replay of the saved configuration through those
 * same methods at start-up.
 *
 * Handlers validate nothing the method row already checks, call only the
 * public dataplane API (dp.h) and build JSON; the dataplane never sees
 * jansson.
 *
 * Thread-safety: control thread only.
 */
#ifndef VSW_CTL_METHODS_H
#define VSW_CTL_METHODS_H

#include <stdbool.h>
#include <stdint.h>

#include <jansson.h>

#include "ctl_rpc.h"

struct ctl_config;
struct ctl_server;
struct dp_bd_info;
struct dp_event;
struct dp_port_info;
struct ovl_ip;
struct ovl_prefix;

/* What the handlers share. */
struct ctl_state {
	struct ctl_config *config; /**< saved configuration, or NULL to save nothing */
	json_t *port_errors;	   /**< port name -> why the configured port could not be opened */
};

extern const struct ctl_method ctl_port_methods[]; /* port.add, port.del, port.set, port.list */
extern const struct ctl_method ctl_bd_methods[];   /* bd.add, bd.del, bd.set, bd.list */
extern const struct ctl_method
	ctl_fdb_methods[]; /* fdb.show, fdb.flush, fdb.add, fdb.del, fdb.stats */
extern const struct ctl_method ctl_stats_methods[];  /* stats.show, stats.pmd */
extern const struct ctl_method ctl_system_methods[]; /* system.version */
/* uplink.set, pa.add, pa.del, pa.list, route.add, route.del, route.show, neigh.add, neigh.del,
 * neigh.show */
extern const struct ctl_method ctl_overlay_methods[];
extern const struct ctl_method ctl_lookup_methods[]; /* lookup.add, lookup.del, lookup.show */
extern const struct ctl_method ctl_show_methods[];   /* system.show */
/* rd.add, rd.del, rd.list, rd.route.add, rd.route.del, rd.route.show */
extern const struct ctl_method ctl_rd_methods[];

/**
 * Prepare 'st' for 'config' (may be NULL), register every method table on
 * 'rpc' and, with a configuration, save it after every accepted change.
 * @return 0 or -errno.
 */
int ctl_methods_init(struct ctl_rpc *rpc, struct ctl_state *st, struct ctl_config *config);

/** Release what ctl_methods_init() took.  Accepts a zeroed struct. */
void ctl_methods_fini(struct ctl_state *st);

/**
 * Re-create the saved configuration in dependency order: each routing
 * domain (rd.add) and its customer routes (rd.route.add), each bridge domain
 * (bd.add) and its settings (bd.set, the VSID among them), each port
 * (port.add) and its settings (port.set), the uplink (uplink.set), provider
 * addresses (pa.add), provider routes (route.add), static neighbours
 * (neigh.add), lookup records (lookup.add), then the static MAC entries
 * (fdb.add).  What cannot be
 * re-created is logged and stays in the configuration; such ports are listed
 * with their error.  A setting that fails does not undo its domain or port.
 * @return the number of calls that failed.
 */
unsigned int ctl_restore(struct ctl_rpc *rpc, struct ctl_state *st);

/** @return true if 'key' of a saved port entry is a port.set setting, not a port option. */
bool ctl_port_is_setting(const char *key);

/** @return true if the saved configuration names port 'name' as the uplink. */
bool ctl_is_saved_uplink(const struct ctl_state *st, const char *name);

/* JSON builders shared by the list methods and system.show (new references, NULL on ENOMEM). */
json_t *ctl_bd_info_json(const struct dp_bd_info *b);
json_t *ctl_port_info_json(const struct dp_port_info *p);
/** Open ports, then configured ports in error, as port.list shows them. */
json_t *ctl_port_list_json(const struct ctl_state *st);
/** The uplink and PAs, as uplink.set and system.show show them. */
json_t *ctl_overlay_json(void);
/** Provider routes, as route.show shows them. */
json_t *ctl_route_list_json(void);
/** Routing domains, as rd.list shows them. */
json_t *ctl_rd_list_json(void);

/*
 * Parameter parsers for the overlay methods (ctl_params.c): on failure they set call->code
 * to CTL_E_INVALID_PARAMS and call->err to a sentence naming params.'key'.
 * @return 0 or -EINVAL.
 */
int ctl_param_ipv4(struct ctl_call *call, const char *key, char *canon);
/* A provider address of either family: typed into 'ip', canonical text into 'canon' (CTL_IP_TEXT). */
int ctl_param_ip(struct ctl_call *call, const char *key, struct ovl_ip *ip, char *canon);
/* "ADDRESS/LEN" of either family: typed into 'prefix', canonical text into 'canon' (CTL_IPPREFIX_TEXT). */
int ctl_param_prefix(struct ctl_call *call, const char *key, struct ovl_prefix *prefix,
		     char *canon);
/** 'ip' as text into 'buf' (CTL_IP_TEXT bytes); "" for family 0.  @return 'buf'. */
char *ctl_ip_format(const struct ovl_ip *ip, char *buf);
/** 'p' as "ADDRESS/LEN" into 'buf' (CTL_IPPREFIX_TEXT bytes); "" for family 0.  @return 'buf'. */
char *ctl_prefix_format(const struct ovl_prefix *p, char *buf);
int ctl_param_mac(struct ctl_call *call, const char *key, uint8_t mac[6], char *text);
int ctl_param_vsid(struct ctl_call *call, const char *key, uint32_t *vsid);

/**
 * Offer the MAC-table events (fdb.learned, fdb.moved, fdb.aged, fdb.flap) on
 * 'srv', register events.subscribe and events.unsubscribe, and deliver the
 * dataplane's events to its subscribers from now on (ctl_events.c).
 * Call ctl_events_detach() before closing 'srv'.  @return 0 or -errno.
 */
int ctl_events_attach(struct ctl_server *srv);
void ctl_events_detach(void);

/** @return the notification params for 'ev' (new reference), or NULL on ENOMEM. */
json_t *ctl_event_params(const struct dp_event *ev);

#endif /* VSW_CTL_METHODS_H */
