/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * FDB events from the workers (and from aging and flap detection) to the
 * control plane: drained from the workers' rings, moves and announcements
 * first, translated to port and domain names, and handed to the handler
 * ctl set as an enum dp_event_type (ctl/ctl_events.c names them on the
 * control socket: the names are the protocol's, so they live at the edge).  Bounded per call, from dp_periodic() (dp_periodic.c) and
 * dp_events_poll().  Control thread only.
 */
#include "dp_ctl.h"

#include <stdio.h>
#include <string.h>

#include <rte_ring_elem.h>

#define EVENTS_PER_CALL 1024  /* events drained per worker per call */

/* dp_event_deliver() passes the FDB's event type on as the dataplane's. */
_Static_assert((int)DP_EVENT_LEARNED == (int)FDB_EV_LEARNED, "event types agree");
_Static_assert((int)DP_EVENT_MOVED == (int)FDB_EV_MOVED, "event types agree");
_Static_assert((int)DP_EVENT_AGED == (int)FDB_EV_AGED, "event types agree");
_Static_assert((int)DP_EVENT_FLAP == (int)FDB_EV_FLAP, "event types agree");

void
dp_set_event_handler(dp_event_cb *cb, void *arg)
{
	dp_main.event_cb = cb;
	dp_main.event_arg = arg;
}

static void
port_name(uint16_t slot, char *out, size_t len)
{
	if (slot < VSW_MAX_PORTS && dp_main.ports[slot].in_use)
		snprintf(out, len, "%s", dp_main.ports[slot].name);
	else if (slot == FDB_PORT_NONE)
		out[0] = '\0';
	else if (dp_port_is_remote(slot))
		dp_remote_name(slot, out, len);
	else
		snprintf(out, len, "#%u", slot);
}

void
dp_event_deliver(const struct fdb_event *fe, void *arg)
{
	struct dp_event ev;
	struct rte_ether_addr mac;
	uint16_t bd = fdb_key_bd(fe->key);

	(void)arg;
	if (dp_main.event_cb == NULL)
		return;
	memset(&ev, 0, sizeof(ev));
	ev.type = (enum dp_event_type)fe->type;
	if (bd < VSW_MAX_BDS && dp_main.bds[bd].in_use)
		snprintf(ev.bd, sizeof(ev.bd), "%s", dp_main.bds[bd].name);
	fdb_key_mac(fe->key, &mac);
	memcpy(ev.mac, mac.addr_bytes, sizeof(ev.mac));
	port_name(fe->from, ev.from, sizeof(ev.from));
	port_name(fe->to, ev.to, sizeof(ev.to));
	ev.cause = fe->type == FDB_EV_LEARNED || fe->type == FDB_EV_MOVED ?
			   fdb_cause_name((enum fdb_cause)fe->cause) :
			   "";
	ev.moves = fe->moves;
	ev.frozen = fe->frozen != 0;
	dp_main.event_cb(&ev, dp_main.event_arg);
}

/*
 * A learn event that waited on the ordinary ring behind a move of the same
 * MAC would undo the move in a subscriber's eyes: the table says where the
 * MAC is now, and the move event (drained first) already said so.
 */
static bool
learn_is_stale(const struct fdb_event *ev)
{
	struct fdb_entry e;

	return ev->type == FDB_EV_LEARNED && fdb_lookup(dp_main.fdb, ev->key, &e) == 0 &&
	       e.port != ev->to;
}

/* Deliver up to 'budget' events of one ring; @return how many were dequeued. */
static unsigned int
drain_ring(struct rte_ring *r, uint32_t now, unsigned int budget)
{
	struct fdb_event evs[64];
	unsigned int total = 0, n;

	do {
		n = rte_ring_sc_dequeue_burst_elem(r, evs, sizeof(evs[0]), RTE_DIM(evs), NULL);
		for (unsigned int i = 0; i < n; i++) {
			dp_departed_resolve(&evs[i], now);
			if (learn_is_stale(&evs[i]))
				continue;
			dp_event_deliver(&evs[i], NULL);
			if (evs[i].type == FDB_EV_MOVED)
				fdb_flap_note(dp_main.fdb, &evs[i], now, dp_event_deliver, NULL);
		}
		total += n;
	} while (n > 0 && total < budget);
	return total;
}

/* Tell subscribers about events a worker could not queue, so that they re-read the table. */
static void
report_lost(struct dp_lcore *lc)
{
	uint64_t lost = dp_read_counter(&lc->learn.events_lost) +
			dp_read_counter(&lc->learn.urgent_lost);
	struct dp_event ev;

	if (lost == lc->lost_told || dp_main.event_cb == NULL)
		return;
	memset(&ev, 0, sizeof(ev));
	ev.type = DP_EVENT_LOST;
	ev.count = lost - lc->lost_told;
	lc->lost_told = lost;
	dp_main.event_cb(&ev, dp_main.event_arg);
}

/*
 * Moves and announcements first and all of them (their ring is bounded), so
 * a flood of ordinary learns never delays the event that follows a VM.
 */
void
dp_events_drain(uint32_t now)
{
	for (unsigned int w = 0; w < dp_main.nb_workers; w++)
		drain_ring(dp_main.lcores[w]->urgent, now, DP_EVENT_RING_SIZE);
	for (unsigned int w = 0; w < dp_main.nb_workers; w++) {
		drain_ring(dp_main.lcores[w]->events, now, EVENTS_PER_CALL);
		report_lost(dp_main.lcores[w]);
	}
}

void
dp_events_poll(void)
{
	uint32_t now = dp_now_s();

	for (unsigned int w = 0; w < dp_main.nb_workers; w++)
		drain_ring(dp_main.lcores[w]->urgent, now, DP_EVENT_RING_SIZE);
}
