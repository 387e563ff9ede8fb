/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * bd.* methods: bridge domains, the L2 segments ports join, and their MAC
 * table settings.  A bridge domain with a VSID ("vsid", a setting like the
 * others) is a tenant virtual subnet carried over NVGRE; bd.add takes it too.  bd.set hands every key to dp_bd_set() as text, so a
 * setting the dataplane learns needs no change here; the keys below are
 * declared only so that their types are checked before anything changes.
 */
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <string.h>

#include "ctl_config.h"
#include "ctl_methods.h"
#include "dp.h"

/* params.vsid of bd.add as text for dp_bd_set(); @return 0 or -EINVAL. */
static int
bd_vsid_text(struct ctl_call *call, json_t *vsid, char *text, size_t len)
{
	if (json_integer_value(vsid) > 0xFFFFFF) {
		call->code = CTL_E_INVALID_PARAMS;
		snprintf(
			call->err, sizeof(call->err),
			"params.vsid: expected a VSID from 4096 to 16777214 (0 = none), got %" JSON_INTEGER_FORMAT,
			json_integer_value(vsid));
		return -EINVAL;
	}
	snprintf(text, len, "%" JSON_INTEGER_FORMAT, json_integer_value(vsid));
	return 0;
}

static int
bd_add(struct ctl_call *call)
{
	struct ctl_state *st = call->ctx;
	json_t *name = json_object_get(call->params, "name");
	json_t *vsid = json_object_get(call->params, "vsid");
	char vsid_text[24], ignored[VSW_ERR_LEN];
	int rc;

	/* vsid 0 is "none": the plain local domain bd.add has always made. */
	if (vsid != NULL && json_integer_value(vsid) == 0)
		vsid = NULL;
	if (vsid != NULL && bd_vsid_text(call, vsid, vsid_text, sizeof(vsid_text)) < 0)
		return -EINVAL;
	rc = dp_bd_add(json_string_value(name), call->err, sizeof(call->err));
	if (rc < 0)
		return rc;
	if (vsid != NULL) {
		rc = dp_bd_set(json_string_value(name), "vsid", vsid_text, call->err,
			       sizeof(call->err));
		if (rc < 0) {
			/* Nothing half-made: a domain without its VSID is not what was asked. */
			dp_bd_del(json_string_value(name), ignored, sizeof(ignored));
			if (rc == -EINVAL)
				call->code = CTL_E_INVALID_PARAMS;
			return rc;
		}
	}
	if (!call->restoring && st->config != NULL) {
		json_t *entry = json_pack("{s:O, s:O*}", "name", name, "vsid", vsid);

		if (entry == NULL || ctl_config_add(st->config, "bds", entry) < 0) {
			json_decref(entry);
			dp_bd_del(json_string_value(name), ignored, sizeof(ignored));
			snprintf(call->err, sizeof(call->err),
				 "out of memory recording bridge domain '%s'",
				 json_string_value(name));
			return -ENOMEM;
		}
		json_decref(entry);
	}
	return 0;
}

/* A port that failed to open still names its domain; keep the pair consistent. */
static const char *
bd_failed_user(const struct ctl_state *st, const char *bd)
{
	const char *port;
	json_t *reason;

	if (st->config == NULL)
		return NULL;
	json_object_foreach(st->port_errors, port, reason) {
		json_t *entry = ctl_config_find(st->config, "ports", port);
		const char *its_bd = json_string_value(json_object_get(entry, "bd"));

		if (its_bd != NULL && strcmp(its_bd, bd) == 0)
			return port;
	}
	return NULL;
}

static int
bd_del(struct ctl_call *call)
{
	struct ctl_state *st = call->ctx;
	const char *name = json_string_value(json_object_get(call->params, "name"));
	const char *user = bd_failed_user(st, name);
	int rc;

	if (user != NULL) {
		snprintf(
			call->err, sizeof(call->err),
			"bridge domain '%s' is used by port '%s' (configured, in error); delete the port first",
			name, user);
		return -EBUSY;
	}
	rc = dp_bd_del(name, call->err, sizeof(call->err));
	/* A saved domain that could not be restored exists only in the file. */
	if (rc == -ENOENT && st->config != NULL && ctl_config_find(st->config, "bds", name) != NULL)
		rc = 0;
	if (rc < 0)
		return rc;
	if (st->config != NULL) {
		ctl_config_remove(st->config, "bds", name);
		ctl_config_remove_static(st->config, "bd", name, NULL);
	}
	return 0;
}

