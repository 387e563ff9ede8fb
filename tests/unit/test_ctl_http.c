/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The metrics endpoint's HTTP side: request parsing, the reply to good and
 * malformed requests, listen addresses, and the server on a loopback socket
 * (split requests, a client that never finishes, too many clients).  No DPDK.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include <CUnit/Basic.h>

#include "ctl_http.h"

static int
handler(const struct ctl_http_request *req, struct ctl_buf *body, const char **type, void *arg)
{
	(void)arg;
	if (strcmp(req->path, "/metrics") != 0) {
		ctl_buf_printf(body, "no such path: %s", req->path);
		return 404;
	}
	ctl_buf_printf(body, "# TYPE x counter\nx_total 1\n");
	*type = "text/plain; version=0.0.4";
	return 200;
}

/* The reply to 'req' ('len' bytes, or strlen), as a string to free; NULL while incomplete. */
static char *
reply_to(const char *req, size_t len)
{
	struct ctl_buf out = { 0 };
	int rc = ctl_http_respond(req, len != 0 ? len : strlen(req), handler, NULL, &out);

	CU_ASSERT(rc >= 0);
	if (rc == 0) {
		CU_ASSERT_EQUAL(out.len, 0);
		return NULL;
	}
	return out.data;
}

static int
status_of(const char *req)
{
	char *r = reply_to(req, 0);
	int status = -1;

	if (r != NULL && sscanf(r, "HTTP/1.1 %d ", &status) != 1)
		status = -2;
	free(r);
	return status;
}

static void
test_ctl_http_parse_good(void)
{
	struct ctl_http_request req;
	const char *why = NULL;
	const char *get = "GET /metrics?x=1 HTTP/1.1\r\nHost: a\r\nAccept: */*\r\n\r\nrest";

	CU_ASSERT_EQUAL(ctl_http_parse(get, strlen(get), &req, &why), (int)strlen(get) - 4);
	CU_ASSERT_STRING_EQUAL(req.method, "GET");
	CU_ASSERT_STRING_EQUAL(req.path, "/metrics");
	CU_ASSERT_EQUAL(req.minor, 1);
	/* Bare LF, HTTP/1.0, no headers, an empty line before the request line. */
	CU_ASSERT_EQUAL(ctl_http_parse("\r\nGET / HTTP/1.0\n\n", 18, &req, &why), 18);
	CU_ASSERT_STRING_EQUAL(req.path, "/");
	CU_ASSERT_EQUAL(req.minor, 0);
	/* Absolute form. */
	CU_ASSERT(ctl_http_parse("GET http://h:1/metrics HTTP/1.1\r\n\r\n", 35, &req, &why) > 0);
	CU_ASSERT_STRING_EQUAL(req.path, "/metrics");
	/* Incomplete heads wait for more, whatever the cut. */
	for (size_t n = 0; n < strlen(get) - 4; n++)
		CU_ASSERT_EQUAL(ctl_http_parse(get, n, &req, &why), 0);
}

