/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Deterministic benchmark traces.
 *
 * A trace is a sequence of Ethernet frames computed from a few parameters
 * (mode, stream, seed, number of MACs, number of frames, frame size) and
 * nothing else: no clock, no libc random(), no host byte order.  The same
 * parameters give the same bytes on every machine, which is what lets two
 * benchmark runs, or vsw and dpdk-testpmd, be fed the same traffic.
 *
 * Modes and their streams (one stream is one pcap file, replayed by one port):
 *
 *   l2       unicast between N "A" MACs and N "B" MACs.  Stream "fwd" sends
 *            from A to B, "rev" from B to A.  Within every run of N frames
 *            each source appears exactly once (a seeded shuffle), so one pass
 *            over a stream teaches the switch all its sources; destinations
 *            are drawn uniformly from the other side.  Replaying "fwd" on one
 *            port and "rev" on another makes every destination known.
 *   learn    stream "fwd": frame k comes from the k-th new source MAC and goes
 *            to one fixed, never learned MAC; for learning-rate runs.
 *   migrate  a MAC M moving between ports: "old" (a few frames from M, to be
 *            replayed on M's first port), "traffic" (frames from a peer to M,
 *            numbered), "garp" (M's gratuitous ARP request, from its new port).
 *
 *   l2-ipv6  as l2, IPv6/UDP between 2001:db8::1 and ::2 (UDP checksum set);
 *            the smallest such frame is TRACE_IPV6_FRAME_MIN bytes, and
 *            has no room for the sequence number (70 bytes have).
 *   l2-vlan  as l2, every frame 802.1Q-tagged (VLAN TRACE_VLAN_ID) around
 *            IPv4/UDP; the frame size includes the tag.
 *
 *   nvgre    one tenant (VSID 5001) between N local and N remote customer
 *            addresses (CAs).  Stream "tenant": frames from the local CA MACs
 *            (every source once per round, as l2) to remote CA MACs (uniform),
 *            as a VM would send them; the frame size is the tenant frame's.
 *            Stream "encap": frames from the remote CAs (once per round) to
 *            the local CAs (uniform), NVGRE-encapsulated from the remote PA
 *            192.0.2.1 to our PA 198.51.100.1 via the gateway's MAC, GRE key
 *            VSID << 8 | FlowID with the FlowID a hash of the (source,
 *            destination) pair; the frame size is the inner frame's, the
 *            outer frame is TRACE_NVGRE_ENCAP_LEN bytes longer.  CA addresses
 *            come from the index alone (trace_ca_mac, trace_ca_ip), so the
 *            benchmark can configure lookup records without reading traces.
 *
 * New modes add a row to the mode table in trace.c and a frame builder;
 * nothing else changes.
 *
 * Frames are IPv4/UDP (or ARP for the announcement) between documentation
 * addresses (203.0.113.0/24).  The UDP payload starts with a 32-bit big-endian
 * sequence number: the frame's index in its stream.  Frame sizes count the
 * 4-byte FCS, as Ethernet (and RFC 2544) does: a 64-byte frame is 60 bytes
 * in the pcap file.
 *
 * MAC addresses are locally administered unicast.  Byte 1 holds the set
 * (A, B, learn, migrate) and bytes 2..5 a seeded permutation of the index, so
 * addresses look random to a hash function yet never collide.
 *
 * Thread-safety: none needed; a generator is owned by its caller.
 */
#ifndef VSW_TRACE_H
#define VSW_TRACE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define TRACE_FCS_LEN		 4	    /* counted in frame sizes, absent from pcap records */
#define TRACE_FRAME_MIN		 64	    /* smallest frame size, FCS included */
#define TRACE_FRAME_MAX		 1518	    /* largest (untagged) frame size, FCS included */
#define TRACE_MACS_MAX		 (1u << 24) /* MACs per set */
#define TRACE_SEQ_OFFSET	 42 /* where the sequence number sits: Ethernet + IPv4 + UDP */
#define TRACE_IPV6_FRAME_MIN	 66 /* l2-ipv6: Ethernet 14 + IPv6 40 + UDP 8 + FCS 4 (no sequence number) */
#define TRACE_VLAN_ID		 10 /* l2-vlan: the tag's VLAN */
#define TRACE_MIGRATE_OLD_FRAMES 4  /* frames in the "old" stream of the migrate mode */

/* nvgre mode: fixed addresses (docs/bench.md) */
#define TRACE_NVGRE_ENCAP_LEN	42	    /* outer Ethernet 14 + IPv4 20 + GRE 8 */
#define TRACE_NVGRE_VSID	5001u	    /* the tenant's virtual subnet */
#define TRACE_NVGRE_LOCAL_PA	0xc6336401u /* 198.51.100.1, our PA (/24) */
#define TRACE_NVGRE_REMOTE_PA	0xc0000201u /* 192.0.2.1, the other host's PA */
#define TRACE_NVGRE_GATEWAY	0xc63364feu /* 198.51.100.254, next hop to 192.0.2.0/24 */
#define TRACE_NVGRE_GATEWAY_MAC "\x02\x0a\x00\x00\x00\xfe" /* outer source of "encap" */
#define TRACE_NVGRE_HOST_MAC	"\x02\x0a\x00\x00\x00\x01" /* outer destination of "encap" */
#define TRACE_NVGRE_FRAME_MAX	(TRACE_FRAME_MAX - TRACE_NVGRE_ENCAP_LEN) /* inner, FCS incl. */
#define TRACE_NVGRE_MACS_MAX	(1u << 22) /* CAs per side (their IPs fit 10.0.0.0/9) */

/** MAC address sets; the set is byte 1 of every generated address. */
enum trace_mac_set {
	TRACE_SET_A = 0,	 /**< l2: sources of "fwd" */
	TRACE_SET_B = 1,	 /**< l2: destinations of "fwd" */
	TRACE_SET_LEARN = 2,	 /**< learn: the new sources */
	TRACE_SET_MIGRATE = 3,	 /**< migrate: 0 is M, 1 its peer; learn: 2 is the sink */
	TRACE_SET_CA_LOCAL = 4,	 /**< nvgre: CAs on this host (trace_ca_mac, not seeded) */
	TRACE_SET_CA_REMOTE = 5, /**< nvgre: CAs behind the remote PA */
};

enum trace_mode {
	TRACE_MODE_L2,
	TRACE_MODE_LEARN,
	TRACE_MODE_MIGRATE,
	TRACE_MODE_NVGRE,
	TRACE_MODE_L2_IPV6,
	TRACE_MODE_L2_VLAN,
	TRACE_MODE_MAX
};

/** What to generate. */
struct trace_params {
	enum trace_mode mode; /**< which kind of traffic */
	const char *stream;   /**< stream name within the mode; NULL = the mode's first */
	uint64_t seed;	      /**< everything random derives from this */
	uint32_t nb_macs;     /**< MACs per set (l2: per side; learn: new sources) */
	uint32_t nb_frames;   /**< frames in the stream; 0 = the mode's default */
	uint16_t frame_size;  /**< bytes per frame including FCS, 64..1518 */
};

/** A generator: call trace_gen_next() until it returns 0. */
struct trace_gen {
	struct trace_params p; /**< copy of the parameters, stream resolved */
	unsigned int stream;   /**< index of the stream within the mode */
	uint32_t nb_frames;    /**< frames this stream has */
	uint32_t next;	       /**< index of the next frame */
	uint64_t rng;	       /**< splitmix64 state for destination draws */
	uint64_t shuffle_rng;  /**< splitmix64 state for source shuffles */
	uint32_t *order;       /**< l2: this round's source order (nb_macs entries) */
};

/** Name of a mode ("l2", ...) or NULL. */
const char *trace_mode_name(enum trace_mode mode);

/** One line saying what a mode generates, or NULL. */
const char *trace_mode_help(enum trace_mode mode);

/** Mode by name.  @return 0, or -EINVAL if unknown. */
int trace_mode_parse(const char *name, enum trace_mode *mode);

/** The 'i'-th stream name of 'mode', or NULL past the last. */
const char *trace_stream_name(enum trace_mode mode, unsigned int i);

/** Frames a stream has when nb_frames is 0. */
uint32_t trace_default_frames(const struct trace_params *p);

/**
 * Check parameters; on failure write the reason to 'err'.
 * @return 0 or -EINVAL.
 */
int trace_params_check(const struct trace_params *p, char *err, size_t errlen);

/** The 'index'-th address of 'set' for 'seed'. */
void trace_mac(uint64_t seed, enum trace_mac_set set, uint32_t index, uint8_t mac[6]);

/**
 * nvgre mode: the MAC of CA 'index' of 'set' (TRACE_SET_CA_LOCAL or
 * TRACE_SET_CA_REMOTE): 02:SET:index as 32 bits big-endian.  No seed.
 */
void trace_ca_mac(enum trace_mac_set set, uint32_t index, uint8_t mac[6]);

/**
 * nvgre mode: the IPv4 address (host order) of CA 'index': local CAs are
 * 10.0.0.0 + 1 + index, remote CAs 10.128.0.0 + 1 + index.
 */
uint32_t trace_ca_ip(enum trace_mac_set set, uint32_t index);

/** nvgre "encap": the FlowID of the flow from remote CA 'src' to local CA 'dst'. */
uint8_t trace_nvgre_flow_id(uint32_t src, uint32_t dst);

/**
 * Start generating.  @return 0, -EINVAL for bad parameters (see
 * trace_params_check), -ENOMEM.
 */
int trace_gen_init(struct trace_gen *g, const struct trace_params *p);

/**
 * Write the next frame (without FCS) into 'buf' of 'cap' bytes.
 * @return its length, 0 when the stream is over, -ENOSPC if 'cap' is too small.
 */
int trace_gen_next(struct trace_gen *g, uint8_t *buf, size_t cap);

/** Release a generator; accepts one that failed to start or was zeroed. */
void trace_gen_fini(struct trace_gen *g);

/**
 * Generate a whole stream into a pcap file (DLT_EN10MB, microsecond stamps
 * 1 us apart from the epoch, so the file is byte-for-byte reproducible).
 * @return number of frames written, or -errno with the reason in 'err'.
 */
long trace_write_pcap(const struct trace_params *p, const char *path, char *err, size_t errlen);

#endif /* VSW_TRACE_H */