/* A bd.list row; bd.set and system.show show the same.  vsid is null for a plain local domain. */
json_t *
ctl_bd_info_json(const struct dp_bd_info *b)
{
	return json_pack("{s:s, s:i, s:o, s:i, s:I, s:I, s:I, s:b, s:s, s:I, s:I, s:I, s:o, s:o}", "name",
			 b->name, "id", (int)b->id, "vsid",
			 b->vsid != 0 ? json_integer((json_int_t)b->vsid) : json_null(), "ports",
			 (int)b->nb_ports, "macs", (json_int_t)b->nb_macs, "aging",
			 (json_int_t)b->aging_s, "max_macs", (json_int_t)b->max_macs, "learning",
			 (int)b->learning, "limit_action", b->drop_over_limit ? "drop" : "forward",
			 "flap_moves", (json_int_t)b->flap_moves, "flap_window",
			 (json_int_t)b->flap_window_s, "flap_hold", (json_int_t)b->flap_hold_s, "rd",
			 b->rd[0] != '\0' ? json_string(b->rd) : json_null(), "gateway",
			 b->gateway[0] != '\0' ? json_string(b->gateway) : json_null());
}

/* Find 'name' among the bridge domains; @return 0 or -ENOENT. */
static int
bd_get(const char *name, struct dp_bd_info *out)
{
	struct dp_bd_info bds[VSW_MAX_BDS];
	unsigned int n = dp_bd_list(bds, VSW_MAX_BDS);

	for (unsigned int i = 0; i < n && i < VSW_MAX_BDS; i++) {
		if (strcmp(bds[i].name, name) == 0) {
			*out = bds[i];
			return 0;
		}
	}
	return -ENOENT;
}

static int
bd_list(struct ctl_call *call)
{
	struct dp_bd_info bds[VSW_MAX_BDS];
	unsigned int n = dp_bd_list(bds, VSW_MAX_BDS);

	if (n > VSW_MAX_BDS)
		n = VSW_MAX_BDS;
	call->result = json_array();
	if (call->result == NULL)
		return -ENOMEM;
	for (unsigned int i = 0; i < n; i++)
		json_array_append_new(call->result, ctl_bd_info_json(&bds[i]));
	return 0;
}

#define BD_MAX_SETTINGS 16 /* keys one bd.set may change */
#define BD_VALUE_TEXT	40 /* room for a setting as text: a routing-domain name */

/* One key of a bd.set call, as the dataplane and the configuration get it. */
struct bd_setting {
	const char *key;	  /**< member of params */
	char text[BD_VALUE_TEXT]; /**< value for dp_bd_set() */
	json_t *saved;		  /**< value for the configuration (borrowed or static) */
};

/* learning: true/false or "on"/"off". */
static int
bd_learning_text(struct ctl_call *call, json_t *v, struct bd_setting *s)
{
	const char *t = json_string_value(v);
	bool on;

	if (json_is_boolean(v))
		on = json_is_true(v);
	else if (t != NULL && (strcmp(t, "on") == 0 || strcmp(t, "true") == 0))
		on = true;
	else if (t != NULL && (strcmp(t, "off") == 0 || strcmp(t, "false") == 0))
		on = false;
	else {
		call->code = CTL_E_INVALID_PARAMS;
		if (t != NULL)
			snprintf(
				call->err, sizeof(call->err),
				"params.learning: expected true/false or \"on\"/\"off\", got '%.32s'",
				t);
		else
			snprintf(call->err, sizeof(call->err),
				 "params.learning: expected true/false or \"on\"/\"off\", got %s",
				 ctl_json_type_name(v));
		return -EINVAL;
	}
	snprintf(s->text, sizeof(s->text), "%s", on ? "on" : "off");
	s->saved = on ? json_true() : json_false();
	return 0;
}