static void
test_ctl_http_malformed_requests(void)
{
	static const struct {
		const char *req;
		int status;
	} cases[] = {
		{ "GET /metrics\r\n\r\n", 400 },		   /* HTTP/0.9 */
		{ "GET\r\n\r\n", 400 },
		{ " GET /metrics HTTP/1.1\r\n\r\n", 400 },
		{ "GET  /metrics HTTP/1.1\r\n\r\n", 400 },
		{ "GET metrics HTTP/1.1\r\n\r\n", 400 },	   /* not a path */
		{ "GET /metrics HTTP/1.1 \r\n\r\n", 400 },
		{ "GET /metrics HTTP/1\r\n\r\n", 400 },
		{ "GET /metrics http/1.1\r\n\r\n", 400 },
		{ "GET /metrics HTTP/2.0\r\n\r\n", 505 },
		{ "GET /met\x01rics HTTP/1.1\r\n\r\n", 400 },
		{ "G(T /metrics HTTP/1.1\r\n\r\n", 400 },
		{ "GET /metrics HTTP/1.1\r\nNoColon\r\n\r\n", 400 },
		{ "GET /metrics HTTP/1.1\r\n: empty name\r\n\r\n", 400 },
		{ "GET /metrics HTTP/1.1\r\nA: b\r\n folded\r\n\r\n", 400 },
		{ "GET /metrics HTTP/1.1\r\nA: b\rc\r\n\r\n", 400 },
		{ "GET /metrics HTTP/1.1\r\nA: \x7f\r\n\r\n", 400 },
		{ "POST /metrics HTTP/1.1\r\nContent-Length: 1\r\n\r\nx", 405 },
		{ "get /metrics HTTP/1.1\r\n\r\n", 405 },
		{ "GET /other HTTP/1.1\r\n\r\n", 404 },
		{ "GET /metrics HTTP/1.1\r\n\r\n", 200 },
		{ "GET /metrics/ HTTP/1.1\r\n\r\n", 404 },
	};
	char big[CTL_HTTP_HEAD_MAX + 16], path[CTL_HTTP_PATH_MAX + 64];
	char *r;

	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		int got = status_of(cases[i].req);

		if (got != cases[i].status)
			fprintf(stderr, "\n  case %zu: got %d, want %d\n", i, got, cases[i].status);
		CU_ASSERT_EQUAL(got, cases[i].status);
	}
	/* A NUL is refused at once, before any newline comes. */
	CU_ASSERT_EQUAL(status_of("GET /\0"), -1); /* strlen stops at the NUL: incomplete */
	r = reply_to("GET /\0x", 7);
	CU_ASSERT_PTR_NOT_NULL(r);
	CU_ASSERT_PTR_NOT_NULL(r != NULL ? strstr(r, " 400 ") : NULL);
	free(r);
	/* A head that never ends: 431 once it passes the limit, not a wait. */
	memset(big, 'a', sizeof(big));
	memcpy(big, "GET / HTTP/1.1\r\nX: ", 19);
	CU_ASSERT_PTR_NULL(reply_to(big, CTL_HTTP_HEAD_MAX - 1));
	r = reply_to(big, sizeof(big));
	CU_ASSERT_PTR_NOT_NULL_FATAL(r);
	CU_ASSERT_PTR_NOT_NULL(strstr(r, "431 Request Header Fields Too Large"));
	CU_ASSERT_PTR_NOT_NULL(strstr(r, "at most 8192 bytes"));
	free(r);
	/* A target longer than a path can be. */
	memset(path, 'p', sizeof(path));
	memcpy(path, "GET /", 5);
	memcpy(path + sizeof(path) - 16, " HTTP/1.1\r\n\r\n", 14);
	CU_ASSERT_EQUAL(status_of(path), 414);
}

static void
test_ctl_http_replies(void)
{
	char *r = reply_to("GET /metrics HTTP/1.0\r\n\r\n", 0);
	char *body;

	CU_ASSERT_PTR_NOT_NULL_FATAL(r);
	CU_ASSERT_PTR_NOT_NULL(strstr(r, "Content-Type: text/plain; version=0.0.4\r\n"));
	CU_ASSERT_PTR_NOT_NULL(strstr(r, "Content-Length: 27\r\n"));
	CU_ASSERT_PTR_NOT_NULL(strstr(r, "Connection: close\r\n"));
	body = strstr(r, "\r\n\r\n");
	CU_ASSERT_PTR_NOT_NULL_FATAL(body);
	CU_ASSERT_STRING_EQUAL(body + 4, "# TYPE x counter\nx_total 1\n");
	free(r);
	/* HEAD: the same head, no body. */
	r = reply_to("HEAD /metrics HTTP/1.1\r\n\r\n", 0);
	CU_ASSERT_PTR_NOT_NULL_FATAL(r);
	CU_ASSERT_PTR_NOT_NULL(strstr(r, "Content-Length: 27\r\n"));
	body = strstr(r, "\r\n\r\n");
	CU_ASSERT(body != NULL && body[4] == '\0');
	free(r);
	/* Errors say what was wrong and what to do. */
	r = reply_to("GET /metrics HTTP/x\r\n\r\n", 0);
	CU_ASSERT_PTR_NOT_NULL_FATAL(r);
	CU_ASSERT_PTR_NOT_NULL(strstr(r, "not HTTP/1.0 or HTTP/1.1; send GET /metrics HTTP/1.1"));
	free(r);
	r = reply_to("PUT /metrics HTTP/1.1\r\n\r\n", 0);
	CU_ASSERT_PTR_NOT_NULL_FATAL(r);
	CU_ASSERT_PTR_NOT_NULL(strstr(r, "Allow: GET, HEAD\r\n"));
	free(r);
}

