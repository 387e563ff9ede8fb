/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * vswctl's results for people (ctl_cli.h): arrays of objects as aligned
 * tables, objects as "key: value" lines, stats with their non-zero counters,
 * and event lines for monitor.  --json bypasses all of this.
 */
#include "ctl_cli.h"

#include <ctype.h>
#include <stdlib.h>
#include <string.h>

#define CLI_MAX_COLUMNS 32  /* columns a table can show */
#define CLI_CELL_LEN	128 /* longest cell text shown */

/* Text of a scalar (or compact JSON of anything else) for a cell or a value. */
static void
cli_text(const json_t *v, char *buf, size_t len)
{
	char *dump;

	switch (json_typeof(v)) {
	case JSON_STRING:
		snprintf(buf, len, "%s", json_string_length(v) > 0 ? json_string_value(v) : "-");
		return;
	case JSON_INTEGER:
		snprintf(buf, len, "%" JSON_INTEGER_FORMAT, json_integer_value(v));
		return;
	case JSON_REAL:
		snprintf(buf, len, "%.2f", json_real_value(v));
		return;
	case JSON_TRUE:
		snprintf(buf, len, "true");
		return;
	case JSON_FALSE:
		snprintf(buf, len, "false");
		return;
	case JSON_NULL:
		snprintf(buf, len, "-");
		return;
	default:
		dump = json_dumps(v, JSON_COMPACT);
		snprintf(buf, len, "%s", dump != NULL ? dump : "?");
		free(dump);
	}
}

void
ctl_cli_format_event(json_t *msg, char *buf, size_t len)
{
	const char *method = json_string_value(json_object_get(msg, "method"));
	json_t *params = json_object_get(msg, "params");
	char text[256];
	const char *key;
	size_t off;
	json_t *v;

	off = (size_t)snprintf(buf, len, "%s", method != NULL ? method : "?");
	json_object_foreach(params, key, v) {
		if (off >= len)
			break;
		cli_text(v, text, sizeof(text));
		off += (size_t)snprintf(buf + off, len - off, " %s=%s", key, text);
	}
}

static bool
cli_is_table(const json_t *v)
{
	const json_t *row;
	size_t i;

	if (!json_is_array(v) || json_array_size(v) == 0)
		return false;
	json_array_foreach(v, i, row)
		if (!json_is_object(row))
			return false;
	return true;
}

void
ctl_cli_print_table(FILE *out, json_t *rows, const char *indent)
{
	const char *cols[CLI_MAX_COLUMNS];
	size_t width[CLI_MAX_COLUMNS];
	bool numeric[CLI_MAX_COLUMNS];
	unsigned int nb_cols = 0;
	char cell[CLI_CELL_LEN];
	json_t *row, *v;
	const char *key;
	size_t i;

	/* Columns: every key, in the order it first appears. */
	json_array_foreach(rows, i, row) {
		json_object_foreach(row, key, v) {
			unsigned int c;

			for (c = 0; c < nb_cols && strcmp(cols[c], key) != 0; c++)
				;
			if (c == nb_cols && nb_cols < CLI_MAX_COLUMNS) {
				cols[nb_cols] = key;
				width[nb_cols] = strlen(key);
				numeric[nb_cols++] = true;
			}
			if (c == CLI_MAX_COLUMNS)
				continue;
			cli_text(v, cell, sizeof(cell));
			if (strlen(cell) > width[c])
				width[c] = strlen(cell);
			if (!json_is_number(v) && !json_is_null(v))
				numeric[c] = false;
		}
	}
	fputs(indent, out);
	for (unsigned int c = 0; c < nb_cols; c++) {
		size_t len = strlen(cols[c]);

		for (size_t k = 0; k < len; k++)
			cell[k] = (char)toupper((unsigned char)cols[c][k]);
		cell[len] = '\0';
		if (c + 1 == nb_cols && !numeric[c])
			fprintf(out, "%s", cell);
		else
			fprintf(out, numeric[c] ? "%*s" : "%-*s", (int)width[c], cell);
		fputs(c + 1 == nb_cols ? "\n" : "  ", out);
	}
	json_array_foreach(rows, i, row) {
		fputs(indent, out);
		for (unsigned int c = 0; c < nb_cols; c++) {
			v = json_object_get(row, cols[c]);
			cli_text(v != NULL ? v : json_null(), cell, sizeof(cell));
			if (c + 1 == nb_cols && !numeric[c])
				fprintf(out, "%s", cell);
			else
				fprintf(out, numeric[c] ? "%*s" : "%-*s", (int)width[c], cell);
			fputs(c + 1 == nb_cols ? "\n" : "  ", out);
		}
	}
}

static void cli_print_object(FILE *out, json_t *obj, const char *indent);