/* Turn member 'key' = 'v' into a setting; @return 0 or -EINVAL with call->err. */
static int
bd_setting_text(struct ctl_call *call, const char *key, json_t *v, struct bd_setting *s)
{
	s->key = key;
	s->saved = v;
	if (strcmp(key, "learning") == 0)
		return bd_learning_text(call, v, s);
	call->code = CTL_E_INVALID_PARAMS;
	if (json_is_integer(v)) {
		json_int_t n = json_integer_value(v);

		if (n < 0 || n > (json_int_t)UINT32_MAX) {
			snprintf(call->err, sizeof(call->err),
				 "params.%.64s: expected an integer from 0 to %" PRIu32
				 ", got %" JSON_INTEGER_FORMAT,
				 key, UINT32_MAX, n);
			return -EINVAL;
		}
		snprintf(s->text, sizeof(s->text), "%" JSON_INTEGER_FORMAT, n);
	} else if (json_is_boolean(v)) {
		snprintf(s->text, sizeof(s->text), "%s", json_is_true(v) ? "on" : "off");
	} else if (json_is_string(v) && json_string_length(v) < sizeof(s->text)) {
		snprintf(s->text, sizeof(s->text), "%s", json_string_value(v));
	} else {
		snprintf(call->err, sizeof(call->err),
			 json_is_string(v) ?
				 "params.%.64s: value too long (%s)" :
				 "params.%.64s: expected a string, integer or boolean, got %s",
			 key, json_is_string(v) ? json_string_value(v) : ctl_json_type_name(v));
		return -EINVAL;
	}
	call->code = CTL_E_APP;
	return 0;
}

/* The current value of 'key' as text, to undo a change; @return false for a key we cannot read. */
static bool
bd_current_text(const struct dp_bd_info *b, const char *key, char *text, size_t len)
{
	const struct {
		const char *key;
		uint32_t value;
	} ints[] = {
		{ "aging", b->aging_s },	 { "max-macs", b->max_macs },
		{ "flap-moves", b->flap_moves }, { "flap-window", b->flap_window_s },
		{ "flap-hold", b->flap_hold_s }, { "vsid", b->vsid },
	};

	for (size_t i = 0; i < sizeof(ints) / sizeof(ints[0]); i++) {
		if (strcmp(key, ints[i].key) == 0) {
			snprintf(text, len, "%" PRIu32, ints[i].value);
			return true;
		}
	}
	if (strcmp(key, "learning") == 0)
		snprintf(text, len, "%s", b->learning ? "on" : "off");
	else if (strcmp(key, "rd") == 0)
		snprintf(text, len, "%s", b->rd[0] != '\0' ? b->rd : "none");
	else if (strcmp(key, "gateway") == 0)
		snprintf(text, len, "%s", b->gateway[0] != '\0' ? b->gateway : "none");
	else if (strcmp(key, "limit-action") == 0)
		snprintf(text, len, "%s", b->drop_over_limit ? "drop" : "forward");
	else
		return false;
	return true;
}

/* Record the settings in the domain's entry, creating one for a domain not in the file. */
static int
bd_save_settings(struct ctl_state *st, const char *name, const struct bd_setting *set,
		 unsigned int nb)
{
	json_t *entry = ctl_config_find(st->config, "bds", name);
	bool created = false;

	if (entry == NULL) {
		entry = json_pack("{s:s}", "name", name);
		if (entry == NULL || ctl_config_add(st->config, "bds", entry) < 0) {
			json_decref(entry);
			return -ENOMEM;
		}
		json_decref(entry);
		created = true;
	}
	for (unsigned int i = 0; i < nb; i++) {
		if (json_object_set(entry, set[i].key, set[i].saved) < 0) {
			if (created)
				ctl_config_remove(st->config, "bds", name);
			return -ENOMEM;
		}
	}
	return 0;
}

