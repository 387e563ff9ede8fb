/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The port type table: which DPDK driver serves each type, which options it
 * takes, and how a port spec becomes a DPDK device string.  Validation here
 * touches no device, so the control socket can reject bad input before
 * anything is created.
 */
#include "port.h"
#include "port_priv.h"

#include <errno.h>
#include <net/if.h>
#include <stdbool.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static const char *const tap_options[] = { "iface", NULL };
static const char *const kernel_options[] = { "iface", NULL };
static const char *const pcap_options[] = { "rx_pcap", "tx_pcap", "infinite_rx", NULL };
static const char *const no_options[] = { NULL };
static const char *const dpdk_options[] = { "devargs", NULL };
static const char *const vhost_options[] = { "path", "mode", "queues", NULL };

static int build_tap(const struct port_spec *, struct port_devargs *, char *, size_t);
static int build_kernel(const struct port_spec *, struct port_devargs *, char *, size_t);
static int build_pcap(const struct port_spec *, struct port_devargs *, char *, size_t);
static int build_ring(const struct port_spec *, struct port_devargs *, char *, size_t);
static int build_null(const struct port_spec *, struct port_devargs *, char *, size_t);
static int build_dpdk(const struct port_spec *, struct port_devargs *, char *, size_t);
static int build_vhost(const struct port_spec *, struct port_devargs *, char *, size_t);

static const struct port_type_desc type_table[PORT_TYPE_MAX] = {
	[PORT_TAP] = { "tap", tap_options, build_tap },
	[PORT_KERNEL] = { "kernel", kernel_options, build_kernel },
	[PORT_PCAP] = { "pcap", pcap_options, build_pcap },
	[PORT_RING] = { "ring", no_options, build_ring },
	[PORT_NULL] = { "null", no_options, build_null },
	[PORT_DPDK] = { "dpdk", dpdk_options, build_dpdk },
	[PORT_VHOST_USER] = { "vhost-user", vhost_options, build_vhost },
};

static int __attribute__((format(printf, 3, 4)))
fail(char *err, size_t errlen, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(err, errlen, fmt, ap);
	va_end(ap);
	return -EINVAL;
}

const char *
port_type_name(enum port_type type)
{
	return (unsigned int)type < PORT_TYPE_MAX ? type_table[type].name : NULL;
}

int
port_type_parse(const char *name, enum port_type *type)
{
	for (unsigned int t = 0; t < PORT_TYPE_MAX; t++) {
		if (name != NULL && strcmp(name, type_table[t].name) == 0) {
			*type = (enum port_type)t;
			return 0;
		}
	}
	return -EINVAL;
}

const struct port_type_desc *
port_type_desc(enum port_type type)
{
	return &type_table[type];
}

const char *
port_spec_option(const struct port_spec *spec, const char *key)
{
	for (unsigned int i = 0; i < spec->nb_options; i++)
		if (strcmp(spec->options[i].key, key) == 0)
			return spec->options[i].value;
	return NULL;
}

static bool
option_known(const char *const *known, const char *key)
{
	for (; *known != NULL; known++)
		if (strcmp(*known, key) == 0)
			return true;
	return false;
}

static void
list_options(const char *const *known, char *buf, size_t len)
{
	size_t used = 0;

	buf[0] = '\0';
	if (*known == NULL) {
		snprintf(buf, len, "none");
		return;
	}
	for (; *known != NULL && used < len; known++)
		used += (size_t)snprintf(buf + used, len - used, "%s%s", used ? ", " : "", *known);
}

/* Values end up inside a comma-separated DPDK devargs string. */
static bool
value_is_safe(const char *value)
{
	return value[0] != '\0' && strpbrk(value, ",;\n") == NULL;
}

int
port_spec_validate(const struct port_spec *spec, char *err, size_t errlen)
{
	enum port_type type;
	const struct port_type_desc *desc;
	char known[128];

	if (port_type_parse(spec->type, &type) < 0)
		return fail(err, errlen,
			    "unknown port type '%s'; use one of tap, kernel, pcap, ring, null, dpdk, vhost-user",
			    spec->type ? spec->type : "");
	desc = &type_table[type];
	for (unsigned int i = 0; i < spec->nb_options; i++) {
		const struct port_option *opt = &spec->options[i];

		if (!option_known(desc->options, opt->key)) {
			list_options(desc->options, known, sizeof(known));
			return fail(err, errlen, "unknown option '%s' for a %s port; options: %s",
				    opt->key, desc->name, known);
		}
		if (type != PORT_DPDK && !value_is_safe(opt->value))
			return fail(err, errlen,
				    "option %s='%s' must be non-empty and contain no ',' or ';'",
				    opt->key, opt->value);
	}
	return 0;
}

