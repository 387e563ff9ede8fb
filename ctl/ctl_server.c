/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Line framing, connection handling and event fan-out for the control
 * socket; what a line means is ctl_rpc.c's business, which events there are
 * and how a client subscribes is ctl_events.c's.
 */
#include "ctl_server.h"

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>

#include "ctl_rpc.h"
#include "ctl_util.h"

#define SERVER_IN_CAP (CTL_LINE_MAX + 1) /* a full buffer without a newline is too long */

struct server_client {
	struct ctl_server *srv; /**< the server it is connected to */
	int fd;			/**< connected socket, non-blocking */
	char *in;		/**< received bytes not yet served, SERVER_IN_CAP bytes */
	size_t in_len;		/**< bytes used in 'in' */
	bool discarding;	/**< skipping the rest of an oversize line */
	bool eof;		/**< the client will send nothing more */
	bool dead;		/**< to be closed at the end of this round */
	char *out;		/**< replies not yet sent */
	size_t out_off;		/**< first unsent byte in 'out' */
	size_t out_len;		/**< bytes used in 'out' */
	size_t out_cap;		/**< allocated size of 'out' */
	uint32_t events;	/**< subscribed events, bit i = srv->event_names[i] */
	uint64_t lost;		/**< events dropped since it was last told (events.lost) */
};

struct ctl_server {
	int fd;	     /**< listening socket */
	int lock_fd; /**< holds the flock on 'path'.lock */
	char path[sizeof(((struct sockaddr_un *)0)->sun_path)]; /**< socket file */
	struct ctl_rpc *rpc;					/**< serves the requests */
	struct server_client *clients[CTL_MAX_CLIENTS];		/**< connected clients */
	unsigned int nb_clients;				/**< used entries of 'clients' */
	struct pollfd pfds[CTL_MAX_CLIENTS + 1]; /**< listener, then one per client */
	const char *event_names[CTL_MAX_EVENTS]; /**< events clients may subscribe to */
	unsigned int nb_events;			 /**< used entries of 'event_names' */
	uint64_t events_lost;			 /**< events dropped for slow subscribers */
};

/* Take the lock that makes starting two daemons on one socket safe against races. */
static int
server_lock(struct ctl_server *srv, char *err, size_t errlen)
{
	char lock_path[sizeof(srv->path) + 8];

	snprintf(lock_path, sizeof(lock_path), "%s.lock", srv->path);
	srv->lock_fd = open(lock_path, O_RDWR | O_CREAT | O_CLOEXEC, 0600);
	if (srv->lock_fd < 0) {
		int rc = -errno;

		snprintf(err, errlen, "cannot open lock file %s: %s", lock_path, strerror(errno));
		return rc;
	}
	if (flock(srv->lock_fd, LOCK_EX | LOCK_NB) < 0) {
		snprintf(err, errlen,
			 "another vswd is already serving %s; stop it or use another --socket",
			 srv->path);
		return -EADDRINUSE;
	}
	return 0;
}

/* Remove a socket file left by a daemon that died; refuse if one answers. */
static int
server_clear_stale(const struct ctl_server *srv, const struct sockaddr_un *addr, char *err,
		   size_t errlen)
{
	struct stat st;
	int fd, rc;

	if (lstat(srv->path, &st) < 0)
		return 0;
	if (!S_ISSOCK(st.st_mode)) {
		snprintf(err, errlen,
			 "%s exists and is not a socket; remove it or use another --socket",
			 srv->path);
		return -EEXIST;
	}
	fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (fd < 0) {
		rc = -errno;
		snprintf(err, errlen, "socket: %s", strerror(errno));
		return rc;
	}
	rc = connect(fd, (const struct sockaddr *)addr, sizeof(*addr));
	close(fd);
	if (rc == 0) {
		snprintf(err, errlen,
			 "another vswd is already listening on %s; stop it or use another --socket",
			 srv->path);
		return -EADDRINUSE;
	}
	if (errno != ECONNREFUSED) {
		rc = -errno;
		snprintf(err, errlen, "cannot check existing socket %s: %s", srv->path,
			 strerror(errno));
		return rc;
	}
	unlink(srv->path);
	return 0;
}

