/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * A small client of etcd's v3 JSON gateway (etcd 3.4: POST /v3/kv/range,
 * /v3/kv/put, /v3/kv/txn, /v3/kv/deleterange, /v3/lease/..., /v3/watch) over
 * libcurl, with jansson for the bodies.
 *
 * Unary calls are blocking (libcurl easy handle, bounded by the client's
 * timeout) and fail over: a transport error or an "unavailable" answer moves
 * the client to the next endpoint and tries again, once per endpoint.  The
 * watch is a libcurl easy handle the caller adds to its own multi handle, so
 * one thread can wait on the watch, vswd's socket and timers together; the
 * write callback only buffers, and the caller pops complete lines
 * (etcd_watch_next) outside libcurl's callbacks.
 *
 * Keys and values travel base64-encoded; 64-bit numbers arrive as strings.
 * Everything here hides both: keys and values are C strings (etcd allows any
 * bytes; the agent's schema uses text only).
 *
 * Thread-safety: none; one client per thread.
 * Returns: 0 or -errno.  -ECONNREFUSED: no endpoint answered; -ENOENT: not
 * found (lease, key); -ERANGE: the revision asked for is compacted;
 * -EPROTO: etcd answered with an error or with something that is not its
 * JSON (the message is in etcd_error()).
 */
#ifndef VSW_AGENT_ETCD_H
#define VSW_AGENT_ETCD_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <curl/curl.h>
#include <jansson.h>

struct etcd_client;

/** One key-value pair as etcd returns it. */
struct etcd_kv {
	char *key;		 /**< the key, NUL-terminated */
	char *value;		 /**< the value, NUL-terminated ("" for a delete event) */
	int64_t mod_revision;	 /**< revision of the last change of the key */
	int64_t create_revision; /**< revision that created it */
	int64_t version;	 /**< number of changes since creation */
	int64_t lease;		 /**< lease it is attached to, 0 = none */
};

/** Open a client over 'endpoints' ("http://h:p[,http://h:p...]"); NULL with errno. */
struct etcd_client *etcd_open(const char *endpoints, long timeout_ms);
/** Close; accepts NULL. */
void etcd_close(struct etcd_client *c);
/** The endpoint in use (the one the next call tries first). */
const char *etcd_endpoint(const struct etcd_client *c);
/** Move to the next endpoint (after a watch ended on the current one). */
void etcd_next_endpoint(struct etcd_client *c);
/** The message of the last failed call. */
const char *etcd_error(const struct etcd_client *c);
/** The highest store revision any answer has reported so far. */
int64_t etcd_seen_revision(const struct etcd_client *c);

/** POST 'body' (borrowed) to 'path' ("/v3/kv/range"); *reply = the parsed answer (to decref). */
int etcd_request(struct etcd_client *c, const char *path, json_t *body, json_t **reply);

typedef int etcd_kv_cb(const struct etcd_kv *kv, void *arg);
/**
 * Every key under 'prefix', read page by page at one revision (the first
 * page's); 'cb' is called for each in key order (a non-zero return stops).
 * @param[out] revision the revision the listing reflects.
 */
int etcd_range_prefix(struct etcd_client *c, const char *prefix, etcd_kv_cb *cb, void *arg,
		      int64_t *revision);
/** Read one key; -ENOENT when it does not exist.  Free with etcd_kv_free(). */
int etcd_get(struct etcd_client *c, const char *key, struct etcd_kv *out);
/** Put 'value' at 'key' (attached to 'lease' unless 0); *revision = the new revision (may be NULL). */
int etcd_put(struct etcd_client *c, const char *key, const char *value, int64_t lease,
	     int64_t *revision);
/**
 * Put only if the key's mod_revision is still 'mod_revision' (0 = the key
 * must not exist).  @return 0 when written (*revision = new revision),
 * -EAGAIN when another writer got there first (*current = the key now, or
 * key NULL if it was deleted), or another -errno.
 */
int etcd_put_if(struct etcd_client *c, const char *key, const char *value, int64_t mod_revision,
		int64_t *revision, struct etcd_kv *current);
/** What one comparison of a transaction checks. */
enum etcd_cmp_kind {
	ETCD_CMP_MOD_EQUAL,	  /**< the key's mod_revision is 'revision' (0: it does not exist) */
	ETCD_CMP_UNCHANGED_SINCE, /**< no key of the range was created or changed after 'revision' */
	ETCD_CMP_EXISTS,	  /**< the key exists */
};

/** One comparison: a transaction commits only if all of them hold. */
struct etcd_cmp {
	enum etcd_cmp_kind kind; /**< what is checked */
	const char *key;	 /**< the key, or with 'prefix' every key that starts with it */
	bool prefix;		 /**< a range of keys rather than one */
	int64_t revision;	 /**< the revision compared with (MOD_EQUAL, UNCHANGED_SINCE) */
};

/** One operation of a transaction. */
struct etcd_op {
	enum { ETCD_OP_PUT, ETCD_OP_DELETE } kind; /**< put 'value', or delete */
	const char *key;   /**< the key, or for a delete with 'prefix' every key under it */
	bool prefix;	   /**< delete a range of keys (not for a put) */
	const char *value; /**< what a put writes */
};

/**
 * One transaction (etcd_txn.c): if every comparison holds, every operation,
 * in order, at one revision; otherwise nothing.  A watcher sees all of its
 * changes in one message.
 * @return 0 when committed (*revision = its revision; may be NULL), -EAGAIN
 * when a comparison failed (nothing changed), -EINVAL for a put of a
 * prefix, or another -errno.
 */
int etcd_txn(struct etcd_client *c, const struct etcd_cmp *cmps, size_t nb_cmps,
	     const struct etcd_op *ops, size_t nb_ops, int64_t *revision);
/** Delete 'key'; *deleted = 0 or 1 (may be NULL). */
int etcd_delete(struct etcd_client *c, const char *key, int64_t *deleted);
/** Grant a lease of 'ttl' seconds. */
int etcd_lease_grant(struct etcd_client *c, int64_t ttl, int64_t *id);
/** Refresh lease 'id'; *ttl = seconds left (-ENOENT once it expired). */
int etcd_lease_keepalive(struct etcd_client *c, int64_t id, int64_t *ttl);
/** Seconds left on lease 'id' (-ENOENT once it expired). */
int etcd_lease_ttl(struct etcd_client *c, int64_t id, int64_t *ttl);
/** Revoke lease 'id' and delete its keys. */
int etcd_lease_revoke(struct etcd_client *c, int64_t id);

void etcd_kv_free(struct etcd_kv *kv);

/* --- watch --- */

enum etcd_event_type { ETCD_PUT, ETCD_DELETE };

struct etcd_event {
	enum etcd_event_type type; /**< put or delete */
	struct etcd_kv kv;	   /**< the key after the change (value "" for a delete) */
};

/** One message of the watch stream. */
struct etcd_watch_msg {
	int64_t revision;	  /**< header.revision: the store's revision when sent */
	int64_t compact_revision; /**< > 0: cancelled, the start revision is compacted */
	bool created;		  /**< the watch was (re)created */
	bool canceled;		  /**< the server cancelled the watch */
	size_t nb_events;	  /**< entries of 'events' */
	struct etcd_event *events; /**< changes, in revision order */
};

struct etcd_watch;

/**
 * Start watching every key under 'prefix' from 'start_revision', with
 * progress notifications, on the client's current endpoint; the handle is
 * added to 'multi'.  NULL with errno.
 */
struct etcd_watch *etcd_watch_start(struct etcd_client *c, CURLM *multi, const char *prefix,
				    int64_t start_revision);
/** Mark the watch finished if 'msg' (from curl_multi_info_read) is its transfer. */
bool etcd_watch_owns(struct etcd_watch *w, const CURLMsg *msg);
/** The transfer ended (stream closed, error); what is buffered can still be read. */
bool etcd_watch_done(const struct etcd_watch *w);
/** Why it ended, for the log. */
const char *etcd_watch_error(const struct etcd_watch *w);
/** Milliseconds (CLOCK_MONOTONIC) when data last arrived. */
int64_t etcd_watch_last_data_ms(const struct etcd_watch *w);
/**
 * Pop the next complete message.  @return 1 with *msg filled (free with
 * etcd_watch_msg_free), 0 when no complete line is buffered, -EPROTO for a
 * line that is not a watch response (skipped; etcd_watch_error says why).
 */
int etcd_watch_next(struct etcd_watch *w, struct etcd_watch_msg *msg);
void etcd_watch_msg_free(struct etcd_watch_msg *msg);
/** Remove from the multi handle and free; accepts NULL. */
void etcd_watch_stop(struct etcd_watch *w);

/* --- helpers shared with the tests --- */

/**
 * A watch without a transfer, fed by etcd_watch_feed() instead of libcurl:
 * the unit tests drive the stream's buffering and parsing through it.
 * Free with etcd_watch_stop().  NULL with errno ENOMEM.
 */
struct etcd_watch *etcd_watch_detached(void);
/** Append bytes as libcurl's write callback does; 0, or -E2BIG past the line limit. */
int etcd_watch_feed(struct etcd_watch *w, const void *data, size_t len);
/** Mark the stream ended, with 'why' as its error. */
void etcd_watch_end(struct etcd_watch *w, const char *why);

/** Base64 of 'len' bytes of 'in' (malloc'd, NUL-terminated); NULL on ENOMEM. */
char *etcd_b64_encode(const void *in, size_t len);
/** Decode base64 'in' (malloc'd, NUL-terminated, *len bytes); NULL with errno EINVAL/ENOMEM. */
char *etcd_b64_decode(const char *in, size_t *len);
/** A 64-bit number given as a JSON string or integer; 0 when absent. */
int64_t etcd_json_int(const json_t *v);
/** Milliseconds on CLOCK_MONOTONIC. */
int64_t etcd_now_ms(void);

#endif
