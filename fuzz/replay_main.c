/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * A harness without libFuzzer: feed every file named on the command line,
 * or found in a directory named there, to LLVMFuzzerTestOneInput() once.
 * This is how the crash fixtures (tests/fixtures/fuzz/<harness>/) and the
 * seed corpora replay under gcc and the ASan build as ordinary meson tests:
 * a fixed bug that comes back aborts the test.  A directory that does not
 * exist holds no inputs.
 */
#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include <rte_eal.h>

#include "fuzz_common.h"

static unsigned int nb_run;

static void
run_file(const char *path)
{
	FILE *f = fopen(path, "rb");
	uint8_t *buf;
	long size;

	if (f == NULL || fseek(f, 0, SEEK_END) != 0 || (size = ftell(f)) < 0 ||
	    fseek(f, 0, SEEK_SET) != 0) {
		fprintf(stderr, "cannot read %s\n", path);
		exit(1);
	}
	/* One byte more, so that an empty file is not a NULL buffer. */
	buf = malloc((size_t)size + 1);
	if (buf == NULL || fread(buf, 1, (size_t)size, f) != (size_t)size) {
		fprintf(stderr, "cannot read %s\n", path);
		exit(1);
	}
	fclose(f);
	printf("replay %s (%ld bytes)\n", path, size);
	fflush(stdout);
	LLVMFuzzerTestOneInput(buf, (size_t)size);
	free(buf);
	nb_run++;
}

static int
by_name(const struct dirent **a, const struct dirent **b)
{
	return strcmp((*a)->d_name, (*b)->d_name);
}

static void
run_path(const char *path)
{
	struct dirent **names;
	struct stat sb;
	int n;

	if (stat(path, &sb) != 0) {
		printf("no inputs at %s\n", path);
		return;
	}
	if (!S_ISDIR(sb.st_mode)) {
		run_file(path);
		return;
	}
	n = scandir(path, &names, NULL, by_name);
	for (int i = 0; i < n; i++) {
		char p[4096];

		if (names[i]->d_name[0] != '.') {
			snprintf(p, sizeof(p), "%s/%s", path, names[i]->d_name);
			run_path(p);
		}
		free(names[i]);
	}
	free(names);
}

int
main(int argc, char **argv)
{
	LLVMFuzzerInitialize(&argc, &argv);
	for (int i = 1; i < argc; i++)
		run_path(argv[i]);
	printf("%u inputs replayed, no invariant broken\n", nb_run);
	return 0;
}