static int
bd_set(struct ctl_call *call)
{
	struct ctl_state *st = call->ctx;
	const char *name = json_string_value(json_object_get(call->params, "name"));
	struct bd_setting set[BD_MAX_SETTINGS];
	struct dp_bd_info before, after;
	unsigned int nb = 0, done;
	const char *key;
	json_t *v;
	int rc = 0;

	json_object_foreach(call->params, key, v) {
		if (strcmp(key, "name") == 0)
			continue;
		if (nb == BD_MAX_SETTINGS) {
			call->code = CTL_E_INVALID_PARAMS;
			snprintf(call->err, sizeof(call->err),
				 "params: too many settings (at most %d)", BD_MAX_SETTINGS);
			return -EINVAL;
		}
		rc = bd_setting_text(call, key, v, &set[nb]);
		if (rc < 0)
			return rc;
		nb++;
	}
	if (nb == 0) {
		call->code = CTL_E_INVALID_PARAMS;
		snprintf(call->err, sizeof(call->err),
			 "bd.set: nothing to set; give at least one of aging, max-macs, learning, "
			 "limit-action, flap-moves, flap-window, flap-hold, vsid, rd, gateway");
		return -EINVAL;
	}
	if (bd_get(name, &before) < 0) {
		snprintf(call->err, sizeof(call->err), "bridge domain '%s' not found", name);
		return -ENOENT;
	}
	for (done = 0; done < nb; done++) {
		rc = dp_bd_set(name, set[done].key, set[done].text, call->err, sizeof(call->err));
		if (rc < 0)
			break;
	}
	if (rc < 0) {
		/* All or nothing: put back what this call already changed. */
		while (done-- > 0) {
			char old[BD_VALUE_TEXT], ignored[VSW_ERR_LEN];

			if (bd_current_text(&before, set[done].key, old, sizeof(old)))
				dp_bd_set(name, set[done].key, old, ignored, sizeof(ignored));
		}
		if (rc == -EINVAL)
			call->code = CTL_E_INVALID_PARAMS;
		return rc;
	}
	if (!call->restoring && st->config != NULL && bd_save_settings(st, name, set, nb) < 0) {
		snprintf(call->err, sizeof(call->err),
			 "out of memory recording the settings of bridge domain '%s'", name);
		return -ENOMEM;
	}
	if (bd_get(name, &after) < 0)
		return 0;
	call->result = ctl_bd_info_json(&after);
	return call->result != NULL ? 0 : -ENOMEM;
}

/* Declared for their types; other keys go to dp_bd_set(), which names what it does not know. */
static const struct ctl_param bd_set_params[] = {
	{ "name", CTL_P_NAME, true },
	{ "aging", CTL_P_UINT, false },
	{ "max-macs", CTL_P_UINT, false },
	{ "learning", CTL_P_SCALAR, false },
	{ "limit-action", CTL_P_STRING, false },
	{ "flap-moves", CTL_P_UINT, false },
	{ "flap-window", CTL_P_UINT, false },
	{ "flap-hold", CTL_P_UINT, false },
	{ "vsid", CTL_P_UINT, false },
	{ "rd", CTL_P_STRING, false },
	{ "gateway", CTL_P_STRING, false },
	{ NULL },
};

static const struct ctl_param bd_add_params[] = {
	{ "name", CTL_P_NAME, true },
	{ "vsid", CTL_P_UINT, false },
	{ NULL },
};

/* Any string: a saved domain with a name that is no longer valid must still be deletable. */
static const struct ctl_param bd_del_params[] = {
	{ "name", CTL_P_STRING, true },
	{ NULL },
};

const struct ctl_method ctl_bd_methods[] = {
	{
		.name = "bd.add",
		.params = bd_add_params,
		.help = "create a bridge domain; with vsid, a tenant virtual subnet carried over NVGRE",
		.handler = bd_add,
		.persist = true,
	},
	{
		.name = "bd.del",
		.params = bd_del_params,
		.help = "delete a bridge domain that has no ports",
		.handler = bd_del,
		.persist = true,
	},
	{
		.name = "bd.set",
		.params = bd_set_params,
		.extra_params = true,
		.help = "change settings of a bridge domain: aging, max-macs, learning, "
			"limit-action, flap-moves, flap-window, flap-hold, vsid; rd and gateway "
			"(attach the subnet to a routing domain, with its router address IP/PREFIX)",
		.handler = bd_set,
		.persist = true,
	},
	{
		.name = "bd.list",
		.help = "list bridge domains with their VSID, port and MAC counts and MAC table settings",
		.handler = bd_list,
	},
	{ .name = NULL },
};
