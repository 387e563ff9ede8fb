/* SPDX-License-Identifier: BSD-3-Clause */
#include "ctl_cli.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#define CLI_MAX_POS	4   /* positional parameters of one command */

/* One vswctl command: NOUN [VERB] and the method it calls. */
struct cli_command {
	const char *noun;	      /**< first word */
	const char *verb;	      /**< second word, or NULL when the noun stands alone */
	const char *method;	      /**< JSON-RPC method */
	const char *pos[CLI_MAX_POS]; /**< params filled by positional arguments, in order;
					   "#name": decimal text becomes an integer;
					   "@word": the literal word, checked and dropped */
	unsigned int nb_required;     /**< how many of 'pos' must be given */
	const char *usage;	      /**< argument synopsis for the help text */
	const char *help;	      /**< one line */
};

static const struct cli_command cli_commands[] = {
	{ "port",
	  "add",
	  "port.add",
	  { "name", "type" },
	  2,
	  "NAME TYPE [bd=BD] [OPTION=VALUE ...]",
	  "create a port (types: tap kernel vhost-user pcap ring null dpdk) in bridge domain BD" },
	{ "port", "del", "port.del", { "name" }, 1, "NAME", "delete a port" },
	{ "port",
	  "set",
	  "port.set",
	  { "name" },
	  1,
	  "NAME [max-macs=N] [allowed-macs=MAC,...|any] [vlan-mode=none|access|trunk ...]",
	  "limit the MACs a port may learn or use; its VLAN mode" },
	{ "port", "list", "port.list", { NULL }, 0, "", "list ports with their link and state" },
	{ "bd",
	  "add",
	  "bd.add",
	  { "name" },
	  1,
	  "NAME [vsid=N]",
	  "create a bridge domain; vsid=N: a tenant virtual subnet over NVGRE" },
	{ "bd", "del", "bd.del", { "name" }, 1, "NAME", "delete an empty bridge domain" },
	{ "bd",
	  "set",
	  "bd.set",
	  { "name" },
	  1,
	  "NAME KEY=VALUE ...",
	  "change settings: MAC table, VSID (keys below)" },
	{ "bd", "list", "bd.list", { NULL }, 0, "", "list bridge domains and their settings" },
	{ "fdb", "show", "fdb.show", { "bd" }, 0, "[BD]", "show the MAC table" },
	{ "fdb", "flush", "fdb.flush", { "bd" }, 0, "[BD] [port=PORT]", "remove learned MACs" },
	{ "fdb",
	  "add",
	  "fdb.add",
	  { "bd", "mac", "port" },
	  3,
	  "BD MAC PORT",
	  "add a static MAC (never aged or moved)" },
	{ "fdb",
	  "del",
	  "fdb.del",
	  { "bd", "mac" },
	  2,
	  "BD MAC",
	  "delete a MAC, static or learned" },
	{ "fdb",
	  "stats",
	  "fdb.stats",
	  { NULL },
	  0,
	  "",
	  "MAC counts and settings per bridge domain, MAC table counters" },
	{ "uplink",
	  "set",
	  "uplink.set",
	  { "port" },
	  1,
	  "PORT [mtu=N] [vlan=N]",
	  "make PORT the uplink to the provider network (IP MTU, default 1500; its VLAN)" },
	{ "pa",
	  "add",
	  "pa.add",
	  { "address" },
	  1,
	  "IP/PREFIX",
	  "add a provider address of this host on the uplink, IPv4 or IPv6 (e.g. 2001:db8:1::1/64)" },
	{ "pa", "del", "pa.del", { "address" }, 1, "IP", "delete a provider address" },
	{ "pa", "list", "pa.list", { NULL }, 0, "", "list provider addresses" },
	{ "route",
	  "add",
	  "route.add",
	  { "prefix", "@via", "via" },
	  3,
	  "PREFIX via GATEWAY",
	  "add a provider route (e.g. 0.0.0.0/0 via 198.51.100.254, 2001:db8:2::/64 via 2001:db8:1::fe)" },
	{ "route", "del", "route.del", { "prefix" }, 1, "PREFIX", "delete a provider route" },
	{ "route",
	  "show",
	  "route.show",
	  { NULL },
	  0,
	  "",
	  "list provider routes, connected and configured" },
	{ "neigh", "add", "neigh.add", { "ip", "mac" }, 2, "IP MAC", "add a static neighbour" },
	{ "neigh", "del", "neigh.del", { "ip" }, 1, "IP", "delete a neighbour" },
	{ "neigh",
	  "show",
	  "neigh.show",
	  { NULL },
	  0,
	  "",
	  "list neighbours on the uplink (static, and learned by ARP or neighbour discovery)" },
	{ "tunnel",
	  "list",
	  "tunnel.list",
	  { NULL },
	  0,
	  "",
	  "list remote PAs: family, resolution state, next hop, tenant MTU, drops, last ICMP error" },
	{ "lookup",
	  "add",
	  "lookup.add",
	  { "#vsid", "ca_ip", "ca_mac", "pa" },
	  4,
	  "VSID CA_IP CA_MAC PA",
	  "add or update a customer->provider record" },
	{ "lookup",
	  "del",
	  "lookup.del",
	  { "#vsid", "ca_ip" },
	  2,
	  "VSID CA_IP",
	  "delete a customer->provider record" },
	{ "lookup",
	  "show",
	  "lookup.show",
	  { "#vsid" },
	  0,
	  "[VSID]",
	  "list customer->provider records" },
	{ "rd",
	  "add",
	  "rd.add",
	  { "name" },
	  1,
	  "NAME [mac=MAC]",
	  "create a routing domain; its router MAC is derived from NAME unless mac= is given" },
	{ "rd", "del", "rd.del", { "name" }, 1, "NAME", "delete a routing domain (detach its subnets first)" },
	{ "rd",
	  "list",
	  "rd.list",
	  { NULL },
	  0,
	  "",
	  "list routing domains; attach a subnet with bd set BD rd=RD gateway=IP/PREFIX" },
	{ "rd",
	  "route add",
	  "rd.route.add",
	  { "rd", "prefix", "@via", "via" },
	  4,
	  "RD PREFIX via CA",
	  "route PREFIX of routing domain RD through the customer address CA (e.g. 0.0.0.0/0)" },
	{ "rd",
	  "route del",
	  "rd.route.del",
	  { "rd", "prefix" },
	  2,
	  "RD PREFIX",
	  "delete a customer route" },
	{ "rd",
	  "route show",
	  "rd.route.show",
	  { "rd" },
	  0,
	  "[RD]",
	  "list customer routes" },
	{ "show",
	  NULL,
	  "system.show",
	  { NULL },
	  0,
	  "",
	  "the whole switch: overlay, MTUs, bridge domains, ports, routes, counts" },
	{ "monitor",
	  NULL,
	  "events.subscribe",
	  { NULL },
	  0,
	  "[count=N] [events=NAME,...]",
	  "print MAC table events as they happen (--json: JSON lines)" },
	{ "stats", NULL, "stats.show", { NULL }, 0, "", "same as stats show" },
	{ "stats",
	  "show",
	  "stats.show",
	  { "port" },
	  0,
	  "[PORT]",
	  "port counters and non-zero switch counters (-a: all)" },
	{ "stats", "pmd", "stats.pmd", { NULL }, 0, "", "per-worker packets, bursts and cycles" },
	{ "stats",
	  "queues",
	  "stats.queues",
	  { "port" },
	  0,
	  "[PORT]",
	  "packets per queue of each port, and the worker lcore polling each RX queue" },
	{ "version", NULL, "system.version", { NULL }, 0, "", "same as system version" },
	{ "system", "version", "system.version", { NULL }, 0, "", "vsw and DPDK versions" },
	{ "system", "methods", "system.methods", { NULL }, 0, "", "methods the daemon serves" },
	{ "log",
	  "level",
	  "log.level",
	  { "level" },
	  0,
	  "[LEVEL]",
	  "show or set the log level: err warning notice info debug" },
};

