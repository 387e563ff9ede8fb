/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The MAC table on its own: memory for N entries, learning rate, and the
 * cycles a bulk lookup and a bulk learn of already-known sources cost per
 * key, at 1K, 64K and 1M MACs.  The pipeline does one of each per frame, so
 * their sum bounds what the table leaves for everything else.
 *
 *     fdb_bench [--sizes 1024,65536,1048576] [--lookups N] [--json FILE]
 *
 * One thread, no workers: an upper bound on what a worker sees.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <rte_cycles.h>
#include <rte_eal.h>
#include <rte_malloc.h>
#include <rte_random.h>

#include "fdb.h"

#define BURST 32

struct result {
	uint32_t nb_macs;          /**< table population */
	double heap_mb;            /**< DPDK heap taken by the table */
	double learn_mps;          /**< new MACs learned per second */
	double lookup_cycles;      /**< cycles per key, bulk lookup of random known MACs */
	double relearn_cycles;     /**< cycles per key, bulk learn of known sources, same port */
};

static size_t
heap_used(void)
{
	struct rte_malloc_socket_stats st;
	size_t used = 0;

	for (int s = 0; s < (int)rte_socket_count(); s++)
		if (rte_malloc_get_socket_stats(s, &st) == 0)
			used += st.heap_allocsz_bytes;
	return used;
}

static uint64_t
nth_key(uint32_t i)
{
	struct rte_ether_addr mac = { { 0x02, (uint8_t)(i >> 24), (uint8_t)(i >> 16),
					(uint8_t)(i >> 8), (uint8_t)i, 0x01 } };

	return fdb_key(1, &mac);
}

static void
run_size(uint32_t nb_macs, uint64_t nb_lookups, struct result *r)
{
	char name[32];
	struct fdb_params p = { .name = name, .socket_id = 0 };
	struct fdb_learn_stats st = { 0 };
	struct fdb_learn_ctx ctx = { .port = 1, .now = 1, .stats = &st };
	struct fdb_learn_req reqs[BURST];
	uint8_t verdicts[BURST];
	uint64_t keys[BURST];
	uint16_t ports[BURST];
	size_t before = heap_used();
	uint64_t t0, hz = rte_get_tsc_hz();
	struct fdb *fdb;

	snprintf(name, sizeof(name), "bench%u", nb_macs);
	/* Sized as vswd sizes it: capacity a little above the population. */
	p.max_entries = nb_macs + nb_macs / 8 + 64;
	fdb = fdb_create(&p);
	if (fdb == NULL) {
		fprintf(stderr, "cannot create a table of %u entries (more EAL memory? -m)\n",
			p.max_entries);
		exit(1);
	}
	memset(r, 0, sizeof(*r));
	r->nb_macs = nb_macs;
	r->heap_mb = (double)(heap_used() - before) / (1 << 20);

	t0 = rte_rdtsc();
	for (uint32_t i = 0; i < nb_macs; i += BURST) {
		unsigned int n = nb_macs - i < BURST ? nb_macs - i : BURST;

		for (unsigned int k = 0; k < n; k++)
			reqs[k] = (struct fdb_learn_req){ .key = nth_key(i + k) };
		fdb_learn_bulk(fdb, reqs, n, &ctx, verdicts);
	}
	r->learn_mps = (double)st.learned / ((double)(rte_rdtsc() - t0) / (double)hz);
	if (st.learned != nb_macs)
		fprintf(stderr, "warning: learned %lu of %u MACs (table_full %lu)\n",
			(unsigned long)st.learned, nb_macs, (unsigned long)st.table_full);

	uint64_t cycles = 0;

	for (uint64_t done = 0; done < nb_lookups; done += BURST) {
		for (unsigned int k = 0; k < BURST; k++)
			keys[k] = nth_key((uint32_t)(rte_rand() % nb_macs));
		uint64_t t = rte_rdtsc();

		fdb_lookup_bulk(fdb, keys, BURST, ports);
		cycles += rte_rdtsc() - t;
	}
	r->lookup_cycles = (double)cycles / (double)nb_lookups;

	cycles = 0;
	for (uint64_t done = 0; done < nb_lookups; done += BURST) {
		for (unsigned int k = 0; k < BURST; k++)
			reqs[k] = (struct fdb_learn_req){ .key = nth_key((uint32_t)(rte_rand() % nb_macs)) };
		uint64_t t = rte_rdtsc();

		fdb_learn_bulk(fdb, reqs, BURST, &ctx, verdicts);
		cycles += rte_rdtsc() - t;
	}
	r->relearn_cycles = (double)cycles / (double)nb_lookups;
	fdb_destroy(fdb);
}

int
main(int argc, char **argv)
{
	char a0[] = "fdb_bench", a1[] = "--no-huge", a2[] = "-m", a3[] = "2048", a4[] = "--no-pci",
	     a5[] = "--no-shconf", a6[] = "-l", a7[] = "0", a8[] = "--log-level=*:warning";
	char *eal[] = { a0, a1, a2, a3, a4, a5, a6, a7, a8, NULL };
	uint32_t sizes[8] = { 1024, 65536, 1048576 };
	unsigned int nb_sizes = 3;
	uint64_t nb_lookups = 4 << 20;
	const char *json = NULL;
	FILE *out;

	for (int i = 1; i < argc; i++) {
		if (strcmp(argv[i], "--sizes") == 0 && i + 1 < argc) {
			char *save = NULL, *tok, *list = argv[++i];

			nb_sizes = 0;
			for (tok = strtok_r(list, ",", &save); tok && nb_sizes < 8;
			     tok = strtok_r(NULL, ",", &save))
				sizes[nb_sizes++] = (uint32_t)strtoul(tok, NULL, 10);
		} else if (strcmp(argv[i], "--lookups") == 0 && i + 1 < argc) {
			nb_lookups = strtoull(argv[++i], NULL, 10);
		} else if (strcmp(argv[i], "--json") == 0 && i + 1 < argc) {
			json = argv[++i];
		} else {
			fprintf(stderr, "usage: %s [--sizes N,N,...] [--lookups N] [--json FILE]\n",
				argv[0]);
			return 2;
		}
	}
	if (rte_eal_init((int)(sizeof(eal) / sizeof(eal[0])) - 1, eal) < 0)
		return 1;
	printf("%10s %10s %14s %16s %18s\n", "MACs", "heap MB", "learn Mmac/s", "lookup cyc/key",
	       "relearn cyc/key");
	out = json ? fopen(json, "w") : NULL;
	if (out)
		fprintf(out, "[");
	for (unsigned int i = 0; i < nb_sizes; i++) {
		struct result r;

		run_size(sizes[i], nb_lookups, &r);
		printf("%10u %10.1f %14.2f %16.1f %18.1f\n", r.nb_macs, r.heap_mb, r.learn_mps / 1e6,
		       r.lookup_cycles, r.relearn_cycles);
		fflush(stdout);
		if (out)
			fprintf(out,
				"%s{\"macs\":%u,\"heap_mb\":%.2f,\"learn_mps\":%.0f,\"lookup_cycles\":%.1f,\"relearn_cycles\":%.1f,\"tsc_hz\":%lu}",
				i ? "," : "", r.nb_macs, r.heap_mb, r.learn_mps, r.lookup_cycles,
				r.relearn_cycles, (unsigned long)rte_get_tsc_hz());
	}
	if (out) {
		fprintf(out, "]\n");
		fclose(out);
	}
	rte_eal_cleanup();
	return 0;
}
