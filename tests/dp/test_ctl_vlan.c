/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * VLAN settings through the control socket's methods on the real dataplane:
 * bd.set vlan, port.set vlan-mode/vlan/trunks/native and uplink.set vlan are
 * checked, shown by port.list, saved, and brought back by a restart.
 */
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include <CUnit/Basic.h>
#include <jansson.h>

#include "ctl_methods.h"
#include "dp.h"
#include "dp_harness.h"
#include "test_common.h"
#include "test_ctl_harness.h"

/* The saved entry of 'section' whose 'name' is 'name' (borrowed from 'root'). */
static json_t *
saved_entry(json_t *root, const char *section, const char *name)
{
	json_t *entry;
	size_t i;

	json_array_foreach(json_object_get(root, section), i, entry)
		if (strcmp(jstr(json_object_get(entry, "name")), name) == 0)
			return entry;
	return NULL;
}

/* The port.list row of 'name' (a new reference), or NULL. */
static json_t *
port_row(const char *name)
{
	json_t *list = ok("port.list", "{}"), *row, *found = NULL;
	size_t i;

	json_array_foreach(list, i, row)
		if (strcmp(jstr(json_object_get(row, "name")), name) == 0)
			found = json_incref(row);
	json_decref(list);
	return found;
}

static void
check_ports(void)
{
	json_t *r = port_row("vm1");

	CU_ASSERT_PTR_NOT_NULL_FATAL(r);
	CU_ASSERT_STRING_EQUAL(jstr(json_object_get(r, "bd")), "v10");
	CU_ASSERT_STRING_EQUAL(jstr(json_object_get(r, "vlan_mode")), "access");
	CU_ASSERT_EQUAL(json_integer_value(json_object_get(r, "vlan")), 10);
	CU_ASSERT_TRUE(json_is_null(json_object_get(r, "trunks")));
	json_decref(r);
	r = port_row("tr");
	CU_ASSERT_PTR_NOT_NULL_FATAL(r);
	CU_ASSERT_STRING_EQUAL(jstr(json_object_get(r, "bd")), "v20");
	CU_ASSERT_STRING_EQUAL(jstr(json_object_get(r, "vlan_mode")), "trunk");
	CU_ASSERT_STRING_EQUAL(jstr(json_object_get(r, "trunks")), "10,20-22");
	CU_ASSERT_EQUAL(json_integer_value(json_object_get(r, "native")), 20);
	json_decref(r);
}

