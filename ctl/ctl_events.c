/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Events on the control socket, in one place: which events there are (the
 * MAC table's fdb.learned, fdb.moved, fdb.aged, fdb.flap, and events.lost),
 * their JSON, and the events.subscribe / events.unsubscribe methods.  The
 * dataplane delivers them from the control thread's periodic work
 * (dataplane/dp_events.c); ctl_server.c queues them on each subscriber's
 * connection and drops them for one that does not read.  Control thread only.
 */
#include <errno.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include "ctl_methods.h"
#include "ctl_rpc.h"
#include "ctl_server.h"
#include "ctl_util.h"
#include "dp.h"

/*
 * The MAC table's events as subscribers see them, by enum dp_event_type:
 * the one table of their names (the dataplane passes only the type), and
 * the bits of a subscription.  DP_EVENT_LOST has none: it reaches every
 * subscriber as events.lost (ctl_server.c).
 */
static const char *const fdb_event_names[] = {
	[DP_EVENT_LEARNED] = "fdb.learned",
	[DP_EVENT_MOVED] = "fdb.moved",
	[DP_EVENT_AGED] = "fdb.aged",
	[DP_EVENT_FLAP] = "fdb.flap",
};

json_t *
ctl_event_params(const struct dp_event *ev)
{
	const char *cause = ev->cause != NULL ? ev->cause : "";
	char mac[CTL_MAC_TEXT];

	ctl_mac_format(ev->mac, mac);
	switch (ev->type) {
	case DP_EVENT_LEARNED:
		return json_pack("{s:s, s:s, s:s, s:s}", "bd", ev->bd, "mac", mac, "port", ev->to,
				 "cause", cause);
	case DP_EVENT_MOVED:
		return json_pack("{s:s, s:s, s:s, s:s, s:s}", "bd", ev->bd, "mac", mac, "from",
				 ev->from, "to", ev->to, "cause", cause);
	case DP_EVENT_AGED:
		return json_pack("{s:s, s:s, s:s}", "bd", ev->bd, "mac", mac, "port", ev->to);
	case DP_EVENT_FLAP:
		return json_pack("{s:s, s:s, s:s, s:s, s:I, s:b}", "bd", ev->bd, "mac", mac, "from",
				 ev->from, "to", ev->to, "moves", (json_int_t)ev->moves, "frozen",
				 (int)ev->frozen);
	case DP_EVENT_LOST:
		return json_pack("{s:I}", "count", (json_int_t)ev->count);
	}
	return json_pack("{s:s, s:s}", "bd", ev->bd, "mac", mac);
}

static const char *
fdb_event_name(const struct dp_event *ev)
{
	if ((unsigned int)ev->type < sizeof(fdb_event_names) / sizeof(fdb_event_names[0]))
		return fdb_event_names[ev->type];
	return "fdb.event";
}

static void
fdb_on_event(const struct dp_event *ev, void *arg)
{
	struct ctl_server *srv = arg;
	json_t *params;

	if (ev->type == DP_EVENT_LOST) {
		ctl_server_events_missed(srv, ev->count);
		return;
	}
	params = ctl_event_params(ev);
	if (params != NULL)
		ctl_server_notify(srv, fdb_event_name(ev), params);
	json_decref(params);
}

/* --- events.subscribe, events.unsubscribe --- */

static void
known_events(const char *const *names, unsigned int nb, char *buf, size_t len)
{
	size_t off = 0;

	buf[0] = '\0';
	for (unsigned int i = 0; i < nb && off < len; i++)
		off += (size_t)snprintf(buf + off, len - off, "%s%s", i > 0 ? ", " : "", names[i]);
}

/* Add the event 'name' (of 'where') to 'mask'; @return 0 or -EINVAL with call->err. */
static int
event_bit(struct ctl_call *call, const char *const *names, unsigned int nb, const char *name,
	  size_t len, const char *where, uint32_t *mask)
{
	char known[CTL_ERR_LEN / 2];

	for (unsigned int i = 0; i < nb; i++) {
		if (strlen(names[i]) == len && strncmp(names[i], name, len) == 0) {
			*mask |= UINT32_C(1) << i;
			return 0;
		}
	}
	known_events(names, nb, known, sizeof(known));
	call->code = CTL_E_INVALID_PARAMS;
	snprintf(call->err, sizeof(call->err), "%s: unknown event '%.*s' (known: %s)", where,
		 (int)(len < 64 ? len : 64), name, known);
	return -EINVAL;
}

/*
 * The events of params.events: omitted = all, an array of names, or one
 * string of comma-separated names.  @return 0 or -EINVAL with call->err.
 */
static int
event_mask(struct ctl_call *call, const char *const *names, unsigned int nb, uint32_t *mask)
{
	json_t *events = json_object_get(call->params, "events");
	char where[48];
	json_t *v;
	size_t i;

	*mask = 0;
	if (events == NULL || json_is_null(events)) {
		*mask = nb == 32 ? UINT32_MAX : (UINT32_C(1) << nb) - 1;
		return 0;
	}
	call->code = CTL_E_INVALID_PARAMS;
	if (json_is_string(events)) {
		const char *p = json_string_value(events);

		for (;;) {
			size_t n = strcspn(p, ",");

			if (n > 0 && event_bit(call, names, nb, p, n, "params.events", mask) < 0)
				return -EINVAL;
			if (p[n] == '\0')
				break;
			p += n + 1;
		}
	} else if (json_is_array(events)) {
		json_array_foreach(events, i, v) {
			snprintf(where, sizeof(where), "params.events[%zu]", i);
			if (!json_is_string(v)) {
				snprintf(call->err, sizeof(call->err),
					 "%s: expected a string, got %s", where,
					 ctl_json_type_name(v));
				return -EINVAL;
			}
			if (event_bit(call, names, nb, json_string_value(v), json_string_length(v),
				      where, mask) < 0)
				return -EINVAL;
		}
	} else {
		snprintf(call->err, sizeof(call->err),
			 "params.events: expected an array of event names or a string, got %s",
			 ctl_json_type_name(events));
		return -EINVAL;
	}
	if (*mask == 0) {
		snprintf(call->err, sizeof(call->err),
			 "params.events: no event named; omit it for all events");
		return -EINVAL;
	}
	call->code = CTL_E_APP;
	return 0;
}

static int
events_change(struct ctl_call *call, bool subscribe)
{
	const char *const *names = NULL;
	unsigned int nb = 0;
	uint32_t *sub = ctl_server_subscription(call, &names, &nb);
	uint32_t mask;
	json_t *list;
	int rc;

	if (sub == NULL) {
		snprintf(call->err, sizeof(call->err),
			 "%s works only on a control-socket connection", call->method->name);
		return -EINVAL;
	}
	rc = event_mask(call, names, nb, &mask);
	if (rc < 0)
		return rc;
	if (subscribe)
		*sub |= mask;
	else
		*sub &= ~mask;
	list = json_array();
	for (unsigned int i = 0; list != NULL && i < nb; i++)
		if (*sub & (UINT32_C(1) << i))
			json_array_append_new(list, json_string(names[i]));
	call->result = json_pack("{s:o}", "subscribed", list);
	return call->result != NULL ? 0 : -ENOMEM;
}

static int
events_subscribe(struct ctl_call *call)
{
	return events_change(call, true);
}

static int
events_unsubscribe(struct ctl_call *call)
{
	return events_change(call, false);
}

static const struct ctl_param events_params[] = {
	{ "events", CTL_P_ANY, false },
	{ NULL },
};

static const struct ctl_method event_methods[] = {
	{
		.name = "events.subscribe",
		.params = events_params,
		.help = "stream events (all, or the named ones) to this connection as notifications",
		.handler = events_subscribe,
	},
	{
		.name = "events.unsubscribe",
		.params = events_params,
		.help = "stop streaming events (all, or the named ones) to this connection",
		.handler = events_unsubscribe,
	},
	{ .name = NULL },
};

int
ctl_events_attach(struct ctl_server *srv)
{
	int rc = ctl_server_enable_events(srv, fdb_event_names,
					  sizeof(fdb_event_names) / sizeof(fdb_event_names[0]));

	if (rc < 0)
		return rc;
	/* The handlers find their connection through the call, so one registration serves all. */
	rc = ctl_rpc_register(ctl_server_rpc(srv), event_methods, NULL);
	if (rc < 0 && rc != -EEXIST)
		return rc;
	dp_set_event_handler(fdb_on_event, srv);
	return 0;
}

void
ctl_events_detach(void)
{
	dp_set_event_handler(NULL, NULL);
}
