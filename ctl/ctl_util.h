/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Small helpers shared by the daemon and the CLI: logging (ctl_log.h, kept
 * included here for the callers of ctl_log()), creating the directories a socket or file lives in, and MAC
 * and IPv4 address text.
 *
 * Thread-safety: see ctl_log.h for logging; the rest is thread-safe.
 */
#ifndef VSW_CTL_UTIL_H
#define VSW_CTL_UTIL_H

#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include "ctl_log.h"

#define CTL_MAC_TEXT	18 /* "aa:bb:cc:dd:ee:ff" and its NUL */
#define CTL_IPV4_TEXT	16 /* "255.255.255.255" and its NUL */
#define CTL_PREFIX_TEXT 20 /* "255.255.255.255/32" and its NUL, rounded up */
#define CTL_IP_TEXT	46 /* an IPv6 address in text (INET6_ADDRSTRLEN) and its NUL */
#define CTL_IPPREFIX_TEXT 52 /* an IPv6 address, "/128" and its NUL, rounded up */
#define CTL_IP_BYTES	16 /* bytes of the largest address (IPv6) */

/**
 * Create every missing directory above the file 'path' with 'mode', like
 * `mkdir -p "$(dirname path)"`.  @return 0 or -errno.
 */
int ctl_mkdir_parents(const char *path, mode_t mode);

/**
 * Parse the first 'len' characters of 'text' as a MAC address: six pairs of
 * hex digits separated by ':' or '-', any case.  @return 0 or -EINVAL.
 */
int ctl_mac_parse(const char *text, size_t len, uint8_t mac[6]);

/** Write 'mac' as "aa:bb:cc:dd:ee:ff" into 'buf' (CTL_MAC_TEXT bytes). @return 'buf'. */
char *ctl_mac_format(const uint8_t mac[6], char *buf);

/**
 * Check that 'text' is an IPv4 address in dotted-quad form (four decimal
 * parts, no leading zeros) and write it back in canonical form into 'canon'
 * (CTL_IPV4_TEXT bytes).  @return 0 or -EINVAL.
 */
int ctl_ipv4_parse(const char *text, char *canon);

/**
 * Check that 'text' is "IPV4/LEN" with LEN 0..32 and write it back in
 * canonical form into 'canon' (CTL_PREFIX_TEXT bytes); host bits are kept as
 * given (a provider address is written this way too).  @return 0, or -EINVAL
 * with 'why' (may be NULL) saying which part is wrong.
 */
int ctl_prefix_parse(const char *text, char *canon, const char **why);

/**
 * Parse 'text' as an IPv4 (dotted quad) or IPv6 address: '*family' gets
 * AF_INET or AF_INET6, 'bytes' the address in network order (4 or 16 bytes
 * used), 'canon' (CTL_IP_TEXT bytes) its canonical text.  @return 0 or -EINVAL.
 */
int ctl_addr_parse(const char *text, int *family, uint8_t bytes[CTL_IP_BYTES], char *canon);

/**
 * Parse 'text' as "ADDRESS/LEN" of either family, LEN up to 32 or 128, into
 * the same outputs plus '*len'; 'canon' (CTL_IPPREFIX_TEXT bytes) is written
 * with host bits kept as given.  @return 0, or -EINVAL with 'why' (may be
 * NULL) saying which part is wrong.
 */
int ctl_addr_prefix_parse(const char *text, int *family, uint8_t bytes[CTL_IP_BYTES],
			  uint8_t *len, char *canon, const char **why);

#endif /* VSW_CTL_UTIL_H */
