/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The sockets side of ctl_http.h: accept, read the head, reply, close.
 * Every call is non-blocking and bounded (see ctl_http.h); the reply to a
 * request is built in one go by ctl_http_respond() and then written as the
 * socket takes it.
 */
#include "ctl_http.h"

#include <arpa/inet.h>
#include <ctype.h>
#include <errno.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include "ctl_log.h"

#define HTTP_DRAIN_MS 1000 /* after the reply, read what the client still sends for this long */

enum http_state {
	HTTP_READING,  /* waiting for the whole request head */
	HTTP_WRITING,  /* sending the reply */
	HTTP_DRAINING, /* reply sent and our side shut: reading until the client closes */
};

struct http_client {
	int fd;				/**< connection */
	enum http_state state;		/**< where it is */
	uint64_t deadline_ms;		/**< closed at this time, whatever the state */
	size_t in_len;			/**< bytes of 'in' used */
	char in[CTL_HTTP_HEAD_MAX];	/**< the request head so far */
	struct ctl_buf out;		/**< the reply */
	size_t out_off;			/**< bytes of 'out' sent */
};

struct ctl_http {
	int fd;						  /**< listening socket */
	char address[CTL_HTTP_ADDR_TEXT];		  /**< what it is bound to */
	ctl_http_handler *handler;			  /**< builds replies */
	void *arg;					  /**< for 'handler' */
	struct http_client *clients[CTL_HTTP_MAX_CLIENTS]; /**< NULL = free slot */
	unsigned int nb_clients;			  /**< used slots */
	uint64_t counts[3];				  /**< replies: 2xx, 4xx, 5xx */
};

static uint64_t
http_now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000 + (uint64_t)ts.tv_nsec / 1000000;
}

static void
http_format_address(const struct sockaddr_storage *ss, char *buf, size_t len)
{
	char host[INET6_ADDRSTRLEN] = "?";

	if (ss->ss_family == AF_INET6) {
		const struct sockaddr_in6 *a6 = (const struct sockaddr_in6 *)ss;

		inet_ntop(AF_INET6, &a6->sin6_addr, host, sizeof(host));
		snprintf(buf, len, "[%s]:%u", host, ntohs(a6->sin6_port));
	} else {
		const struct sockaddr_in *a4 = (const struct sockaddr_in *)ss;

		inet_ntop(AF_INET, &a4->sin_addr, host, sizeof(host));
		snprintf(buf, len, "%s:%u", host, ntohs(a4->sin_port));
	}
}

