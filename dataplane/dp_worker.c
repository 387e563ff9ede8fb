/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The poll-mode worker: poll every RX queue of the current snapshot once,
 * run each burst through the pipeline, flush TX, report a quiescent state.
 *
 * The snapshot pointer is loaded once per round and never kept across the
 * quiescent report, which is what lets the control thread free an old
 * snapshot, or close a port, after one grace period.  TX buffers are empty at
 * that point too, so no frame is held for a port being removed.
 */
#include "dp_act.h"
#include "dp_worker.h"

#include <rte_branch_prediction.h>
#include <rte_cycles.h>
#include <rte_lcore.h>
#include <rte_rcu_qsbr.h>



static void
idle_sleep(struct dp_lcore *lc, unsigned int us)
{
	/* Offline while asleep, so grace periods do not wait for us. */
	rte_rcu_qsbr_thread_offline(dp_main.qsbr, lc->index);
	rte_delay_us_sleep(us);
	rte_rcu_qsbr_thread_online(dp_main.qsbr, lc->index);
}

/*
 * The FDB's clock in seconds moves on when the TSC passes the next whole
 * second: every round, idle ones included, costs a compare, and the
 * division runs once a second.
 */
void
dp_worker_clock(struct dp_lcore *lc, uint64_t tsc)
{
	if (likely(tsc < lc->next_second_tsc))
		return;
	lc->now = (uint32_t)((tsc - dp_main.epoch_tsc) / dp_main.tsc_hz);
	lc->next_second_tsc = dp_main.epoch_tsc + (uint64_t)(lc->now + 1) * dp_main.tsc_hz;
}

uint32_t
dp_poll_round(struct dp_lcore *lc, const struct dp_snapshot *snap)
{
	struct rte_mbuf *pkts[VSW_BURST_SIZE];
	uint16_t nb_rxq = snap->nb_rxq[lc->index];
	uint32_t nb_rx = 0;

	for (uint16_t i = 0; i < nb_rxq; i++) {
		const struct dp_rxq *rxq = &snap->rxq[lc->index][i];
		uint16_t n = rte_eth_rx_burst(rxq->eth_port, rxq->queue, pkts, VSW_BURST_SIZE);

		if (n == 0)
			continue;
		lc->rx_bursts++;
		nb_rx += n;
		dp_pipeline_burst(lc, snap, rxq, pkts, n);
	}
	dp_inject_drain(lc, snap);
	dp_tx_flush(lc, snap);
	lc->nb_rxq = nb_rxq;
	return nb_rx;
}

int
dp_worker_main(void *arg)
{
	struct dp_lcore *lc = arg;
	const unsigned int sleep_us = dp_main.opts.idle_sleep_us;
	uint64_t last = rte_rdtsc();

	rte_rcu_qsbr_thread_register(dp_main.qsbr, lc->index);
	rte_rcu_qsbr_thread_online(dp_main.qsbr, lc->index);
	while (!atomic_load_explicit(&dp_main.stop, memory_order_acquire)) {
		const struct dp_snapshot *snap =
			atomic_load_explicit(&dp_main.snapshot, memory_order_acquire);
		uint32_t nb_rx;
		uint64_t now;

		dp_worker_clock(lc, last);
		nb_rx = dp_poll_round(lc, snap);

		rte_rcu_qsbr_quiescent(dp_main.qsbr, lc->index);
		now = rte_rdtsc();
		if (nb_rx > 0) {
			lc->busy_cycles += now - last;
			lc->rx_packets += nb_rx;
		} else {
			lc->idle_cycles += now - last;
			if (sleep_us > 0) {
				idle_sleep(lc, sleep_us);
				now = rte_rdtsc();
			}
		}
		last = now;
	}
	rte_rcu_qsbr_thread_offline(dp_main.qsbr, lc->index);
	rte_rcu_qsbr_thread_unregister(dp_main.qsbr, lc->index);
	return 0;
}
