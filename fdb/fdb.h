/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The MAC table (forwarding database).
 *
 * Maps (bridge domain, MAC address) to the port where that MAC was last seen
 * as a source.  The key packs both into 8 bytes: bits 63..48 hold the bridge
 * domain id, bits 47..0 the MAC in network order, so that MACs are compared as
 * one integer and the same MAC in two bridge domains gives two entries.
 *
 * The value is packed into 8 bytes too: the port slot, flags, cause, move
 * count and last-seen second.  A MAC move is therefore one atomic
 * compare-and-swap of a new value, with nothing to free.
 *
 * Learning is done by the workers, in the packet path, so that the next frame
 * to a MAC that moved already goes to its new port.  Forwarding of a burst
 * sees the table as it is after the whole burst was learned.
 *
 * Complications:
 *   - Static entries are never moved by learning or aged; a frame from a
 *     static MAC on another port is forwarded but does not change the entry.
 *   - A full table refuses new MACs (counted); frames still forward.
 *   - Limits per bridge domain and per port refuse new MACs (counted); the
 *     domain's setting says whether their frames forward or drop.  A move
 *     makes the MAC one more on its new port, so a port at its limit
 *     refuses moves to it too.  Static entries and records count towards
 *     the limits but are never refused by them.
 *   - Announcements (gratuitous ARP, RARP, unsolicited NA) learn and move
 *     even when ordinary learning is off: they are how a migrated VM says
 *     where it now lives.  Limits still bound how many MACs there are and
 *     where.
 *   - A MAC that flaps (moves too often) is reported by the control thread
 *     and may be frozen on its port for a hold time.
 *   - Last-seen is written at most every FDB_REFRESH_S seconds per entry, so
 *     a steady flow does not write the table; aging is accurate to that.
 *   - Per-domain and per-port counts are exact at every moment, with any
 *     number of workers, and limits hold at every moment: a worker takes a
 *     place in both counts with a compare-and-swap that never passes the
 *     limit *before* it inserts (and gives it back if the insert does not
 *     happen), a move takes a place on the new port before its value
 *     compare-and-swap and only the winner gives back the old port's, and a
 *     deleted entry is uncounted once, where its value last was, when its
 *     slot is freed after the grace period.  Nothing recounts them (a
 *     recount would miss MACs learned behind its walk).  Only new learns
 *     and moves pay for this; a known source on its port writes nothing.
 *
 * The table (fdb_table.c, fdb_priv.h) is built for these 8-byte keys, not
 * a general hash:
 *   - Buckets of 4 slots, one 64-byte cache line: 4 keys, then their 4
 *     values.  A lookup compares the 4 keys of a bucket at once (SSE4.1
 *     _mm_cmpeq_epi64); a hit in the first bucket reads one line and writes
 *     nothing.  Keys and values share the line because a lookup then
 *     needs one line fill per key, not two.
 *   - Each key has two candidate buckets, both from one CRC32 of the key
 *     (multiplied by an odd constant first, because CRC is linear and
 *     sequential MACs would otherwise crowd into few buckets).  A new key
 *     goes into the emptier of the two.  Keys are never displaced (no
 *     cuckoo moves), so a lock-free reader that checks both buckets cannot
 *     miss a key that is present, and a key's position is stable until it
 *     is deleted, which is what lets the aging walk resume at a bucket.
 *   - Bulk lookups go in two passes over the burst, as rte_hash's do: hash
 *     every key and prefetch both its buckets (two lines), then compare
 *     (the second bucket only when the first has no match), confirm and
 *     read the value.  Learning prefetches what the inserts of a burst's
 *     new MACs will write before doing them.
 *   - Capacity: max_entries is a hard limit (a count); the buckets are
 *     sized so that max_entries fills 25 % of the slots.  Without the
 *     limit, the first insert that finds both 4-slot buckets full comes at
 *     roughly a third of the slots or later (tests/unit/test_fdb_table.c;
 *     figures in docs/bench.md), so at max_entries it does not happen in
 *     practice; if it ever does, it is counted as table_full.  Memory is
 *     max_entries * 64 bytes of buckets plus one lock byte per bucket.
 *   - Key 0 (bridge domain 0, MAC 00:00:00:00:00:00) marks a free slot and
 *     UINT64_MAX (bridge domain 0xffff, broadcast MAC) a deleted one; both
 *     are invalid sources, are never stored, and always miss.
 *
 * Thread-safety: lookups never lock and never write: a reader loads the key
 * with acquire, then its value.  Workers add and update entries; the
 * control thread adds static entries, freezes and deletes.
 *   - An update of an existing entry (move, refresh, freeze) is one 64-bit
 *     compare-and-swap of its value; a hit that changes nothing writes
 *     nothing.
 *   - An insert takes a one-byte spin lock of each of the key's two buckets,
 *     lower bucket first, checks again that the key is absent (so two
 *     workers learning the same new MAC add it once), stores the value, and
 *     publishes the key with a release store.  The locks live in their own
 *     array, not in the bucket: all 64 bits of every key and value are in
 *     use, so a lock in the bucket would take one of its 8 slots (an eighth
 *     of what each lookup line holds) to save a line that only inserts
 *     touch.  A lock is held for a few stores, never across a walk or a
 *     grace period, so a worker waiting for one waits nanoseconds.
 *   - A delete (control thread) turns the key into a tombstone, which no
 *     lookup matches and no insert reuses, waits for the workers' grace
 *     period on the rte_rcu_qsbr variable given at creation (batched: one
 *     wait per up to 1024 deletions, 256 when aging), then frees the slot.
 *     So a reader that matched a key never reads another key's value from
 *     a reused slot.  With no qsbr (NULL) there must be no concurrent
 *     readers.
 *   - The per-domain and per-port counts are atomics that workers change
 *     on a new learn or a move, and the control thread on a static entry, a
 *     record or a deletion (fdb_priv.h says who takes and gives back each
 *     place); any thread may read them.
 *   - A worker may keep a learn cache (struct fdb_learn_cache): the sources
 *     it found on the port they came from, this second, so that the next
 *     frames from them cost one line of its own memory instead of a table
 *     lookup.  Every change other than a refresh of last-seen (a move, a
 *     freeze or unfreeze, a static entry, a deletion) counts in 'changes',
 *     and a cache trusts nothing it saw before the count moved or the
 *     second turned, so it never hides a move from learning nor keeps an
 *     entry from being refreshed.
 * Functions say which thread may call them.
 */
