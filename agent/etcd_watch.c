/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The etcd watch stream (see etcd.h): one streaming POST to /v3/watch on a
 * libcurl easy handle inside the caller's multi handle.  The write callback
 * only buffers; complete lines are parsed by etcd_watch_next() outside
 * libcurl's callbacks.
 */
#include "etcd.h"
#include "etcd_priv.h"

#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

struct etcd_watch {
	CURL *easy;		 /**< the streaming POST */
	CURLM *multi;		 /**< the caller's multi handle it is added to */
	struct curl_slist *hdrs; /**< Content-Type */
	char *body;		 /**< the create request (must outlive the transfer) */
	struct buf in;		 /**< received bytes not yet returned as lines */
	int64_t last_data_ms;	 /**< when bytes last arrived */
	bool done;		 /**< the transfer ended */
	char err[256];		 /**< why it ended, or the last bad line */
};

static size_t
watch_write(char *ptr, size_t size, size_t nmemb, void *arg)
{
	struct etcd_watch *w = arg;

	w->last_data_ms = etcd_now_ms();
	return etcd_buf_write(ptr, size, nmemb, &w->in);
}

struct etcd_watch *
etcd_watch_detached(void)
{
	struct etcd_watch *w = calloc(1, sizeof(*w));

	if (w != NULL)
		w->last_data_ms = etcd_now_ms();
	return w;
}

int
etcd_watch_feed(struct etcd_watch *w, const void *data, size_t len)
{
	/* etcd_buf_write only reads 'data'; its libcurl signature is not const. */
	char *p = (char *)(uintptr_t)data;

	return len == 0 || watch_write(p, 1, len, w) == len ? 0 : -E2BIG;
}

void
etcd_watch_end(struct etcd_watch *w, const char *why)
{
	w->done = true;
	snprintf(w->err, sizeof(w->err), "%s", why);
}

struct etcd_watch *
etcd_watch_start(struct etcd_client *c, CURLM *multi, const char *prefix, int64_t start_revision)
{
	struct etcd_watch *w = calloc(1, sizeof(*w));
	size_t plen;
	char *end = etcd_prefix_end(prefix, &plen), url[512];
	json_t *req;

	if (w == NULL || end == NULL)
		goto nomem;
	req = json_pack("{s:{s:o, s:o, s:I, s:b}}", "create_request", "key", etcd_b64_json(prefix, plen),
			"range_end", etcd_b64_json(end, plen), "start_revision",
			(json_int_t)start_revision, "progress_notify", 1);
	w->body = req != NULL ? json_dumps(req, JSON_COMPACT) : NULL;
	json_decref(req);
	w->easy = curl_easy_init();
	w->hdrs = curl_slist_append(NULL, "Content-Type: application/json");
	if (w->body == NULL || w->easy == NULL || w->hdrs == NULL)
		goto nomem;
	snprintf(url, sizeof(url), "%s/v3/watch", etcd_endpoint(c));
	curl_easy_setopt(w->easy, CURLOPT_URL, url);
	curl_easy_setopt(w->easy, CURLOPT_HTTPHEADER, w->hdrs);
	curl_easy_setopt(w->easy, CURLOPT_POSTFIELDS, w->body);
	curl_easy_setopt(w->easy, CURLOPT_WRITEFUNCTION, watch_write);
	curl_easy_setopt(w->easy, CURLOPT_WRITEDATA, w);
	curl_easy_setopt(w->easy, CURLOPT_CONNECTTIMEOUT_MS, 1000L);
	curl_easy_setopt(w->easy, CURLOPT_NOSIGNAL, 1L);
	curl_easy_setopt(w->easy, CURLOPT_TCP_KEEPALIVE, 1L);
	w->multi = multi;
	w->last_data_ms = etcd_now_ms();
	if (curl_multi_add_handle(multi, w->easy) != CURLM_OK) {
		w->multi = NULL;
		goto nomem;
	}
	free(end);
	return w;
nomem:
	free(end);
	etcd_watch_stop(w);
	errno = ENOMEM;
	return NULL;
}

