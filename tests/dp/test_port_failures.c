/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * A port that cannot be opened is refused with a message that says what to
 * do, and leaves the switch as it was: the other ports keep forwarding, the
 * pool gets back every buffer, the name can be used again (issue 12).
 * net_pcap with infinite_rx=1 used to take the process down here (its close
 * freed the replay ring a second time after a failed RX queue setup).
 */
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include <CUnit/Basic.h>
#include <rte_ether.h>
#include <rte_mbuf.h>
#include <rte_mempool.h>

#include "dp.h"
#include "dp_harness.h"
#include "dp_priv.h"
#include "port.h"
#include "test_common.h"

#define MAC_A "02:00:00:00:00:0a"
#define MAC_B "02:00:00:00:00:0b"

static char pcap_path[64];

/* Write a pcap file of 'nb' frames of 'len' bytes each. */
static void
write_pcap(unsigned int nb, unsigned int len)
{
	static const uint8_t frame_head[14] = { 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x02, 0, 0, 0,
						0, 0x0a, 0x88, 0xb5 };
	struct {
		uint32_t magic;
		uint16_t major, minor;
		int32_t zone;
		uint32_t sigfigs, snaplen, linktype;
	} fh = { 0xa1b2c3d4, 2, 4, 0, 0, 65535, 1 };
	uint8_t frame[4096] = { 0 };
	FILE *f = fopen(pcap_path, "wb");

	CU_ASSERT_PTR_NOT_NULL_FATAL(f);
	memcpy(frame, frame_head, sizeof(frame_head));
	fwrite(&fh, sizeof(fh), 1, f);
	for (unsigned int i = 0; i < nb; i++) {
		uint32_t rec[4] = { 1700000000 + i, 0, len, len };

		fwrite(rec, sizeof(rec), 1, f);
		fwrite(frame, len, 1, f);
	}
	CU_ASSERT_EQUAL_FATAL(fclose(f), 0);
}

static int
add_replay(const char *name)
{
	struct port_spec spec = {
		.name = name,
		.type = "pcap",
		.nb_options = 2,
		.options = { { "rx_pcap", pcap_path }, { "infinite_rx", "1" } },
	};

	return dp_port_add(&spec, NULL, dp_test_err, sizeof(dp_test_err));
}

/* The positive control: a broadcast from r1 reaches r2. */
static void
assert_forwarding(void)
{
	struct rte_mbuf *m;

	dp_test_inject("r1", test_frame(dp_main.pool, "ff:ff:ff:ff:ff:ff", MAC_A, 0x88b5, 60));
	dp_test_round();
	m = dp_test_take("r2");
	CU_ASSERT_PTR_NOT_NULL(m);
	rte_pktmbuf_free(m);
}

static int
setup(void)
{
	snprintf(pcap_path, sizeof(pcap_path), "/tmp/vsw-test-port-failures-%d.pcap", (int)getpid());
	return dp_test_add_ring("r1", NULL) < 0 || dp_test_add_ring("r2", NULL) < 0;
}

static int
teardown(void)
{
	char err[VSW_ERR_LEN];

	unlink(pcap_path);
	dp_port_del("r1", err, sizeof(err));
	dp_port_del("r2", err, sizeof(err));
	return 0;
}

/* More frames than the pool's 4095 buffers: refused up front, with the --mbufs to use. */
static void
test_infinite_rx_file_larger_than_pool_is_refused(void)
{
	unsigned int avail;

	write_pcap(8192, 60);
	assert_forwarding();
	avail = rte_mempool_avail_count(dp_main.pool);
	CU_ASSERT_EQUAL(add_replay("p0"), -ENOBUFS);
	CU_ASSERT_PTR_NOT_NULL(strstr(dp_test_err, "--mbufs "));
	CU_ASSERT_PTR_NOT_NULL(strstr(dp_test_err, "8192 frames"));
	CU_ASSERT_EQUAL(dp_port_find("p0"), -ENOENT);
	CU_ASSERT_EQUAL(rte_mempool_avail_count(dp_main.pool), avail);
	assert_forwarding();
	/* The name and the device are free again. */
	write_pcap(16, 60);
	CU_ASSERT_FATAL(add_replay("p0") >= 0);
	CU_ASSERT_EQUAL(dp_port_del("p0", dp_test_err, sizeof(dp_test_err)), 0);
	dp_test_drain("r1");
	dp_test_drain("r2");
}

/* A frame that needs two buffers: net_pcap's setup fails the same way. */
static void
test_infinite_rx_frame_longer_than_a_buffer_is_refused(void)
{
	write_pcap(4, 3000);
	CU_ASSERT_EQUAL(add_replay("p0"), -EMSGSIZE);
	CU_ASSERT_PTR_NOT_NULL(strstr(dp_test_err, "3000 bytes"));
	CU_ASSERT_EQUAL(dp_port_find("p0"), -ENOENT);
	assert_forwarding();
}

/* Other partial opens: a device that does not probe, a file that is not there. */
static void
test_failed_opens_leave_the_switch_as_it_was(void)
{
	struct port_spec bad_dev = {
		.name = "p1",
		.type = "dpdk",
		.nb_options = 1,
		.options = { { "devargs", "net_pcap_p1,rx_pcap=/nonexistent/x.pcap" } },
	};
	struct port_spec bad_tx = {
		.name = "p2",
		.type = "pcap",
		.nb_options = 1,
		.options = { { "tx_pcap", "/nonexistent/out.pcap" } },
	};
	unsigned int avail = rte_mempool_avail_count(dp_main.pool);

	CU_ASSERT(dp_port_add(&bad_dev, NULL, dp_test_err, sizeof(dp_test_err)) < 0);
	CU_ASSERT(dp_port_add(&bad_tx, NULL, dp_test_err, sizeof(dp_test_err)) < 0);
	CU_ASSERT_EQUAL(dp_port_find("p1"), -ENOENT);
	CU_ASSERT_EQUAL(dp_port_find("p2"), -ENOENT);
	CU_ASSERT_EQUAL(rte_mempool_avail_count(dp_main.pool), avail);
	assert_forwarding();
}

int
main(int argc, char **argv)
{
	(void)argc;
	if (dp_test_start(argv[0]) < 0)
		return 1;
	DP_TEST_ALONE(test_infinite_rx_file_larger_than_pool_is_refused, setup, teardown);
	DP_TEST_ALONE(test_infinite_rx_frame_longer_than_a_buffer_is_refused, setup, teardown);
	DP_TEST_ALONE(test_failed_opens_leave_the_switch_as_it_was, setup, teardown);
	return dp_test_finish();
}
