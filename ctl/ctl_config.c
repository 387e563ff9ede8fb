/* SPDX-License-Identifier: BSD-3-Clause */
#include "ctl_config.h"

#include <errno.h>
#include <fcntl.h>
#include <libgen.h>
#include <limits.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "ctl_rpc.h"
#include "ctl_util.h"

/* The sections that every loaded configuration has (older files may lack some). */
static const char *const config_sections[] = { "bds", "ports", "fdb_static" };

/*
 * The overlay's sections: arrays of flat objects, created when first used so
 * that a file without an overlay looks as it always did.  Each names the
 * members an entry must have, what they hold, and which identify it.
 */
enum config_kind {
	CONFIG_STRING, /* any string */
	CONFIG_IPV4,   /* "A.B.C.D" */
	CONFIG_PREFIX, /* "A.B.C.D/LEN" */
	CONFIG_IP,     /* an IPv4 or IPv6 address (provider addresses) */
	CONFIG_IPPREFIX, /* an IPv4 or IPv6 address/prefix length */
	CONFIG_MAC,    /* a MAC address */
	CONFIG_VSID,   /* an integer */
};

struct config_member {
	const char *key;       /**< member name; NULL ends the list */
	enum config_kind kind; /**< what its value must be */
	bool required;	       /**< missing is an error */
	bool identity;	       /**< part of what makes two entries the same */
};

struct config_list {
	const char *section;		 /**< member of the top object */
	struct config_member members[5]; /**< accepted members */
};

static const struct config_list config_lists[] = {
	{ "pas",
	  { { "address", CONFIG_IPPREFIX, true, true }, { "port", CONFIG_STRING, false, false } } },
	{ "routes",
	  { { "prefix", CONFIG_IPPREFIX, true, true }, { "via", CONFIG_IP, true, false } } },
	{ "neighbours", { { "ip", CONFIG_IP, true, true }, { "mac", CONFIG_MAC, true, false } } },
	{ "lookups",
	  { { "vsid", CONFIG_VSID, true, true },
	    { "ca_ip", CONFIG_IPV4, true, true },
	    { "ca_mac", CONFIG_MAC, true, false },
	    { "pa", CONFIG_IP, true, false } } },
};

static const struct config_list *
config_list_find(const char *section)
{
	for (size_t i = 0; i < sizeof(config_lists) / sizeof(config_lists[0]); i++)
		if (strcmp(config_lists[i].section, section) == 0)
			return &config_lists[i];
	return NULL;
}

/* Check one member of an overlay entry; @return 0 or -EINVAL. */
static int
config_check_member(const char *where, const struct config_member *m, json_t *v, char *err,
		    size_t errlen)
{
	const char *t = json_string_value(v);
	char canon[CTL_IPPREFIX_TEXT];
	uint8_t mac[6], bytes[CTL_IP_BYTES], len;
	int family;

	if (v == NULL) {
		if (!m->required)
			return 0;
		snprintf(err, errlen, "%s.%s: required %s is missing", where, m->key,
			 m->kind == CONFIG_VSID ? "integer" : "string");
		return -EINVAL;
	}
	if (m->kind == CONFIG_VSID) {
		if (json_is_integer(v) && json_integer_value(v) >= 0 &&
		    json_integer_value(v) <= 0xFFFFFF)
			return 0;
		snprintf(err, errlen, "%s.%s: expected an integer from 0 to 16777215, got %s",
			 where, m->key, ctl_json_type_name(v));
		return -EINVAL;
	}
	if (t == NULL) {
		snprintf(err, errlen, "%s.%s: expected a string, got %s", where, m->key,
			 ctl_json_type_name(v));
		return -EINVAL;
	}
	if ((m->kind == CONFIG_IPV4 && ctl_ipv4_parse(t, canon) < 0) ||
	    (m->kind == CONFIG_PREFIX && ctl_prefix_parse(t, canon, NULL) < 0) ||
	    (m->kind == CONFIG_IP && ctl_addr_parse(t, &family, bytes, canon) < 0) ||
	    (m->kind == CONFIG_IPPREFIX &&
	     ctl_addr_prefix_parse(t, &family, bytes, &len, canon, NULL) < 0) ||
	    (m->kind == CONFIG_MAC && ctl_mac_parse(t, json_string_length(v), mac) < 0)) {
		snprintf(err, errlen, "%s.%s: '%.64s' is not %s", where, m->key, t,
			 m->kind == CONFIG_IPV4	    ? "an IPv4 address" :
			 m->kind == CONFIG_PREFIX   ? "an IPv4 address/prefix length" :
			 m->kind == CONFIG_IP	    ? "an IPv4 or IPv6 address" :
			 m->kind == CONFIG_IPPREFIX ? "an IPv4 or IPv6 address/prefix length" :
						      "a MAC address");
		return -EINVAL;
	}
	return 0;
}

