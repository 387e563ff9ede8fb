/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * A stand-in for the dataplane (dp.h) so that ctl's method handlers can be
 * tested without DPDK: bridge domains and ports are names in arrays; a
 * kernel port whose iface is "gone0" fails to open, as a vanished interface
 * would.  Settings (dp_bd_set, dp_port_set) are checked like the real
 * dataplane checks them, static MACs are kept in a list, the overlay (uplink,
 * PAs with their connected routes, routes, neighbours, lookup records with
 * one PA per MAC) in small arrays, and every change is written to a log so
 * that tests can check the order of a replay.
 */
#ifndef VSW_TEST_CTL_FAKE_DP_H
#define VSW_TEST_CTL_FAKE_DP_H

/** Forget every port and bridge domain except "default", and the whole overlay. */
void fake_dp_reset(void);

/** @return the options of the last dp_port_add() as "k=v,k=v". */
const char *fake_dp_last_options(void);

/**
 * @return the changes since the last reset, "; "-separated, e.g.
 *   "bd.add blue; bd.set blue aging=60; port.add vm1; fdb.add blue 02:..:01 vm1".
 */
const char *fake_dp_log(void);

#include <stdint.h>

struct dp_event;

/** Add a neighbour as ARP would have learned it ('mac' NULL = still unresolved). */
void fake_dp_add_learned_neighbour(const char *ip, const uint8_t mac[6], uint32_t age_s);

/** Deliver 'ev' to the handler given to dp_set_event_handler(), as dp_periodic() would. */
void fake_dp_emit(const struct dp_event *ev);

#endif /* VSW_TEST_CTL_FAKE_DP_H */
