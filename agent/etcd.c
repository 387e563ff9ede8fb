/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * etcd v3 JSON gateway client: see etcd.h.  The gateway maps gRPC to JSON:
 * fields left at their default (0, false, PUT) are omitted, int64 fields are
 * strings, bytes are base64.
 */
#include "etcd.h"
#include "etcd_priv.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#define ETCD_MAX_ENDPOINTS 8
#define ETCD_PAGE	   500		    /* keys per range page: far below the 1.5 MiB request limit */

struct etcd_client {
	char *endpoints[ETCD_MAX_ENDPOINTS]; /**< base URLs */
	unsigned int nb_endpoints;	     /**< used entries of 'endpoints' */
	unsigned int cur;		     /**< the endpoint tried first */
	long timeout_ms;		     /**< bound of one unary call */
	CURL *easy;			     /**< reused for unary calls (keeps connections) */
	int64_t seen_revision;		     /**< highest header.revision seen */
	/** The last request was sent again after an endpoint that may have applied it went silent. */
	bool resent;
	char err[512]; /**< message of the last failure */
};


int64_t
etcd_now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/* --- base64 (RFC 4648, with padding), small enough not to need a library --- */

static const char b64_chars[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";

char *
etcd_b64_encode(const void *in, size_t len)
{
	const unsigned char *s = in;
	char *out = malloc(4 * ((len + 2) / 3) + 1), *o = out;

	if (out == NULL)
		return NULL;
	for (size_t i = 0; i < len; i += 3) {
		uint32_t v = (uint32_t)s[i] << 16;

		if (i + 1 < len)
			v |= (uint32_t)s[i + 1] << 8;
		if (i + 2 < len)
			v |= s[i + 2];
		*o++ = b64_chars[(v >> 18) & 63];
		*o++ = b64_chars[(v >> 12) & 63];
		*o++ = i + 1 < len ? b64_chars[(v >> 6) & 63] : '=';
		*o++ = i + 2 < len ? b64_chars[v & 63] : '=';
	}
	*o = '\0';
	return out;
}

static int
b64_value(char c)
{
	const char *p = c != '\0' ? strchr(b64_chars, c) : NULL;

	return p != NULL ? (int)(p - b64_chars) : -1;
}

char *
etcd_b64_decode(const char *in, size_t *len)
{
	size_t n = strlen(in), o = 0;
	char *out;

	while (n > 0 && in[n - 1] == '=')
		n--;
	if (n % 4 == 1) {
		errno = EINVAL;
		return NULL;
	}
	out = malloc(n * 3 / 4 + 1);
	if (out == NULL)
		return NULL;
	for (size_t i = 0; i < n; i += 4) {
		uint32_t v = 0;
		size_t k;

		for (k = 0; k < 4 && i + k < n; k++) {
			int d = b64_value(in[i + k]);

			if (d < 0) {
				free(out);
				errno = EINVAL;
				return NULL;
			}
			v |= (uint32_t)d << (18 - 6 * k);
		}
		out[o++] = (char)(v >> 16);
		if (k > 2)
			out[o++] = (char)(v >> 8);
		if (k > 3)
			out[o++] = (char)v;
	}
	out[o] = '\0';
	if (len != NULL)
		*len = o;
	return out;
}

int64_t
etcd_json_int(const json_t *v)
{
	if (json_is_integer(v))
		return json_integer_value(v);
	if (json_is_string(v))
		return strtoll(json_string_value(v), NULL, 10);
	return 0;
}

/* Base64 of a C string, as a JSON string (NULL on ENOMEM). */
json_t *
etcd_b64_json(const char *s, size_t len)
{
	char *e = etcd_b64_encode(s, len);
	json_t *j = e != NULL ? json_string(e) : NULL;

	free(e);
	return j;
}

/* The key just past every key that starts with 'prefix' (range_end), malloc'd. */
char *
etcd_prefix_end(const char *prefix, size_t *len)
{
	size_t n = strlen(prefix);
	char *end = strdup(prefix);

	/* Prefixes here are text: the last byte is never 0xff, so +1 cannot carry. */
	if (end != NULL && n > 0)
		end[n - 1]++;
	*len = n;
	return end;
}

/* --- client --- */

struct etcd_client *
etcd_open(const char *endpoints, long timeout_ms)
{
	struct etcd_client *c = calloc(1, sizeof(*c));
	char *list, *tok, *save = NULL;

	if (c == NULL)
		return NULL;
	c->timeout_ms = timeout_ms > 0 ? timeout_ms : 3000;
	list = strdup(endpoints != NULL ? endpoints : "");
	for (tok = list != NULL ? strtok_r(list, ",", &save) : NULL; tok != NULL;
	     tok = strtok_r(NULL, ",", &save)) {
		size_t n = strlen(tok);

		if (n == 0)
			continue;
		if (c->nb_endpoints == ETCD_MAX_ENDPOINTS) {
			errno = E2BIG;
			goto fail;
		}
		while (n > 0 && tok[n - 1] == '/')
			tok[--n] = '\0';
		/* A bare host:port means http://, as etcdctl's --endpoints does. */
		if (strstr(tok, "://") == NULL) {
			char *u = malloc(n + 8);

			if (u != NULL)
				snprintf(u, n + 8, "http://%s", tok);
			c->endpoints[c->nb_endpoints] = u;
		} else {
			c->endpoints[c->nb_endpoints] = strdup(tok);
		}
		if (c->endpoints[c->nb_endpoints++] == NULL)
			goto fail;
	}
	if (c->nb_endpoints == 0) {
		errno = EINVAL;
		goto fail;
	}
	c->easy = curl_easy_init();
	if (c->easy == NULL) {
		errno = ENOMEM;
		goto fail;
	}
	free(list);
	return c;
fail:
	free(list);
	etcd_close(c);
	return NULL;
}

void
etcd_close(struct etcd_client *c)
{
	if (c == NULL)
		return;
	for (unsigned int i = 0; i < c->nb_endpoints; i++)
		free(c->endpoints[i]);
	if (c->easy != NULL)
		curl_easy_cleanup(c->easy);
	free(c);
}

const char *
etcd_endpoint(const struct etcd_client *c)
{
	return c->endpoints[c->cur];
}

void
etcd_next_endpoint(struct etcd_client *c)
{
	c->cur = (c->cur + 1) % c->nb_endpoints;
}

const char *
etcd_error(const struct etcd_client *c)
{
	return c->err;
}

int64_t
etcd_seen_revision(const struct etcd_client *c)
{
	return c->seen_revision;
}

size_t
etcd_buf_write(char *ptr, size_t size, size_t nmemb, void *arg)
{
	struct buf *b = arg;
	size_t n = size * nmemb;

	if (b->len + n + 1 > b->cap) {
		size_t cap = b->cap ? b->cap : 4096;
		char *p;

		while (cap < b->len + n + 1)
			cap *= 2;
		if (cap > ETCD_MAX_BODY)
			return 0; /* makes libcurl fail the transfer */
		p = realloc(b->p, cap);
		if (p == NULL)
			return 0;
		b->p = p;
		b->cap = cap;
	}
	memcpy(b->p + b->len, ptr, n);
	b->len += n;
	b->p[b->len] = '\0';
	return n;
}

static void
note_header(struct etcd_client *c, const json_t *reply)
{
	int64_t rev = etcd_json_int(json_object_get(json_object_get(reply, "header"), "revision"));

	if (rev > c->seen_revision)
		c->seen_revision = rev;
}

/* gRPC status codes that etcd's gateway passes through ("code" of an error reply). */
enum { GRPC_NOT_FOUND = 5, GRPC_OUT_OF_RANGE = 11, GRPC_UNAVAILABLE = 14 };

/*
 * One POST to one endpoint.  @return 0, -ECONNREFUSED for a transport failure
 * before the request went out or an unavailable member (try another),
 * -ETIMEDOUT for a transport failure after it went out (try another, but the
 * request may have been applied), or the errno of etcd's error.
 */
static int
post_once(struct etcd_client *c, const char *ep, const char *path, const char *body,
	  json_t **reply)
{
	struct curl_slist *hdrs = curl_slist_append(NULL, "Content-Type: application/json");
	struct buf b = { 0 };
	char url[512];
	json_error_t jerr;
	CURLcode cc;
	long status = 0;
	int rc = 0;

	snprintf(url, sizeof(url), "%s%s", ep, path);
	curl_easy_reset(c->easy);
	curl_easy_setopt(c->easy, CURLOPT_URL, url);
	curl_easy_setopt(c->easy, CURLOPT_HTTPHEADER, hdrs);
	curl_easy_setopt(c->easy, CURLOPT_POSTFIELDS, body);
	curl_easy_setopt(c->easy, CURLOPT_WRITEFUNCTION, etcd_buf_write);
	curl_easy_setopt(c->easy, CURLOPT_WRITEDATA, &b);
	curl_easy_setopt(c->easy, CURLOPT_CONNECTTIMEOUT_MS, c->timeout_ms < 1000 ? c->timeout_ms : 1000L);
	curl_easy_setopt(c->easy, CURLOPT_TIMEOUT_MS, c->timeout_ms);
	curl_easy_setopt(c->easy, CURLOPT_NOSIGNAL, 1L);
	/*
	 * A transaction never goes out on a reused connection: when one dies
	 * without a reply, libcurl sends the request again on its own, and
	 * etcd_request() could not tell a lost reply from a conflict.
	 */
	curl_easy_setopt(c->easy, CURLOPT_FRESH_CONNECT, (long)(strcmp(path, "/v3/kv/txn") == 0));
	cc = curl_easy_perform(c->easy);
	curl_slist_free_all(hdrs);
	if (cc != CURLE_OK) {
		curl_off_t sent = 0;

		snprintf(c->err, sizeof(c->err), "etcd at %s: %s", ep, curl_easy_strerror(cc));
		free(b.p);
		curl_easy_getinfo(c->easy, CURLINFO_SIZE_UPLOAD_T, &sent);
		return sent > 0 ? -ETIMEDOUT : -ECONNREFUSED;
	}
	curl_easy_getinfo(c->easy, CURLINFO_RESPONSE_CODE, &status);
	*reply = json_loadb(b.p != NULL ? b.p : "", b.len, 0, &jerr);
	if (*reply == NULL || !json_is_object(*reply)) {
		snprintf(c->err, sizeof(c->err),
			 "etcd at %s%s answered HTTP %ld with something that is not JSON (%s); is it "
			 "an etcd 3.4+ client URL?",
			 ep, path, status, *reply == NULL ? jerr.text : "not an object");
		json_decref(*reply);
		*reply = NULL;
		free(b.p);
		return status >= 500 ? -ECONNREFUSED : -EPROTO;
	}
	free(b.p);
	if (status != 200 || json_object_get(*reply, "error") != NULL) {
		json_int_t code = json_integer_value(json_object_get(*reply, "code"));
		const char *msg = json_string_value(json_object_get(*reply, "message"));

		if (msg == NULL)
			msg = json_string_value(json_object_get(*reply, "error"));
		snprintf(c->err, sizeof(c->err), "etcd at %s%s: %s (HTTP %ld)", ep, path,
			 msg != NULL ? msg : "error", status);
		rc = code == GRPC_NOT_FOUND	 ? -ENOENT :
		     code == GRPC_OUT_OF_RANGE	 ? -ERANGE :
		     code == GRPC_UNAVAILABLE || status >= 500 ? -ECONNREFUSED :
								 -EPROTO;
		json_decref(*reply);
		*reply = NULL;
		return rc;
	}
	note_header(c, *reply);
	return 0;
}

int
etcd_request(struct etcd_client *c, const char *path, json_t *body, json_t **reply)
{
	char *text = json_dumps(body, JSON_COMPACT);
	bool maybe_applied = false;
	int rc = -ECONNREFUSED;

	*reply = NULL;
	c->resent = false;
	if (text == NULL)
		return -ENOMEM;
	for (unsigned int i = 0; i < c->nb_endpoints; i++) {
		c->resent = maybe_applied;
		rc = post_once(c, c->endpoints[c->cur], path, text, reply);
		if (rc != -ECONNREFUSED && rc != -ETIMEDOUT)
			break;
		maybe_applied |= rc == -ETIMEDOUT;
		etcd_next_endpoint(c);
	}
	free(text);
	return rc == -ETIMEDOUT ? -ECONNREFUSED : rc;
}

void
etcd_kv_free(struct etcd_kv *kv)
{
	if (kv == NULL)
		return;
	free(kv->key);
	free(kv->value);
	memset(kv, 0, sizeof(*kv));
}

/* Decode a gateway KeyValue object into 'kv'; @return 0 or -EPROTO/-ENOMEM. */
int
etcd_kv_from_json(const json_t *j, struct etcd_kv *kv)
{
	const char *k = json_string_value(json_object_get(j, "key"));
	const char *v = json_string_value(json_object_get(j, "value"));

	memset(kv, 0, sizeof(*kv));
	if (k == NULL)
		return -EPROTO;
	kv->key = etcd_b64_decode(k, NULL);
	kv->value = etcd_b64_decode(v != NULL ? v : "", NULL);
	if (kv->key == NULL || kv->value == NULL) {
		etcd_kv_free(kv);
		return -EPROTO;
	}
	kv->mod_revision = etcd_json_int(json_object_get(j, "mod_revision"));
	kv->create_revision = etcd_json_int(json_object_get(j, "create_revision"));
	kv->version = etcd_json_int(json_object_get(j, "version"));
	kv->lease = etcd_json_int(json_object_get(j, "lease"));
	return 0;
}

int
etcd_range_prefix(struct etcd_client *c, const char *prefix, etcd_kv_cb *cb, void *arg,
		  int64_t *revision)
{
	size_t plen;
	char *end = etcd_prefix_end(prefix, &plen), *from = strdup(prefix);
	size_t from_len = plen;
	int64_t rev = 0;
	int rc = 0;

	if (end == NULL || from == NULL) {
		rc = -ENOMEM;
		goto out;
	}
	for (;;) {
		json_t *body = json_pack("{s:o, s:o, s:i}", "key", etcd_b64_json(from, from_len),
					 "range_end", etcd_b64_json(end, plen), "limit", ETCD_PAGE);
		json_t *reply = NULL, *kvs, *j;
		struct etcd_kv kv;
		size_t i;

		if (body == NULL) {
			rc = -ENOMEM;
			break;
		}
		/* Every page at the first page's revision: one consistent snapshot. */
		if (rev > 0)
			json_object_set_new(body, "revision", json_integer(rev));
		rc = etcd_request(c, "/v3/kv/range", body, &reply);
		json_decref(body);
		if (rc < 0)
			break;
		if (rev == 0)
			rev = etcd_json_int(json_object_get(json_object_get(reply, "header"), "revision"));
		kvs = json_object_get(reply, "kvs");
		free(from);
		from = NULL;
		json_array_foreach(kvs, i, j) {
			if (etcd_kv_from_json(j, &kv) < 0) {
				snprintf(c->err, sizeof(c->err),
					 "etcd range: a key-value without a valid key");
				rc = -EPROTO;
				break;
			}
			rc = cb(&kv, arg);
			if (i + 1 == json_array_size(kvs)) {
				/* The next page starts just past the last key: key + "\0". */
				from_len = strlen(kv.key) + 1;
				from = calloc(1, from_len + 1);
				if (from != NULL)
					memcpy(from, kv.key, from_len - 1);
			}
			etcd_kv_free(&kv);
			if (rc != 0)
				break;
		}
		if (rc != 0 || !json_is_true(json_object_get(reply, "more")) ||
		    json_array_size(kvs) == 0) {
			json_decref(reply);
			break;
		}
		json_decref(reply);
		if (from == NULL) {
			rc = -ENOMEM;
			break;
		}
	}
out:
	free(end);
	free(from);
	if (rc == 0 && revision != NULL)
		*revision = rev;
	return rc;
}

int
etcd_get(struct etcd_client *c, const char *key, struct etcd_kv *out)
{
	json_t *body = json_pack("{s:o}", "key", etcd_b64_json(key, strlen(key))), *reply = NULL, *kv;
	int rc;

	memset(out, 0, sizeof(*out));
	if (body == NULL)
		return -ENOMEM;
	rc = etcd_request(c, "/v3/kv/range", body, &reply);
	json_decref(body);
	if (rc < 0)
		return rc;
	kv = json_array_get(json_object_get(reply, "kvs"), 0);
	rc = kv == NULL ? -ENOENT : etcd_kv_from_json(kv, out);
	json_decref(reply);
	return rc;
}

static json_t *
put_body(const char *key, const char *value, int64_t lease)
{
	json_t *body = json_pack("{s:o, s:o}", "key", etcd_b64_json(key, strlen(key)), "value",
				 etcd_b64_json(value, strlen(value)));

	if (body != NULL && lease != 0)
		json_object_set_new(body, "lease", json_integer(lease));
	return body;
}

int
etcd_put(struct etcd_client *c, const char *key, const char *value, int64_t lease,
	 int64_t *revision)
{
	json_t *body = put_body(key, value, lease), *reply = NULL;
	int rc;

	if (body == NULL)
		return -ENOMEM;
	rc = etcd_request(c, "/v3/kv/put", body, &reply);
	json_decref(body);
	if (rc == 0 && revision != NULL)
		*revision = etcd_json_int(json_object_get(json_object_get(reply, "header"), "revision"));
	json_decref(reply);
	return rc;
}

/*
 * A put_if whose first try went silent and whose second found the key
 * changed: if the key now holds exactly 'value', the change is the first
 * try's.  @return 0 (*revision = the key's), or -EAGAIN.
 */
static int
put_if_took_effect(json_t *kv, const char *value, int64_t *revision)
{
	struct etcd_kv now;
	int rc = -EAGAIN;

	if (etcd_kv_from_json(kv, &now) < 0)
		return rc;
	if (now.value != NULL && strcmp(now.value, value) == 0) {
		if (revision != NULL)
			*revision = now.mod_revision;
		rc = 0;
	}
	etcd_kv_free(&now);
	return rc;
}

bool
etcd_resent(const struct etcd_client *c)
{
	return c->resent;
}

int
etcd_put_if(struct etcd_client *c, const char *key, const char *value, int64_t mod_revision,
	    int64_t *revision, struct etcd_kv *current)
{
	json_t *put = put_body(key, value, 0), *reply = NULL, *body, *kv;
	int rc;

	if (current != NULL)
		memset(current, 0, sizeof(*current));
	/* The failure branch reads the key back, so the loser learns who won in the same call. */
	body = json_pack("{s:[{s:o, s:s, s:s, s:I}], s:[{s:o}], s:[{s:{s:o}}]}", "compare", "key",
			 etcd_b64_json(key, strlen(key)), "target", "MOD", "result", "EQUAL",
			 "mod_revision", (json_int_t)mod_revision, "success", "request_put", put,
			 "failure", "request_range", "key", etcd_b64_json(key, strlen(key)));
	if (body == NULL)
		return -ENOMEM;
	rc = etcd_request(c, "/v3/kv/txn", body, &reply);
	json_decref(body);
	if (rc < 0)
		return rc;
	if (json_is_true(json_object_get(reply, "succeeded"))) {
		if (revision != NULL)
			*revision = etcd_json_int(
				json_object_get(json_object_get(reply, "header"), "revision"));
		json_decref(reply);
		return 0;
	}
	kv = json_array_get(json_object_get(json_object_get(json_array_get(
						    json_object_get(reply, "responses"), 0),
							    "response_range"),
					    "kvs"),
			    0);
	rc = kv != NULL && c->resent ? put_if_took_effect(kv, value, revision) : -EAGAIN;
	if (rc == -EAGAIN && kv != NULL && current != NULL && etcd_kv_from_json(kv, current) < 0)
		memset(current, 0, sizeof(*current));
	json_decref(reply);
	return rc;
}

int
etcd_delete(struct etcd_client *c, const char *key, int64_t *deleted)
{
	json_t *body = json_pack("{s:o}", "key", etcd_b64_json(key, strlen(key))), *reply = NULL;
	int rc;

	if (body == NULL)
		return -ENOMEM;
	rc = etcd_request(c, "/v3/kv/deleterange", body, &reply);
	json_decref(body);
	if (rc == 0 && deleted != NULL)
		*deleted = etcd_json_int(json_object_get(reply, "deleted"));
	json_decref(reply);
	return rc;
}

int
etcd_lease_grant(struct etcd_client *c, int64_t ttl, int64_t *id)
{
	json_t *body = json_pack("{s:I}", "TTL", (json_int_t)ttl), *reply = NULL;
	int rc;

	if (body == NULL)
		return -ENOMEM;
	rc = etcd_request(c, "/v3/lease/grant", body, &reply);
	json_decref(body);
	if (rc == 0) {
		*id = etcd_json_int(json_object_get(reply, "ID"));
		if (*id == 0) {
			snprintf(c->err, sizeof(c->err), "etcd lease grant: no lease ID in the answer");
			rc = -EPROTO;
		}
	}
	json_decref(reply);
	return rc;
}

/* keepalive and timetolive both answer TTL; an expired lease has TTL <= 0 (or is "not found"). */
static int
lease_ttl_call(struct etcd_client *c, const char *path, int64_t id, int64_t *ttl)
{
	json_t *body = json_pack("{s:I}", "ID", (json_int_t)id), *reply = NULL, *r;
	int rc;

	if (body == NULL)
		return -ENOMEM;
	rc = etcd_request(c, path, body, &reply);
	json_decref(body);
	if (rc < 0)
		return rc;
	/* keepalive is a gRPC stream: the gateway wraps its one answer in "result". */
	r = json_object_get(reply, "result");
	if (r == NULL)
		r = reply;
	note_header(c, r);
	*ttl = etcd_json_int(json_object_get(r, "TTL"));
	json_decref(reply);
	if (*ttl <= 0) {
		snprintf(c->err, sizeof(c->err), "etcd lease %llx has expired",
			 (unsigned long long)id);
		return -ENOENT;
	}
	return 0;
}

int
etcd_lease_keepalive(struct etcd_client *c, int64_t id, int64_t *ttl)
{
	return lease_ttl_call(c, "/v3/lease/keepalive", id, ttl);
}

int
etcd_lease_ttl(struct etcd_client *c, int64_t id, int64_t *ttl)
{
	return lease_ttl_call(c, "/v3/kv/lease/timetolive", id, ttl);
}

int
etcd_lease_revoke(struct etcd_client *c, int64_t id)
{
	json_t *body = json_pack("{s:I}", "ID", (json_int_t)id), *reply = NULL;
	int rc;

	if (body == NULL)
		return -ENOMEM;
	rc = etcd_request(c, "/v3/lease/revoke", body, &reply);
	json_decref(body);
	json_decref(reply);
	return rc;
}