bool
etcd_watch_owns(struct etcd_watch *w, const CURLMsg *msg)
{
	if (w == NULL || msg->easy_handle != w->easy || msg->msg != CURLMSG_DONE)
		return false;
	w->done = true;
	if (msg->data.result != CURLE_OK) {
		snprintf(w->err, sizeof(w->err), "%s", curl_easy_strerror(msg->data.result));
	} else {
		long status = 0;

		curl_easy_getinfo(w->easy, CURLINFO_RESPONSE_CODE, &status);
		snprintf(w->err, sizeof(w->err), "the server ended the stream (HTTP %ld)", status);
	}
	return true;
}

bool
etcd_watch_done(const struct etcd_watch *w)
{
	return w->done;
}

const char *
etcd_watch_error(const struct etcd_watch *w)
{
	return w->err;
}

int64_t
etcd_watch_last_data_ms(const struct etcd_watch *w)
{
	return w->last_data_ms;
}

void
etcd_watch_msg_free(struct etcd_watch_msg *msg)
{
	for (size_t i = 0; i < msg->nb_events; i++)
		etcd_kv_free(&msg->events[i].kv);
	free(msg->events);
	memset(msg, 0, sizeof(*msg));
}

/* Fill 'msg' from one parsed line; @return 0 or -EPROTO with w->err. */
static int
watch_parse(struct etcd_watch *w, json_t *line, struct etcd_watch_msg *msg)
{
	json_t *r = json_object_get(line, "result"), *evs, *ev;
	size_t i;

	if (!json_is_object(r)) {
		json_t *e = json_object_get(line, "error");
		const char *m = json_string_value(json_object_get(e, "message"));

		snprintf(w->err, sizeof(w->err), "watch: %s", m != NULL ? m : "a line without result");
		return -EPROTO;
	}
	msg->revision = etcd_json_int(json_object_get(json_object_get(r, "header"), "revision"));
	msg->compact_revision = etcd_json_int(json_object_get(r, "compact_revision"));
	msg->created = json_is_true(json_object_get(r, "created"));
	msg->canceled = json_is_true(json_object_get(r, "canceled"));
	evs = json_object_get(r, "events");
	if (json_array_size(evs) == 0)
		return 0;
	msg->events = calloc(json_array_size(evs), sizeof(*msg->events));
	if (msg->events == NULL)
		return -ENOMEM;
	json_array_foreach(evs, i, ev) {
		const char *type = json_string_value(json_object_get(ev, "type"));
		struct etcd_event *e = &msg->events[msg->nb_events];

		if (etcd_kv_from_json(json_object_get(ev, "kv"), &e->kv) < 0) {
			snprintf(w->err, sizeof(w->err), "watch: an event without a valid key");
			return -EPROTO;
		}
		/* PUT is enum value 0, which the gateway omits. */
		e->type = type != NULL && strcmp(type, "DELETE") == 0 ? ETCD_DELETE : ETCD_PUT;
		msg->nb_events++;
	}
	return 0;
}

int
etcd_watch_next(struct etcd_watch *w, struct etcd_watch_msg *msg)
{
	char *nl = w->in.len > 0 ? memchr(w->in.p, '\n', w->in.len) : NULL;
	size_t n;
	json_error_t jerr;
	json_t *line;
	int rc;

	memset(msg, 0, sizeof(*msg));
	if (nl == NULL) {
		/* A stream that ended without a final newline still delivers its last object. */
		if (!w->done || w->in.len == 0)
			return 0;
		nl = w->in.p + w->in.len;
	}
	n = (size_t)(nl - w->in.p);
	line = json_loadb(w->in.p, n, 0, &jerr);
	n = n < w->in.len ? n + 1 : n;
	memmove(w->in.p, w->in.p + n, w->in.len - n);
	w->in.len -= n;
	if (w->in.cap > 0)
		w->in.p[w->in.len] = '\0';
	if (line == NULL) {
		snprintf(w->err, sizeof(w->err), "watch: a line that is not JSON: %s", jerr.text);
		return -EPROTO;
	}
	rc = watch_parse(w, line, msg);
	json_decref(line);
	if (rc < 0) {
		etcd_watch_msg_free(msg);
		return rc;
	}
	return 1;
}

void
etcd_watch_stop(struct etcd_watch *w)
{
	if (w == NULL)
		return;
	if (w->multi != NULL && w->easy != NULL)
		curl_multi_remove_handle(w->multi, w->easy);
	if (w->easy != NULL)
		curl_easy_cleanup(w->easy);
	curl_slist_free_all(w->hdrs);
	free(w->body);
	free(w->in.p);
	free(w);
}