#ifndef VSW_FDB_H
#define VSW_FDB_H

#include <stdbool.h>
#include <stdint.h>
#include <string.h>

#include <rte_byteorder.h>
#include <rte_ether.h>

struct rte_rcu_qsbr;
struct fdb;

#define FDB_PORT_NONE 0xffffu /* lookup miss */
#define FDB_BULK_MAX  64      /* most keys per bulk call */
#define FDB_MAX_BDS   256     /* bridge-domain ids with their own settings */
#define FDB_MAX_PORTS 64      /* port slots with their own settings */
#define FDB_REFRESH_S 2       /* a hit rewrites last-seen at most this often */

/* Entry flags (4 bits). */
#define FDB_F_STATIC 0x01u /* configured; never moved or aged */
#define FDB_F_FROZEN 0x02u /* held on its port after flapping */
#define FDB_F_RECORD 0x04u /* from an overlay lookup record: not aged until traffic moves it */

/* How an entry got where it is; announcements are how a migrated VM says where it went. */
enum fdb_cause {
	FDB_CAUSE_LEARNED, /**< ordinary source learning */
	FDB_CAUSE_GARP,    /**< gratuitous ARP (request or reply, sender IP = target IP) */
	FDB_CAUSE_RARP,    /**< reverse ARP, as QEMU sends after migration */
	FDB_CAUSE_UNA,     /**< IPv6 unsolicited neighbour advertisement */
	FDB_CAUSE_STATIC,  /**< configured */
	FDB_CAUSE_RECORD,  /**< installed from an overlay lookup record */
	FDB_CAUSE_MAX,
};

