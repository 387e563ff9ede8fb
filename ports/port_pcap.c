/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * net_pcap's infinite_rx mode, and the two ways it takes the process down.
 *
 * With infinite_rx=1 net_pcap's RX queue setup copies every frame of the
 * file into a packet buffer of our shared pool, keeps them in a ring for the
 * life of the port and replays copies of them.  When the pool runs dry
 * before the end of the file (or a frame needs two buffers), the setup frees
 * the ring but keeps the pointer to it, and the close that must follow frees
 * it again: a SIGSEGV in rte_eth_dev_close() (DPDK 22.11,
 * drivers/net/pcap/pcap_ethdev.c, eth_rx_queue_setup and eth_dev_close).
 * Meanwhile the setup has taken every free buffer, so the running ports
 * starve while it lasts.
 *
 * So we read the files first, and refuse a port whose frames do not fit
 * before the driver sees it, saying how many buffers it needs.  Should the
 * setup fail anyway (the pool drained by traffic in between), the close
 * goes around the dangling pointer: see port_pcap_unwind_rxq().
 */
#include "port_priv.h"

#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <rte_ethdev.h>
#include <rte_kvargs.h>
#include <rte_lcore.h>
#include <rte_mbuf.h>
#include <rte_mempool.h>

#include <pcap/pcap.h>

/* What the rx_pcap files of one device hold. */
struct replay_files {
	uint64_t nb_frames;      /**< frames in all the files */
	unsigned int nb_files;   /**< rx_pcap files read */
	const char *first;       /**< the first file, for messages */
	uint32_t max_caplen;     /**< longest frame, bytes */
	uint64_t max_frame;      /**< its number (1-based) in 'max_file' */
	const char *max_file;    /**< the file it is in */
	char *err;               /**< message on failure */
	size_t errlen;           /**< room in 'err' */
};

/* rte_kvargs_process() callback: count the frames of one rx_pcap file. */
static int
count_file(const char *key, const char *file, void *arg)
{
	struct replay_files *rf = arg;
	char errbuf[PCAP_ERRBUF_SIZE];
	struct pcap_pkthdr *hdr;
	const u_char *data;
	uint64_t n = 0;
	pcap_t *p;
	int rc;

	(void)key;
	p = pcap_open_offline(file, errbuf);
	if (p == NULL) {
		snprintf(rf->err, rf->errlen, "cannot read rx_pcap file '%s': %s", file, errbuf);
		return -1;
	}
	while ((rc = pcap_next_ex(p, &hdr, &data)) == 1) {
		n++;
		if (hdr->caplen > rf->max_caplen) {
			rf->max_caplen = hdr->caplen;
			rf->max_frame = n;
			rf->max_file = file;
		}
	}
	/*
	 * net_pcap replays a damaged or empty file in a loop with buffers it
	 * never gives back (96 of them, found by fuzz_pcap): refuse it here.
	 */
	if (rc == PCAP_ERROR || n == 0) {
		snprintf(rf->err, rf->errlen,
			 "rx_pcap file '%s' cannot be replayed with infinite_rx=1: %s after %" PRIu64
			 " frames; repair or trim the file (e.g. editcap), or drop infinite_rx",
			 file, rc == PCAP_ERROR ? pcap_geterr(p) : "it holds no frame", n);
		pcap_close(p);
		return -1;
	}
	pcap_close(p);
	if (rf->nb_files++ == 0)
		rf->first = file;
	rf->nb_frames += n;
	return 0;
}

static bool
is_pcap_driver(const char *devname)
{
	/* vdev drivers match by prefix; eth_pcap is net_pcap's old alias. */
	return strncmp(devname, "net_pcap", 8) == 0 || strncmp(devname, "eth_pcap", 8) == 0;
}

/* Does net_pcap turn infinite_rx on for these arguments?  As its probe decides. */
static bool
infinite_rx_on(struct rte_kvargs *kv)
{
	const char *v;

	if (rte_kvargs_count(kv, "infinite_rx") != 1)
		return false; /* absent, or given twice: net_pcap then ignores it */
	v = rte_kvargs_get(kv, "infinite_rx");
	return v != NULL && atoi(v) > 0;
}