static int
config_check_list_entry(const struct config_list *l, const char *where, json_t *entry, char *err,
			size_t errlen)
{
	const char *key;
	json_t *v;

	if (!json_is_object(entry)) {
		snprintf(err, errlen, "%s: expected an object, got %s", where,
			 ctl_json_type_name(entry));
		return -EINVAL;
	}
	for (const struct config_member *m = l->members; m->key != NULL; m++)
		if (config_check_member(where, m, json_object_get(entry, m->key), err, errlen) < 0)
			return -EINVAL;
	/* Members a newer daemon added are kept, as long as they can be replayed as text. */
	json_object_foreach(entry, key, v) {
		if (!json_is_string(v) && !json_is_integer(v) && !json_is_boolean(v)) {
			snprintf(err, errlen,
				 "%s.%.64s: expected a string, integer or boolean, got %s", where,
				 key, ctl_json_type_name(v));
			return -EINVAL;
		}
	}
	return 0;
}

/*
 * What identifies 'entry' of an overlay section, as text: its identity
 * members joined by spaces; a provider address counts without its prefix
 * length (pa.del names only the address).
 */
static void
config_identity(const struct config_list *l, const json_t *entry, char *buf, size_t len)
{
	size_t off = 0;

	buf[0] = '\0';
	for (const struct config_member *m = l->members; m->key != NULL && off < len; m++) {
		json_t *v = json_object_get(entry, m->key);
		char text[64];
		uint8_t mac[6];

		if (!m->identity)
			continue;
		if (json_is_integer(v))
			snprintf(text, sizeof(text), "%" JSON_INTEGER_FORMAT,
				 json_integer_value(v));
		else if (m->kind == CONFIG_MAC && json_is_string(v) &&
			 ctl_mac_parse(json_string_value(v), json_string_length(v), mac) == 0)
			ctl_mac_format(mac, text);
		else
			snprintf(text, sizeof(text), "%s",
				 json_is_string(v) ? json_string_value(v) : "?");
		if (m->kind == CONFIG_IPPREFIX && strcmp(l->section, "pas") == 0)
			text[strcspn(text, "/")] = '\0';
		off += (size_t)snprintf(buf + off, len - off, "%s%s", off > 0 ? " " : "", text);
	}
}

/* A static MAC entry: three strings, the MAC in any form ctl_mac_parse() takes. */
static int
config_check_static(const char *where, json_t *entry, char *err, size_t errlen)
{
	static const char *const keys[] = { "bd", "mac", "port" };
	uint8_t mac[6];
	json_t *v;

	if (!json_is_object(entry)) {
		snprintf(err, errlen, "%s: expected an object, got %s", where,
			 ctl_json_type_name(entry));
		return -EINVAL;
	}
	for (size_t i = 0; i < 3; i++) {
		v = json_object_get(entry, keys[i]);
		if (!json_is_string(v)) {
			snprintf(err, errlen, "%s.%s: expected a string, got %s", where, keys[i],
				 v == NULL ? "nothing" : ctl_json_type_name(v));
			return -EINVAL;
		}
	}
	v = json_object_get(entry, "mac");
	if (ctl_mac_parse(json_string_value(v), json_string_length(v), mac) < 0) {
		snprintf(err, errlen, "%s.mac: '%.64s' is not a MAC address", where,
			 json_string_value(v));
		return -EINVAL;
	}
	return 0;
}