/* The kernel interface a tap or kernel port uses: iface=, else the port name. */
static int
pick_ifname(const struct port_spec *spec, struct port_devargs *out, char *err, size_t errlen)
{
	const char *ifname = port_spec_option(spec, "iface");

	if (ifname == NULL)
		ifname = spec->name;
	if (strlen(ifname) >= IF_NAMESIZE)
		return fail(err, errlen,
			    "interface name '%s' is longer than %d characters; set iface=SHORTER",
			    ifname, IF_NAMESIZE - 1);
	snprintf(out->ifname, sizeof(out->ifname), "%s", ifname);
	return 0;
}

static int
build_tap(const struct port_spec *spec, struct port_devargs *out, char *err, size_t errlen)
{
	int ret = pick_ifname(spec, out, err, errlen);

	if (ret < 0)
		return ret;
	if (if_nametoindex(out->ifname) != 0) {
		snprintf(err, errlen,
			 "kernel interface '%s' already exists; choose another iface=, or attach it with type kernel",
			 out->ifname);
		return -EEXIST;
	}
	snprintf(out->devname, sizeof(out->devname), "net_tap_%s", spec->name);
	snprintf(out->devargs, sizeof(out->devargs), "%s,iface=%s", out->devname, out->ifname);
	return 0;
}

static int
build_kernel(const struct port_spec *spec, struct port_devargs *out, char *err, size_t errlen)
{
	if (port_spec_option(spec, "iface") == NULL)
		return fail(err, errlen, "a kernel port needs iface=NAME, the interface to attach");
	int ret = pick_ifname(spec, out, err, errlen);

	if (ret < 0)
		return ret;
	if (if_nametoindex(out->ifname) == 0) {
		snprintf(err, errlen,
			 "kernel interface '%s' does not exist; create it first (ip link add ...) or use type tap",
			 out->ifname);
		return -ENODEV;
	}
	snprintf(out->devname, sizeof(out->devname), "net_af_packet_%s", spec->name);
	snprintf(out->devargs, sizeof(out->devargs), "%s,iface=%s,qpairs=%u", out->devname,
		 out->ifname, out->nb_queues);
	/* The kernel's fanout spreads flows over every queue pair: all of them are polled. */
	out->nb_rxq = out->nb_queues;
	return 0;
}

static int
build_pcap(const struct port_spec *spec, struct port_devargs *out, char *err, size_t errlen)
{
	const char *rx = port_spec_option(spec, "rx_pcap");
	const char *tx = port_spec_option(spec, "tx_pcap");
	const char *inf = port_spec_option(spec, "infinite_rx");
	size_t used;

	if (rx == NULL && tx == NULL)
		return fail(err, errlen, "a pcap port needs rx_pcap=FILE and/or tx_pcap=FILE");
	if (rx != NULL && access(rx, R_OK) != 0) {
		snprintf(err, errlen, "cannot read rx_pcap file '%s': %s", rx, strerror(errno));
		return -ENODEV;
	}
	if (inf != NULL && strcmp(inf, "0") != 0 && strcmp(inf, "1") != 0)
		return fail(err, errlen, "infinite_rx must be 0 or 1, not '%s'", inf);
	if (inf != NULL && strcmp(inf, "1") == 0 && rx == NULL)
		return fail(err, errlen, "infinite_rx=1 needs rx_pcap=FILE");
	snprintf(out->devname, sizeof(out->devname), "net_pcap_%s", spec->name);
	used = (size_t)snprintf(out->devargs, sizeof(out->devargs), "%s", out->devname);
	/*
	 * net_pcap makes one queue per file argument.  One writer per file:
	 * with several workers they share the one TX queue (the dataplane locks it).
	 */
	if (rx != NULL)
		used += (size_t)snprintf(out->devargs + used, sizeof(out->devargs) - used,
					 ",rx_pcap=%s", rx);
	if (tx != NULL && used < sizeof(out->devargs))
		used += (size_t)snprintf(out->devargs + used, sizeof(out->devargs) - used,
					 ",tx_pcap=%s", tx);
	if (inf != NULL && used < sizeof(out->devargs))
		snprintf(out->devargs + used, sizeof(out->devargs) - used, ",infinite_rx=%s", inf);
	return 0;
}