#define CLI_NB_COMMANDS (sizeof(cli_commands) / sizeof(cli_commands[0]))

void
ctl_cli_request_free(struct ctl_cli_request *req)
{
	json_decref(req->params);
	req->params = NULL;
}

json_t *
ctl_cli_value(const char *text)
{
	const char *p = text;

	if (strcmp(text, "true") == 0)
		return json_true();
	if (strcmp(text, "false") == 0)
		return json_false();
	if (*p == '-')
		p++;
	if (*p != '\0' && strspn(p, "0123456789") == strlen(p)) {
		char *end;
		long long v;

		errno = 0;
		v = strtoll(text, &end, 10);
		/* Too big for an integer: keep the digits as text rather than change them. */
		if (errno == 0 && *end == '\0')
			return json_integer(v);
	}
	return json_string(text);
}

/* Set 'key' in 'params' unless it is already there. */
static int
cli_set(json_t *params, const char *key, json_t *value, char *err, size_t errlen)
{
	if (value == NULL) {
		snprintf(err, errlen, "value of %s is not valid UTF-8", key);
		return -EINVAL;
	}
	if (json_object_get(params, key) != NULL) {
		json_decref(value);
		snprintf(err, errlen, "%s is given twice", key);
		return -EINVAL;
	}
	return json_object_set_new(params, key, value) < 0 ? -ENOMEM : 0;
}