struct ctl_http *
ctl_http_open(const char *address, ctl_http_handler *handler, void *arg, char *err,
	      size_t errlen)
{
	struct sockaddr_storage ss;
	socklen_t sslen;
	struct ctl_http *http;
	int one = 1, saved;

	if (ctl_http_parse_address(address, &ss, &sslen, err, errlen) < 0) {
		errno = EINVAL;
		return NULL;
	}
	http = calloc(1, sizeof(*http));
	if (http == NULL) {
		snprintf(err, errlen, "out of memory");
		return NULL;
	}
	http->handler = handler;
	http->arg = arg;
	http->fd = socket(ss.ss_family, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
	if (http->fd < 0)
		goto fail;
	/* A restarted daemon can bind again while old connections linger in TIME_WAIT. */
	setsockopt(http->fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
	if (bind(http->fd, (struct sockaddr *)&ss, sslen) < 0 ||
	    listen(http->fd, CTL_HTTP_MAX_CLIENTS) < 0)
		goto fail;
	sslen = sizeof(ss);
	if (getsockname(http->fd, (struct sockaddr *)&ss, &sslen) < 0)
		goto fail;
	http_format_address(&ss, http->address, sizeof(http->address));
	return http;
fail:
	saved = errno;
	snprintf(err, errlen,
		 "cannot serve metrics on %s: %s; choose another address or port with --metrics",
		 address, strerror(saved));
	if (http->fd >= 0)
		close(http->fd);
	free(http);
	errno = saved;
	return NULL;
}

const char *
ctl_http_address(const struct ctl_http *http)
{
	return http->address;
}

unsigned int
ctl_http_nb_clients(const struct ctl_http *http)
{
	return http->nb_clients;
}

void
ctl_http_counts(const struct ctl_http *http, uint64_t counts[3])
{
	memcpy(counts, http->counts, sizeof(http->counts));
}

static void
http_client_close(struct ctl_http *http, unsigned int i)
{
	struct http_client *c = http->clients[i];

	close(c->fd);
	ctl_buf_free(&c->out);
	free(c);
	http->clients[i] = NULL;
	http->nb_clients--;
}

static void
http_count(struct ctl_http *http, const struct ctl_buf *reply)
{
	/* The status is at a fixed place: "HTTP/1.1 200 ...". */
	char cls = reply->len > 9 ? reply->data[9] : '5';

	http->counts[cls == '2' ? 0 : cls == '4' ? 1 : 2]++;
}

/* A connection beyond CTL_HTTP_MAX_CLIENTS: say so in one try and hang up. */
static void
http_refuse(struct ctl_http *http, int fd)
{
	static const char busy[] = "HTTP/1.1 503 Service Unavailable\r\n"
				   "Content-Type: text/plain; charset=utf-8\r\n"
				   "Content-Length: 62\r\nConnection: close\r\n\r\n"
				   "503 Service Unavailable: too many scrapers at once; try again\n";

	if (send(fd, busy, sizeof(busy) - 1, MSG_DONTWAIT | MSG_NOSIGNAL) < 0) {
		/* Nothing to do: the client sees the connection close. */
	}
	close(fd);
	http->counts[2]++;
}

static void
http_accept(struct ctl_http *http, uint64_t now)
{
	/* At most one listen backlog per call: bounded work even under a connection flood. */
	for (unsigned int k = 0; k <= CTL_HTTP_MAX_CLIENTS; k++) {
		int fd = accept4(http->fd, NULL, NULL, SOCK_NONBLOCK | SOCK_CLOEXEC);
		struct http_client *c;
		unsigned int i;

		if (fd < 0)
			return;
		for (i = 0; i < CTL_HTTP_MAX_CLIENTS && http->clients[i] != NULL; i++)
			;
		c = i < CTL_HTTP_MAX_CLIENTS ? calloc(1, sizeof(*c)) : NULL;
		if (c == NULL) {
			http_refuse(http, fd);
			continue;
		}
		c->fd = fd;
		c->state = HTTP_READING;
		c->deadline_ms = now + CTL_HTTP_TIMEOUT_MS;
		http->clients[i] = c;
		http->nb_clients++;
	}
}

/* @return false when the client is done with (closed by the caller). */
static bool
http_write(struct http_client *c, uint64_t now)
{
	ssize_t n = send(c->fd, c->out.data + c->out_off, c->out.len - c->out_off,
			 MSG_DONTWAIT | MSG_NOSIGNAL);

	if (n < 0)
		return errno == EAGAIN || errno == EWOULDBLOCK || errno == EINTR;
	c->out_off += (size_t)n;
	if (c->out_off < c->out.len)
		return true;
	/*
	 * Closing with unread input would reset the connection and could destroy
	 * the reply in flight; shut our side and read until the client closes.
	 */
	shutdown(c->fd, SHUT_WR);
	c->state = HTTP_DRAINING;
	if (c->deadline_ms > now + HTTP_DRAIN_MS)
		c->deadline_ms = now + HTTP_DRAIN_MS;
	return true;
}

/* Debug: the status and the request line, made printable (it is whatever the client sent). */
static void
http_log_request(const struct http_client *c)
{
	char line[96];
	size_t n = 0;

	for (size_t i = 0; i < c->in_len && c->in[i] != '\n' && n < sizeof(line) - 1; i++)
		if (c->in[i] != '\r')
			line[n++] = isprint((unsigned char)c->in[i]) ? c->in[i] : '?';
	line[n] = '\0';
	ctl_log_debug("metrics: %.3s for '%s'", c->out.len > 12 ? c->out.data + 9 : "???", line);
}

/* @return false when the client is done with. */
static bool
http_read(struct ctl_http *http, struct http_client *c, uint64_t now)
{
	char scratch[4096];
	ssize_t n;
	int rc;

	if (c->state == HTTP_DRAINING) {
		n = recv(c->fd, scratch, sizeof(scratch), MSG_DONTWAIT);
		return n > 0 || (n < 0 && (errno == EAGAIN || errno == EINTR));
	}
	n = recv(c->fd, c->in + c->in_len, sizeof(c->in) - c->in_len, MSG_DONTWAIT);
	if (n < 0)
		return errno == EAGAIN || errno == EWOULDBLOCK || errno == EINTR;
	if (n == 0)
		return false; /* gone before a whole request */
	c->in_len += (size_t)n;
	rc = ctl_http_respond(c->in, c->in_len, http->handler, http->arg, &c->out);
	if (rc == 0)
		return true;
	if (rc < 0)
		return false;
	http_count(http, &c->out);
	if (ctl_log_enabled(CTL_LOG_DEBUG))
		http_log_request(c);
	c->state = HTTP_WRITING;
	return http_write(c, now);
}

int
ctl_http_poll(struct ctl_http *http)
{
	struct pollfd pfds[CTL_HTTP_MAX_CLIENTS + 1];
	unsigned int map[CTL_HTTP_MAX_CLIENTS + 1];
	unsigned int nb = 0;
	uint64_t now = http_now_ms();
	int ready;

	pfds[nb++] = (struct pollfd){ .fd = http->fd, .events = POLLIN };
	for (unsigned int i = 0; i < CTL_HTTP_MAX_CLIENTS; i++) {
		struct http_client *c = http->clients[i];

		if (c == NULL)
			continue;
		if (now >= c->deadline_ms) {
			/* Too slow to send its request or to read the reply: it loses its slot. */
			http_client_close(http, i);
			continue;
		}
		map[nb] = i;
		pfds[nb++] = (struct pollfd){
			.fd = c->fd,
			.events = c->state == HTTP_WRITING ? POLLOUT : POLLIN,
		};
	}
	ready = poll(pfds, nb, 0);
	if (ready < 0)
		return errno == EINTR ? 0 : -errno;
	for (unsigned int k = 1; k < nb; k++) {
		struct http_client *c = http->clients[map[k]];
		bool keep = true;

		if (pfds[k].revents == 0)
			continue;
		if (c->state == HTTP_WRITING)
			keep = (pfds[k].revents & (POLLERR | POLLHUP)) == 0 && http_write(c, now);
		else
			keep = http_read(http, c, now);
		if (!keep)
			http_client_close(http, map[k]);
	}
	/* Accept last, so that a new client's slot is not polled before it exists. */
	if (pfds[0].revents & POLLIN)
		http_accept(http, now);
	return ready;
}

void
ctl_http_close(struct ctl_http *http)
{
	if (http == NULL)
		return;
	for (unsigned int i = 0; i < CTL_HTTP_MAX_CLIENTS; i++)
		if (http->clients[i] != NULL)
			http_client_close(http, i);
	close(http->fd);
	free(http);
}