static int
build_ring(const struct port_spec *spec, struct port_devargs *out, char *err, size_t errlen)
{
	if (strlen(spec->name) > PORT_RING_NAME_MAX)
		return fail(err, errlen, "a ring port name is at most %d characters",
			    PORT_RING_NAME_MAX);
	snprintf(out->devname, sizeof(out->devname), "net_ring_%s", spec->name);
	return 0;
}

static int
build_null(const struct port_spec *spec, struct port_devargs *out, char *err, size_t errlen)
{
	(void)err;
	(void)errlen;
	snprintf(out->devname, sizeof(out->devname), "net_null_%s", spec->name);
	snprintf(out->devargs, sizeof(out->devargs), "%s,no-rx=1", out->devname);
	return 0;
}

static int
build_dpdk(const struct port_spec *spec, struct port_devargs *out, char *err, size_t errlen)
{
	const char *devargs = port_spec_option(spec, "devargs");
	size_t namelen;

	if (devargs == NULL || devargs[0] == '\0')
		return fail(err, errlen,
			    "a dpdk port needs devargs=DEVICE, e.g. 0000:03:00.0 or net_pcap0,rx_pcap=FILE");
	if (strlen(devargs) >= sizeof(out->devargs))
		return fail(err, errlen, "devargs is longer than %zu characters",
			    sizeof(out->devargs) - 1);
	namelen = strcspn(devargs, ",");
	if (namelen >= sizeof(out->devname))
		return fail(err, errlen, "device name in devargs is too long");
	memcpy(out->devname, devargs, namelen);
	out->devname[namelen] = '\0';
	snprintf(out->devargs, sizeof(out->devargs), "%s", devargs);
	return 0;
}

/*
 * vhost-user: net_vhost with one queue pair per guest queue, by default one
 * per worker so that no worker shares a TX queue; a guest must then enable
 * that many (QEMU mq=on,queues=N) or the frames of the workers whose queue it
 * left disabled are counted as dropped.  queues=N below the number of
 * workers makes them share queues (the dataplane locks them).
 */
static int
build_vhost(const struct port_spec *spec, struct port_devargs *out, char *err, size_t errlen)
{
	const char *path = port_spec_option(spec, "path");
	const char *mode = port_spec_option(spec, "mode");
	const char *queues = port_spec_option(spec, "queues");
	unsigned int nb_queues = out->nb_queues;
	bool server;
	int ret;

	if (path == NULL)
		return fail(err, errlen,
			    "a vhost-user port needs path=SOCKET: QEMU's chardev socket (mode=client, the default) or the socket to create (mode=server)");
	if (mode == NULL || strcmp(mode, "client") == 0)
		server = false;
	else if (strcmp(mode, "server") == 0)
		server = true;
	else
		return fail(err, errlen, "mode must be client or server, not '%s'", mode);
	if (queues != NULL) {
		char *end;
		unsigned long n = strtoul(queues, &end, 10);

		if (*end != '\0' || n < 1 || n > PORT_VHOST_MAX_QUEUES)
			return fail(err, errlen, "queues must be 1 to %d, not '%s'",
				    PORT_VHOST_MAX_QUEUES, queues);
		nb_queues = (unsigned int)n;
	}
	ret = port_vhost_prepare(path, server, err, errlen);
	if (ret < 0)
		return ret;
	snprintf(out->devname, sizeof(out->devname), "net_vhost_%s", spec->name);
	/* Client mode reconnects on its own: the library's default unless told otherwise. */
	snprintf(out->devargs, sizeof(out->devargs), "%s,iface=%s,queues=%u,client=%d",
		 out->devname, path, nb_queues, server ? 0 : 1);
	out->nb_rxq = nb_queues;
	return 0;
}