/* One identity member of two entries, compared as config_identity() would print them. */
static bool
config_same_member(const struct config_list *l, const struct config_member *m, const json_t *va,
		   const json_t *vb)
{
	uint8_t ma[6], mb[6];
	const char *sa, *sb;

	if (json_is_integer(va) || json_is_integer(vb))
		return json_is_integer(va) && json_is_integer(vb) &&
		       json_integer_value(va) == json_integer_value(vb);
	if (m->kind == CONFIG_MAC && json_is_string(va) && json_is_string(vb) &&
	    ctl_mac_parse(json_string_value(va), json_string_length(va), ma) == 0 &&
	    ctl_mac_parse(json_string_value(vb), json_string_length(vb), mb) == 0)
		return memcmp(ma, mb, sizeof(ma)) == 0;
	sa = json_is_string(va) ? json_string_value(va) : "?";
	sb = json_is_string(vb) ? json_string_value(vb) : "?";
	if (m->kind == CONFIG_IPPREFIX && strcmp(l->section, "pas") == 0) {
		size_t la = strcspn(sa, "/"), lb = strcspn(sb, "/");

		return la == lb && strncmp(sa, sb, la) == 0;
	}
	return strcmp(sa, sb) == 0;
}

/* The identity of an entry: its name, for a static MAC entry its bd and MAC, else config_identity(). */
static bool
config_same_entry(const char *section, json_t *a, json_t *b)
{
	const struct config_list *l = config_list_find(section);
	uint8_t ma[6], mb[6];
	json_t *va, *vb;

	/* Member by member, not through config_identity()'s text: put_entry compares every entry. */
	if (l != NULL) {
		for (const struct config_member *m = l->members; m->key != NULL; m++)
			if (m->identity && !config_same_member(l, m, json_object_get(a, m->key),
							       json_object_get(b, m->key)))
				return false;
		return true;
	}
	if (strcmp(section, "fdb_static") != 0) {
		const char *na = json_string_value(json_object_get(a, "name"));
		const char *nb = json_string_value(json_object_get(b, "name"));

		return na != NULL && nb != NULL && strcmp(na, nb) == 0;
	}
	va = json_object_get(a, "mac");
	vb = json_object_get(b, "mac");
	return strcmp(json_string_value(json_object_get(a, "bd")),
		      json_string_value(json_object_get(b, "bd"))) == 0 &&
	       ctl_mac_parse(json_string_value(va), json_string_length(va), ma) == 0 &&
	       ctl_mac_parse(json_string_value(vb), json_string_length(vb), mb) == 0 &&
	       memcmp(ma, mb, sizeof(ma)) == 0;
}

/* Check one entry of a section; 'where' is e.g. "ports[2]". */
static int
config_check_entry(const char *section, const char *where, json_t *entry, char *err, size_t errlen)
{
	bool is_port = strcmp(section, "ports") == 0;
	const char *key;
	json_t *v;

	if (strcmp(section, "fdb_static") == 0)
		return config_check_static(where, entry, err, errlen);
	if (config_list_find(section) != NULL)
		return config_check_list_entry(config_list_find(section), where, entry, err,
					       errlen);
	if (!json_is_object(entry)) {
		snprintf(err, errlen, "%s: expected an object, got %s", where,
			 ctl_json_type_name(entry));
		return -EINVAL;
	}
	v = json_object_get(entry, "name");
	if (!json_is_string(v)) {
		snprintf(err, errlen, "%s.name: expected a string, got %s", where,
			 v == NULL ? "nothing" : ctl_json_type_name(v));
		return -EINVAL;
	}
	/* Options and settings are replayed as text, so only scalars can be stored. */
	json_object_foreach(entry, key, v) {
		bool need_string =
			strcmp(key, "name") == 0 ||
			(is_port && (strcmp(key, "type") == 0 || strcmp(key, "bd") == 0));

		if (need_string ? json_is_string(v) :
				  json_is_string(v) || json_is_integer(v) || json_is_boolean(v))
			continue;
		snprintf(err, errlen, "%s.%.64s: expected %s, got %s", where, key,
			 need_string ? "a string" : "a string, integer or boolean",
			 ctl_json_type_name(v));
		return -EINVAL;
	}
	if (is_port && json_object_get(entry, "type") == NULL) {
		snprintf(err, errlen, "%s.type: required string is missing", where);
		return -EINVAL;
	}
	return 0;
}