/* Add the key=value arguments of argv[first..]; any other argument is an error. */
static int
cli_add_pairs(json_t *params, int argc, char *const argv[], int first, const char *cmd, char *err,
	      size_t errlen)
{
	for (int i = first; i < argc; i++) {
		const char *eq = strchr(argv[i], '=');
		char key[64];

		if (eq == NULL || eq == argv[i]) {
			snprintf(err, errlen, "%s: unexpected argument '%s' (expected key=value)",
				 cmd, argv[i]);
			return -EINVAL;
		}
		if ((size_t)(eq - argv[i]) >= sizeof(key)) {
			snprintf(err, errlen, "%s: key too long in '%s'", cmd, argv[i]);
			return -EINVAL;
		}
		memcpy(key, argv[i], (size_t)(eq - argv[i]));
		key[eq - argv[i]] = '\0';
		if (cli_set(params, key, ctl_cli_value(eq + 1), err, errlen) < 0)
			return -EINVAL;
	}
	return 0;
}

/* Words the verb takes on the command line: 0, 1, or 2 ("route add"). */
static int
cli_verb_words(const struct cli_command *c)
{
	return c->verb == NULL ? 0 : strchr(c->verb, ' ') != NULL ? 2 : 1;
}

static bool
cli_verb_matches(const struct cli_command *c, int argc, char *const argv[])
{
	const char *space = strchr(c->verb, ' ');
	size_t first = space != NULL ? (size_t)(space - c->verb) : strlen(c->verb);

	if (argc < 1 + cli_verb_words(c))
		return false;
	if (strncmp(c->verb, argv[1], first) != 0 || argv[1][first] != '\0')
		return false;
	return space == NULL || strcmp(space + 1, argv[2]) == 0;
}

static const struct cli_command *
cli_lookup(int argc, char *const argv[], bool *noun_known)
{
	*noun_known = false;
	for (size_t i = 0; i < CLI_NB_COMMANDS; i++) {
		const struct cli_command *c = &cli_commands[i];

		if (strcmp(c->noun, argv[0]) != 0)
			continue;
		*noun_known = true;
		if (c->verb == NULL && (argc < 2 || strchr(argv[1], '=') != NULL))
			return c;
		if (c->verb != NULL && cli_verb_matches(c, argc, argv))
			return c;
	}
	return NULL;
}

/* `call METHOD [JSON] [key=value ...]`: anything the daemon serves. */
static int
cli_map_call(int argc, char *const argv[], struct ctl_cli_request *req, char *err, size_t errlen)
{
	int first = 2;

	if (argc < 2) {
		snprintf(err, errlen, "call: missing METHOD");
		return -EINVAL;
	}
	if (snprintf(req->method, sizeof(req->method), "%s", argv[1]) >= (int)sizeof(req->method)) {
		snprintf(err, errlen, "call: method name too long");
		return -EINVAL;
	}
	if (argc > 2 && strchr(argv[2], '=') == NULL) {
		json_error_t jerr;

		json_decref(req->params);
		req->params = json_loads(argv[2], JSON_DECODE_ANY, &jerr);
		if (req->params == NULL) {
			snprintf(err, errlen, "call: params are not valid JSON: %s at column %d",
				 jerr.text, jerr.column);
			return -EINVAL;
		}
		first = 3;
	}
	if (first < argc && !json_is_object(req->params)) {
		snprintf(err, errlen,
			 "call: key=value arguments need JSON params that are an object");
		return -EINVAL;
	}
	return cli_add_pairs(req->params, argc, argv, first, "call", err, errlen);
}