struct fdb_params {
	const char *name;          /**< unique table name (DPDK object names) */
	uint32_t max_entries;      /**< capacity, 1 .. 2^28; the table takes ~65 bytes per entry */
	int socket_id;             /**< NUMA socket for the table memory */
	struct rte_rcu_qsbr *qsbr; /**< quiescent-state variable the workers report to */
};

/* The unpacked value of an entry. */
struct fdb_entry {
	uint64_t key;   /**< (bridge domain, MAC) */
	uint16_t port;  /**< port slot */
	uint8_t flags;  /**< FDB_F_* */
	uint8_t cause;  /**< enum fdb_cause of the last learn or move */
	uint8_t moves;  /**< moves so far, saturating at 255 */
	uint32_t seen;  /**< last seen, in the caller's seconds */
};

/* A bridge domain's policy until it is configured (fdb_create; dp_bd_defaults starts from it). */
#define FDB_DEFAULT_AGING_S       300 /* expire dynamic entries unseen this long */
#define FDB_DEFAULT_FLAP_MOVES    5   /* more moves than this in the window are a flap */
#define FDB_DEFAULT_FLAP_WINDOW_S 10  /* the flap window */

/* Per-bridge-domain policy.  Defaults: the FDB_DEFAULT_* above, no limit, learning on. */
struct fdb_bd_conf {
	uint32_t aging_s;       /**< expire dynamic entries unseen this long; 0 = never */
	uint32_t max_macs;      /**< most entries; 0 = no limit */
	bool learning;          /**< ordinary learning; announcements learn and move regardless */
	bool drop_over_limit;   /**< drop frames from MACs refused by a limit */
	uint32_t flap_moves;    /**< more moves than this in the window is a flap */
	uint32_t flap_window_s; /**< the window */
	uint32_t flap_hold_s;   /**< freeze a flapping MAC this long; 0 = only report */
};

/* What learning did; a worker keeps its own and the control thread sums them. */
struct fdb_learn_stats {
	uint64_t learned;         /**< new entries */
	uint64_t moved;           /**< entries that changed port */
	uint64_t table_full;      /**< new MACs refused: table full */
	uint64_t static_conflict; /**< frames from a static MAC on another port */
	uint64_t limit_refused;   /**< new MACs refused by a bridge-domain or port limit */
	uint64_t frozen_refused;  /**< moves refused because the MAC is frozen */
	uint64_t learning_off;    /**< sources not learned because learning is off */
	uint64_t events_lost;     /**< ordinary learn events dropped: their ring was full */
	uint64_t urgent_lost;     /**< move or announcement events dropped: their ring was full */
};

enum fdb_event_type {
	FDB_EV_LEARNED, /**< new entry */
	FDB_EV_MOVED,   /**< entry changed port */
	FDB_EV_AGED,    /**< entry expired */
	FDB_EV_FLAP,    /**< entry moved too often */
};

/* 16 bytes: what workers put on their event ring. */
struct fdb_event {
	uint64_t key;   /**< (bridge domain, MAC) */
	uint16_t from;  /**< previous port, or FDB_PORT_NONE */
	uint16_t to;    /**< new port */
	uint8_t type;   /**< enum fdb_event_type */
	uint8_t cause;  /**< enum fdb_cause */
	uint8_t moves;  /**< moves in the flap window (FDB_EV_FLAP) */
	uint8_t frozen; /**< 1 if the flap froze the entry */
};

/* One source to learn. */
struct fdb_learn_req {
	uint64_t key;  /**< (bridge domain, source MAC) */
	uint8_t cause; /**< enum fdb_cause: LEARNED or an announcement */
};

/* What the caller should do with the frames of one learn request. */
enum fdb_verdict {
	FDB_VERDICT_FORWARD, /**< forward (learned or not) */
	FDB_VERDICT_DROP,    /**< refused by a limit whose action is drop */
};

#define FDB_LEARN_CACHE_ENTRIES 4096u /* per worker, a power of two: 64 KiB */

