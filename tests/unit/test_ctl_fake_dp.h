/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * A stand-in for the dataplane (dp.h) so that ctl's method handlers can be
 * tested without DPDK: bridge domains and ports are names in arrays; a
 * kernel port whose iface is "gone0" fails to open, as a vanished interface
 * would.
 */
#ifndef VSW_TEST_CTL_FAKE_DP_H
#define VSW_TEST_CTL_FAKE_DP_H

/** Forget every port and bridge domain except "default". */
void fake_dp_reset(void);

/** @return the options of the last dp_port_add() as "k=v,k=v". */
const char *fake_dp_last_options(void);

#endif /* VSW_TEST_CTL_FAKE_DP_H */
