/* SPDX-License-Identifier: BSD-3-Clause */
#include "ctl_util.h"

#include <arpa/inet.h>
#include <ctype.h>
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

int
ctl_mkdir_parents(const char *path, mode_t mode)
{
	char dir[PATH_MAX];
	char *slash;

	if (snprintf(dir, sizeof(dir), "%s", path) >= (int)sizeof(dir))
		return -ENAMETOOLONG;
	slash = strrchr(dir, '/');
	if (slash == NULL || slash == dir)
		return 0;
	*slash = '\0';
	for (char *p = dir + 1; *p != '\0'; p++) {
		if (*p != '/')
			continue;
		*p = '\0';
		if (mkdir(dir, mode) < 0 && errno != EEXIST)
			return -errno;
		*p = '/';
	}
	if (mkdir(dir, mode) < 0 && errno != EEXIST)
		return -errno;
	return 0;
}

static int
util_hex(char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	c = (char)tolower((unsigned char)c);
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	return -1;
}

int
ctl_mac_parse(const char *text, size_t len, uint8_t mac[6])
{
	if (len != CTL_MAC_TEXT - 1)
		return -EINVAL;
	for (size_t i = 0; i < 6; i++) {
		const char *p = text + 3 * i;
		int hi = util_hex(p[0]), lo = util_hex(p[1]);

		if (hi < 0 || lo < 0)
			return -EINVAL;
		/* One separator style throughout, as people write them. */
		if (i < 5 && (p[2] != text[2] || (p[2] != ':' && p[2] != '-')))
			return -EINVAL;
		mac[i] = (uint8_t)(hi << 4 | lo);
	}
	return 0;
}

char *
ctl_mac_format(const uint8_t mac[6], char *buf)
{
	snprintf(buf, CTL_MAC_TEXT, "%02x:%02x:%02x:%02x:%02x:%02x", mac[0], mac[1], mac[2], mac[3],
		 mac[4], mac[5]);
	return buf;
}

int
ctl_ipv4_parse(const char *text, char *canon)
{
	struct in_addr a;

	if (text == NULL || strlen(text) >= CTL_IPV4_TEXT || inet_pton(AF_INET, text, &a) != 1)
		return -EINVAL;
	inet_ntop(AF_INET, &a, canon, CTL_IPV4_TEXT);
	return 0;
}

int
ctl_addr_parse(const char *text, int *family, uint8_t bytes[CTL_IP_BYTES], char *canon)
{
	if (text == NULL || strlen(text) >= CTL_IP_TEXT)
		return -EINVAL;
	memset(bytes, 0, CTL_IP_BYTES);
	if (inet_pton(AF_INET, text, bytes) == 1)
		*family = AF_INET;
	else if (inet_pton(AF_INET6, text, bytes) == 1)
		*family = AF_INET6;
	else
		return -EINVAL;
	inet_ntop(*family, bytes, canon, CTL_IP_TEXT);
	return 0;
}

int
ctl_addr_prefix_parse(const char *text, int *family, uint8_t bytes[CTL_IP_BYTES], uint8_t *len,
		      char *canon, const char **why)
{
	char ip[CTL_IP_TEXT], addr[CTL_IP_TEXT];
	const char *slash = text != NULL ? strchr(text, '/') : NULL;
	const char *dummy;
	unsigned int bits, max;
	size_t n;

	if (why == NULL)
		why = &dummy;
	if (slash == NULL) {
		*why = "missing /LEN";
		return -EINVAL;
	}
	n = (size_t)(slash - text);
	if (n >= sizeof(ip)) {
		*why = "not an IPv4 or IPv6 address before /";
		return -EINVAL;
	}
	memcpy(ip, text, n);
	ip[n] = '\0';
	if (ctl_addr_parse(ip, family, bytes, addr) < 0) {
		*why = "not an IPv4 or IPv6 address before /";
		return -EINVAL;
	}
	max = *family == AF_INET6 ? 128 : 32;
	/* One to three digits, no sign, no leading zero except "0" itself. */
	n = strlen(slash + 1);
	if (n < 1 || n > 3 || strspn(slash + 1, "0123456789") != n || (n > 1 && slash[1] == '0') ||
	    (bits = (unsigned int)atoi(slash + 1)) > max) {
		*why = *family == AF_INET6 ? "prefix length must be 0 to 128" :
					     "prefix length must be 0 to 32";
		return -EINVAL;
	}
	*len = (uint8_t)bits;
	snprintf(canon, CTL_IPPREFIX_TEXT, "%s/%u", addr, bits);
	return 0;
}

int
ctl_prefix_parse(const char *text, char *canon, const char **why)
{
	char ip[CTL_IPV4_TEXT], addr[CTL_IPV4_TEXT];
	unsigned int len;
	const char *slash = text != NULL ? strchr(text, '/') : NULL;
	const char *dummy;
	size_t n;

	if (why == NULL)
		why = &dummy;
	if (slash == NULL) {
		*why = "missing /LEN";
		return -EINVAL;
	}
	n = (size_t)(slash - text);
	if (n >= sizeof(ip)) {
		*why = "not an IPv4 address before /";
		return -EINVAL;
	}
	memcpy(ip, text, n);
	ip[n] = '\0';
	if (ctl_ipv4_parse(ip, addr) < 0) {
		*why = "not an IPv4 address before /";
		return -EINVAL;
	}
	/* One or two digits, no sign, no leading zero except "0" itself. */
	n = strlen(slash + 1);
	if (n < 1 || n > 2 || strspn(slash + 1, "0123456789") != n || (n == 2 && slash[1] == '0')) {
		*why = "prefix length must be 0 to 32";
		return -EINVAL;
	}
	len = (unsigned int)atoi(slash + 1);
	if (len > 32) {
		*why = "prefix length must be 0 to 32";
		return -EINVAL;
	}
	snprintf(canon, CTL_PREFIX_TEXT, "%s/%u", addr, (uint8_t)len);
	return 0;
}