static int
config_check_section(const json_t *root, const char *section, char *err, size_t errlen)
{
	json_t *list = json_object_get(root, section);
	json_t *entry;
	size_t i;

	if (list == NULL)
		return 0;
	if (!json_is_array(list)) {
		snprintf(err, errlen, "%s: expected an array, got %s", section,
			 ctl_json_type_name(list));
		return -EINVAL;
	}
	json_array_foreach(list, i, entry) {
		char where[32];

		snprintf(where, sizeof(where), "%s[%zu]", section, i);
		if (config_check_entry(section, where, entry, err, errlen) < 0)
			return -EINVAL;
		for (size_t j = 0; j < i; j++) {
			const struct config_list *l = config_list_find(section);
			bool is_static = strcmp(section, "fdb_static") == 0;
			const char *key = is_static ? "mac" : "name";
			char id[96];

			if (!config_same_entry(section, json_array_get(list, j), entry))
				continue;
			if (l != NULL) {
				config_identity(l, entry, id, sizeof(id));
				snprintf(err, errlen, "%s: '%s' is already configured by %s[%zu]",
					 where, id, section, j);
			} else {
				snprintf(err, errlen, "%s.%s: '%.64s' is already used by %s[%zu]",
					 where, key, json_string_value(json_object_get(entry, key)),
					 section, j);
			}
			return -EINVAL;
		}
	}
	return 0;
}

/* "uplink": {"port": NAME, "mtu": N}, mtu optional. */
static int
config_check_uplink(const json_t *uplink, char *err, size_t errlen)
{
	json_t *port = json_object_get(uplink, "port");
	json_t *mtu = json_object_get(uplink, "mtu");

	if (uplink == NULL)
		return 0;
	if (!json_is_object(uplink)) {
		snprintf(err, errlen, "uplink: expected an object, got %s",
			 ctl_json_type_name(uplink));
		return -EINVAL;
	}
	if (!json_is_string(port)) {
		snprintf(err, errlen, "uplink.port: expected a string, got %s",
			 port == NULL ? "nothing" : ctl_json_type_name(port));
		return -EINVAL;
	}
	if (mtu != NULL && (!json_is_integer(mtu) || json_integer_value(mtu) < 0 ||
			    json_integer_value(mtu) > 65535)) {
		snprintf(err, errlen, "uplink.mtu: expected an integer from 0 to 65535");
		return -EINVAL;
	}
	return 0;
}

int
ctl_config_check(const json_t *root, char *err, size_t errlen)
{
	json_t *version;

	if (!json_is_object(root)) {
		snprintf(err, errlen, "expected an object at the top, got %s",
			 ctl_json_type_name(root));
		return -EINVAL;
	}
	version = json_object_get(root, "version");
	if (!json_is_integer(version)) {
		snprintf(err, errlen, "version: expected an integer, got %s",
			 version == NULL ? "nothing" : ctl_json_type_name(version));
		return -EINVAL;
	}
	if (json_integer_value(version) != CTL_CONFIG_VERSION) {
		snprintf(err, errlen,
			 "version: %" JSON_INTEGER_FORMAT " is not supported (this vswd reads %d)",
			 json_integer_value(version), CTL_CONFIG_VERSION);
		return -EINVAL;
	}
	for (size_t i = 0; i < sizeof(config_sections) / sizeof(config_sections[0]); i++)
		if (config_check_section(root, config_sections[i], err, errlen) < 0)
			return -EINVAL;
	for (size_t i = 0; i < sizeof(config_lists) / sizeof(config_lists[0]); i++)
		if (config_check_section(root, config_lists[i].section, err, errlen) < 0)
			return -EINVAL;
	return config_check_uplink(json_object_get(root, "uplink"), err, errlen);
}

/* Give 'root' every section, so that callers never meet a missing one. */
static int
config_fill_sections(json_t *root)
{
	for (size_t i = 0; i < sizeof(config_sections) / sizeof(config_sections[0]); i++) {
		if (json_object_get(root, config_sections[i]) != NULL)
			continue;
		if (json_object_set_new(root, config_sections[i], json_array()) < 0)
			return -ENOMEM;
	}
	return 0;
}

