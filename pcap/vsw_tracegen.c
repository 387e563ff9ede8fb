/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * vsw-tracegen: write a deterministic benchmark trace to a pcap file.
 *
 *   vsw-tracegen -m l2 -s fwd -n 1K -f 64 --seed 1 -o fwd.pcap
 *
 * The generator lives in trace.c; this file only parses the command line.
 */
#include <errno.h>
#include <getopt.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "trace.h"

static void
usage(FILE *out)
{
	fprintf(out,
		"usage: vsw-tracegen -m MODE [-s STREAM] [-n MACS] [-c FRAMES] [-f SIZE] [--seed N] -o FILE\n"
		"       vsw-tracegen --list\n"
		"\n"
		"  -m, --mode MODE      kind of traffic (see --list)\n"
		"  -s, --stream NAME    which stream of the mode (default: its first)\n"
		"  -n, --macs N         MACs per set (l2: per side; learn: new sources); default 1\n"
		"  -c, --frames N       frames to write (default: depends on the mode, see docs/bench.md)\n"
		"  -f, --frame-size N   bytes per frame, FCS included, 64..1518 (default 64)\n"
		"      --seed N         random seed (default 1); same arguments, same file\n"
		"  -o, --output FILE    pcap file to write\n"
		"      --list           print the modes and their streams\n"
		"\n"
		"Numbers take a K (x1024) or M (x1048576) suffix: -n 64K, -n 1M.\n");
}

static void
list_modes(void)
{
	for (unsigned int m = 0; m < TRACE_MODE_MAX; m++) {
		const char *s;

		printf("%-8s %s\n         streams:", trace_mode_name((enum trace_mode)m),
		       trace_mode_help((enum trace_mode)m));
		for (unsigned int i = 0; (s = trace_stream_name((enum trace_mode)m, i)) != NULL;
		     i++)
			printf(" %s", s);
		printf("\n");
	}
}

/* A decimal number with an optional K/M suffix, at most 'max'.  @return 0 or -EINVAL. */
static int
parse_count(const char *what, const char *text, uint64_t max, uint64_t *out)
{
	char *end;
	unsigned long long v, mult = 1;

	errno = 0;
	v = strtoull(text, &end, 10);
	if (errno != 0 || end == text || text[0] == '-')
		goto bad;
	if (*end == 'K' || *end == 'k') {
		mult = 1024;
		end++;
	} else if (*end == 'M' || *end == 'm') {
		mult = 1024 * 1024;
		end++;
	}
	if (v > max / mult)
		goto bad;
	v *= mult;
	if (*end != '\0' || v > max)
		goto bad;
	*out = v;
	return 0;
bad:
	fprintf(stderr,
		"vsw-tracegen: %s must be a number up to %" PRIu64
		" (K/M suffix allowed), not '%s'\n",
		what, max, text);
	return -EINVAL;
}

int
main(int argc, char **argv)
{
	static const struct option long_opts[] = {
		{ "mode", required_argument, NULL, 'm' },
		{ "stream", required_argument, NULL, 's' },
		{ "macs", required_argument, NULL, 'n' },
		{ "frames", required_argument, NULL, 'c' },
		{ "frame-size", required_argument, NULL, 'f' },
		{ "seed", required_argument, NULL, 'S' },
		{ "output", required_argument, NULL, 'o' },
		{ "list", no_argument, NULL, 'l' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	struct trace_params p = {
		.mode = TRACE_MODE_MAX, .seed = 1, .nb_macs = 1, .frame_size = 64
	};
	const char *output = NULL;
	char err[256];
	uint64_t v;
	long nb;
	int opt;

	while ((opt = getopt_long(argc, argv, "m:s:n:c:f:o:h", long_opts, NULL)) != -1) {
		switch (opt) {
		case 'm':
			if (trace_mode_parse(optarg, &p.mode) < 0) {
				fprintf(stderr, "vsw-tracegen: unknown mode '%s'; modes:\n",
					optarg);
				list_modes();
				return 2;
			}
			break;
		case 's':
			p.stream = optarg;
			break;
		case 'n':
			if (parse_count("--macs", optarg, TRACE_MACS_MAX, &v) < 0)
				return 2;
			p.nb_macs = (uint32_t)v;
			break;
		case 'c':
			if (parse_count("--frames", optarg, UINT32_MAX, &v) < 0)
				return 2;
			p.nb_frames = (uint32_t)v;
			break;
		case 'f':
			if (parse_count("--frame-size", optarg, TRACE_FRAME_MAX, &v) < 0)
				return 2;
			p.frame_size = (uint16_t)v;
			break;
		case 'S':
			if (parse_count("--seed", optarg, UINT64_MAX, &v) < 0)
				return 2;
			p.seed = v;
			break;
		case 'o':
			output = optarg;
			break;
		case 'l':
			list_modes();
			return 0;
		case 'h':
			usage(stdout);
			return 0;
		default:
			usage(stderr);
			return 2;
		}
	}
	if (optind < argc || p.mode == TRACE_MODE_MAX || output == NULL) {
		if (optind < argc)
			fprintf(stderr, "vsw-tracegen: unexpected argument '%s'\n", argv[optind]);
		else
			fprintf(stderr, "vsw-tracegen: %s is required\n",
				p.mode == TRACE_MODE_MAX ? "--mode" : "--output");
		usage(stderr);
		return 2;
	}
	if (trace_params_check(&p, err, sizeof(err)) < 0) {
		fprintf(stderr, "vsw-tracegen: %s\n", err);
		return 2;
	}
	nb = trace_write_pcap(&p, output, err, sizeof(err));
	if (nb < 0) {
		fprintf(stderr, "vsw-tracegen: %s\n", err);
		return 1;
	}
	printf("%s: %ld frames of %u bytes, mode %s, stream %s, %u MACs, seed %" PRIu64 "\n",
	       output, nb, p.frame_size, trace_mode_name(p.mode),
	       p.stream != NULL ? p.stream : trace_stream_name(p.mode, 0), p.nb_macs, p.seed);
	return 0;
}
