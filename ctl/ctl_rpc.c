/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * JSON-RPC 2.0 request handling: parse, check the envelope, find the method,
 * check params against the method's row, run the handler, build the reply.
 */
#include "ctl_rpc.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ctl_util.h"

/* A registered method and the context its handler gets. */
struct rpc_entry {
	const struct ctl_method *method; /**< table row (static storage) */
	void *ctx;			 /**< passed to the handler */
};

struct ctl_rpc {
	struct rpc_entry entries[CTL_MAX_METHODS]; /**< registered methods, in order */
	unsigned int nb_entries;		   /**< used entries */
	ctl_persist_fn *persist;		   /**< saves configuration, or NULL */
	void *persist_arg;			   /**< argument of 'persist' */
};

static int rpc_system_methods(struct ctl_call *call);

static const struct ctl_method rpc_builtin_methods[] = {
	{
		.name = "system.methods",
		.help = "list the methods this daemon serves, with their parameters",
		.handler = rpc_system_methods,
	},
	{ .name = NULL },
};

bool
ctl_name_valid(const char *name)
{
	size_t len = 0;

	if (name == NULL)
		return false;
	for (const char *p = name; *p != '\0'; p++, len++) {
		char c = *p;

		if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
		      c == '_' || c == '.' || c == '-'))
			return false;
	}
	return len >= 1 && len <= CTL_NAME_MAX;
}

const char *
ctl_json_type_name(const json_t *v)
{
	switch (json_typeof(v)) {
	case JSON_OBJECT:
		return "object";
	case JSON_ARRAY:
		return "array";
	case JSON_STRING:
		return "string";
	case JSON_INTEGER:
		return "integer";
	case JSON_REAL:
		return "number";
	case JSON_TRUE:
	case JSON_FALSE:
		return "boolean";
	case JSON_NULL:
		return "null";
	}
	return "value";
}

static const char *
rpc_param_type_word(enum ctl_param_type type)
{
	switch (type) {
	case CTL_P_STRING:
	case CTL_P_NAME:
		return "a string";
	case CTL_P_INT:
		return "an integer";
	case CTL_P_UINT:
		return "a non-negative integer";
	case CTL_P_BOOL:
		return "a boolean";
	case CTL_P_SCALAR:
		return "a string, integer or boolean";
	case CTL_P_ANY:
		return "a value";
	}
	return "a value";
}

static const char *
rpc_param_type_noun(enum ctl_param_type type)
{
	switch (type) {
	case CTL_P_STRING:
	case CTL_P_NAME:
		return "string";
	case CTL_P_INT:
	case CTL_P_UINT:
		return "integer";
	case CTL_P_BOOL:
		return "boolean";
	case CTL_P_SCALAR:
	case CTL_P_ANY:
		return "value";
	}
	return "value";
}

struct ctl_rpc *
ctl_rpc_create(void)
{
	struct ctl_rpc *rpc = calloc(1, sizeof(*rpc));

	if (rpc == NULL)
		return NULL;
	if (ctl_rpc_register(rpc, rpc_builtin_methods, NULL) < 0) {
		free(rpc);
		errno = ENOMEM;
		return NULL;
	}
	return rpc;
}

void
ctl_rpc_destroy(struct ctl_rpc *rpc)
{
	free(rpc);
}

int
ctl_rpc_register(struct ctl_rpc *rpc, const struct ctl_method *table, void *ctx)
{
	for (const struct ctl_method *m = table; m->name != NULL; m++) {
		if (ctl_rpc_find(rpc, m->name) != NULL)
			return -EEXIST;
		if (rpc->nb_entries == CTL_MAX_METHODS)
			return -ENOSPC;
		rpc->entries[rpc->nb_entries].method = m;
		rpc->entries[rpc->nb_entries].ctx = ctx;
		rpc->nb_entries++;
	}
	return 0;
}

void
ctl_rpc_set_persist(struct ctl_rpc *rpc, ctl_persist_fn *fn, void *arg)
{
	rpc->persist = fn;
	rpc->persist_arg = arg;
}

static const struct rpc_entry *
rpc_lookup(const struct ctl_rpc *rpc, const char *name)
{
	for (unsigned int i = 0; i < rpc->nb_entries; i++)
		if (strcmp(rpc->entries[i].method->name, name) == 0)
			return &rpc->entries[i];
	return NULL;
}

const struct ctl_method *
ctl_rpc_find(const struct ctl_rpc *rpc, const char *name)
{
	const struct rpc_entry *e = rpc_lookup(rpc, name);

	return e != NULL ? e->method : NULL;
}

void
ctl_rpc_foreach(const struct ctl_rpc *rpc, void (*fn)(const struct ctl_method *m, void *arg),
		void *arg)
{
	for (unsigned int i = 0; i < rpc->nb_entries; i++)
		fn(rpc->entries[i].method, arg);
}