/* Round up to a multiple of 1024, so that the advice is a number people can type. */
static uint64_t
round_up_k(uint64_t n)
{
	return (n + 1023) / 1024 * 1024;
}

int
port_pcap_check_replay(const struct port_devargs *da, const struct port_env *env, char *err,
		       size_t errlen)
{
	struct replay_files rf = { .err = err, .errlen = errlen };
	const char *args = strchr(da->devargs, ',');
	struct rte_mempool *pool = env->mbuf_pool;
	unsigned int nb_free, reserve, room;
	struct rte_kvargs *kv;
	int ret = 0;

	if (!is_pcap_driver(da->devname) || args == NULL)
		return 0;
	kv = rte_kvargs_parse(args + 1, NULL);
	if (kv == NULL)
		return 0; /* net_pcap will refuse them itself, harmlessly */
	if (!infinite_rx_on(kv) || rte_kvargs_count(kv, "rx_pcap") == 0)
		goto out;
	if (rte_kvargs_process(kv, "rx_pcap", count_file, &rf) < 0) {
		ret = -ENODEV;
		goto out;
	}
	room = rte_pktmbuf_data_room_size(pool) - RTE_PKTMBUF_HEADROOM;
	if (rf.max_caplen > room) {
		snprintf(err, errlen,
			 "frame %" PRIu64 " of rx_pcap file '%s' is %" PRIu32 " bytes, and infinite_rx=1 replays only frames of at most %u bytes (one packet buffer); cut the frames (editcap -s %u) or drop infinite_rx=1",
			 rf.max_frame, rf.max_file, rf.max_caplen, room, room);
		ret = -EMSGSIZE;
		goto out;
	}
	/*
	 * The control thread fills the replay ring through its own cache and the
	 * common pool; each worker's cache may hold buffers out of its reach,
	 * and the other ports need buffers to keep receiving.
	 */
	nb_free = rte_mempool_avail_count(pool);
	reserve = rte_lcore_count() * (pool->cache_size * 3 / 2) + env->nb_rxd;
	if (rf.nb_frames + reserve > nb_free) {
		uint64_t in_use = pool->size - nb_free;

		/* The advice first: a long file name must not push it out of 'err'. */
		snprintf(err, errlen,
			 "too few packet buffers to replay with infinite_rx=1; restart vswd with --mbufs %" PRIu64 " (or more), or replay a shorter file: infinite_rx=1 keeps each of the %" PRIu64 " frames of %s '%s' in a packet buffer for as long as the port exists, and vswd has %u of its %u buffers free and keeps %u of them for traffic",
			 round_up_k(in_use + rf.nb_frames + reserve), rf.nb_frames,
			 rf.nb_files > 1 ? "the rx_pcap files, the first" : "rx_pcap file", rf.first,
			 nb_free, pool->size, reserve);
		ret = -ENOBUFS;
	}
out:
	rte_kvargs_free(kv);
	return ret;
}

/*
 * net_pcap's RX queue setup failed at queue 'failed_q' (its replay ring
 * freed, the pointer kept).  Its close frees the ring of every configured RX
 * queue, so configure the queues before 'failed_q' only; and start and stop
 * the device first, because its stop is what closes the pcap file of each
 * configured queue, the failed one included.
 */
void
port_pcap_unwind_rxq(uint16_t eth_port, uint16_t failed_q, uint16_t nb_txq)
{
	struct rte_eth_conf conf;
	int ret;

	if (rte_eth_dev_start(eth_port) == 0)
		rte_eth_dev_stop(eth_port);
	memset(&conf, 0, sizeof(conf));
	ret = rte_eth_dev_configure(eth_port, failed_q, nb_txq, &conf);
	if (ret < 0)
		RTE_LOG(ERR, USER1,
			"port %u: cannot drop the failed RX queue %u before closing (%s); closing may crash\n",
			eth_port, failed_q, rte_strerror(-ret));
}

bool
port_pcap_is_pcap(uint16_t eth_port)
{
	struct rte_eth_dev_info info;

	return rte_eth_dev_info_get(eth_port, &info) == 0 && info.driver_name != NULL &&
	       strcmp(info.driver_name, "net_pcap") == 0;
}
