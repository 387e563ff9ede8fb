/* SPDX-License-Identifier: BSD-3-Clause */
/* Helpers shared by etcd.c (unary calls) and etcd_watch.c (the watch stream); not public. */
#ifndef VSW_AGENT_ETCD_PRIV_H
#define VSW_AGENT_ETCD_PRIV_H

#include "etcd.h"

#define ETCD_MAX_BODY (64u << 20) /* a reply or one watch line larger than this is refused */

/** A growing byte buffer for libcurl's write callback. */
struct buf {
	char *p;    /**< data, NUL-terminated when len > 0 */
	size_t len; /**< bytes used */
	size_t cap; /**< bytes allocated */
};

/** libcurl write callback appending to a struct buf; fails the transfer past ETCD_MAX_BODY. */
size_t etcd_buf_write(char *ptr, size_t size, size_t nmemb, void *arg);
/** Decode a gateway KeyValue object; @return 0 or -EPROTO. */
int etcd_kv_from_json(const json_t *j, struct etcd_kv *kv);
/** Base64 of 'len' bytes of 's' as a JSON string (NULL on ENOMEM). */
json_t *etcd_b64_json(const char *s, size_t len);
/** The key just past every key that starts with 'prefix' (malloc'd); *len = its length. */
char *etcd_prefix_end(const char *prefix, size_t *len);
/**
 * Was the last request sent again to another endpoint after one that may
 * have applied it went silent (its reply lost)?  Then a comparison that
 * fails may have failed on that first try's own change.
 */
bool etcd_resent(const struct etcd_client *c);

#endif