int
ctl_config_load(struct ctl_config *cfg, const char *path, char *err, size_t errlen)
{
	json_error_t jerr;
	bool created = false;
	FILE *f;
	int rc;

	memset(cfg, 0, sizeof(*cfg));
	cfg->path = strdup(path);
	if (cfg->path == NULL)
		return -ENOMEM;
	f = fopen(path, "r");
	if (f == NULL && errno != ENOENT) {
		rc = -errno;
		snprintf(err, errlen, "cannot open: %s", strerror(errno));
		goto fail;
	}
	if (f == NULL) {
		cfg->root = json_pack("{s:i}", "version", CTL_CONFIG_VERSION);
		created = true;
	} else {
		cfg->root = json_loadf(f, JSON_REJECT_DUPLICATES, &jerr);
		fclose(f);
		if (cfg->root == NULL) {
			snprintf(err, errlen, "%s at line %d:%d", jerr.text, jerr.line,
				 jerr.column);
			rc = -EINVAL;
			goto fail;
		}
		rc = ctl_config_check(cfg->root, err, errlen);
		if (rc < 0)
			goto fail;
	}
	if (cfg->root == NULL || config_fill_sections(cfg->root) < 0) {
		snprintf(err, errlen, "out of memory");
		rc = -ENOMEM;
		goto fail;
	}
	if (created) {
		rc = ctl_mkdir_parents(path, 0755);
		if (rc < 0) {
			snprintf(err, errlen, "cannot create its directory: %s", strerror(-rc));
			goto fail;
		}
		rc = ctl_config_save(cfg, err, errlen);
		if (rc < 0)
			goto fail;
	}
	return 0;
fail:
	ctl_config_free(cfg);
	return rc;
}

/* Write all of 'len' bytes, retrying short writes; 0 or -errno. */
static int
write_all(int fd, const char *p, size_t len)
{
	while (len > 0) {
		ssize_t n = write(fd, p, len);

		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			return n < 0 ? -errno : -EIO;
		p += n;
		len -= (size_t)n;
	}
	return 0;
}

/* Make the rename itself durable. */
static int
config_sync_dir(const char *dir)
{
	int fd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	int rc = 0;

	if (fd < 0)
		return -errno;
	if (fsync(fd) < 0)
		rc = -errno;
	close(fd);
	return rc;
}

int
ctl_config_save(const struct ctl_config *cfg, char *err, size_t errlen)
{
	char dir_buf[PATH_MAX], base_buf[PATH_MAX], tmp[PATH_MAX];
	const char *step, *dir;
	char *text;
	int fd, rc;

	snprintf(dir_buf, sizeof(dir_buf), "%s", cfg->path);
	snprintf(base_buf, sizeof(base_buf), "%s", cfg->path);
	/* dirname() and basename() may modify their argument: give each its own copy. */
	dir = dirname(dir_buf);
	if (snprintf(tmp, sizeof(tmp), "%s/.%s.XXXXXX", dir, basename(base_buf)) >=
	    (int)sizeof(tmp)) {
		snprintf(err, errlen, "%s: path too long", cfg->path);
		return -ENAMETOOLONG;
	}
	fd = mkstemp(tmp);
	if (fd < 0) {
		rc = -errno;
		snprintf(err, errlen, "cannot create a temporary file next to %s: %s", cfg->path,
			 strerror(errno));
		return rc;
	}
	/*
	 * One buffer, then one write: json_dumpfd() makes a system call per
	 * token, which made every change cost milliseconds per thousand lookup
	 * records and loading a cluster's records quadratic.
	 */
	step = "write";
	errno = 0;
	text = json_dumps(cfg->root, JSON_INDENT(2));
	if (text == NULL) {
		errno = ENOMEM;
		goto fail;
	}
	rc = write_all(fd, text, strlen(text));
	free(text);
	if (rc < 0) {
		errno = -rc;
		goto fail;
	}
	if (write(fd, "\n", 1) != 1)
		goto fail;
	step = "chmod";
	if (fchmod(fd, 0644) < 0)
		goto fail;
	step = "fsync";
	if (fsync(fd) < 0)
		goto fail;
	step = "close";
	if (close(fd) < 0) {
		fd = -1;
		goto fail;
	}
	fd = -1;
	step = "rename";
	if (rename(tmp, cfg->path) < 0)
		goto fail;
	rc = config_sync_dir(dir);
	if (rc < 0) {
		snprintf(err, errlen, "saved %s but could not sync %s: %s", cfg->path, dir,
			 strerror(-rc));
		return rc;
	}
	return 0;
fail:
	rc = errno != 0 ? -errno : -EIO;
	snprintf(err, errlen, "cannot save %s (%s): %s", cfg->path, step, strerror(-rc));
	if (fd >= 0)
		close(fd);
	unlink(tmp);
	return rc;
}

