/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * A client of vswd's control socket (JSON-RPC 2.0, one object per line):
 * blocking calls with a deadline on one connection, and an event
 * subscription read without blocking on another, so that a burst of
 * notifications never sits between a call and its answer.
 *
 * Thread-safety: none.  Returns: 0 or -errno; -ENOTCONN/-EPIPE: vswd is
 * gone (reconnect); -ETIMEDOUT: no answer in time; -EREMOTEIO: vswd refused
 * the request (the message is in vswd_error()); -EPROTO: the daemon sent
 * something that is not JSON-RPC.
 */
#ifndef VSW_AGENT_VSWD_H
#define VSW_AGENT_VSWD_H

#include <stddef.h>
#include <stdint.h>

#include <jansson.h>

struct vswd_conn {
	char path[108];	  /**< socket path */
	int fd;		  /**< -1 when not connected */
	char *in;	  /**< received bytes not yet consumed */
	size_t in_len;	  /**< bytes in 'in' */
	size_t in_cap;	  /**< allocated size of 'in' */
	uint64_t next_id; /**< id of the next request */
	int err_code;	  /**< JSON-RPC error code of the last refusal */
	char err[512];	  /**< message of the last failure */
};

void vswd_init(struct vswd_conn *c, const char *path);
int vswd_connect(struct vswd_conn *c);
void vswd_disconnect(struct vswd_conn *c);
const char *vswd_error(const struct vswd_conn *c);

/**
 * Call 'method' with 'params' (stolen; NULL = none) and wait up to
 * 'timeout_ms' for its answer; *result = the result (to decref; may be NULL).
 */
int vswd_call(struct vswd_conn *c, const char *method, json_t *params, json_t **result,
	      int timeout_ms);

/** One notification: method name and params (borrowed for the call). */
typedef void vswd_event_cb(const char *method, json_t *params, void *arg);
/**
 * Read what the socket has without blocking and hand each complete
 * notification to 'cb'.  @return 0, or -EPIPE when the daemon closed it.
 */
int vswd_read_events(struct vswd_conn *c, vswd_event_cb *cb, void *arg);

#endif
