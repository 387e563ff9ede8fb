/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * vswctl's command language: how `vswctl NOUN VERB ARGS key=value...` maps to
 * a JSON-RPC method and params (ctl_cli.c), and how a result is printed for
 * people (ctl_cli_print.c).
 *
 * Kept apart from vswctl.c, which only talks to the socket, so the mapping
 * and the tables can be unit tested without a daemon.
 *
 * Thread-safety: all functions are thread-safe (no shared state).
 */
#ifndef VSW_CTL_CLI_H
#define VSW_CTL_CLI_H

#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>

#include <jansson.h>

/* A command line turned into a request. */
struct ctl_cli_request {
	char method[64]; /**< JSON-RPC method, e.g. "port.add" */
	json_t *params;	 /**< params object (owned); free with ctl_cli_request_free() */
	bool monitor;	 /**< `monitor`: after the reply, print notifications until stopped */
	long count;	 /**< monitor: stop after this many events; 0 = no limit */
};

/**
 * Map 'argv' (NOUN VERB ARGS..., without the program name and options) to a
 * request.  Positional arguments fill the command's named parameters and are
 * always strings; key=value arguments become integers (decimal), booleans
 * (true/false) or strings.  Unknown NOUN VERB pairs without positional
 * arguments pass through as method "noun.verb", so new daemon methods work
 * before vswctl learns about them.
 * @return 0, or -EINVAL with a usage message in 'err'.
 */
int ctl_cli_map(int argc, char *const argv[], struct ctl_cli_request *req, char *err,
		size_t errlen);

void ctl_cli_request_free(struct ctl_cli_request *req);

/** @return the JSON value for the text of a key=value argument (new reference). */
json_t *ctl_cli_value(const char *text);

/** Print the command reference. */
void ctl_cli_usage(FILE *out);

/**
 * Print 'result' of 'method' for people: arrays of objects as tables,
 * objects as "key: value" lines.  'all' also prints zero counters (stats).
 */
void ctl_cli_print(FILE *out, const char *method, json_t *result, bool all);

/**
 * Format one notification 'msg' ({"method": ..., "params": {...}}) as a line
 * for people, without a newline: the method, then key=value for each param,
 * e.g. "fdb.moved bd=blue mac=02:00:00:00:00:01 from=vm1 to=vm2 cause=garp".
 */
void ctl_cli_format_event(json_t *msg, char *buf, size_t len);

/** Print an array of flat objects as aligned columns under a header row; each line starts with 'indent'. */
void ctl_cli_print_table(FILE *out, json_t *rows, const char *indent);

#endif /* VSW_CTL_CLI_H */
