// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
//
// XDP bypass filter: drops the packets of flows that user space has bypassed and counts them.
//
// One program serves every configuration: the flow maps are declared PERCPU_HASH here and
// Capture.Linux switches them to HASH (shared) and sets their capacity between open and load,
// so per-CPU versus shared maps and map sizes are run-time settings, not rebuilds. Counters are
// always added with __sync_fetch_and_add: required for shared maps and for the NIC, nearly free
// on a per-CPU value (no other CPU touches that cache line).
//
// The first packet an entry drops stamps the entry with bpf_ktime_get_ns() (CLOCK_MONOTONIC):
// user space compares it with the triggering packet's time to measure how long the bypass took
// to bite. SmartNICs (xdp-mode: hw) have no kernel clock, so the build also makes
// xdp_bypass_offload.o from this file with XDP_BYPASS_NO_CLOCK: same maps, first_ns left 0.
//
// The map ABI (key and value layout) is documented in docs/XDP.md and mirrored by
// Capture.Linux/Xdp/Maps/FlowKeyV4.cs and FlowKeyV6.cs. Changing it means bumping the pin layout
// version (XdpBypassFilter.LayoutVersion).
#include <linux/bpf.h>
#include <linux/types.h>

#define SEC(name) __attribute__((section(name), used))
#define __uint(name, val) int (*name)[val]
#define __type(name, val) typeof(val) *name

static void *(*bpf_map_lookup_elem)(void *map, const void *key) = (void *)BPF_FUNC_map_lookup_elem;
#ifndef XDP_BYPASS_NO_CLOCK
static __u64 (*bpf_ktime_get_ns)(void) = (void *)BPF_FUNC_ktime_get_ns;
#endif

#define ETH_HLEN 14
#define ETH_P_IP 0x0800
#define ETH_P_IPV6 0x86DD
#define ETH_P_8021Q 0x8100
#define ETH_P_8021AD 0x88A8
#define ETH_P_QINQ1 0x9100
#define IPPROTO_TCP_ 6
#define IPPROTO_UDP_ 17
#define MAX_VLAN_TAGS 3

#define net16(p) ((__u16)(((const __u8 *)(p))[0] << 8 | ((const __u8 *)(p))[1]))

// IPv4 half flow, 20 bytes, naturally aligned. Addresses and ports in network order as on the
// wire; VLAN ids in host order (ntohs(TCI) & 0x0fff), outermost first, 0 when absent.
struct flow_v4_key {
    __u32 src;
    __u32 dst;
    __u16 sport;
    __u16 dport;
    __u8 proto;
    __u8 pad;
    __u16 vlan[MAX_VLAN_TAGS];
};

// IPv6 half flow, 44 bytes, same rules.
struct flow_v6_key {
    __u32 src[4];
    __u32 dst[4];
    __u16 sport;
    __u16 dport;
    __u8 proto;
    __u8 pad;
    __u16 vlan[MAX_VLAN_TAGS];
};

// What the kernel counted for one half flow: packets and bytes of the whole L2 frame, and when
// (CLOCK_MONOTONIC ns) it dropped the first one; 0 until then. User space inserts zeroes.
struct flow_counters {
    __u64 packets;
    __u64 bytes;
    __u64 first_ns;
};

struct {
    __uint(type, BPF_MAP_TYPE_PERCPU_HASH);
    __uint(max_entries, 32768);
    __type(key, struct flow_v4_key);
    __type(value, struct flow_counters);
} flow_v4 SEC(".maps");

struct {
    __uint(type, BPF_MAP_TYPE_PERCPU_HASH);
    __uint(max_entries, 32768);
    __type(key, struct flow_v6_key);
    __type(value, struct flow_counters);
} flow_v6 SEC(".maps");

static __always_inline int count_and_drop(struct flow_counters *value, __u64 len)
{
#ifndef XDP_BYPASS_NO_CLOCK
    // A race between CPUs on a shared map writes two times nanoseconds apart: either serves.
    if (value->first_ns == 0)
        value->first_ns = bpf_ktime_get_ns();
#endif
    __sync_fetch_and_add(&value->packets, 1);
    __sync_fetch_and_add(&value->bytes, len);
    return XDP_DROP;
}

