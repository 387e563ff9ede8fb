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
 * Events: once ctl_server_enable_events() names them, a client may
 * subscribe (events.subscribe, ctl_events.c, through
 * ctl_server_subscription()) and from then on receives JSON-RPC notifications
 * (requests without an id) such as
 *   {"jsonrpc":"2.0","method":"fdb.moved","params":{...}}
 * interleaved with the replies to its own requests.  Events never block the
 * server: a subscriber with CTL_EVENT_HIGH bytes unsent loses the events
 * meant for it, which are counted; once it has read its output down to
 * CTL_EVENT_LOW it first gets {"method":"events.lost","params":{"count":N}}
 * and then events again.  A subscriber that has shut down its sending side
 * stays connected (`... | nc -U` works); one that hangs up is dropped.
 *
 * Thread-safety: control thread only.
 */
#ifndef VSW_CTL_SERVER_H
#define VSW_CTL_SERVER_H

#include <stddef.h>
#include <stdint.h>

#include <jansson.h>

struct ctl_rpc;
struct ctl_call;

#define CTL_MAX_CLIENTS 64		   /* connections served at once */
#define CTL_OUT_HIGH	(256 * 1024)	   /* stop reading requests above this much unsent output */
#define CTL_REPLY_MAX	(64 * 1024 * 1024) /* a larger reply is replaced by an error */
#define CTL_MAX_EVENTS	32		   /* event names one server can stream */
#define CTL_EVENT_HIGH	(64 * 1024)	   /* a subscriber this far behind loses events ... */
#define CTL_EVENT_LOW	(16 * 1024)	   /* ... until it is back below this */

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

/**
 * Offer the events 'names' (static strings, at most CTL_MAX_EVENTS in all).
 * @return 0 or -ENOSPC.
 */
int ctl_server_enable_events(struct ctl_server *srv, const char *const names[], unsigned int nb);

/**
 * The subscription of the connection 'call' came on: bit i is event
 * '(*names)[i]' of the '*nb' offered.  @return NULL when the call came on no
 * connection (a configuration replay).
 */
uint32_t *ctl_server_subscription(struct ctl_call *call, const char *const **names,
				  unsigned int *nb);

/** @return the dispatcher serving the server's requests. */
struct ctl_rpc *ctl_server_rpc(const struct ctl_server *srv);

/**
 * Queue notification 'event' with 'params' (borrowed; NULL = {}) for every
 * client subscribed to it, and send what the sockets take now.
 * @return the number of clients it was queued for, -ENOENT for an event not
 *   offered, or -ENOMEM.
 */
int ctl_server_notify(struct ctl_server *srv, const char *event, json_t *params);

/** @return events dropped for slow subscribers since the server opened. */
uint64_t ctl_server_events_lost(const struct ctl_server *srv);

/**
 * Events were lost before they reached the server (the dataplane's event
 * ring overflowed): every subscriber gets an events.lost notification with
 * 'count' added, so that it re-reads the table.
 */
void ctl_server_events_missed(struct ctl_server *srv, uint64_t count);

/** @return connected clients. */
unsigned int ctl_server_nb_clients(const struct ctl_server *srv);

/** Close every client and the socket and remove the socket file.  Accepts NULL. */
void ctl_server_close(struct ctl_server *srv);

#endif /* VSW_CTL_SERVER_H */
