/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Harness 8: the metrics endpoint's request handling (ctl_http_respond()),
 * with the bytes a scraper sent so far.  No sockets and no dataplane: the
 * handler answers /metrics with a fixed body, so what is fuzzed is the
 * parser and the choice of reply.  Checked: every complete reply starts with
 * an HTTP/1.1 status line, says Connection: close, and its Content-Length is
 * the length of the body that follows (none for HEAD); an incomplete head
 * writes nothing and never holds a NUL or more than CTL_HTTP_HEAD_MAX
 * bytes; every prefix of an input that got a reply was incomplete or got
 * the same reply.  The input is also tried as a --metrics address.
 */
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ctl_http.h"
#include "fuzz_common.h"

static const char body_text[] = "# TYPE fuzz_total counter\nfuzz_total 1\n";

static int
handler(const struct ctl_http_request *req, struct ctl_buf *body, const char **type, void *arg)
{
	(void)arg;
	if (req->path[0] != '/')
		fuzz_fail("handler got path '%s', not starting with /", req->path);
	if (strcmp(req->path, "/metrics") != 0) {
		ctl_buf_printf(body, "no such path: %s", req->path);
		return 404;
	}
	ctl_buf_append(body, body_text, sizeof(body_text) - 1);
	*type = "text/plain; version=0.0.4";
	return 200;
}

int
LLVMFuzzerInitialize(int *argc, char ***argv)
{
	(void)argc;
	(void)argv;
	return 0;
}

static void
check_reply(const struct ctl_buf *out, const uint8_t *data, size_t size)
{
	const char *end = strstr(out->data, "\r\n\r\n"), *cl;
	struct ctl_http_request req;
	unsigned long len;
	int status;

	if (sscanf(out->data, "HTTP/1.1 %3d ", &status) != 1 || status < 200 || status > 599)
		fuzz_fail("reply does not start with a status line: %.40s", out->data);
	if (end == NULL || strstr(out->data, "Connection: close\r\n") == NULL)
		fuzz_fail("reply head incomplete or without Connection: close");
	cl = strstr(out->data, "Content-Length: ");
	if (cl == NULL || cl > end || sscanf(cl, "Content-Length: %lu", &len) != 1)
		fuzz_fail("reply without Content-Length");
	/* HEAD gets the head only. */
	if (status == 200 && ctl_http_parse((const char *)data, size, &req, NULL) > 0 &&
	    strcmp(req.method, "HEAD") == 0) {
		if (end[4] != '\0')
			fuzz_fail("HEAD reply carries a body");
	} else if (strlen(end + 4) != len) {
		fuzz_fail("Content-Length %lu, body %zu bytes", len, strlen(end + 4));
	}
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct ctl_buf out = { 0 }, again = { 0 };
	const char *buf = (const char *)data;
	struct sockaddr_storage ss;
	socklen_t sslen;
	char err[256], *text;
	int rc = ctl_http_respond(buf, size, handler, NULL, &out);

	if (rc < 0)
		fuzz_fail("ctl_http_respond: %d (only -ENOMEM is allowed, and memory is plenty)", rc);
	if (rc == 0) {
		if (out.len != 0)
			fuzz_fail("an incomplete head wrote %zu bytes of reply", out.len);
		if (size >= CTL_HTTP_HEAD_MAX)
			fuzz_fail("%zu bytes without a reply: past the head limit", size);
		if (memchr(data, '\0', size) != NULL)
			fuzz_fail("a NUL byte left the head waiting for more");
	} else {
		check_reply(&out, data, size);
		/* The reply depends only on the head: one byte less gives none or the same. */
		if (size > 0 && ctl_http_respond(buf, size - 1, handler, NULL, &again) == 1 &&
		    (again.len != out.len || memcmp(again.data, out.data, out.len) != 0))
			fuzz_fail("an input and its prefix got different replies");
	}
	ctl_buf_free(&out);
	ctl_buf_free(&again);

	text = malloc(size + 1);
	if (text == NULL)
		return 0;
	memcpy(text, data, size);
	text[size] = '\0';
	if (ctl_http_parse_address(text, &ss, &sslen, err, sizeof(err)) < 0 && err[0] == '\0')
		fuzz_fail("an address refused without a reason");
	free(text);
	return 0;
}