/* monitor: count=N is vswctl's, not the daemon's. */
static int
cli_map_monitor(struct ctl_cli_request *req, char *err, size_t errlen)
{
	json_t *count = json_object_get(req->params, "count");

	req->monitor = true;
	req->count = 0;
	if (count == NULL)
		return 0;
	if (!json_is_integer(count) || json_integer_value(count) <= 0 ||
	    json_integer_value(count) > 1000000000) {
		char *text = json_dumps(count, JSON_ENCODE_ANY);

		snprintf(err, errlen, "monitor: count must be a positive integer, got %s",
			 text != NULL ? text : "?");
		free(text);
		return -EINVAL;
	}
	req->count = (long)json_integer_value(count);
	json_object_del(req->params, "count");
	return 0;
}

int
ctl_cli_map(int argc, char *const argv[], struct ctl_cli_request *req, char *err, size_t errlen)
{
	const struct cli_command *c;
	bool noun_known;
	int i, nb_pos = 0;
	char cmd[64];

	req->method[0] = '\0';
	req->monitor = false;
	req->count = 0;
	req->params = json_object();
	if (req->params == NULL)
		return -ENOMEM;
	if (argc < 1) {
		snprintf(err, errlen, "missing command");
		goto fail;
	}
	if (strcmp(argv[0], "call") == 0) {
		if (cli_map_call(argc, argv, req, err, errlen) < 0)
			goto fail;
		return 0;
	}
	c = cli_lookup(argc, argv, &noun_known);
	if (c == NULL) {
		/* Not ours: pass "noun.verb key=value..." through if it looks like one. */
		if (argc < 2 || strchr(argv[1], '=') != NULL) {
			snprintf(err, errlen, "%s '%s'; see vswctl --help",
				 noun_known ? "missing or unknown verb after" : "unknown command",
				 argv[0]);
			goto fail;
		}
		snprintf(cmd, sizeof(cmd), "%s %s", argv[0], argv[1]);
		for (i = 2; i < argc; i++) {
			if (strchr(argv[i], '=') == NULL) {
				snprintf(err, errlen, "unknown command '%s'; see vswctl --help",
					 cmd);
				goto fail;
			}
		}
		if (snprintf(req->method, sizeof(req->method), "%s.%s", argv[0], argv[1]) >=
		    (int)sizeof(req->method)) {
			snprintf(err, errlen, "unknown command '%s'", cmd);
			goto fail;
		}
		if (cli_add_pairs(req->params, argc, argv, 2, cmd, err, errlen) < 0)
			goto fail;
		return 0;
	}
	snprintf(req->method, sizeof(req->method), "%s", c->method);
	snprintf(cmd, sizeof(cmd), "%s%s%s", c->noun, c->verb != NULL ? " " : "",
		 c->verb != NULL ? c->verb : "");
	i = 1 + cli_verb_words(c);
	/* Positional arguments come first; names never contain '='. */
	for (; i < argc && strchr(argv[i], '=') == NULL; i++, nb_pos++) {
		const char *name;

		if (nb_pos == CLI_MAX_POS || c->pos[nb_pos] == NULL) {
			snprintf(err, errlen, "%s: too many arguments (usage: %s %s)", cmd, cmd,
				 c->usage);
			goto fail;
		}
		name = c->pos[nb_pos];
		if (name[0] == '@') {
			if (strcmp(argv[i], name + 1) != 0) {
				snprintf(err, errlen, "%s: expected '%s', got '%s' (usage: %s %s)",
					 cmd, name + 1, argv[i], cmd, c->usage);
				goto fail;
			}
			continue;
		}
		if (name[0] == '#') {
			if (cli_set(req->params, name + 1, ctl_cli_value(argv[i]), err, errlen) < 0)
				goto fail;
			continue;
		}
		if (cli_set(req->params, name, json_string(argv[i]), err, errlen) < 0)
			goto fail;
	}
	if ((unsigned int)nb_pos < c->nb_required) {
		const char *name = c->pos[nb_pos];

		if (name[0] == '@' || name[0] == '#')
			name++;
		snprintf(err, errlen, "%s: missing %s (usage: %s %s)", cmd, name, cmd, c->usage);
		goto fail;
	}
	if (cli_add_pairs(req->params, argc, argv, i, cmd, err, errlen) < 0)
		goto fail;
	if (strcmp(c->noun, "monitor") == 0 && cli_map_monitor(req, err, errlen) < 0)
		goto fail;
	return 0;
fail:
	ctl_cli_request_free(req);
	return -EINVAL;
}

