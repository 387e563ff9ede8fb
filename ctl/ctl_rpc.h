/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * JSON-RPC 2.0 dispatch: one request line in, at most one reply line out.
 *
 * Methods are registered from tables that live next to the feature they
 * control (ctl_port.c holds the port.* rows, and so on).  Each row names its
 * parameters with a type, and the dispatcher checks them before the handler
 * runs, so handlers see only well-formed input and every bad request gets an
 * error that names the field and says what was wrong with it.
 *
 * This file knows nothing about sockets or DPDK: framing is in
 * ctl_server.c, and the unit tests drive ctl_rpc_handle_line() directly.
 *
 * Thread-safety: a struct ctl_rpc is used by one thread (the control thread).
 */
#ifndef VSW_CTL_RPC_H
#define VSW_CTL_RPC_H

#include <stdbool.h>
#include <stddef.h>

#include <jansson.h>

/* JSON-RPC 2.0 error codes. */
#define CTL_E_PARSE	     -32700
#define CTL_E_INVALID_REQ    -32600
#define CTL_E_NO_METHOD	     -32601
#define CTL_E_INVALID_PARAMS -32602
#define CTL_E_INTERNAL	     -32603
#define CTL_E_APP	     -32000 /* the switch refused the request */

#define CTL_ERR_LEN	     512   /* size of an error message buffer */
#define CTL_NAME_MAX	     31	   /* longest port or bridge-domain name */
#define CTL_LINE_MAX	     65536 /* longest request line, without the newline */
#define CTL_MAX_METHODS	     128   /* methods one dispatcher can hold */

enum ctl_param_type {
	CTL_P_STRING, /* any JSON string */
	CTL_P_NAME,   /* a port or bridge-domain name: 1..31 of [A-Za-z0-9_.-] */
	CTL_P_INT,    /* a JSON integer */
	CTL_P_UINT,   /* a JSON integer >= 0 */
	CTL_P_BOOL,   /* true or false */
	CTL_P_SCALAR, /* a string, an integer or a boolean */
	CTL_P_ANY,    /* any JSON value; the handler checks it */
};

/* One named member of a method's params object. */
struct ctl_param {
	const char *name;	  /**< member name; NULL ends the list */
	enum ctl_param_type type; /**< what its value must be */
	bool required;		  /**< missing is an error */
};

struct ctl_rpc;
struct ctl_method;

/* One call being served; handlers read 'params' and fill 'result' or 'err'. */
struct ctl_call {
	struct ctl_rpc *rpc;		 /**< dispatcher serving the call */
	const struct ctl_method *method; /**< the method's table row */
	json_t *params;			 /**< validated params object, never NULL (borrowed) */
	json_t *result;			 /**< handler's result (owned); NULL means {} */
	void *ctx;			 /**< context given to ctl_rpc_register() */
	void *client;	       /**< the connection the request came on (ctl_server.c's), or NULL */
	bool restoring;	       /**< replaying saved configuration: do not record it again */
	int code;	       /**< error code on failure; CTL_E_APP unless the handler sets it */
	char err[CTL_ERR_LEN]; /**< error message on failure */
};

/**
 * Serve one call.  @return 0 with call->result set (or left NULL for {}), or
 * -errno with a sentence in call->err (and optionally call->code).
 */
typedef int ctl_handler(struct ctl_call *call);

/* A row of a method table. */
struct ctl_method {
	const char *name;		/**< "noun.verb"; NULL ends a table */
	const struct ctl_param *params; /**< accepted members, NULL-name terminated; NULL = none */
	bool extra_params;		/**< pass unknown members on instead of rejecting them */
	const char *help;		/**< one line for `vswctl --help` and system.methods */
	ctl_handler *handler;		/**< does the work */
	bool persist;			/**< a successful call changes saved configuration */
};

/**
 * Called after each successful call of a 'persist' method (not during
 * restore).  @return 0 or -errno with a message in 'err'.
 */
typedef int ctl_persist_fn(void *arg, char *err, size_t errlen);

/** Create a dispatcher with the built-in system.methods.  @return NULL on ENOMEM. */
struct ctl_rpc *ctl_rpc_create(void);
void ctl_rpc_destroy(struct ctl_rpc *rpc);

/**
 * Add the rows of 'table' (NULL-name terminated); handlers get 'ctx'.
 * @return 0, -EEXIST for a duplicate name, or -ENOSPC.
 */
int ctl_rpc_register(struct ctl_rpc *rpc, const struct ctl_method *table, void *ctx);

/** Run 'fn' after every accepted configuration change. */
void ctl_rpc_set_persist(struct ctl_rpc *rpc, ctl_persist_fn *fn, void *arg);

/** @return the row for 'name', or NULL. */
const struct ctl_method *ctl_rpc_find(const struct ctl_rpc *rpc, const char *name);

/** Call 'fn' for each registered method in registration order. */
void ctl_rpc_foreach(const struct ctl_rpc *rpc, void (*fn)(const struct ctl_method *m, void *arg),
		     void *arg);

/**
 * Serve one request line (without its newline).
 * @return the reply line, newline-terminated, to free(); or NULL when no
 *   reply is due (a notification, or a blank line).
 */
char *ctl_rpc_handle_line(struct ctl_rpc *rpc, const char *line, size_t len);

/** ctl_rpc_handle_line() for a request that came on connection 'client' (see ctl_call). */
char *ctl_rpc_serve_line(struct ctl_rpc *rpc, void *client, const char *line, size_t len);

/**
 * Call 'method' directly, through the same validation and handler as a
 * request, e.g. to replay saved configuration ('restoring' true: nothing is
 * persisted).  'params' is borrowed and may be NULL.
 * @return 0 with '*result' set (to free with json_decref), or -errno with a
 *   message in 'err'.
 */
int ctl_rpc_call(struct ctl_rpc *rpc, const char *method, json_t *params, bool restoring,
		 json_t **result, char *err, size_t errlen);

/** Build an error reply line for 'id' (borrowed, may be NULL). @return a string to free(). */
/** 'msg' (consumed; NULL gives NULL) as one compact JSON line ending in '\n', to free(). */
char *ctl_rpc_dump_line(json_t *msg);
char *ctl_rpc_error_line(json_t *id, int code, const char *message);

/** @return true if 'name' is a valid port or bridge-domain name. Thread-safe. */
bool ctl_name_valid(const char *name);

/** @return the JSON type of 'v' as a word ("string", "integer", ...). Thread-safe. */
const char *ctl_json_type_name(const json_t *v);

#endif /* VSW_CTL_RPC_H */