struct ctl_server *
ctl_server_open(const char *path, struct ctl_rpc *rpc, char *err, size_t errlen)
{
	struct sockaddr_un addr = { .sun_family = AF_UNIX };
	struct ctl_server *srv;
	int rc;

	if (strlen(path) >= sizeof(addr.sun_path)) {
		snprintf(err, errlen, "socket path %s is too long (at most %zu bytes)", path,
			 sizeof(addr.sun_path) - 1);
		errno = ENAMETOOLONG;
		return NULL;
	}
	srv = calloc(1, sizeof(*srv));
	if (srv == NULL) {
		snprintf(err, errlen, "out of memory");
		return NULL;
	}
	srv->fd = -1;
	srv->lock_fd = -1;
	srv->rpc = rpc;
	snprintf(srv->path, sizeof(srv->path), "%s", path);
	memcpy(addr.sun_path, path, strlen(path) + 1);

	rc = ctl_mkdir_parents(path, 0755);
	if (rc < 0) {
		snprintf(err, errlen, "cannot create the directory of %s: %s", path, strerror(-rc));
		goto fail;
	}
	rc = server_lock(srv, err, errlen);
	if (rc < 0)
		goto fail;
	rc = server_clear_stale(srv, &addr, err, errlen);
	if (rc < 0)
		goto fail;
	srv->fd = socket(AF_UNIX, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
	if (srv->fd < 0 || bind(srv->fd, (struct sockaddr *)&addr, sizeof(addr)) < 0 ||
	    listen(srv->fd, 16) < 0) {
		rc = -errno;
		snprintf(err, errlen, "cannot listen on %s: %s", path, strerror(errno));
		goto fail;
	}
	/* Whoever can connect can reconfigure the switch: owner and group only. */
	chmod(path, 0660);
	return srv;
fail:
	if (srv->fd >= 0)
		close(srv->fd);
	if (srv->lock_fd >= 0)
		close(srv->lock_fd);
	free(srv);
	errno = -rc;
	return NULL;
}

unsigned int
ctl_server_nb_clients(const struct ctl_server *srv)
{
	return srv->nb_clients;
}

static void
server_client_free(struct server_client *c)
{
	close(c->fd);
	free(c->in);
	free(c->out);
	free(c);
}

/* Send what the socket takes now; @return 0, or -errno when the client is gone. */
static int
server_flush(struct server_client *c)
{
	while (c->out_off < c->out_len) {
		ssize_t n = send(c->fd, c->out + c->out_off, c->out_len - c->out_off,
				 MSG_NOSIGNAL | MSG_DONTWAIT);

		if (n < 0) {
			if (errno == EINTR)
				continue;
			if (errno == EAGAIN || errno == EWOULDBLOCK)
				break;
			return -errno;
		}
		c->out_off += (size_t)n;
	}
	if (c->out_off == c->out_len)
		c->out_off = c->out_len = 0;
	return 0;
}

static size_t
server_pending(const struct server_client *c)
{
	return c->out_len - c->out_off;
}

/* Append 'len' bytes of 'data' to the output; a client we cannot buffer for is dropped. */
static void
server_append(struct server_client *c, const char *data, size_t len)
{
	if (c->out_off > 0 && c->out_off == c->out_len)
		c->out_off = c->out_len = 0;
	if (c->out_len + len > c->out_cap) {
		size_t cap = c->out_cap > 0 ? c->out_cap : 4096;
		char *p;

		while (cap < c->out_len + len)
			cap *= 2;
		p = realloc(c->out, cap);
		if (p == NULL) {
			ctl_log("control client dropped: out of memory for its reply");
			c->dead = true;
			return;
		}
		c->out = p;
		c->out_cap = cap;
	}
	memcpy(c->out + c->out_len, data, len);
	c->out_len += len;
}

/* Queue 'line' (consumed) for sending. */
static void
server_queue(struct server_client *c, char *line)
{
	size_t len;

	if (line == NULL)
		return;
	len = strlen(line);
	if (len > CTL_REPLY_MAX) {
		free(line);
		line = ctl_rpc_error_line(
			NULL, CTL_E_INTERNAL,
			"reply too large; narrow the request (e.g. fdb.show with bd)");
		if (line == NULL)
			return;
		len = strlen(line);
	}
	server_append(c, line, len);
	free(line);
}

/* A JSON-RPC notification line for 'method' with 'params' (borrowed; NULL = {}), to free(). */
static char *
server_notification_line(const char *method, json_t *params)
{
	json_t *msg =
		json_pack("{s:s, s:s, s:O*}", "jsonrpc", "2.0", "method", method, "params", params);

	if (msg != NULL && params == NULL)
		json_object_set_new(msg, "params", json_object());
	return ctl_rpc_dump_line(msg);
}

/* A subscriber that lost events and has caught up is told how many, before anything else. */
static void
server_events_resume(struct server_client *c)
{
	json_t *params;

	if (c->lost == 0 || c->dead || server_pending(c) > CTL_EVENT_LOW)
		return;
	params = json_pack("{s:I}", "count", (json_int_t)c->lost);
	server_queue(c, server_notification_line("events.lost", params));
	json_decref(params);
	c->lost = 0;
}

/* Drop 'n' bytes from the front of the input buffer. */
static void
server_consume(struct server_client *c, size_t n)
{
	memmove(c->in, c->in + n, c->in_len - n);
	c->in_len -= n;
}

/* Serve the complete lines in the input buffer while the client keeps up. */
static void
server_serve_lines(struct ctl_server *srv, struct server_client *c)
{
	while (!c->dead && server_pending(c) < CTL_OUT_HIGH) {
		char *nl = memchr(c->in, '\n', c->in_len);

		if (c->discarding) {
			if (nl == NULL) {
				c->in_len = 0;
				return;
			}
			c->discarding = false;
			server_consume(c, (size_t)(nl - c->in) + 1);
			continue;
		}
		if (nl != NULL) {
			server_queue(c,
				     ctl_rpc_serve_line(srv->rpc, c, c->in, (size_t)(nl - c->in)));
			server_consume(c, (size_t)(nl - c->in) + 1);
		} else if (c->in_len == SERVER_IN_CAP) {
			char msg[64];

			snprintf(msg, sizeof(msg), "request too large (limit %d bytes)",
				 CTL_LINE_MAX);
			server_queue(c, ctl_rpc_error_line(NULL, CTL_E_INVALID_REQ, msg));
			c->discarding = true;
			c->in_len = 0;
		} else if (c->eof && c->in_len > 0) {
			/* A last request without its newline, e.g. from `printf ... | nc -U`. */
			server_queue(c, ctl_rpc_serve_line(srv->rpc, c, c->in, c->in_len));
			c->in_len = 0;
		} else {
			return;
		}
	}
}

static void
server_read(struct server_client *c)
{
	for (;;) {
		ssize_t n;

		if (c->in_len == SERVER_IN_CAP)
			return;
		n = recv(c->fd, c->in + c->in_len, SERVER_IN_CAP - c->in_len, MSG_DONTWAIT);
		if (n > 0) {
			c->in_len += (size_t)n;
			/* Let the caller serve lines first so the buffer cannot fill with them. */
			return;
		}
		if (n == 0) {
			c->eof = true;
			return;
		}
		if (errno == EINTR)
			continue;
		if (errno != EAGAIN && errno != EWOULDBLOCK)
			c->dead = true;
		return;
	}
}

static void
server_accept(struct ctl_server *srv)
{
	for (;;) {
		struct server_client *c;
		int fd = accept4(srv->fd, NULL, NULL, SOCK_NONBLOCK | SOCK_CLOEXEC);

		if (fd < 0) {
			if (errno == EINTR)
				continue;
			if (errno != EAGAIN && errno != EWOULDBLOCK)
				ctl_log("control socket: accept: %s", strerror(errno));
			return;
		}
		if (srv->nb_clients == CTL_MAX_CLIENTS) {
			static const char busy[] =
				"{\"jsonrpc\":\"2.0\",\"id\":null,\"error\":{\"code\":-32000,"
				"\"message\":\"too many control connections\"}}\n";

			send(fd, busy, sizeof(busy) - 1, MSG_NOSIGNAL | MSG_DONTWAIT);
			close(fd);
			continue;
		}
		c = calloc(1, sizeof(*c));
		if (c != NULL)
			c->in = malloc(SERVER_IN_CAP);
		if (c == NULL || c->in == NULL) {
			free(c);
			close(fd);
			ctl_log("control socket: out of memory for a client");
			return;
		}
		c->fd = fd;
		c->srv = srv;
		srv->clients[srv->nb_clients++] = c;
	}
}

/* Whether to ask poll() for input: not while replies pile up unsent. */
static bool
server_wants_input(const struct server_client *c)
{
	return !c->eof && !c->dead && server_pending(c) < CTL_OUT_HIGH && c->in_len < SERVER_IN_CAP;
}

int
ctl_server_poll(struct ctl_server *srv, int timeout_ms)
{
	unsigned int nb = srv->nb_clients, kept = 0;
	int n;

	srv->pfds[0] = (struct pollfd){ .fd = srv->fd, .events = POLLIN };
	for (unsigned int i = 0; i < nb; i++) {
		struct server_client *c = srv->clients[i];

		srv->pfds[i + 1] = (struct pollfd){
			.fd = c->fd,
			.events = (short)((server_wants_input(c) ? POLLIN : 0) |
					  (server_pending(c) > 0 ? POLLOUT : 0)),
		};
	}
	n = poll(srv->pfds, nb + 1, timeout_ms);
	if (n < 0)
		return errno == EINTR ? 0 : -errno;

	for (unsigned int i = 0; i < nb; i++) {
		struct server_client *c = srv->clients[i];
		short rev = srv->pfds[i + 1].revents;

		if (rev & POLLNVAL)
			c->dead = true;
		if (!c->dead && (rev & (POLLIN | POLLHUP | POLLERR)) && server_wants_input(c))
			server_read(c);
		if (!c->dead)
			server_serve_lines(srv, c);
		if (!c->dead && server_flush(c) < 0)
			c->dead = true;
		/* Output freed room: serve lines held back, then try to send those too. */
		if (!c->dead && server_pending(c) < CTL_OUT_HIGH) {
			server_serve_lines(srv, c);
			if (server_flush(c) < 0)
				c->dead = true;
		}
		if (!c->dead && c->lost > 0) {
			server_events_resume(c);
			if (server_flush(c) < 0)
				c->dead = true;
		}
		if (!c->dead && (rev & POLLERR) && server_pending(c) > 0)
			c->dead = true;
		/* A subscriber may stop sending and keep listening, until it hangs up. */
		if (c->eof && c->in_len == 0 && server_pending(c) == 0 &&
		    (c->events == 0 || (rev & (POLLHUP | POLLERR))))
			c->dead = true;
		if (c->dead)
			server_client_free(c);
		else
			srv->clients[kept++] = c;
	}
	srv->nb_clients = kept;
	if (srv->pfds[0].revents & POLLIN)
		server_accept(srv);
	return n;
}

/* --- events --- */

static int
server_event_index(const struct ctl_server *srv, const char *name)
{
	for (unsigned int i = 0; i < srv->nb_events; i++)
		if (strcmp(srv->event_names[i], name) == 0)
			return (int)i;
	return -1;
}

int
ctl_server_enable_events(struct ctl_server *srv, const char *const names[], unsigned int nb)
{
	for (unsigned int i = 0; i < nb; i++) {
		if (server_event_index(srv, names[i]) >= 0)
			continue;
		if (srv->nb_events == CTL_MAX_EVENTS)
			return -ENOSPC;
		srv->event_names[srv->nb_events++] = names[i];
	}
	return 0;
}

uint32_t *
ctl_server_subscription(struct ctl_call *call, const char *const **names, unsigned int *nb)
{
	struct server_client *c = call->client;

	if (c == NULL)
		return NULL;
	*names = c->srv->event_names;
	*nb = c->srv->nb_events;
	return &c->events;
}

struct ctl_rpc *
ctl_server_rpc(const struct ctl_server *srv)
{
	return srv->rpc;
}

int
ctl_server_notify(struct ctl_server *srv, const char *event, json_t *params)
{
	int idx = server_event_index(srv, event);
	char *line = NULL;
	size_t len = 0;
	int nb = 0;

	if (idx < 0)
		return -ENOENT;
	for (unsigned int i = 0; i < srv->nb_clients; i++) {
		struct server_client *c = srv->clients[i];

		if (c->dead || !(c->events & (UINT32_C(1) << idx)))
			continue;
		server_events_resume(c);
		if (c->lost > 0 || server_pending(c) >= CTL_EVENT_HIGH) {
			c->lost++;
			srv->events_lost++;
			continue;
		}
		if (line == NULL) {
			line = server_notification_line(event, params);
			if (line == NULL)
				return -ENOMEM;
			len = strlen(line);
		}
		server_append(c, line, len);
		/* Best effort now; poll() sends the rest and notices a client that is gone. */
		server_flush(c);
		nb++;
	}
	free(line);
	return nb;
}

void
ctl_server_events_missed(struct ctl_server *srv, uint64_t count)
{
	for (unsigned int i = 0; i < srv->nb_clients; i++) {
		struct server_client *c = srv->clients[i];

		if (c->dead || c->events == 0)
			continue;
		c->lost += count;
		server_events_resume(c);
		server_flush(c);
	}
}

uint64_t
ctl_server_events_lost(const struct ctl_server *srv)
{
	return srv->events_lost;
}

void
ctl_server_close(struct ctl_server *srv)
{
	if (srv == NULL)
		return;
	for (unsigned int i = 0; i < srv->nb_clients; i++) {
		/* Best effort: a reply already computed is worth one last try. */
		server_flush(srv->clients[i]);
		server_client_free(srv->clients[i]);
	}
	close(srv->fd);
	unlink(srv->path);
	close(srv->lock_fd);
	free(srv);
}
