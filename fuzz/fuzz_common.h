/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * What the fuzz harnesses share: one EAL and one real dataplane per process,
 * with a fixed host topology on ring ports, a frame format that turns fuzz
 * input into frames, and the invariants checked after every input.
 *
 * The dataplane is the product's own (dp_init, one unlaunched worker whose
 * poll rounds the harness runs, as tests/dp does), so every frame goes
 * through the real pipeline.  Harness state is put back after every input:
 * learned MACs and neighbours are flushed, configuration a harness made is
 * deleted, and an invariant that does not hold aborts the process, which
 * libFuzzer reports as a crash with the input that caused it.
 *
 * Thread-safety: one thread (the EAL main lcore) only.
 */
#ifndef VSW_FUZZ_COMMON_H
#define VSW_FUZZ_COMMON_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct rte_mbuf;

/* libFuzzer's entry points, also called by replay_main.c. */
int LLVMFuzzerInitialize(int *argc, char ***argv);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define FUZZ_VSID     5001
#define FUZZ_OUR_PA   "198.51.100.1"
#define FUZZ_GW       "198.51.100.254"
#define FUZZ_GW_MAC   "02:00:00:00:fe:fe"
#define FUZZ_OUR_PA6  "2001:db8:1::1" /* our IPv6 PA, beside the IPv4 one */
#define FUZZ_GW6      "2001:db8:1::fe" /* its gateway, static, MAC FUZZ_GW_MAC */
#define FUZZ_MAX_FRAMES 96    /* frames one input may inject: three bursts */
#define FUZZ_FRAME_MAX  9216  /* longest frame; longer ones are cut */

/** Print what broke and abort: libFuzzer keeps the input as a crash. */
void fuzz_fail(const char *fmt, ...) __attribute__((noreturn, format(printf, 1, 2)));

/** EAL (no hugepages, no PCI, two lcores on one CPU) and dp_init(), once per process. */
void fuzz_dp_start(void);

/**
 * The host every packet harness runs on:
 *   bridge domain "t1", VSID 5001: ring ports vm1, vm2; lookup records for a
 *     remote CA (203.0.113.2 on PA 192.0.2.1) and a local one (203.0.113.1);
 *   "default": ring ports vm3, vm4;
 *   "blue": ring ports vm5 (allowed-macs limited) and vm6, max-macs 4, limit-action drop;
 *   uplink "up" with PA 198.51.100.1/24, route 192.0.2.0/24 via 198.51.100.254
 *   (a static neighbour);
 *   "v10" (VLAN 10) and "v20" (VLAN 20): ring port vm7 trunks both, native 10;
 *   vm8 is an access port of VLAN 20.
 * Built once; later calls do nothing.
 */
void fuzz_host_setup(void);

/** A frame of 'len' bytes in one or two segments (split at 'split' if 0 < split < len). */
struct rte_mbuf *fuzz_mbuf(const uint8_t *bytes, size_t len, size_t split);

/*
 * Packet input format: records of
 *   [flags: 1 byte][length: 2 bytes, big endian][frame bytes]
 * with the length cut to what is left.  flags bits 0-2 pick the port from the
 * harness's list (modulo its length); bit 3 runs a poll round right after the
 * frame (else frames wait and go as one burst); bit 4 splits the frame into
 * two segments at ((flags >> 5) + 1) * 8 bytes.  At most FUZZ_MAX_FRAMES records.
 */
struct fuzz_frame {
	const uint8_t *bytes; /**< frame bytes, inside the input */
	size_t len;           /**< frame length */
	uint8_t flags;        /**< flags byte */
};

/** Split 'data' into frames. @return how many (at most 'max'). */
unsigned int fuzz_frames(const uint8_t *data, size_t size, struct fuzz_frame *out,
			 unsigned int max);

/** Called on each frame before it is injected; may rewrite it. */
typedef void fuzz_edit_fn(struct rte_mbuf *m);
/** Called on each frame a port sent, before it is freed. */
typedef void fuzz_seen_fn(const char *port, const struct rte_mbuf *m);

/* What one input did, for the invariants. */
struct fuzz_tally {
	uint64_t injected;  /**< frames queued on RX rings */
	uint64_t drained;   /**< frames taken from TX rings */
};

/** Queue 'm' as received on ring port 'port'. */
void fuzz_inject(struct fuzz_tally *t, const char *port, struct rte_mbuf *m);

/** One poll round of worker 0. */
void fuzz_round(void);

/**
 * Run rounds and the control thread's periodic work until every RX ring,
 * the uplink ARP queue and the workers' inject rings are empty, then free
 * what every port sent, calling 'seen' (may be NULL) on each frame first.
 */
void fuzz_settle(struct fuzz_tally *t, fuzz_seen_fn *seen);

/** Take counter and port-statistics readings before an input. */
void fuzz_begin(struct fuzz_tally *t);

/**
 * After an input: packet buffers in use are back to the baseline, port
 * statistics agree with what was injected and drained, no counter went
 * backwards, and a frame that came in and produced nothing was counted.
 */
void fuzz_check(const struct fuzz_tally *t);

/**
 * The whole run of a packet harness: set up the host, inject the frames of
 * 'data' on 'ports' ('nb_ports' names; flag bits 0-2 pick one), each passed
 * to 'edit' first (may be NULL), settle, check the invariants, and forget
 * what was learned.
 */
void fuzz_packets(const uint8_t *data, size_t size, const char *const *ports,
		  unsigned int nb_ports, fuzz_edit_fn *edit, fuzz_seen_fn *seen);

/** Forget what traffic taught: learned MACs, learned neighbours; deliver pending events. */
void fuzz_forget_learned(void);

/**
 * Delete every port, bridge domain, lookup record, route, neighbour and
 * provider address, and reset "default", so that the switch is as dp_init()
 * left it (fuzz_host_setup() must not have been called).
 */
void fuzz_reset_config(void);

/** Packet buffers of the dataplane's pool in use now. */
unsigned int fuzz_mbufs_in_use(void);

#endif /* VSW_FUZZ_COMMON_H */
