/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Harness 2: the pipeline on the uplink with the overlay configured: NVGRE
 * checks, decapsulation, learning against the sending PA, switching of the
 * inner frame to local ports only; ARP goes up to the control thread.  Most
 * frames enter the uplink; some enter tenant ports, so that replies to
 * learned remote MACs are encapsulated.  Input format: fuzz_common.h.
 */
#include <stddef.h>
#include <stdint.h>

#include "fuzz_common.h"

int
LLVMFuzzerInitialize(int *argc, char ***argv)
{
	(void)argc;
	(void)argv;
	fuzz_host_setup();
	return 0;
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const char *const ports[] = { "up", "up", "up", "up", "up", "vm1", "vm2", "vm3" };

	fuzz_packets(data, size, ports, 8, NULL, NULL);
	return 0;
}