static void
test_ctl_http_addresses(void)
{
	struct sockaddr_storage ss;
	socklen_t len;
	char err[256];
	const struct sockaddr_in *a4 = (const struct sockaddr_in *)&ss;

	CU_ASSERT_EQUAL(ctl_http_parse_address("9120", &ss, &len, err, sizeof(err)), 0);
	CU_ASSERT_EQUAL(a4->sin_family, AF_INET);
	CU_ASSERT_EQUAL(ntohs(a4->sin_port), 9120);
	CU_ASSERT_EQUAL(ntohl(a4->sin_addr.s_addr), 0x7f000001);
	CU_ASSERT_EQUAL(ctl_http_parse_address(":0", &ss, &len, err, sizeof(err)), 0);
	CU_ASSERT_EQUAL(ntohl(a4->sin_addr.s_addr), 0x7f000001);
	CU_ASSERT_EQUAL(ctl_http_parse_address("0.0.0.0:80", &ss, &len, err, sizeof(err)), 0);
	CU_ASSERT_EQUAL(a4->sin_addr.s_addr, 0);
	CU_ASSERT_EQUAL(ctl_http_parse_address("[::1]:9", &ss, &len, err, sizeof(err)), 0);
	CU_ASSERT_EQUAL(ss.ss_family, AF_INET6);
	const char *bad[] = { "", ":", "x", "65536", "-1", "1.2.3.4:", "host:80", "::1:80",
			      "[::1]", "1.2.3:80", ":+80", "[zz]:1" };

	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		err[0] = '\0';
		CU_ASSERT_EQUAL(ctl_http_parse_address(bad[i], &ss, &len, err, sizeof(err)),
				-EINVAL);
		CU_ASSERT(err[0] != '\0');
	}
}

/* ---------------------------------------------------------------- over sockets */

static int
connect_to(const char *address)
{
	struct sockaddr_storage ss;
	socklen_t len;
	char err[256];
	int fd;

	if (ctl_http_parse_address(address, &ss, &len, err, sizeof(err)) < 0)
		return -1;
	fd = socket(AF_INET, SOCK_STREAM, 0);
	if (fd >= 0 && connect(fd, (struct sockaddr *)&ss, len) < 0) {
		close(fd);
		return -1;
	}
	return fd;
}

/* Serve while reading 'fd' until it closes or 2 s pass; @return what it got (to free). */
static char *
serve_and_read(struct ctl_http *http, int fd)
{
	size_t len = 0, cap = 65536;
	char *buf = calloc(1, cap);
	struct timespec t0, t;

	clock_gettime(CLOCK_MONOTONIC, &t0);
	for (;;) {
		struct pollfd pfd = { .fd = fd, .events = POLLIN };
		ssize_t n;

		ctl_http_poll(http);
		clock_gettime(CLOCK_MONOTONIC, &t);
		if (t.tv_sec - t0.tv_sec > 2)
			break;
		if (poll(&pfd, 1, 1) <= 0)
			continue;
		n = recv(fd, buf + len, cap - len - 1, MSG_DONTWAIT);
		if (n <= 0)
			break;
		len += (size_t)n;
	}
	buf[len] = '\0';
	return buf;
}

