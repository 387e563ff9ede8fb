/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Migration claims.  When a VM's MAC shows up on one of this host's VM ports
 * (learned, or announced by gratuitous ARP / RARP) in a virtual subnet where
 * the cluster records it at another host's PA, the VM has arrived here: the
 * agent rewrites its record with this host's PA in a transaction conditioned
 * on the record's mod_revision as last read.  Of two hosts that claim at
 * once, the one whose transaction etcd commits first wins; the other's
 * comparison fails, it reads the winner from the same answer, logs it and
 * counts a lost claim.
 *
 * Flap damping: a host that lost a claim on a VM does not claim it again for
 * 'hold_s' seconds, whatever it sees; after that, only a new sighting of the
 * MAC on a local port (an event, or a table entry seen within 'claim_age_s')
 * makes it claim again.  Under that, vswd's own defences apply: a MAC that
 * moves too often is frozen by flap detection (no more moves, so no more
 * events), and port security (port set allowed-macs) drops announcements
 * of a MAC its port may not use, so a forged one never reaches the table.
 */
#include "agent.h"

#include <ctype.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define BD_CACHE 256

/* bridge domain name -> VSID, refreshed from bd.list when a name is unknown. */
static struct {
	char name[32];	/**< bridge domain */
	uint32_t vsid;	/**< its VSID, 0 = none */
} bd_cache[BD_CACHE];
static unsigned int nb_bd_cache;

static void
bd_cache_refresh(struct agent *a)
{
	json_t *bds = NULL, *b;
	size_t i;

	if (vswd_call(&a->vswd, "bd.list", NULL, &bds, AGENT_CALL_MS) < 0)
		return;
	nb_bd_cache = 0;
	json_array_foreach(bds, i, b) {
		const char *n = json_string_value(json_object_get(b, "name"));

		if (n == NULL || nb_bd_cache == BD_CACHE)
			continue;
		snprintf(bd_cache[nb_bd_cache].name, sizeof(bd_cache[0].name), "%s", n);
		bd_cache[nb_bd_cache++].vsid =
			(uint32_t)json_integer_value(json_object_get(b, "vsid"));
	}
	json_decref(bds);
}

/* The VSID of bridge domain 'bd' (0: none or unknown). */
static uint32_t
bd_vsid(struct agent *a, const char *bd)
{
	for (int pass = 0; pass < 2; pass++) {
		for (unsigned int i = 0; i < nb_bd_cache; i++)
			if (strcmp(bd_cache[i].name, bd) == 0)
				return bd_cache[i].vsid;
		if (pass == 0)
			bd_cache_refresh(a);
	}
	return 0;
}

/* Claim 'vm' for this host.  Control path: one etcd transaction, one vswd call. */
static void
claim(struct agent *a, struct agent_vm *vm, const char *port, const char *why)
{
	struct agent_vm want = *vm, cur;
	struct etcd_kv now;
	char key[256], reason[128];
	int64_t rev = 0;
	char *value;
	int rc;

	snprintf(want.pa, sizeof(want.pa), "%s", a->pas[0]);
	snprintf(want.host, sizeof(want.host), "%s", a->host);
	agent_vm_key(a, vm->vsid, vm->ca_ip, key, sizeof(key));
	value = agent_vm_value(&want);
	if (value == NULL)
		return;
	rc = etcd_put_if(a->etcd, key, value, vm->mod_revision, &rev, &now);
	free(value);
	if (rc == 0) {
		a->n.claims_won++;
		agent_log("claimed VSID %u %s (%s), seen on port %s (%s): %s (host %s) -> %s, "
			  "revision %lld",
			  vm->vsid, vm->ca_ip, vm->ca_mac, port, why, vm->pa,
			  vm->host[0] ? vm->host : "?", want.pa, (long long)rev);
		want.mod_revision = rev;
		want.lost_ms = 0;
		*vm = want;
		rc = vswd_call(&a->vswd, "lookup.add", agent_record_json(0, NULL, vm), NULL,
			       AGENT_CALL_MS);
		if (rc < 0) {
			agent_err(a, "vswd: lookup.add after claiming %s: %s", vm->ca_ip,
				  vswd_error(&a->vswd));
			a->vswd_dirty = true;
		} else {
			a->n.lookups_added++;
		}
		return;
	}
	if (rc != -EAGAIN) {
		agent_err(a, "claiming VSID %u %s: %s; will claim again on its next sighting",
			  vm->vsid, vm->ca_ip, etcd_error(a->etcd));
		return;
	}
	a->n.claims_lost++;
	vm->lost_ms = etcd_now_ms();
	if (now.key != NULL && agent_vm_parse(now.value, &cur, reason, sizeof(reason)) == 0) {
		agent_log("lost the claim on VSID %u %s (%s): host %s (pa %s) holds it since "
			  "revision %lld; not claiming it again for %d s",
			  vm->vsid, vm->ca_ip, vm->ca_mac, cur.host[0] ? cur.host : "?", cur.pa,
			  (long long)now.mod_revision, a->hold_s);
		cur.mod_revision = now.mod_revision;
		cur.lost_ms = vm->lost_ms;
		/* Only the value changes: the key, so the hash chain, stays. */
		if (cur.vsid == vm->vsid && strcmp(cur.ca_ip, vm->ca_ip) == 0) {
			cur.hnext = vm->hnext;
			*vm = cur;
		}
	} else {
		agent_log("lost the claim on VSID %u %s: the record changed or was deleted "
			  "meanwhile; not claiming it again for %d s",
			  vm->vsid, vm->ca_ip, a->hold_s);
	}
	etcd_kv_free(&now);
}

