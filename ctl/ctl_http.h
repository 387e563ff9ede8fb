/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * A minimal HTTP/1.0 and 1.1 server for the metrics endpoint (vswd
 * --metrics), run from the control thread's loop.
 *
 * It serves GET and HEAD, one request per connection ("Connection: close";
 * scrapers reconnect), and never blocks: sockets are non-blocking, and one
 * ctl_http_poll() call does at most one accept round, one read and one write
 * per client.  What a client can cost is bounded: CTL_HTTP_MAX_CLIENTS
 * connections (one more is answered 503 and closed), CTL_HTTP_HEAD_MAX bytes
 * of request head (more is a 400), and CTL_HTTP_TIMEOUT_MS from accept to
 * the last byte of the reply (a client that sends slowly, or does not read,
 * is closed then).  So a slow or broken scraper costs memory and a little
 * time on the control thread, never a wait.
 *
 * The request-to-reply step, ctl_http_respond(), is pure (bytes in, bytes
 * out), so the unit tests and the fuzz harness drive it without sockets.
 *
 * Thread-safety: control thread only; ctl_buf_* and ctl_http_parse*() are
 * thread-safe (no shared state).
 */
#ifndef VSW_CTL_HTTP_H
#define VSW_CTL_HTTP_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <netinet/in.h>

#define CTL_HTTP_MAX_CLIENTS 16	  /* connections served at once */
#define CTL_HTTP_HEAD_MAX    8192 /* longest request head (request line and headers) */
#define CTL_HTTP_PATH_MAX    256  /* longest request target */
#define CTL_HTTP_TIMEOUT_MS  5000 /* from accept to the reply's last byte */
#define CTL_HTTP_ADDR_TEXT   64	  /* "[v6 address]:port" and its NUL */

/* A growable text buffer; after a failed allocation 'failed' is set and appends do nothing. */
struct ctl_buf {
	char *data;  /**< NUL-terminated text, or NULL while empty */
	size_t len;  /**< bytes used, without the NUL */
	size_t cap;  /**< bytes allocated */
	bool failed; /**< an allocation failed: the text is incomplete */
};

void ctl_buf_printf(struct ctl_buf *b, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
void ctl_buf_append(struct ctl_buf *b, const char *data, size_t len);
/** Release the text; the buffer is empty and usable again. */
void ctl_buf_free(struct ctl_buf *b);

/* A parsed request head. */
struct ctl_http_request {
	char method[16];		/**< e.g. "GET" */
	char path[CTL_HTTP_PATH_MAX];	/**< target without its query string, starts with '/' */
	unsigned int minor;		/**< 0 for HTTP/1.0, 1 for HTTP/1.1 */
};

/**
 * Parse the request head at the start of 'buf' ('len' bytes; a request line,
 * header lines, an empty line; CRLF or LF).
 * @return the head's length when complete; 0 when more bytes are needed;
 *   -EINVAL for a malformed head, -E2BIG for one longer than
 *   CTL_HTTP_HEAD_MAX, -ENAMETOOLONG for a target longer than
 *   CTL_HTTP_PATH_MAX, -EPROTONOSUPPORT for a version other than HTTP/1.x;
 *   on error 'why' (may be NULL) says what was wrong.
 */
int ctl_http_parse(const char *buf, size_t len, struct ctl_http_request *req, const char **why);

/**
 * Serve one request: fill 'body' and return an HTTP status (200, 404...).
 * On 200 '*content_type' is the body's type.
 */
typedef int ctl_http_handler(const struct ctl_http_request *req, struct ctl_buf *body,
			     const char **content_type, void *arg);

/**
 * Turn the bytes a client sent so far into the whole reply in 'out':
 * handler's answer for GET and HEAD (HEAD without body), 405 for other
 * methods, 400/431/505 for bad heads, each with a text body that says what
 * was wrong.  @return 1 with a reply in 'out', 0 when the head is
 * incomplete (nothing written), or -ENOMEM.
 */
int ctl_http_respond(const char *buf, size_t len, ctl_http_handler *handler, void *arg,
		     struct ctl_buf *out);

/**
 * Parse "PORT", ":PORT", "ADDR:PORT" or "[ADDR6]:PORT" (an empty ADDR means
 * 127.0.0.1; port 0 lets the kernel pick).  @return 0, or -EINVAL with
 * a sentence in 'err'.
 */
int ctl_http_parse_address(const char *text, struct sockaddr_storage *addr, socklen_t *addrlen,
			   char *err, size_t errlen);

struct ctl_http;

/**
 * Listen on 'address' (see ctl_http_parse_address()) and serve requests
 * with 'handler'.  @return the server, or NULL with errno set and a sentence
 * in 'err'.
 */
struct ctl_http *ctl_http_open(const char *address, ctl_http_handler *handler, void *arg,
			       char *err, size_t errlen);

/** @return the address listened on, as "127.0.0.1:9120" (the real port after port 0). */
const char *ctl_http_address(const struct ctl_http *http);

/**
 * Serve what is ready now, without waiting: accept, read, reply, write,
 * close finished and timed-out clients.  @return the number of descriptors
 * that were ready, or -errno if poll() failed.
 */
int ctl_http_poll(struct ctl_http *http);

/** @return open client connections. */
unsigned int ctl_http_nb_clients(const struct ctl_http *http);

/** @return requests answered, by class: [0] 2xx, [1] 4xx, [2] 5xx. */
void ctl_http_counts(const struct ctl_http *http, uint64_t counts[3]);

/** Close every connection and the listening socket.  Accepts NULL. */
void ctl_http_close(struct ctl_http *http);

#endif /* VSW_CTL_HTTP_H */