static void
test_ctl_http_server(void)
{
	char err[256];
	struct ctl_http *http = ctl_http_open("127.0.0.1:0", handler, NULL, err, sizeof(err));
	int idle[CTL_HTTP_MAX_CLIENTS], fd;
	char *got;

	CU_ASSERT_PTR_NOT_NULL_FATAL(http);
	CU_ASSERT_PTR_NOT_NULL(strstr(ctl_http_address(http), "127.0.0.1:"));

	/* A request in two pieces. */
	fd = connect_to(ctl_http_address(http));
	CU_ASSERT_FATAL(fd >= 0);
	CU_ASSERT_EQUAL(send(fd, "GET /metr", 9, 0), 9);
	for (int i = 0; i < 20; i++)
		ctl_http_poll(http);
	CU_ASSERT_EQUAL(ctl_http_nb_clients(http), 1);
	CU_ASSERT_EQUAL(send(fd, "ics HTTP/1.1\r\n\r\n", 16, 0), 16);
	got = serve_and_read(http, fd);
	CU_ASSERT_PTR_NOT_NULL(strstr(got, "HTTP/1.1 200 OK\r\n"));
	CU_ASSERT_PTR_NOT_NULL(strstr(got, "x_total 1\n"));
	free(got);
	close(fd);

	/* Clients that never finish their request hold every slot ... */
	for (int i = 0; i < CTL_HTTP_MAX_CLIENTS; i++) {
		idle[i] = connect_to(ctl_http_address(http));
		CU_ASSERT(idle[i] >= 0);
		send(idle[i], "GET /", 5, 0);
	}
	for (int i = 0; i < 50 && ctl_http_nb_clients(http) < CTL_HTTP_MAX_CLIENTS; i++) {
		ctl_http_poll(http);
		usleep(1000);
	}
	CU_ASSERT_EQUAL(ctl_http_nb_clients(http), CTL_HTTP_MAX_CLIENTS);
	/* ... and one more is told so at once, not made to wait. */
	fd = connect_to(ctl_http_address(http));
	CU_ASSERT_FATAL(fd >= 0);
	got = serve_and_read(http, fd);
	CU_ASSERT_PTR_NOT_NULL(strstr(got, "HTTP/1.1 503 Service Unavailable\r\n"));
	CU_ASSERT_PTR_NOT_NULL(strstr(got, "too many scrapers"));
	free(got);
	close(fd);
	/* Once they go, the next scrape is served. */
	for (int i = 0; i < CTL_HTTP_MAX_CLIENTS; i++)
		close(idle[i]);
	fd = connect_to(ctl_http_address(http));
	CU_ASSERT_FATAL(fd >= 0);
	send(fd, "GET /metrics HTTP/1.0\r\n\r\n", 25, 0);
	got = serve_and_read(http, fd);
	CU_ASSERT_PTR_NOT_NULL(strstr(got, "HTTP/1.1 200 OK\r\n"));
	free(got);
	close(fd);

	uint64_t counts[3];

	ctl_http_counts(http, counts);
	CU_ASSERT_EQUAL(counts[0], 2);
	CU_ASSERT_EQUAL(counts[2], 1);
	ctl_http_close(http);

	/* A port in use is refused with a sentence that says what to do. */
	http = ctl_http_open("127.0.0.1:0", handler, NULL, err, sizeof(err));
	CU_ASSERT_PTR_NOT_NULL_FATAL(http);
	CU_ASSERT_PTR_NULL(ctl_http_open(ctl_http_address(http), handler, NULL, err, sizeof(err)));
	CU_ASSERT_PTR_NOT_NULL(strstr(err, "choose another address or port with --metrics"));
	ctl_http_close(http);
	ctl_http_close(NULL);
}

int
main(void)
{
	CU_pSuite suite;
	unsigned int nb_failures;

	if (CU_initialize_registry() != CUE_SUCCESS)
		return 1;
	suite = CU_add_suite("ctl_http", NULL, NULL);
	CU_add_test(suite, "parse good requests", test_ctl_http_parse_good);
	CU_add_test(suite, "malformed requests", test_ctl_http_malformed_requests);
	CU_add_test(suite, "replies", test_ctl_http_replies);
	CU_add_test(suite, "listen addresses", test_ctl_http_addresses);
	CU_add_test(suite, "server on loopback", test_ctl_http_server);
	CU_basic_set_mode(CU_BRM_VERBOSE);
	CU_basic_run_tests();
	nb_failures = CU_get_number_of_failures();
	CU_cleanup_registry();
	return nb_failures == 0 ? 0 : 1;
}