bool
agent_port_is_local(const char *port)
{
	return port != NULL && port[0] != '\0' && port[0] != '#' && strncmp(port, "pa:", 3) != 0;
}

enum agent_claim_verdict
agent_claim_decide(const struct agent *a, const struct agent_vm *vm, uint32_t vsid,
		   const char *mac, int64_t now_ms)
{
	if (vm->vsid != vsid || strcmp(vm->ca_mac, mac) != 0 || agent_pa_is_local(a, vm->pa))
		return AGENT_CLAIM_NO;
	if (vm->lost_ms != 0 && now_ms - vm->lost_ms < (int64_t)a->hold_s * 1000)
		return AGENT_CLAIM_HELD;
	return AGENT_CLAIM_YES;
}

bool
agent_fdb_entry_recent(const json_t *e, int max_age_s)
{
	const char *type = json_string_value(json_object_get(e, "type"));
	const json_t *age = json_object_get(e, "age");

	/* A stale entry of a VM that left must not pull the record back: recent ones only. */
	return type != NULL && strcmp(type, "dynamic") == 0 && json_is_integer(age) &&
	       json_integer_value(age) <= max_age_s;
}

void
agent_claim_mac(struct agent *a, const char *bd, const char *mac, const char *port,
		const char *why)
{
	char lower[AGENT_MAC_TEXT];
	uint32_t vsid;
	int64_t now = etcd_now_ms();

	if (bd == NULL || mac == NULL || !agent_port_is_local(port) || a->nb_pas == 0 ||
	    strlen(mac) != 17)
		return;
	for (int i = 0; i < 18; i++)
		lower[i] = (char)tolower((unsigned char)mac[i]);
	vsid = bd_vsid(a, bd);
	if (vsid == 0 || agent_subnet_find(a, vsid) == NULL)
		return;
	for (unsigned int i = 0; i < a->nb_vms; i++) {
		switch (agent_claim_decide(a, &a->vms[i], vsid, lower, now)) {
		case AGENT_CLAIM_HELD:
			a->n.claims_held++;
			break;
		case AGENT_CLAIM_YES:
			claim(a, &a->vms[i], port, why);
			break;
		case AGENT_CLAIM_NO:
			break;
		}
	}
}

void
agent_claim_scan(struct agent *a)
{
	json_t *fdb = NULL, *e;
	size_t i;
	int rc;

	nb_bd_cache = 0; /* domains may have changed while we were not listening */
	rc = vswd_call(&a->vswd, "fdb.show", NULL, &fdb, AGENT_CALL_MS);
	if (rc < 0) {
		agent_err(a, "vswd: fdb.show: %s", vswd_error(&a->vswd));
		return;
	}
	json_array_foreach(fdb, i, e) {
		if (!agent_fdb_entry_recent(e, a->claim_age_s))
			continue;
		agent_claim_mac(a, json_string_value(json_object_get(e, "bd")),
				json_string_value(json_object_get(e, "mac")),
				json_string_value(json_object_get(e, "port")), "MAC table");
	}
	json_decref(fdb);
}