/*
 * A worker's learn cache (fdb.h's top comment): sources confirmed on their
 * port in the current epoch, which moves on with the second and with every
 * change to the table.  Direct-mapped, by the key's low bits so that MACs
 * given out in sequence share lines (fdb.c); owned and written by one worker;
 * zeroed memory is an empty cache.
 */
struct fdb_learn_cache {
	uint64_t epoch;	  /**< entries of another epoch are stale; starts at 0, never used */
	uint32_t now;	  /**< the second of this epoch */
	uint32_t changes; /**< the table's change count in this epoch */
	/*
	 * How often the cache answers, for sources and for destinations apart:
	 * where it seldom does (more sources or destinations than it holds),
	 * its probes and fills cost more than they save, so it rests a while.
	 */
	struct fdb_learn_cache_use {
		uint32_t probes; /**< lookups tried in this sample */
		uint32_t hits;	 /**< of which it answered */
		uint32_t rest;	 /**< bulk calls left without the cache */
	} src, dst;
	struct {
		uint64_t key; /**< a source */
		uint64_t tag; /**< epoch << 16 | the port it was found on */
	} e[FDB_LEARN_CACHE_ENTRIES];
};

/* Where learning happens: a worker's context for one bulk call. */
struct fdb_learn_ctx {
	struct fdb_learn_cache *cache; /**< the worker's learn cache; NULL = none */
	uint16_t port;                 /**< port the sources were seen on */
	uint32_t now;                  /**< current time, seconds */
	struct fdb_learn_stats *stats; /**< the worker's counters */
	struct rte_ring *events;       /**< single-producer ring of struct fdb_event; NULL = none */
	struct rte_ring *urgent;       /**< the same for moves and announcements; NULL = 'events' */
};

/** Build the key of 'mac' in bridge domain 'bd'.  Thread-safe. */
static inline uint64_t
fdb_key(uint16_t bd, const struct rte_ether_addr *mac)
{
	uint32_t hi;
	uint16_t lo;

	/* Two loads in network order, the same key on any endianness, and no byte loop. */
	memcpy(&hi, mac->addr_bytes, sizeof(hi));
	memcpy(&lo, mac->addr_bytes + sizeof(hi), sizeof(lo));
	return (uint64_t)rte_be_to_cpu_32(hi) << 16 | rte_be_to_cpu_16(lo) | (uint64_t)bd << 48;
}

/*
 * The same keys straight from an Ethernet header, with one 8-byte load and a
 * byte swap each: the destination MAC is bytes 0..5, the source bytes 6..11.
 * Thread-safe.
 */
static inline uint64_t
fdb_key_dst(uint16_t bd, const void *eth_hdr)
{
	uint64_t v = 0;

	memcpy(&v, eth_hdr, sizeof(v));
	return rte_be_to_cpu_64(v) >> 16 | (uint64_t)bd << 48;
}

static inline uint64_t
fdb_key_src(uint16_t bd, const void *eth_hdr)
{
	uint64_t v = 0;

	memcpy(&v, (const uint8_t *)eth_hdr + 4, sizeof(v));
	return (rte_be_to_cpu_64(v) & 0xffffffffffffULL) | (uint64_t)bd << 48;
}

static inline uint16_t
fdb_key_bd(uint64_t key)
{
	return (uint16_t)(key >> 48);
}

static inline void
fdb_key_mac(uint64_t key, struct rte_ether_addr *mac)
{
	/* The MAC as the top six bytes of a big-endian word: one 6-byte copy, no byte loop. */
	uint64_t v = rte_cpu_to_be_64(key << 16);

	memcpy(mac->addr_bytes, &v, RTE_ETHER_ADDR_LEN);
}

/** @return "learned", "garp", "rarp", "una" or "static". Thread-safe. */
const char *fdb_cause_name(enum fdb_cause cause);

/* Create and destroy: control thread, workers stopped or not yet started. */

/** @return a new table, or NULL with rte_errno set. */
struct fdb *fdb_create(const struct fdb_params *params);
/** Free the table; accepts NULL. No worker may use it any more. */
void fdb_destroy(struct fdb *fdb);