void
ctl_cli_usage(FILE *out)
{
	fprintf(out,
		"usage: vswctl [-s SOCKET] [--json] [-t SECONDS] [-a] COMMAND [ARGS] [key=value ...]\n"
		"\n"
		"options:\n"
		"  -s, --socket PATH    control socket (default: $VSW_SOCKET, else /run/vsw/vswd.sock)\n"
		"  -j, --json           print the raw JSON result\n"
		"  -t, --timeout SECS   give up waiting for vswd after SECS seconds (default 10);\n"
		"                       monitor: stop after SECS seconds (default: never)\n"
		"  -a, --all            also print zero counters (stats)\n"
		"  -h, --help           print this help\n"
		"\n"
		"commands:\n");
	for (size_t i = 0; i < CLI_NB_COMMANDS; i++) {
		const struct cli_command *c = &cli_commands[i];
		char syn[96];

		snprintf(syn, sizeof(syn), "%s%s%s %s", c->noun, c->verb != NULL ? " " : "",
			 c->verb != NULL ? c->verb : "", c->usage);
		if (strlen(syn) > 46)
			fprintf(out, "  %s\n  %-46s %s\n", syn, "", c->help);
		else
			fprintf(out, "  %-46s %s\n", syn, c->help);
	}
	fprintf(out, "  %-46s %s\n", "call METHOD [JSON-PARAMS] [key=value ...]",
		"call any daemon method (list: vswctl system methods)");
	fprintf(out,
		"\n"
		"Positional arguments are strings (a VSID is a number); in key=value, a decimal\n"
		"value is an integer, true/false a boolean, anything else a string.  MACs are\n"
		"written aa:bb:cc:dd:ee:ff, IPv4 addresses A.B.C.D, prefixes A.B.C.D/LEN.\n"
		"\n"
		"bd set keys: aging=SECONDS (0 = never; default 300), max-macs=N (0 = no limit),\n"
		"  learning=on|off, limit-action=forward|drop (frames from MACs over the limit),\n"
		"  flap-moves=N, flap-window=SECONDS, flap-hold=SECONDS (0 = report only),\n"
		"  vsid=N (NVGRE virtual subnet, 4096..16777214; 0 = none),\n"
		"  vlan=N (802.1Q VLAN of the domain for access and trunk ports, 1..4094; 0 = none)\n"
		"\n"
		"VLANs: a bridge domain per VLAN.  port set P vlan-mode=access vlan=N puts P, untagged,\n"
		"in the domain whose vlan is N; vlan-mode=trunk trunks=10,20-29 [native=N] carries\n"
		"those VLANs tagged (untagged frames: the native VLAN, else dropped).\n"
		"\n"
		"NVGRE overlay, on each host: a port faces the provider network (uplink set),\n"
		"owns this host's provider addresses (pa add), reaches other subnets through\n"
		"routes (route add; next hops are found by ARP or neigh add), and every host\n"
		"gets the same lookup records: which host (PA) runs each tenant address.\n"
		"Give VMs the tenant MTU that `vswctl show` reports (uplink MTU - 42).\n"
		"\n"
		"monitor prints one line per event (fdb.learned, fdb.moved, fdb.aged, fdb.flap,\n"
		"and events.lost when it fell behind) until Ctrl-C, count=N events, -t SECS, or\n"
		"vswd closes the connection.\n"
		"\n"
		"exit status: 0 success, 1 the daemon refused the request or timed out\n"
		"             (monitor: vswd went away, or -t passed before count=N events),\n"
		"             2 usage error (also a command vswd does not know),\n"
		"             3 cannot connect to vswd\n");
}
