/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The control thread's periodic work, called from vswd's main loop between
 * control-socket rounds: deliver the workers' FDB events (dp_events.c), age
 * entries, expire flap holds, follow link state, and the overlay's timers
 * (dp_overlay.c).  Everything here is bounded per call so the control socket
 * stays responsive.  Control thread only.
 */
#include "dp_ctl.h"

#include <rte_cycles.h>

#define AGE_BUDGET 2048 /* entries the aging walk visits per call: 1M entries in ~25 s at 20 calls/s */

/*
 * A port whose link went down loses its learned MACs: its VMs are gone or
 * moving.  Those that reappear elsewhere soon are reported as moves.
 */
static void
watch_links(uint32_t now)
{
	for (uint16_t slot = 0; slot < VSW_MAX_PORTS; slot++) {
		struct dp_port *p = &dp_main.ports[slot];
		bool up;

		if (!p->in_use)
			continue;
		up = dp_port_link_up(p->handle.eth_port);
		if (up == p->link_up)
			continue;
		p->link_up = up;
		p->link_changes++;
		if (!up)
			dp_departed_flush_port(slot, now);
	}
}

void
dp_periodic(void)
{
	uint32_t now = dp_now_s();
	uint64_t tsc = rte_rdtsc();
	bool second = tsc - dp_main.last_second_tsc >= dp_main.tsc_hz;

	dp_events_drain(now);
	fdb_age_step(dp_main.fdb, now, AGE_BUDGET, dp_event_deliver, NULL);
	if (second) {
		dp_main.last_second_tsc = tsc;
		fdb_flap_expire(dp_main.fdb, now);
		watch_links(now);
	}
	dp_overlay_periodic(second);
}
