/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * What a DPDK driver said while a port was being opened.  Drivers report why
 * a probe failed only through the EAL log ("could not set PACKET_FANOUT ...:
 * Invalid argument"), while the probe itself returns -1, which reads as
 * "Operation not permitted".  The log is captured around the probe so that
 * the reply to the user can carry the driver's own reason; everything
 * captured is passed on to the usual log stream as well.  Control thread.
 */
#include "port_priv.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <rte_log.h>

void
port_log_capture_begin(struct port_log_capture *c)
{
	memset(c, 0, sizeof(*c));
	c->prev = rte_log_get_stream();
	c->mem = open_memstream(&c->buf, &c->len);
	if (c->mem != NULL)
		rte_openlog_stream(c->mem);
}

/*
 * The driver's own reason: the first line that is not one of EAL's generic
 * summaries ("EAL: Driver cannot attach the device"), which follow it; else
 * the first line; "" when nothing was logged.
 */
static void
first_reason(const char *text, char *why, size_t whylen)
{
	const char *first = NULL, *line = text;
	size_t first_len = 0;

	while (*line != '\0') {
		size_t len = strcspn(line, "\n");

		if (len > 0 && strncmp(line, "EAL:", 4) != 0) {
			snprintf(why, whylen, "%.*s", (int)len, line);
			return;
		}
		if (len > 0 && first == NULL) {
			first = line;
			first_len = len;
		}
		line += len + (line[len] == '\n');
	}
	snprintf(why, whylen, "%.*s", (int)first_len, first != NULL ? first : "");
}

void
port_log_capture_end(struct port_log_capture *c, char *why, size_t whylen)
{
	if (whylen > 0)
		why[0] = '\0';
	if (c->mem == NULL)
		return;
	rte_openlog_stream(c->prev);
	fclose(c->mem);
	if (c->buf != NULL) {
		fputs(c->buf, c->prev != NULL ? c->prev : stderr);
		first_reason(c->buf, why, whylen);
	}
	free(c->buf);
	memset(c, 0, sizeof(*c));
}
