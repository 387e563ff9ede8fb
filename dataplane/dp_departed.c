/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * MACs flushed from a port whose link went down, remembered for a while so
 * that their reappearance on another port is reported as the move it is.
 *
 * A live-migrated VM's old port goes down before its new one comes up (QEMU
 * stops the source's device first), and a downed port's learned MACs are
 * flushed.  Without this memory the VM's announcement on the new port would
 * be a fresh learn: no fdb.moved event, no fdb_moves count, no move in
 * `fdb show`.  The workers only see the table, so the control thread turns
 * their "learned" event into "moved" when the key is remembered here.
 *
 * A small open-addressed table, control thread only: a record lives
 * DEPARTED_TTL_S seconds, and when its few probe slots are all live a new
 * record replaces the oldest of them.
 */
#include "dp_ctl.h"

#include <string.h>

#define DEPARTED_SLOTS 4096 /* a power of two */
#define DEPARTED_PROBES 8   /* slots a key may use */
#define DEPARTED_TTL_S 30   /* seconds a flushed MAC counts as departed */

struct departed {
	uint64_t key;  /**< (bridge domain, MAC); 0 = free */
	uint32_t when; /**< dp_now_s() at the flush */
	uint16_t slot; /**< the port it was flushed from */
};

static struct departed departed[DEPARTED_SLOTS];

static inline unsigned int
probe_slot(uint64_t key, unsigned int i)
{
	return ((unsigned int)((key * 0x9e3779b97f4a7c15ULL) >> 52) + i) & (DEPARTED_SLOTS - 1);
}

static inline bool
live(const struct departed *d, uint32_t now)
{
	return d->key != 0 && now - d->when < DEPARTED_TTL_S;
}

static void
note(uint64_t key, uint16_t slot, uint32_t now)
{
	struct departed *victim = NULL;

	/* Its own record if it has one, else a free or stale slot, else the oldest. */
	for (unsigned int i = 0; i < DEPARTED_PROBES && victim == NULL; i++)
		if (departed[probe_slot(key, i)].key == key)
			victim = &departed[probe_slot(key, i)];
	for (unsigned int i = 0; i < DEPARTED_PROBES && victim == NULL; i++)
		if (!live(&departed[probe_slot(key, i)], now))
			victim = &departed[probe_slot(key, i)];
	if (victim == NULL) {
		victim = &departed[probe_slot(key, 0)];
		for (unsigned int i = 1; i < DEPARTED_PROBES; i++)
			if (departed[probe_slot(key, i)].when < victim->when)
				victim = &departed[probe_slot(key, i)];
	}
	*victim = (struct departed){ .key = key, .when = now, .slot = slot };
}

/* @return the slot 'key' was flushed from within the TTL (and forget it), or -1. */
static int
take(uint64_t key, uint32_t now)
{
	for (unsigned int i = 0; i < DEPARTED_PROBES; i++) {
		struct departed *d = &departed[probe_slot(key, i)];

		if (d->key == key) {
			int slot = live(d, now) ? d->slot : -1;

			memset(d, 0, sizeof(*d));
			return slot;
		}
	}
	return -1;
}

struct flush_ctx {
	uint16_t slot;
	uint32_t now;
};

static bool
learned_on_noted(const struct fdb_entry *e, const void *arg)
{
	const struct flush_ctx *c = arg;

	if (!dp_fdb_learned_on(e, &c->slot))
		return false;
	note(e->key, c->slot, c->now);
	return true;
}

void
dp_departed_flush_port(uint16_t slot, uint32_t now)
{
	struct flush_ctx c = { .slot = slot, .now = now };

	fdb_delete_if(dp_main.fdb, learned_on_noted, &c);
}

void
dp_departed_reset(void)
{
	memset(departed, 0, sizeof(departed));
}

void
dp_departed_forget_port(uint16_t slot)
{
	for (unsigned int i = 0; i < DEPARTED_SLOTS; i++)
		if (departed[i].key != 0 && departed[i].slot == slot)
			memset(&departed[i], 0, sizeof(departed[i]));
}

void
dp_departed_resolve(struct fdb_event *ev, uint32_t now)
{
	int from;

	/*
	 * A worker moved it before the flush removed it (the flush matched the
	 * old port, then the move landed): that move is counted already, and the
	 * record must not turn the MAC's next learn into a second one.
	 */
	if (ev->type == FDB_EV_MOVED)
		take(ev->key, now);
	if (ev->type != FDB_EV_LEARNED)
		return;
	from = take(ev->key, now);
	if (from < 0 || from == ev->to)
		return;
	ev->type = FDB_EV_MOVED;
	ev->from = (uint16_t)from;
	dp_main.departed_moves++;
	fdb_note_move(dp_main.fdb, ev->key);
}
