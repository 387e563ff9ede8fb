/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Harness 1: the per-burst pipeline on tenant ports.  Frames enter VM ports
 * of a tenant subnet with a VSID (learning, lookup records, encapsulation,
 * head-end replication, ARP suppression), of the plain default domain, and
 * of a domain with a MAC limit and port security, and of VLANs 10 and 20 (a
 * trunk with a native VLAN, an access port); whatever leaves any port
 * is drained.  Input format: fuzz_common.h.
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
	static const char *const ports[] = { "vm1", "vm2", "vm3", "vm4", "vm5", "vm6", "vm7", "vm8" };

	fuzz_packets(data, size, ports, 8, NULL, NULL);
	return 0;
}