static void
cli_print_value(FILE *out, json_t *v, const char *indent)
{
	char text[4096];
	json_t *item;
	size_t i;

	if (cli_is_table(v)) {
		ctl_cli_print_table(out, v, indent);
	} else if (json_is_array(v)) {
		if (json_array_size(v) == 0)
			fprintf(out, "%s(none)\n", indent);
		json_array_foreach(v, i, item) {
			cli_text(item, text, sizeof(text));
			fprintf(out, "%s%s\n", indent, text);
		}
	} else if (json_is_object(v)) {
		cli_print_object(out, v, indent);
	} else {
		cli_text(v, text, sizeof(text));
		fprintf(out, "%s%s\n", indent, text);
	}
}

static void
cli_print_object(FILE *out, json_t *obj, const char *indent)
{
	char deeper[64], text[4096];
	const char *key;
	json_t *v;

	snprintf(deeper, sizeof(deeper), "%s  ", indent);
	json_object_foreach(obj, key, v) {
		if (json_is_object(v) || cli_is_table(v)) {
			fprintf(out, "%s%s:\n", indent, key);
			cli_print_value(out, v, deeper);
		} else if (json_is_array(v)) {
			fprintf(out, "%s%s:", indent, key);
			for (size_t i = 0; i < json_array_size(v); i++) {
				cli_text(json_array_get(v, i), text, sizeof(text));
				fprintf(out, "%s%s", i == 0 ? " " : ", ", text);
			}
			fputc('\n', out);
		} else {
			cli_text(v, text, sizeof(text));
			fprintf(out, "%s%s: %s\n", indent, key, text);
		}
	}
}

/* stats.show: the port table, then the counters worth reading. */
static void
cli_print_stats(FILE *out, json_t *result, bool all)
{
	json_t *ports = json_object_get(result, "ports");
	json_t *counters = json_object_get(result, "counters");
	unsigned int nb_shown = 0;
	int width = 0;
	const char *key;
	json_t *v;

	cli_print_value(out, ports, "");
	json_object_foreach(counters, key, v)
		if ((all || json_integer_value(v) != 0) && (int)strlen(key) > width)
			width = (int)strlen(key);
	fprintf(out, "\ncounters:\n");
	json_object_foreach(counters, key, v) {
		if (!all && json_is_integer(v) && json_integer_value(v) == 0)
			continue;
		fprintf(out, "  %-*s  %" JSON_INTEGER_FORMAT "\n", width, key,
			json_integer_value(v));
		nb_shown++;
	}
	if (nb_shown == 0)
		fprintf(out, "  (all zero; -a shows them)\n");
}

/*
 * Columns an operator scans first, for methods whose rows come in another
 * order: bd.list's follow the settings table (ctl_bd_settings.c), which put
 * the VSID twelfth.  Only the text for people is reordered; --json keeps the
 * method's own order.
 */
static const struct {
	const char *method;	/**< a method whose result is a row or rows */
	const char *first[8];	/**< these members first, in order; then the rest */
} cli_orders[] = {
	{ "bd.list", { "name", "vsid", "vlan", "rd", "gateway", "ports", "macs", NULL } },
	{ "bd.set", { "name", "vsid", "vlan", "rd", "gateway", "ports", "macs", NULL } },
};

/* A copy of object 'obj' with the members of 'first' ahead of the rest (a new reference). */
static json_t *
cli_reordered(json_t *obj, const char *const *first)
{
	json_t *copy = json_object(), *v;
	const char *key;

	for (unsigned int k = 0; first[k] != NULL; k++)
		if ((v = json_object_get(obj, first[k])) != NULL)
			json_object_set(copy, first[k], v);
	json_object_foreach(obj, key, v)
		if (json_object_get(copy, key) == NULL)
			json_object_set(copy, key, v);
	return copy;
}

void
ctl_cli_print(FILE *out, const char *method, json_t *result, bool all)
{
	if (strcmp(method, "stats.show") == 0 &&
	    json_is_object(json_object_get(result, "counters")) &&
	    json_is_array(json_object_get(result, "ports"))) {
		cli_print_stats(out, result, all);
		return;
	}
	for (size_t i = 0; i < sizeof(cli_orders) / sizeof(cli_orders[0]); i++) {
		json_t *shown, *row;
		size_t k;

		if (strcmp(method, cli_orders[i].method) != 0)
			continue;
		if (json_is_object(result)) {
			shown = cli_reordered(result, cli_orders[i].first);
		} else if (cli_is_table(result)) {
			shown = json_array();
			json_array_foreach(result, k, row)
				json_array_append_new(shown, cli_reordered(row, cli_orders[i].first));
		} else {
			break;
		}
		cli_print_value(out, shown, "");
		json_decref(shown);
		return;
	}
	cli_print_value(out, result, "");
}
