/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * CRC32C steps for the per-frame hashes (the FDB's buckets, the route cache,
 * the NVGRE flow hash): the same values as rte_hash_crc_8byte() and
 * rte_hash_crc_4byte(), which test at every call which CRC implementation
 * the CPU has.  Where the build targets SSE4.2 (x86-64-v2, this project's
 * default) the instruction is known at compile time: one instruction a step.
 *
 * Thread-safety: pure functions, any thread.
 */
#ifndef VSW_FDB_CRC32C_H
#define VSW_FDB_CRC32C_H

#include <stdint.h>

#include <rte_hash_crc.h>
#if defined(RTE_ARCH_X86_64) && defined(__SSE4_2__)
#include <nmmintrin.h>
#define VSW_CRC32C_SSE42 1
#endif

/* rte_hash_crc_8byte(data, init) */
static inline uint32_t
vsw_crc32c_u64(uint64_t data, uint32_t init)
{
#ifdef VSW_CRC32C_SSE42
	return (uint32_t)_mm_crc32_u64(init, data);
#else
	return rte_hash_crc_8byte(data, init);
#endif
}

/* rte_hash_crc_4byte(data, init) */
static inline uint32_t
vsw_crc32c_u32(uint32_t data, uint32_t init)
{
#ifdef VSW_CRC32C_SSE42
	return _mm_crc32_u32(init, data);
#else
	return rte_hash_crc_4byte(data, init);
#endif
}

#endif /* VSW_FDB_CRC32C_H */
