/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Flap detection on the control thread, from the workers' move events: a
 * MAC that moves more than its domain's flap_moves times within
 * flap_window_s is reported, and frozen on its current port for flap_hold_s
 * when that is set.  Only recent movers are tracked, in a small fixed table;
 * when it is full the stalest slot is reused, which can only delay a report.
 */
#include "fdb_priv.h"

#include <stdlib.h>

#define FLAP_SLOTS 4096 /* recent movers tracked; a power of two */
#define FLAP_PROBE 8    /* slots probed per lookup */

struct flap_slot {
	uint64_t key;          /**< (bd, MAC); 0 = free */
	uint32_t window_start; /**< when the current window began */
	uint32_t moves;        /**< moves in the window */
	uint32_t frozen_until; /**< 0 = not frozen by us */
};

struct fdb_flap_table {
	struct flap_slot slots[FLAP_SLOTS]; /**< open addressing, linear probe */
};

void
fdb_flap_table_free(struct fdb_flap_table *t)
{
	free(t);
}

/* The slot of 'key', or a new one: a free slot first, else the stalest unfrozen one. */
static struct flap_slot *
find_slot(struct fdb_flap_table *t, uint64_t key, uint32_t now)
{
	uint64_t h = key * 0x9e3779b97f4a7c15ULL;
	struct flap_slot *victim = NULL;

	for (unsigned int i = 0; i < FLAP_PROBE; i++) {
		struct flap_slot *s = &t->slots[(h + i) & (FLAP_SLOTS - 1)];

		if (s->key == key)
			return s;
		if (s->key == 0) {
			if (victim == NULL || victim->key != 0)
				victim = s;
		} else if (s->frozen_until == 0 &&
			   (victim == NULL ||
			    (victim->key != 0 && s->window_start < victim->window_start))) {
			victim = s;
		}
	}
	if (victim != NULL)
		*victim = (struct flap_slot){ .key = key, .window_start = now };
	return victim;
}

void
fdb_flap_note(struct fdb *fdb, const struct fdb_event *moved, uint32_t now, fdb_event_fn *fn,
	      void *arg)
{
	struct fdb_bd_conf conf;
	struct flap_slot *s;

	if (fdb->flaps == NULL) {
		fdb->flaps = calloc(1, sizeof(*fdb->flaps));
		if (fdb->flaps == NULL)
			return;
	}
	fdb_bd_get_conf(fdb, fdb_key_bd(moved->key), &conf);
	if (conf.flap_moves == 0)
		return;
	s = find_slot(fdb->flaps, moved->key, now);
	if (s == NULL)
		return;
	if (now - s->window_start > conf.flap_window_s) {
		s->window_start = now;
		s->moves = 0;
	}
	if (++s->moves <= conf.flap_moves || s->frozen_until != 0)
		return;
	if (conf.flap_hold_s > 0 && fdb_set_frozen(fdb, moved->key, true) == 0)
		s->frozen_until = now + conf.flap_hold_s;
	if (fn != NULL) {
		struct fdb_event ev = *moved;

		ev.type = FDB_EV_FLAP;
		ev.moves = s->moves > UINT8_MAX ? UINT8_MAX : (uint8_t)s->moves;
		ev.frozen = s->frozen_until != 0;
		fn(&ev, arg);
	}
	/* Report once per window, not on every further move. */
	s->window_start = now;
	s->moves = 0;
}

void
fdb_flap_expire(struct fdb *fdb, uint32_t now)
{
	if (fdb->flaps == NULL)
		return;
	for (unsigned int i = 0; i < FLAP_SLOTS; i++) {
		struct flap_slot *s = &fdb->flaps->slots[i];

		if (s->frozen_until != 0 && (int32_t)(now - s->frozen_until) >= 0) {
			fdb_set_frozen(fdb, s->key, false);
			*s = (struct flap_slot){ 0 };
		}
	}
}