/* Configure policy: control thread; workers see a change within one burst. */
void fdb_bd_configure(struct fdb *fdb, uint16_t bd, const struct fdb_bd_conf *conf);
void fdb_bd_get_conf(const struct fdb *fdb, uint16_t bd, struct fdb_bd_conf *conf);
void fdb_port_set_max_macs(struct fdb *fdb, uint16_t port, uint32_t max_macs);
uint32_t fdb_port_max_macs(const struct fdb *fdb, uint16_t port);
/**
 * Entries per bridge domain and per port: those present, plus deleted ones
 * whose slot waits for a grace period, plus learns in flight that took a
 * place and have not inserted yet.  So never below what a walk finds, equal
 * to it when no learn or delete is under way, and within the limit except
 * by static entries, records, or a limit lowered below it.  Any thread.
 */
uint32_t fdb_bd_count(const struct fdb *fdb, uint16_t bd);
uint32_t fdb_port_count(const struct fdb *fdb, uint16_t port);

/* Learn and look up: workers (any thread), lock-free for lookups. */

/**
 * Learn that the sources 'reqs[0..n)' were seen on ctx->port: add the
 * missing, move those on another port, refresh the rest, within the bridge
 * domain's and the port's limits.  Repeated keys are fine.  n <= FDB_BULK_MAX.
 * verdicts[i] (enum fdb_verdict) says whether frames from reqs[i] may go on.
 * @return how many verdicts are FDB_VERDICT_DROP (a limit refused them).
 */
unsigned int fdb_learn_bulk(struct fdb *fdb, const struct fdb_learn_req *reqs, unsigned int n,
			    const struct fdb_learn_ctx *ctx, uint8_t *verdicts);

/**
 * Look up 'keys[0..n)'; ports[i] is the port slot or FDB_PORT_NONE.
 * n <= FDB_BULK_MAX.
 */
void fdb_lookup_bulk(const struct fdb *fdb, const uint64_t *keys, unsigned int n,
		     uint16_t *ports);

/*
 * Where a present key sits, for a worker that keeps it (the routing stage's
 * route cache) and reads its port later with fdb_slot_port() instead of a
 * lookup.  A present key never moves, and a freed slot is reused only after
 * the workers' grace period, so the slot either still holds the key, with
 * its value as it is now, or holds something else.  NULL: not found.
 */
typedef const uint64_t *fdb_slot_ref;

#define FDB_SLOT_VAL_OFFSET 4 /* a slot's value is this many words after its key (fdb_priv.h) */

/**
 * fdb_lookup_bulk() that also gives where each key sits: slots[i], or NULL
 * for a miss.  n <= FDB_BULK_MAX.  Lock-free, any thread.
 */
void fdb_lookup_slot_bulk(const struct fdb *fdb, const uint64_t *keys, unsigned int n,
			  uint16_t *ports, fdb_slot_ref *slots);

/**
 * How many times an entry changed other than by a refresh of last-seen (a
 * move, a freeze, a static entry over a learned one, a deletion) so far:
 * while it has not moved, every key a worker found is still on the port it
 * found.  A new entry does not count.  Worker-safe (an acquire load).
 */
uint32_t fdb_changes(const struct fdb *fdb);

/**
 * The port of 'key' if slot 'slot' (from fdb_lookup_slot_bulk) still holds
 * it, else FDB_PORT_NONE (deleted, or the slot reused: look it up again).
 * Lock-free, any thread, while the table exists.
 */
static inline uint16_t
fdb_slot_port(fdb_slot_ref slot, uint64_t key)
{
	/* Acquire, as a lookup's confirm: the value read next was published with this key. */
	if (slot == NULL || __atomic_load_n(slot, __ATOMIC_ACQUIRE) != key)
		return FDB_PORT_NONE;
	/* The value's bits 15..0 are the port (fdb_priv.h, value_port). */
	return (uint16_t)__atomic_load_n(slot + FDB_SLOT_VAL_OFFSET, __ATOMIC_RELAXED);
}

