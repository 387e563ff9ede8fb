/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The control socket: a Unix stream socket where every line a client sends
 * is one JSON-RPC request and every line it receives is one reply.
 *
 * The server never blocks: sockets are non-blocking and one poll() round
 * serves every ready client.  Each client has its own input buffer (a line
 * may arrive in pieces) and output buffer (a reply may leave in pieces).
 * A line longer than CTL_LINE_MAX gets an error and is skipped up to its
 * newline; the connection stays usable.  A client that does not read its
 * replies is not read from either until it catches up, so the memory a
 * client can tie up is bounded by CTL_OUT_HIGH plus one reply, and one reply
 * is at most CTL_REPLY_MAX.
 *
 * Thread-safety: control thread only.
 */
#ifndef VSW_CTL_SERVER_H
#define VSW_CTL_SERVER_H

#include <stddef.h>

struct ctl_rpc;

#define CTL_MAX_CLIENTS 64		   /* connections served at once */
#define CTL_OUT_HIGH	(256 * 1024)	   /* stop reading requests above this much unsent output */
#define CTL_REPLY_MAX	(64 * 1024 * 1024) /* a larger reply is replaced by an error */

struct ctl_server;

/**
 * Listen on 'path', creating its directory.  An existing socket file that
 * nobody answers on is removed; if a daemon answers on it, or holds the lock
 * file 'path'.lock, the call fails with -EADDRINUSE.
 * @return the server, or NULL with errno set and a message in 'err'.
 */
struct ctl_server *ctl_server_open(const char *path, struct ctl_rpc *rpc, char *err, size_t errlen);

/**
 * Wait up to 'timeout_ms' for socket events and serve them.
 * @return the number of ready descriptors (0 on timeout or signal), or -errno.
 */
int ctl_server_poll(struct ctl_server *srv, int timeout_ms);

/** @return connected clients. */
unsigned int ctl_server_nb_clients(const struct ctl_server *srv);

/** Close every client and the socket and remove the socket file.  Accepts NULL. */
void ctl_server_close(struct ctl_server *srv);

#endif /* VSW_CTL_SERVER_H */
