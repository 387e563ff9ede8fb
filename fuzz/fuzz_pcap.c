/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Harness 7: reading pcap files.  vsw reads pcap files in one place: a
 * `pcap` port (net_pcap over libpcap) replays its rx_pcap file into the
 * switch.  (pcap/trace.c only writes traces.)  The input is written as a
 * pcap file, opened as a pcap port in the default bridge domain beside two
 * ring ports, polled until the file is exhausted (with infinite_rx, for a
 * few rounds), drained, and the port deleted.  Checked: the port opens or
 * fails with an error, packet buffers return to the baseline once the port
 * is gone, counters never go backwards.
 *
 * An odd-sized input is replayed with infinite_rx=1, which makes the
 * driver load the whole file into packet buffers at open (that mode once
 * leaked buffers on a damaged file: tests/fixtures/fuzz/pcap/).
 * VSW_FUZZ_PCAP_FINITE=1 in the environment turns it off.
 */
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

#include "dp.h"
#include "fuzz_common.h"

static char dir[64], path[96];
static bool infinite_mode; /* not VSW_FUZZ_PCAP_FINITE=1 */

static void
remove_dir(void)
{
	unlink(path);
	rmdir(dir);
}

int
LLVMFuzzerInitialize(int *argc, char ***argv)
{
	char err[VSW_ERR_LEN];
	struct port_spec spec = { .type = "ring" };

	(void)argc;
	(void)argv;
	fuzz_dp_start();
	snprintf(dir, sizeof(dir), "/dev/shm/vsw-fuzz-pcap.XXXXXX");
	if (mkdtemp(dir) == NULL) {
		snprintf(dir, sizeof(dir), "/tmp/vsw-fuzz-pcap.XXXXXX");
		if (mkdtemp(dir) == NULL)
			fuzz_fail("cannot make a directory for the pcap file");
	}
	snprintf(path, sizeof(path), "%s/in.pcap", dir);
	atexit(remove_dir);
	infinite_mode = getenv("VSW_FUZZ_PCAP_FINITE") == NULL;
	spec.name = "out1";
	if (dp_port_add(&spec, NULL, err, sizeof(err)) < 0)
		fuzz_fail("port out1: %s", err);
	spec.name = "out2";
	if (dp_port_add(&spec, NULL, err, sizeof(err)) < 0)
		fuzz_fail("port out2: %s", err);
	return 0;
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char err[VSW_ERR_LEN], rx_pcap[128];
	struct port_spec spec = {
		.name = "in",
		.type = "pcap",
		.nb_options = 2,
		.options = { { "rx_pcap", rx_pcap }, { "infinite_rx", "0" } },
	};
	bool infinite = infinite_mode && (size & 1);
	struct fuzz_tally t;
	FILE *f = fopen(path, "wb");

	if (f == NULL || fwrite(data, 1, size, f) != size || fclose(f) != 0)
		fuzz_fail("cannot write %s", path);
	snprintf(rx_pcap, sizeof(rx_pcap), "%s", path);
	if (infinite)
		spec.options[1].value = "1";
	fuzz_begin(&t);
	if (dp_port_add(&spec, NULL, err, sizeof(err)) >= 0) {
		struct dp_port_stats st = { 0 }, last;

		/* Until the file is used up: a round that brings nothing new. */
		for (unsigned int i = 0; i < 64; i++) {
			last = st;
			fuzz_round();
			if (dp_port_get_stats("in", &st) < 0)
				fuzz_fail("the pcap port vanished");
			if (i > 0 && st.rx_packets == last.rx_packets)
				break;
			if (infinite && i >= 4)
				break;
		}
		fuzz_settle(&t, NULL);
		if (dp_port_del("in", err, sizeof(err)) < 0)
			fuzz_fail("cannot delete the pcap port: %s", err);
	} else if (getenv("VSW_FUZZ_VERBOSE") != NULL) {
		fprintf(stderr, "pcap port refused: %s\n", err);
	}
	fuzz_forget_learned();
	/* Frames came from the file, not from injection: only the totals sent can be compared. */
	t.injected = 0;
	fuzz_check(&t);
	return 0;
}