/* Levenshtein distance, capped: names longer than 63 count as far away. */
static unsigned int
rpc_distance(const char *a, const char *b)
{
	size_t la = strlen(a), lb = strlen(b);
	unsigned int row[64];

	if (la >= 64 || lb >= 64)
		return 64;
	for (size_t j = 0; j <= lb; j++)
		row[j] = (unsigned int)j;
	for (size_t i = 1; i <= la; i++) {
		unsigned int diag = row[0];

		row[0] = (unsigned int)i;
		for (size_t j = 1; j <= lb; j++) {
			unsigned int up = row[j];
			unsigned int best = diag + (a[i - 1] == b[j - 1] ? 0 : 1);

			if (up + 1 < best)
				best = up + 1;
			if (row[j - 1] + 1 < best)
				best = row[j - 1] + 1;
			row[j] = best;
			diag = up;
		}
	}
	return row[lb];
}

/* Same noun ("port.x" vs "port.add") or a small typo counts as close. */
static bool
rpc_is_close(const char *wanted, const char *name)
{
	const char *dot = strchr(name, '.');

	if (dot != NULL && strncmp(wanted, name, (size_t)(dot - name + 1)) == 0)
		return true;
	return rpc_distance(wanted, name) <= 2;
}

static void
rpc_no_method_message(const struct ctl_rpc *rpc, const char *wanted, char *msg, size_t len)
{
	size_t off;
	unsigned int nb_close = 0;

	off = (size_t)snprintf(msg, len, "method '%s' not found", wanted);
	for (unsigned int i = 0; i < rpc->nb_entries && off < len; i++) {
		const char *name = rpc->entries[i].method->name;

		if (!rpc_is_close(wanted, name))
			continue;
		off += (size_t)snprintf(msg + off, len - off, "%s%s",
					nb_close == 0 ? "; did you mean " : ", ", name);
		nb_close++;
	}
	if (off < len)
		snprintf(msg + off, len - off, "%s", nb_close > 0 ? "?" : "; see vswctl --help");
}

/* Check one declared parameter; @return 0 or -EINVAL with the message in 'err'. */
static int
rpc_check_param(const struct ctl_param *p, json_t *v, char *err, size_t errlen)
{
	bool ok;

	if (v == NULL || json_is_null(v)) {
		if (!p->required)
			return 0;
		snprintf(err, errlen, "params.%s: required %s is missing", p->name,
			 rpc_param_type_noun(p->type));
		return -EINVAL;
	}
	switch (p->type) {
	case CTL_P_STRING:
	case CTL_P_NAME:
		ok = json_is_string(v);
		break;
	case CTL_P_INT:
	case CTL_P_UINT:
		ok = json_is_integer(v);
		break;
	case CTL_P_BOOL:
		ok = json_is_boolean(v);
		break;
	case CTL_P_SCALAR:
		ok = json_is_string(v) || json_is_integer(v) || json_is_boolean(v);
		break;
	case CTL_P_ANY:
		ok = true;
		break;
	default:
		ok = false;
	}
	if (!ok) {
		snprintf(err, errlen, "params.%s: expected %s, got %s", p->name,
			 rpc_param_type_word(p->type), ctl_json_type_name(v));
		return -EINVAL;
	}
	if (p->type == CTL_P_UINT && json_integer_value(v) < 0) {
		snprintf(err, errlen,
			 "params.%s: expected a non-negative integer, got %" JSON_INTEGER_FORMAT,
			 p->name, json_integer_value(v));
		return -EINVAL;
	}
	if (p->type == CTL_P_NAME && !ctl_name_valid(json_string_value(v))) {
		snprintf(
			err, errlen,
			"params.%s: invalid name '%.64s': use 1 to %d characters from A-Z a-z 0-9 _ . -",
			p->name, json_string_value(v), CTL_NAME_MAX);
		return -EINVAL;
	}
	return 0;
}

static bool
rpc_is_declared(const struct ctl_method *m, const char *key)
{
	for (const struct ctl_param *p = m->params; p != NULL && p->name != NULL; p++)
		if (strcmp(p->name, key) == 0)
			return true;
	return false;
}

static void
rpc_unknown_field_message(const struct ctl_method *m, const char *key, char *err, size_t errlen)
{
	size_t off =
		(size_t)snprintf(err, errlen, "params.%.64s: unknown field for %s", key, m->name);

	for (const struct ctl_param *p = m->params; p != NULL && p->name != NULL && off < errlen;
	     p++)
		off += (size_t)snprintf(err + off, errlen - off, "%s%s",
					p == m->params ? " (accepted: " : ", ", p->name);
	if (off < errlen)
		snprintf(err + off, errlen - off, "%s",
			 m->params != NULL && m->params[0].name != NULL ? ")" : " (it takes none)");
}