void
ctl_config_free(struct ctl_config *cfg)
{
	free(cfg->path);
	json_decref(cfg->root);
	cfg->path = NULL;
	cfg->root = NULL;
}

json_t *
ctl_config_section(const struct ctl_config *cfg, const char *section)
{
	return json_object_get(cfg->root, section);
}

static ssize_t
config_index(const struct ctl_config *cfg, const char *section, const char *name)
{
	json_t *list = ctl_config_section(cfg, section);
	json_t *entry;
	size_t i;

	json_array_foreach(list, i, entry) {
		const char *n = json_string_value(json_object_get(entry, "name"));

		if (n != NULL && strcmp(n, name) == 0)
			return (ssize_t)i;
	}
	return -1;
}

json_t *
ctl_config_find(const struct ctl_config *cfg, const char *section, const char *name)
{
	ssize_t i = config_index(cfg, section, name);

	return i < 0 ? NULL : json_array_get(ctl_config_section(cfg, section), (size_t)i);
}

int
ctl_config_add(struct ctl_config *cfg, const char *section, json_t *obj)
{
	json_t *list = ctl_config_section(cfg, section);

	if (list == NULL) {
		list = json_array();
		if (list == NULL || json_object_set_new(cfg->root, section, list) < 0)
			return -ENOMEM;
	}
	return json_array_append(list, obj) < 0 ? -ENOMEM : 0;
}

int
ctl_config_remove(struct ctl_config *cfg, const char *section, const char *name)
{
	ssize_t i = config_index(cfg, section, name);

	if (i < 0)
		return -ENOENT;
	return json_array_remove(ctl_config_section(cfg, section), (size_t)i) < 0 ? -ENOENT : 0;
}

json_t *
ctl_config_find_static(const struct ctl_config *cfg, const char *bd, const char *mac)
{
	json_t *probe = json_pack("{s:s, s:s}", "bd", bd, "mac", mac);
	json_t *entry, *found = NULL;
	size_t i;

	if (probe == NULL)
		return NULL;
	json_array_foreach(ctl_config_section(cfg, "fdb_static"), i, entry) {
		if (config_same_entry("fdb_static", entry, probe)) {
			found = entry;
			break;
		}
	}
	json_decref(probe);
	return found;
}

unsigned int
ctl_config_remove_static(struct ctl_config *cfg, const char *key, const char *value,
			 const char *mac)
{
	json_t *list = ctl_config_section(cfg, "fdb_static");
	unsigned int nb = 0;
	size_t i = 0;

	while (i < json_array_size(list)) {
		json_t *entry = json_array_get(list, i);
		const char *v = json_string_value(json_object_get(entry, key));
		const char *m = json_string_value(json_object_get(entry, "mac"));
		uint8_t a[6], b[6];
		bool match = v != NULL && strcmp(v, value) == 0;

		if (match && mac != NULL)
			match = m != NULL && ctl_mac_parse(m, strlen(m), a) == 0 &&
				ctl_mac_parse(mac, strlen(mac), b) == 0 && memcmp(a, b, 6) == 0;
		if (match) {
			json_array_remove(list, i);
			nb++;
		} else {
			i++;
		}
	}
	return nb;
}

json_t *
ctl_config_find_entry(const struct ctl_config *cfg, const char *section, json_t *probe)
{
	json_t *entry;
	size_t i;

	json_array_foreach(ctl_config_section(cfg, section), i, entry)
		if (config_same_entry(section, entry, probe))
			return entry;
	return NULL;
}

int
ctl_config_put_entry(struct ctl_config *cfg, const char *section, json_t *obj)
{
	json_t *list = ctl_config_section(cfg, section);
	json_t *entry;
	size_t i;

	json_array_foreach(list, i, entry)
		if (config_same_entry(section, entry, obj))
			return json_array_set(list, i, obj) < 0 ? -ENOMEM : 0;
	return ctl_config_add(cfg, section, obj);
}

int
ctl_config_remove_entry(struct ctl_config *cfg, const char *section, json_t *probe)
{
	json_t *list = ctl_config_section(cfg, section);
	json_t *entry;
	size_t i;

	json_array_foreach(list, i, entry)
		if (config_same_entry(section, entry, probe))
			return json_array_remove(list, i) < 0 ? -ENOENT : 0;
	return -ENOENT;
}
