/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Line framing and connection handling for the control socket; what a line
 * means is ctl_rpc.c's business.
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
	int fd;		 /**< connected socket, non-blocking */
	char *in;	 /**< received bytes not yet served, SERVER_IN_CAP bytes */
	size_t in_len;	 /**< bytes used in 'in' */
	bool discarding; /**< skipping the rest of an oversize line */
	bool eof;	 /**< the client will send nothing more */
	bool dead;	 /**< to be closed at the end of this round */
	char *out;	 /**< replies not yet sent */
	size_t out_off;	 /**< first unsent byte in 'out' */
	size_t out_len;	 /**< bytes used in 'out' */
	size_t out_cap;	 /**< allocated size of 'out' */
};

struct ctl_server {
	int fd;	     /**< listening socket */
	int lock_fd; /**< holds the flock on 'path'.lock */
	char path[sizeof(((struct sockaddr_un *)0)->sun_path)]; /**< socket file */
	struct ctl_rpc *rpc;					/**< serves the requests */
	struct server_client *clients[CTL_MAX_CLIENTS];		/**< connected clients */
	unsigned int nb_clients;				/**< used entries of 'clients' */
	struct pollfd pfds[CTL_MAX_CLIENTS + 1]; /**< listener, then one per client */
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
			free(line);
			return;
		}
		c->out = p;
		c->out_cap = cap;
	}
	memcpy(c->out + c->out_len, line, len);
	c->out_len += len;
	free(line);
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
			server_queue(c, ctl_rpc_handle_line(srv->rpc, c->in, (size_t)(nl - c->in)));
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
			server_queue(c, ctl_rpc_handle_line(srv->rpc, c->in, c->in_len));
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
		if (!c->dead && (rev & POLLERR) && server_pending(c) > 0)
			c->dead = true;
		if (c->eof && c->in_len == 0 && server_pending(c) == 0)
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