/* Check 'params' against the method's row; @return 0 or -EINVAL with 'err'. */
static int
rpc_check_params(const struct ctl_method *m, json_t *params, char *err, size_t errlen)
{
	const char *key;
	json_t *v;

	if (!json_is_object(params)) {
		snprintf(err, errlen, "params: expected an object, got %s",
			 ctl_json_type_name(params));
		return -EINVAL;
	}
	for (const struct ctl_param *p = m->params; p != NULL && p->name != NULL; p++)
		if (rpc_check_param(p, json_object_get(params, p->name), err, errlen) < 0)
			return -EINVAL;
	if (m->extra_params)
		return 0;
	json_object_foreach(params, key, v) {
		if (!rpc_is_declared(m, key)) {
			rpc_unknown_field_message(m, key, err, errlen);
			return -EINVAL;
		}
	}
	return 0;
}

/*
 * Validate and run one call.  @return 0 with '*result', or -errno with the
 * JSON-RPC code in '*code' and a message in 'err'.
 */
/* Every accepted configuration change goes to the log, so that an operator can say who changed what. */
static void
rpc_log_change(const char *method, const json_t *params)
{
	char *text = params != NULL ? json_dumps(params, JSON_COMPACT | JSON_SORT_KEYS) : NULL;

	ctl_log("config: %s %.400s", method, text != NULL ? text : "{}");
	free(text);
}

static int
rpc_invoke(struct ctl_rpc *rpc, const struct rpc_entry *e, void *client, json_t *params,
	   bool restoring, json_t **result, int *code, char *err, size_t errlen)
{
	struct ctl_call call = {
		.rpc = rpc,
		.method = e->method,
		.ctx = e->ctx,
		.client = client,
		.restoring = restoring,
		.code = CTL_E_APP,
	};
	json_t *owned = NULL;
	int rc;

	*result = NULL;
	if (params == NULL || json_is_null(params))
		params = owned = json_object();
	if (params == NULL) {
		*code = CTL_E_INTERNAL;
		snprintf(err, errlen, "out of memory");
		return -ENOMEM;
	}
	rc = rpc_check_params(e->method, params, err, errlen);
	if (rc < 0) {
		*code = CTL_E_INVALID_PARAMS;
		json_decref(owned);
		return rc;
	}
	call.params = params;
	rc = e->method->handler(&call);
	if (rc == 0 && e->method->persist && !restoring)
		rpc_log_change(e->method->name, params);
	json_decref(owned);
	if (rc < 0) {
		json_decref(call.result);
		*code = call.code;
		if (call.err[0] == '\0')
			snprintf(call.err, sizeof(call.err), "%s: %s", e->method->name,
				 strerror(-rc));
		snprintf(err, errlen, "%s", call.err);
		return rc;
	}
	if (call.result == NULL)
		call.result = json_object();
	if (e->method->persist && !restoring && rpc->persist != NULL) {
		char why[CTL_ERR_LEN];

		rc = rpc->persist(rpc->persist_arg, why, sizeof(why));
		if (rc < 0) {
			json_decref(call.result);
			*code = CTL_E_APP;
			snprintf(err, errlen,
				 "%s was applied but the configuration could not be saved: %s",
				 e->method->name, why);
			return rc;
		}
	}
	*result = call.result;
	return 0;
}

int
ctl_rpc_call(struct ctl_rpc *rpc, const char *method, json_t *params, bool restoring,
	     json_t **result, char *err, size_t errlen)
{
	const struct rpc_entry *e = rpc_lookup(rpc, method);
	int code;

	*result = NULL;
	if (e == NULL) {
		rpc_no_method_message(rpc, method, err, errlen);
		return -ENOENT;
	}
	return rpc_invoke(rpc, e, NULL, params, restoring, result, &code, err, errlen);
}

char *
ctl_rpc_dump_line(json_t *reply)
{
	char *text, *line;
	size_t len;

	if (reply == NULL)
		return NULL;
	text = json_dumps(reply, JSON_COMPACT);
	json_decref(reply);
	if (text == NULL)
		return NULL;
	len = strlen(text);
	line = realloc(text, len + 2);
	if (line == NULL) {
		free(text);
		return NULL;
	}
	line[len] = '\n';
	line[len + 1] = '\0';
	return line;
}

char *
ctl_rpc_error_line(json_t *id, int code, const char *message)
{
	json_t *reply;

	reply = json_pack("{s:s, s:O?, s:{s:i, s:s}}", "jsonrpc", "2.0", "id", id, "error", "code",
			  code, "message", message);
	if (reply == NULL)
		/* 'message' was not valid UTF-8 (it quotes client input); say less. */
		reply = json_pack("{s:s, s:O?, s:{s:i, s:s}}", "jsonrpc", "2.0", "id", id, "error",
				  "code", code, "message",
				  "invalid request (message not printable)");
	return ctl_rpc_dump_line(reply);
}