static void
test_vlan_settings_are_checked_shown_saved_and_restored(void)
{
	struct dp_overlay_info info;
	json_t *root, *r;

	unlink(cfg_path);
	start();
	done("bd.add", "{\"name\":\"v10\"}");
	done("bd.add", "{\"name\":\"v20\"}");
	r = ok("bd.set", "{\"name\":\"v10\",\"vlan\":10}");
	CU_ASSERT_EQUAL(json_integer_value(json_object_get(r, "vlan")), 10);
	json_decref(r);
	done("bd.set", "{\"name\":\"v20\",\"vlan\":20}");
	fails("bd.set", "{\"name\":\"default\",\"vlan\":10}", CTL_E_APP,
	      "VLAN 10 already belongs to bridge domain 'v10'");
	fails("bd.set", "{\"name\":\"default\",\"vlan\":4095}", CTL_E_INVALID_PARAMS,
	      "params.vlan: expected an integer from 0 to 4094, got 4095");
	done("port.add", "{\"name\":\"vm1\",\"type\":\"null\"}");
	done("port.add", "{\"name\":\"tr\",\"type\":\"null\"}");
	fails("port.set", "{\"name\":\"vm1\",\"vlan-mode\":\"access\",\"vlan\":30}", CTL_E_APP,
	      "no bridge domain has VLAN 30; give one that VLAN first (vswctl bd set NAME vlan=30)");
	fails("port.set", "{\"name\":\"vm1\",\"vlan-mode\":\"access\"}", CTL_E_INVALID_PARAMS,
	      "vlan-mode=access needs vlan=N");
	fails("port.set", "{\"name\":\"vm1\",\"vlan-mode\":\"hybrid\"}", CTL_E_INVALID_PARAMS,
	      "params.vlan-mode: expected none, access or trunk");
	fails("port.set", "{\"name\":\"vm1\",\"vlan-mode\":\"access\",\"vlan\":4095}",
	      CTL_E_INVALID_PARAMS, "params.vlan: expected a VLAN id from 1 to 4094");
	fails("port.set", "{\"name\":\"vm1\",\"vlan-mode\":\"access\",\"vlan\":10,\"native\":10}",
	      CTL_E_INVALID_PARAMS, "an access port takes vlan=N only");
	fails("port.set", "{\"name\":\"tr\",\"vlan-mode\":\"trunk\",\"trunks\":\"10,x\"}",
	      CTL_E_INVALID_PARAMS, "params.trunks: 'x' is not a VLAN list");
	fails("port.set", "{\"name\":\"tr\",\"vlan-mode\":\"trunk\",\"trunks\":\"30-20\"}",
	      CTL_E_INVALID_PARAMS, "params.trunks: '30-20' is not a VLAN list");
	fails("port.set", "{\"name\":\"tr\",\"vlan-mode\":\"trunk\",\"vlan\":10}",
	      CTL_E_INVALID_PARAMS, "a trunk port takes trunks=LIST and native=N");
	fails("port.set", "{\"name\":\"tr\",\"trunks\":10}", CTL_E_INVALID_PARAMS,
	      "need vlan-mode=access (vlan=N) or vlan-mode=trunk");
	r = ok("port.set", "{\"name\":\"vm1\",\"vlan-mode\":\"access\",\"vlan\":10}");
	CU_ASSERT_STRING_EQUAL(jstr(json_object_get(r, "bd")), "v10");
	json_decref(r);
	done("port.set", "{\"name\":\"tr\",\"vlan-mode\":\"trunk\",\"trunks\":\"10,21-22\"}");
	/* Without a vlan-mode, the given values change the current mode's. */
	done("port.set", "{\"name\":\"tr\",\"trunks\":\"10,20-22\",\"native\":20}");
	fails("bd.set", "{\"name\":\"v20\",\"vlan\":21}", CTL_E_APP,
	      "port 'tr' takes VLAN 20 of bridge domain 'v20' as its native VLAN");
	check_ports();
	fails("bd.del", "{\"name\":\"v10\"}", CTL_E_APP, "still has 2 port(s)");
	done("port.add", "{\"name\":\"up\",\"type\":\"null\"}");
	r = ok("uplink.set", "{\"port\":\"up\",\"vlan\":100}");
	CU_ASSERT_EQUAL(json_integer_value(json_object_get(r, "uplink_vlan")), 100);
	json_decref(r);
	fails("uplink.set", "{\"port\":\"up\",\"vlan\":4095}", CTL_E_INVALID_PARAMS,
	      "params.vlan: expected the provider network's VLAN id, 1 to 4094");
	fails("port.set", "{\"name\":\"up\",\"vlan-mode\":\"access\",\"vlan\":10}", CTL_E_APP,
	      "port 'up' is the uplink: give the provider network's VLAN with 'vswctl uplink set up vlan=N'");

	root = on_disk();
	r = saved_entry(root, "ports", "vm1");
	CU_ASSERT_STRING_EQUAL(jstr(json_object_get(r, "bd")), "v10");
	CU_ASSERT_STRING_EQUAL(jstr(json_object_get(r, "vlan-mode")), "access");
	CU_ASSERT_EQUAL(json_integer_value(json_object_get(r, "vlan")), 10);
	r = saved_entry(root, "ports", "tr");
	CU_ASSERT_STRING_EQUAL(jstr(json_object_get(r, "trunks")), "10,20-22");
	CU_ASSERT_EQUAL(json_integer_value(json_object_get(r, "native")), 20);
	CU_ASSERT_PTR_NULL(json_object_get(r, "vlan"));
	CU_ASSERT_EQUAL(
		json_integer_value(json_object_get(json_object_get(root, "uplink"), "vlan")), 100);
	json_decref(root);

	/* A restart brings it all back, in an order that works: domains, ports, settings. */
	stop();
	start();
	CU_ASSERT_EQUAL(ctl_restore(rpc, &state), 0);
	check_ports();
	dp_overlay_get(&info);
	CU_ASSERT_EQUAL(info.uplink_vlan, 100);

	/* The longest list there is (every other VLAN) is shown whole. */
	{
		struct dp_port_settings odd = { .fields = DP_PORT_SET_VLAN,
						.vlan = { .mode = DP_VLAN_TRUNK } };
		static char list[12288];
		size_t off = 0;

		for (uint16_t v = 1; v <= 4093; v += 2) {
			dp_vlan_bit_set(odd.vlan.trunks, v);
			off += (size_t)snprintf(list + off, sizeof(list) - off, "%s%u",
						v > 1 ? "," : "", v);
		}
		CU_ASSERT_EQUAL_FATAL(dp_port_set("tr", &odd, NULL), 0);
		r = port_row("tr");
		CU_ASSERT_STRING_EQUAL(jstr(json_object_get(r, "trunks")), list);
		json_decref(r);
	}

	/* Back to no VLAN mode: the port stays where it is, and the file says nothing of VLANs. */
	done("port.set", "{\"name\":\"vm1\",\"vlan-mode\":\"none\"}");
	root = on_disk();
	r = saved_entry(root, "ports", "vm1");
	CU_ASSERT_STRING_EQUAL(jstr(json_object_get(r, "bd")), "v10");
	CU_ASSERT_PTR_NULL(json_object_get(r, "vlan-mode"));
	CU_ASSERT_PTR_NULL(json_object_get(r, "vlan"));
	json_decref(root);
	stop();
	unlink(cfg_path);
}

int
main(void)
{
	CU_pSuite suite;

	if (harness_init("test_ctl_vlan") < 0)
		return 1;
	suite = CU_add_suite("ctl_vlan", NULL, NULL);
	CU_add_test(suite, "vlan settings are checked, shown, saved and restored",
		    test_vlan_settings_are_checked_shown_saved_and_restored);
	return harness_run();
}