/**
 * fdb_learn_bulk() of 'reqs', then fdb_lookup_bulk() of 'keys', with the
 * memory accesses of both started together: what a switch does with each
 * burst (learn the sources, then find the destinations, which see what the
 * burst itself taught).  nb_reqs, nb_keys <= FDB_BULK_MAX.  Worker context.
 * @return how many verdicts are FDB_VERDICT_DROP.
 */
unsigned int fdb_learn_lookup_bulk(struct fdb *fdb, const struct fdb_learn_req *reqs,
				   unsigned int nb_reqs, const struct fdb_learn_ctx *ctx,
				   uint8_t *verdicts, const uint64_t *keys, unsigned int nb_keys,
				   uint16_t *ports);

/** Look up one key. @return 0 and fill 'entry', or -ENOENT. Any thread. */
int fdb_lookup(const struct fdb *fdb, uint64_t key, struct fdb_entry *entry);

/* Configure entries: control thread only. */

/**
 * Add or replace a static entry.
 * @return 0, -ENOSPC (table full), or -EINVAL (key 0 or UINT64_MAX, which
 * mark free and deleted slots).
 */
int fdb_add_static(struct fdb *fdb, uint64_t key, uint16_t port);

/**
 * Add or replace an entry installed from an overlay lookup record: never
 * aged, but moved (and from then on aged) when traffic shows the MAC
 * elsewhere.  A static entry is left alone.  @return 0, -EEXIST (static),
 * -EINVAL (reserved key), -ENOSPC.
 */
int fdb_add_record(struct fdb *fdb, uint64_t key, uint16_t port);

/**
 * Count one more move on an existing entry (its `moves`, saturating), for a
 * move the control thread recognised after the fact.  @return 0 or -ENOENT.
 */
int fdb_note_move(struct fdb *fdb, uint64_t key);

/** Set or clear FDB_F_FROZEN on an existing entry. @return 0 or -ENOENT. */
int fdb_set_frozen(struct fdb *fdb, uint64_t key, bool frozen);

/**
 * Delete the entries for which 'match' returns true (all when 'match' is
 * NULL), waiting for the workers' grace period before their slots are
 * reused.  @return the number deleted.
 */
typedef bool fdb_match_fn(const struct fdb_entry *entry, const void *arg);
unsigned int fdb_delete_if(struct fdb *fdb, fdb_match_fn *match, const void *arg);

/** Delete one key. @return 0 or -ENOENT. */
int fdb_delete(struct fdb *fdb, uint64_t key);

/* Walk: control thread.  Entries added or removed during the walk may or may not be seen. */
typedef void fdb_walk_fn(const struct fdb_entry *entry, void *arg);
unsigned int fdb_walk(const struct fdb *fdb, fdb_walk_fn *fn, void *arg);

/** @return the number of entries. Any thread (approximate while workers learn). */
unsigned int fdb_count(const struct fdb *fdb);

/* Aging and flaps: control thread only (fdb_age.c, fdb_flap.c). */

typedef void fdb_event_fn(const struct fdb_event *ev, void *arg);

/**
 * Visit up to 'budget' entries, continuing where the last call stopped;
 * delete dynamic entries unseen longer than their bridge domain's aging
 * time and report each with 'fn'.  Each deletion uncounts its entry; the
 * walk never rewrites the counts.  @return entries aged.
 */
unsigned int fdb_age_step(struct fdb *fdb, uint32_t now, unsigned int budget, fdb_event_fn *fn,
			  void *arg);

/**
 * Note that 'key' moved (from a worker's FDB_EV_MOVED event).  If it moved
 * more than its domain's flap_moves within flap_window_s, report a flap with
 * 'fn' and, if flap_hold_s > 0, freeze it until now + hold.
 */
void fdb_flap_note(struct fdb *fdb, const struct fdb_event *moved, uint32_t now, fdb_event_fn *fn,
		   void *arg);

/** Unfreeze entries whose hold time has passed. */
void fdb_flap_expire(struct fdb *fdb, uint32_t now);

#endif /* VSW_FDB_H */