static char *
rpc_result_line(json_t *id, json_t *result)
{
	return ctl_rpc_dump_line(
		json_pack("{s:s, s:O, s:o}", "jsonrpc", "2.0", "id", id, "result", result));
}

static bool
rpc_is_blank(const char *line, size_t len)
{
	for (size_t i = 0; i < len; i++)
		if (line[i] != ' ' && line[i] != '\t' && line[i] != '\r' && line[i] != '\n')
			return false;
	return true;
}

char *
ctl_rpc_handle_line(struct ctl_rpc *rpc, const char *line, size_t len)
{
	return ctl_rpc_serve_line(rpc, NULL, line, len);
}

char *
ctl_rpc_serve_line(struct ctl_rpc *rpc, void *client, const char *line, size_t len)
{
	char msg[CTL_ERR_LEN];
	json_error_t jerr;
	json_t *req, *id, *version, *method, *result;
	const struct rpc_entry *e;
	char *reply;
	int code;

	if (rpc_is_blank(line, len))
		return NULL;
	req = json_loadb(line, len, JSON_DECODE_ANY | JSON_REJECT_DUPLICATES, &jerr);
	if (req == NULL) {
		snprintf(msg, sizeof(msg), "parse error at column %d: %s", jerr.column, jerr.text);
		return ctl_rpc_error_line(NULL, CTL_E_PARSE, msg);
	}
	if (json_is_array(req)) {
		json_decref(req);
		return ctl_rpc_error_line(NULL, CTL_E_INVALID_REQ,
					  "batch requests are not supported");
	}
	if (!json_is_object(req)) {
		snprintf(msg, sizeof(msg), "invalid request: expected an object, got %s",
			 ctl_json_type_name(req));
		json_decref(req);
		return ctl_rpc_error_line(NULL, CTL_E_INVALID_REQ, msg);
	}
	id = json_object_get(req, "id");
	version = json_object_get(req, "jsonrpc");
	method = json_object_get(req, "method");
	if (id != NULL && !json_is_string(id) && !json_is_number(id) && !json_is_null(id)) {
		snprintf(msg, sizeof(msg),
			 "invalid request: id must be a string, number or null, got %s",
			 ctl_json_type_name(id));
		reply = ctl_rpc_error_line(NULL, CTL_E_INVALID_REQ, msg);
	} else if (!json_is_string(version) || strcmp(json_string_value(version), "2.0") != 0) {
		reply = ctl_rpc_error_line(id, CTL_E_INVALID_REQ,
					   "invalid request: member \"jsonrpc\" must be \"2.0\"");
	} else if (!json_is_string(method)) {
		snprintf(msg, sizeof(msg),
			 "invalid request: member \"method\" must be a string%s%s",
			 method == NULL ? " and is missing" : ", got ",
			 method == NULL ? "" : ctl_json_type_name(method));
		reply = ctl_rpc_error_line(id, CTL_E_INVALID_REQ, msg);
	} else if ((e = rpc_lookup(rpc, json_string_value(method))) == NULL) {
		rpc_no_method_message(rpc, json_string_value(method), msg, sizeof(msg));
		reply = id == NULL ? NULL : ctl_rpc_error_line(id, CTL_E_NO_METHOD, msg);
	} else if (rpc_invoke(rpc, e, client, json_object_get(req, "params"), false, &result, &code,
			      msg, sizeof(msg)) < 0) {
		reply = id == NULL ? NULL : ctl_rpc_error_line(id, code, msg);
	} else {
		/* A notification still runs; it just gets no reply. */
		reply = id == NULL ? (json_decref(result), NULL) : rpc_result_line(id, result);
	}
	json_decref(req);
	return reply;
}

static void
rpc_describe(const struct ctl_method *m, void *arg)
{
	json_t *list = arg;
	char sig[256];
	size_t off = 0;

	sig[0] = '\0';
	for (const struct ctl_param *p = m->params; p != NULL && p->name != NULL; p++)
		off += (size_t)snprintf(sig + off, sizeof(sig) - off, "%s%s%s%s",
					off > 0 ? " " : "", p->required ? "" : "[", p->name,
					p->required ? "" : "]");
	if (m->extra_params && off < sizeof(sig))
		snprintf(sig + off, sizeof(sig) - off, "%s[key=value ...]", off > 0 ? " " : "");
	json_array_append_new(list, json_pack("{s:s, s:s, s:s}", "name", m->name, "params", sig,
					      "help", m->help != NULL ? m->help : ""));
}

static int
rpc_system_methods(struct ctl_call *call)
{
	call->result = json_array();
	if (call->result == NULL)
		return -ENOMEM;
	ctl_rpc_foreach(call->rpc, rpc_describe, call->result);
	return 0;
}