// The verdict on one packet: XDP_DROP for a bypassed flow, XDP_PASS otherwise.
static __always_inline int flow_verdict(struct xdp_md *ctx)
{
    void *data = (void *)(long)ctx->data;
    void *data_end = (void *)(long)ctx->data_end;
    __u64 len = (__u64)(data_end - data);
    __u16 vlan[MAX_VLAN_TAGS] = { 0, 0, 0 };
    __u8 *cursor = data;
    __u16 ethertype;

    if (cursor + ETH_HLEN > (__u8 *)data_end)
        return XDP_PASS;
    ethertype = net16(cursor + 12);
    cursor += ETH_HLEN;

    // Tags are kept as the wire has them, outermost first. A fourth tag cannot be keyed: pass.
#pragma unroll
    for (int i = 0; i < MAX_VLAN_TAGS; i++) {
        if (ethertype != ETH_P_8021Q && ethertype != ETH_P_8021AD && ethertype != ETH_P_QINQ1)
            break;
        if (cursor + 4 > (__u8 *)data_end)
            return XDP_PASS;
        vlan[i] = net16(cursor) & 0x0fff;
        ethertype = net16(cursor + 2);
        cursor += 4;
    }
    if (ethertype == ETH_P_8021Q || ethertype == ETH_P_8021AD || ethertype == ETH_P_QINQ1)
        return XDP_PASS;

    if (ethertype == ETH_P_IP) {
        struct flow_v4_key key = {};
        struct flow_counters *value;
        __u8 *l4;
        __u32 ihl;

        if (cursor + 20 > (__u8 *)data_end)
            return XDP_PASS;
        ihl = (cursor[0] & 0x0f) * 4;
        if (ihl < 20)
            return XDP_PASS;
        // Fragments other than unfragmented packets carry no (or partial) ports: leave them to user space.
        if ((net16(cursor + 6) & 0x3fff) != 0)
            return XDP_PASS;
        key.proto = cursor[9];
        if (key.proto != IPPROTO_TCP_ && key.proto != IPPROTO_UDP_)
            return XDP_PASS;
        __builtin_memcpy(&key.src, cursor + 12, 4);
        __builtin_memcpy(&key.dst, cursor + 16, 4);
        l4 = cursor + ihl; // options skipped by the header length
        if (l4 + 4 > (__u8 *)data_end)
            return XDP_PASS;
        __builtin_memcpy(&key.sport, l4, 2);
        __builtin_memcpy(&key.dport, l4 + 2, 2);
        key.vlan[0] = vlan[0];
        key.vlan[1] = vlan[1];
        key.vlan[2] = vlan[2];
        value = bpf_map_lookup_elem(&flow_v4, &key);
        if (!value)
            return XDP_PASS;
        return count_and_drop(value, len);
    }

    if (ethertype == ETH_P_IPV6) {
        struct flow_v6_key key = {};
        struct flow_counters *value;
        __u8 *l4;

        if (cursor + 40 > (__u8 *)data_end)
            return XDP_PASS;
        // Only when TCP or UDP follows the fixed header directly; extension headers go to user space.
        key.proto = cursor[6];
        if (key.proto != IPPROTO_TCP_ && key.proto != IPPROTO_UDP_)
            return XDP_PASS;
        __builtin_memcpy(key.src, cursor + 8, 16);
        __builtin_memcpy(key.dst, cursor + 24, 16);
        l4 = cursor + 40;
        if (l4 + 4 > (__u8 *)data_end)
            return XDP_PASS;
        __builtin_memcpy(&key.sport, l4, 2);
        __builtin_memcpy(&key.dport, l4 + 2, 2);
        key.vlan[0] = vlan[0];
        key.vlan[1] = vlan[1];
        key.vlan[2] = vlan[2];
        value = bpf_map_lookup_elem(&flow_v6, &key);
        if (!value)
            return XDP_PASS;
        return count_and_drop(value, len);
    }

    return XDP_PASS;
}

#ifndef XDP_BYPASS_NO_CHAIN
// The chain (docs/XDP.md, "Chaining"): a packet not dropped goes on by tail call to the first
// program found in xdp_chain's slots, tried in order; an empty slot (or none left) is XDP_PASS.
// User space sizes the array and pins it, or reuses the operator's pin. Not in the offload build:
// a NIC cannot tail call.
#define CHAIN_SLOTS 8

static long (*bpf_tail_call)(void *ctx, void *map, __u32 index) = (void *)BPF_FUNC_tail_call;

struct {
    __uint(type, BPF_MAP_TYPE_PROG_ARRAY);
    __uint(max_entries, CHAIN_SLOTS);
    __type(key, __u32);
    __type(value, __u32);
} xdp_chain SEC(".maps");
#endif

SEC("xdp")
int xdp_bypass(struct xdp_md *ctx)
{
    int verdict = flow_verdict(ctx);

#ifndef XDP_BYPASS_NO_CHAIN
    if (verdict == XDP_PASS) {
#pragma unroll
        for (__u32 slot = 0; slot < CHAIN_SLOTS; slot++)
            bpf_tail_call(ctx, &xdp_chain, slot);
    }
#endif
    return verdict;
}

char LICENSE[] SEC("license") = "Dual BSD/GPL";
