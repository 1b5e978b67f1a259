// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
//
// XDP bypass filter: drops the packets of flows that user space has bypassed and counts them.
// A flow is keyed on the wire or, inside one VXLAN, Geneve, GRE or ERSPAN tunnel, as the inner
// flow plus the tunnel's identity; docs/XDP.md says exactly what is matched and what is passed.
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
// linux/stddef.h makes __always_inline a mere hint; what is not a parser step must be inlined.
#undef __always_inline
#define __always_inline inline __attribute__((always_inline))

static void *(*bpf_map_lookup_elem)(void *map, const void *key) = (void *)BPF_FUNC_map_lookup_elem;
#ifndef XDP_BYPASS_NO_CLOCK
// Kernel bypass rules (below): the filter itself inserts a flow's entries. Not in the NIC build.
#define KERNEL_RULES 1
static long (*bpf_map_update_elem)(void *map, const void *key, const void *value, __u64 flags) = (void *)BPF_FUNC_map_update_elem;
static long (*bpf_map_delete_elem)(void *map, const void *key) = (void *)BPF_FUNC_map_delete_elem;
static __u64 (*bpf_ktime_get_ns)(void) = (void *)BPF_FUNC_ktime_get_ns;
#endif

#define ETH_HLEN 14
#define ETH_P_IP 0x0800
#define ETH_P_IPV6 0x86DD
#define ETH_P_8021Q 0x8100
#define ETH_P_8021AD 0x88A8
#define ETH_P_QINQ1 0x9100
#define ETH_P_TEB 0x6558
#define ETH_P_ERSPAN2 0x88BE
#define ETH_P_ERSPAN3 0x22EB
#define IPPROTO_HOPOPTS_ 0
#define IPPROTO_TCP_ 6
#define IPPROTO_UDP_ 17
#define IPPROTO_ROUTING_ 43
#define IPPROTO_GRE_ 47
#define IPPROTO_DSTOPTS_ 60
#define MAX_VLAN_TAGS 3
#define MAX_IPV6_EXT 4
#define MAX_VXLAN_PORTS 4
#define GENEVE_PORT 6081

#define TUNNEL_VXLAN 1
#define TUNNEL_GENEVE 2
#define TUNNEL_GRE 3
#define TUNNEL_ERSPAN 4

#define net16(p) ((__u16)(((const __u8 *)(p))[0] << 8 | ((const __u8 *)(p))[1]))
#define net32(p) ((__u32)net16(p) << 16 | net16((const __u8 *)(p) + 2))

// Offsets into the frame are kept below this (a mask the verifier can follow): no header the
// filter reads starts further in.
#define MAX_OFFSET 0x3fff

// The filter's settings, alone in .rodata.config (libbpf makes a map of that section), read and
// written by user space between open and load (Capture.Linux/Xdp/Filter/FilterConfig.cs) and
// constant for the verifier after. vxlan_ports: UDP destination ports carrying VXLAN,
// host order, 0 = unused slot (decoder.vxlan.ports); geneve_port: the one carrying Geneve, 0 =
// none (decoder.geneve.ports). follows_tunnels: whether this build parses
// tunnels at all; a NIC (xdp-mode: hw) runs no BPF-to-BPF calls, which the tunnel parser needs to
// stay within the verifier's limits, so the offload build keys outer flows only.
struct filter_config {
    __u16 vxlan_ports[MAX_VXLAN_PORTS];
    __u8 follows_tunnels;
    __u8 pad;
    __u16 geneve_port;
    __u8 pad2[4];
};

const volatile struct filter_config filter_config SEC(".rodata.config") = {
    .vxlan_ports = { 4789, 0, 0, 0 },
    .geneve_port = GENEVE_PORT,
#ifdef XDP_BYPASS_NO_CLOCK
    .follows_tunnels = 0,
#else
    .follows_tunnels = 1,
#endif
};

// The tunnel a flow travels in, 40 bytes, all zero for a flow on the wire. The two outer
// addresses are ordered (the lower, compared as big-endian numbers, first) so that both
// directions of a tunnel, and a mirror session that sends both directions one way, give one
// identity. IPv4 outer addresses fill the first word, the others stay 0. id: VXLAN or Geneve VNI
// (24 bits), GRE key (0 without the K flag), ERSPAN II/III session id (10 bits; 0 for type I);
// host order.
struct tunnel_id {
    __u32 outer_lo[4];
    __u32 outer_hi[4];
    __u32 id;
    __u8 kind;
    __u8 outer_ipv6;
    __u16 pad;
};

// IPv4 half flow, 60 bytes, naturally aligned. Addresses and ports in network order as on the
// wire; VLAN ids (the flow's own frame's: inside a tunnel, the inner frame's) in host order
// (ntohs(TCI) & 0x0fff), outermost first, 0 when absent.
struct flow_v4_key {
    __u32 src;
    __u32 dst;
    __u16 sport;
    __u16 dport;
    __u8 proto;
    __u8 pad;
    __u16 vlan[MAX_VLAN_TAGS];
    struct tunnel_id tunnel;
};

// IPv6 half flow, 84 bytes, same rules.
struct flow_v6_key {
    __u32 src[4];
    __u32 dst[4];
    __u16 sport;
    __u16 dport;
    __u8 proto;
    __u8 pad;
    __u16 vlan[MAX_VLAN_TAGS];
    struct tunnel_id tunnel;
};

// What the kernel counted for one half flow: packets and bytes of the whole L2 frame, and when
// (CLOCK_MONOTONIC ns) it dropped the first one; 0 until then. rule_sid: the sid of the kernel
// bypass rule whose match made the entry (the filter inserted it), 0 when user space inserted it.
// User space inserts zeroes.
struct flow_counters {
    __u64 packets;
    __u64 bytes;
    __u64 first_ns;
    __u64 rule_sid;
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

// One IP layer as far as the key needs it: offsets into the frame, what it carries, and the VLAN
// ids of its own frame. The parser's functions fill it; the key is built from it.
struct layer {
    __u32 start;      // in: where the layer's frame (ETH_P_TEB) or IP header starts
    __u32 net;        // the IP header
    __u32 l4;         // the transport header (after IPv4 options or IPv6 extension headers)
    __u16 ethertype;  // in: ETH_P_TEB for an Ethernet frame, else the IP version's ethertype
    __u8 proto;       // TCP, UDP or GRE
    __u8 ipv6;
    __u16 vlan[MAX_VLAN_TAGS];
    __u16 pad;
};

// The parser's steps are global functions where the build allows (each verified once, on its
// own, instead of once for every path through the steps before it: inlined, the tunnel parser
// exceeds the verifier's budget); the NIC build inlines them and follows no tunnel.
#ifdef XDP_BYPASS_NO_CLOCK
#define PARSER_STEP static __always_inline
#else
#define PARSER_STEP __attribute__((noinline))
#endif

// An Ethernet frame (up to three VLAN tags; a fourth cannot be keyed) when l->ethertype is
// ETH_P_TEB, then IPv4 (options skipped by the header length) or IPv6 (up to four hop-by-hop,
// routing and destination options headers skipped). 1 when the layer carries TCP, UDP or GRE and
// is not a fragment; 0 otherwise (cut short, a fragment, another protocol): user space's.
PARSER_STEP int parse_layer(struct xdp_md *ctx, struct layer *l)
{
    void *data = (void *)(long)ctx->data;
    void *data_end = (void *)(long)ctx->data_end;
    __u32 off;
    __u16 ethertype;
    __u8 *c;

    if (!l)
        return 0;
    off = l->start & MAX_OFFSET;
    ethertype = l->ethertype;
    if (ethertype == ETH_P_TEB) {
        c = (__u8 *)data + off;
        if (c + ETH_HLEN > (__u8 *)data_end)
            return 0;
        ethertype = net16(c + 12);
        off += ETH_HLEN;
#pragma unroll
        for (int i = 0; i < MAX_VLAN_TAGS; i++) {
            if (ethertype != ETH_P_8021Q && ethertype != ETH_P_8021AD && ethertype != ETH_P_QINQ1)
                break;
            c = (__u8 *)data + (off & MAX_OFFSET);
            if (c + 4 > (__u8 *)data_end)
                return 0;
            l->vlan[i] = net16(c) & 0x0fff;
            ethertype = net16(c + 2);
            off += 4;
        }
        if (ethertype == ETH_P_8021Q || ethertype == ETH_P_8021AD || ethertype == ETH_P_QINQ1)
            return 0;
    }

    off &= MAX_OFFSET;
    c = (__u8 *)data + off;
    l->net = off;
    if (ethertype == ETH_P_IP) {
        __u32 ihl;

        if (c + 20 > (__u8 *)data_end || (c[0] >> 4) != 4)
            return 0;
        ihl = (c[0] & 0x0f) * 4;
        if (ihl < 20)
            return 0;
        // Any fragment, first or not: the later ones carry no ports, and dropping part of a
        // datagram would leave user space the rest. Reassembly is user space's.
        if ((net16(c + 6) & 0x3fff) != 0)
            return 0;
        l->proto = c[9];
        l->l4 = off + ihl;
        l->ipv6 = 0;
    } else if (ethertype == ETH_P_IPV6) {
        __u8 proto;

        if (c + 40 > (__u8 *)data_end || (c[0] >> 4) != 6)
            return 0;
        proto = c[6];
        off += 40;
#pragma unroll
        for (int i = 0; i < MAX_IPV6_EXT; i++) {
            if (proto != IPPROTO_HOPOPTS_ && proto != IPPROTO_ROUTING_ && proto != IPPROTO_DSTOPTS_)
                break;
            c = (__u8 *)data + (off & MAX_OFFSET);
            if (c + 2 > (__u8 *)data_end)
                return 0;
            proto = c[0];
            off += ((__u32)c[1] + 1) * 8;
        }
        // A fragment header (44) is a fragment (see above); a fifth extension header is not followed.
        l->proto = proto;
        l->l4 = off;
        l->ipv6 = 1;
    } else {
        return 0;
    }
    return l->proto == IPPROTO_TCP_ || l->proto == IPPROTO_UDP_ || l->proto == IPPROTO_GRE_;
}

static __always_inline int is_vxlan_port(__u16 port)
{
    int hit = 0;

#pragma unroll
    for (int i = 0; i < MAX_VXLAN_PORTS; i++)
        hit |= filter_config.vxlan_ports[i] != 0 && filter_config.vxlan_ports[i] == port;
    return hit;
}

// The tunnel the outer layer carries: its identity in t, and where the inner layer starts and
// what it is in inner (start, ethertype: ETH_P_TEB for an Ethernet frame). 0 when the outer layer
// carries no tunnel the filter follows (it is then a flow of its own), -1 when it does but the
// tunnel header is cut short or not one the filter keys on (the packet goes to user space).
PARSER_STEP int parse_tunnel(struct xdp_md *ctx, struct layer *outer, struct tunnel_id *t, struct layer *inner)
{
    void *data = (void *)(long)ctx->data;
    void *data_end = (void *)(long)ctx->data_end;
    __u8 *h, *net;
    __u16 proto;

#ifdef XDP_BYPASS_NO_CLOCK
    return 0;
#endif
    if (!outer || !t || !inner || !filter_config.follows_tunnels)
        return 0;
    h = (__u8 *)data + (outer->l4 & MAX_OFFSET);
    if (outer->proto == IPPROTO_UDP_) {
        __u16 dport;

        if (h + 16 > (__u8 *)data_end)
            return 0;
        dport = net16(h + 2);
        h += 8;
        if (is_vxlan_port(dport)) {
            // As the decoder: VXLAN only with the I flag and room for the inner Ethernet header.
            if (h + 8 + ETH_HLEN > (__u8 *)data_end || (h[0] & 0x08) == 0)
                return 0;
            t->kind = TUNNEL_VXLAN;
            t->id = net32(h + 4) >> 8;
            h += 8;
            proto = ETH_P_TEB;
        } else if (dport == filter_config.geneve_port && dport != 0) {
            if ((h[0] >> 6) != 0)
                return 0;
            t->kind = TUNNEL_GENEVE;
            t->id = net32(h + 4) >> 8;
            proto = net16(h + 2);
            h += 8 + (h[0] & 0x3f) * 4;
        } else {
            return 0;
        }
    } else if (outer->proto == IPPROTO_GRE_) {
        __u16 flags;
        __u32 len = 4;

        if (h + 4 > (__u8 *)data_end)
            return -1;
        flags = net16(h);
        proto = net16(h + 2);
        // Version 0 without source routing only (PPTP's enhanced GRE carries PPP).
        if ((flags & 0x0007) != 0 || (flags & 0x4000) != 0)
            return -1;
        if (flags & 0x8000)
            len += 4;
        if (flags & 0x2000) {
            if (h + len + 4 > (__u8 *)data_end)
                return -1;
            t->id = net32(h + len);
            len += 4;
        }
        if (flags & 0x1000)
            len += 4;
        h += len;
        t->kind = TUNNEL_GRE;
        if (proto == ETH_P_ERSPAN2 && (flags & 0x1000) == 0) {
            // ERSPAN type I: the mirrored frame follows GRE at once.
            t->kind = TUNNEL_ERSPAN;
            t->id = 0;
            proto = ETH_P_TEB;
        } else if (proto == ETH_P_ERSPAN2) {
            if (h + 8 > (__u8 *)data_end || (h[0] >> 4) != 1)
                return -1;
            t->kind = TUNNEL_ERSPAN;
            t->id = net16(h + 2) & 0x03ff;
            h += 8;
            proto = ETH_P_TEB;
        } else if (proto == ETH_P_ERSPAN3) {
            if (h + 12 > (__u8 *)data_end || (h[0] >> 4) != 2 || ((h[10] >> 2) & 0x1f) != 0)
                return -1;
            t->kind = TUNNEL_ERSPAN;
            t->id = net16(h + 2) & 0x03ff;
            h += (h[11] & 0x01) ? 20 : 12;
            proto = ETH_P_TEB;
        } else if (proto != ETH_P_TEB && proto != ETH_P_IP && proto != ETH_P_IPV6) {
            return -1;
        }
    } else {
        return 0;
    }
    inner->start = (__u32)(h - (__u8 *)data);
    inner->ethertype = proto;

    net = (__u8 *)data + (outer->net & MAX_OFFSET);
    t->outer_ipv6 = outer->ipv6;
    if (outer->ipv6) {
        __u32 a[4], b[4];
        int swap = 0, decided = 0;

        if (net + 40 > (__u8 *)data_end)
            return -1;
        __builtin_memcpy(a, net + 8, 16);
        __builtin_memcpy(b, net + 24, 16);
#pragma unroll
        for (int i = 0; i < 4; i++) {
            __u32 x = __builtin_bswap32(a[i]), y = __builtin_bswap32(b[i]);
            if (!decided && x != y) {
                swap = x > y;
                decided = 1;
            }
        }
        __builtin_memcpy(t->outer_lo, swap ? b : a, 16);
        __builtin_memcpy(t->outer_hi, swap ? a : b, 16);
    } else {
        __u32 a, b;

        if (net + 20 > (__u8 *)data_end)
            return -1;
        __builtin_memcpy(&a, net + 12, 4);
        __builtin_memcpy(&b, net + 16, 4);
        t->outer_lo[0] = __builtin_bswap32(a) > __builtin_bswap32(b) ? b : a;
        t->outer_hi[0] = __builtin_bswap32(a) > __builtin_bswap32(b) ? a : b;
    }
    return 1;
}

#ifdef KERNEL_RULES
// Kernel bypass rules (docs/XDP.md, "Kernel bypass rules"): header-only bypass rules that user
// space compiled into address/port/protocol tests. A packet of a flow with no entry that matches
// one makes the flow's two entries (rule_sid set) and is passed: user space runs detection on it
// and takes the entries over; the flow's later packets are dropped and counted as for any entry.
// One rule here is one combination of a source prefix, a destination prefix, a source and a
// destination port range of a rule (user space expands lists); at most MAX_RULES in all.
#define MAX_RULES 64

// Addresses in network order as on the wire, already masked; IPv4 in the first word, the others
// 0 (mask 0). Ports in host order, inclusive. proto: 6, 17, or 0 for both. family: 4 or 6, or 0
// when both addresses are any. both_ways: the rule's <> (also matches with the ends swapped).
struct bypass_rule {
    __u32 src[4];
    __u32 src_mask[4];
    __u32 dst[4];
    __u32 dst_mask[4];
    __u64 sid;
    __u16 sport_lo;
    __u16 sport_hi;
    __u16 dport_lo;
    __u16 dport_hi;
    __u8 proto;
    __u8 family;
    __u8 both_ways;
    __u8 pad[5];
};

// Two halves of MAX_RULES: user space writes the half not in use, then switches the word in
// bypass_rule_set (bits 0-7: rules in use, bit 8: which half), so a packet never sees a rule
// half written.
struct {
    __uint(type, BPF_MAP_TYPE_ARRAY);
    __uint(max_entries, 2 * MAX_RULES);
    __type(key, __u32);
    __type(value, struct bypass_rule);
} bypass_rules SEC(".maps");

struct {
    __uint(type, BPF_MAP_TYPE_ARRAY);
    __uint(max_entries, 1);
    __type(key, __u32);
    __type(value, __u32);
} bypass_rule_set SEC(".maps");

// The flow a rule is tested against: addresses as in struct bypass_rule, ports in host order.
struct rule_packet {
    __u32 src[4];
    __u32 dst[4];
    __u16 sport;
    __u16 dport;
    __u8 proto;
    __u8 ipv6;
    __u16 pad;
};

static __always_inline int in_prefix(const __u32 *a, const __u32 *net, const __u32 *mask)
{
    return ((a[0] & mask[0]) == net[0]) & ((a[1] & mask[1]) == net[1])
        & ((a[2] & mask[2]) == net[2]) & ((a[3] & mask[3]) == net[3]);
}

static __always_inline int rule_one_way(const struct bypass_rule *r, const __u32 *src, __u16 sport, const __u32 *dst, __u16 dport)
{
    return in_prefix(src, r->src, r->src_mask) & in_prefix(dst, r->dst, r->dst_mask)
        & (sport >= r->sport_lo) & (sport <= r->sport_hi) & (dport >= r->dport_lo) & (dport <= r->dport_hi);
}

// The sid of the first rule in use the packet matches, 0 for none. A global function: verified
// once, on its own.
__attribute__((noinline)) __u64 match_rules(struct rule_packet *p, __u32 set)
{
    __u32 count = set & 0xff;
    __u32 base = (set & 0x100) ? MAX_RULES : 0;

    if (!p)
        return 0;
    for (__u32 i = 0; i < MAX_RULES; i++) {
        __u32 index = base + i;
        struct bypass_rule *r;

        if (i >= count)
            break;
        r = bpf_map_lookup_elem(&bypass_rules, &index);
        if (!r)
            break;
        if ((r->proto != 0 && r->proto != p->proto) || (r->family != 0 && r->family != (p->ipv6 ? 6 : 4)))
            continue;
        if (rule_one_way(r, p->src, p->sport, p->dst, p->dport)
            || (r->both_ways && rule_one_way(r, p->dst, p->dport, p->src, p->sport)))
            return r->sid;
    }
    return 0;
}

// The rule set's word: 0 when no rule is in use (the common case costs one array read, inlined
// by the verifier, and no call).
static __always_inline __u32 rules_in_use(void)
{
    __u32 zero = 0;
    __u32 *set = bpf_map_lookup_elem(&bypass_rule_set, &zero);

    return set ? *set : 0;
}

// Makes a flow's entry for the key, and then (the key turned round in place) for the other
// direction, unless they exist. A half refused (a full map) takes the other back out: never
// half a flow; a half already there (user space bypassing the flow at the same moment) stays
// with the other. The key is the caller's and is not used after.
#define EEXIST_ 17
#define ADD_FLOW(map, key, swap_addresses, sid)                                   \
    do {                                                                          \
        struct flow_counters value = { .rule_sid = (sid) };                       \
        __u16 port;                                                               \
        long rc;                                                                  \
                                                                                  \
        if (bpf_map_update_elem(&(map), (key), &value, BPF_NOEXIST) != 0)        \
            return 0;                                                             \
        swap_addresses;                                                           \
        port = (key)->sport;                                                      \
        (key)->sport = (key)->dport;                                              \
        (key)->dport = port;                                                      \
        rc = bpf_map_update_elem(&(map), (key), &value, BPF_NOEXIST);            \
        if (rc != 0 && rc != -EEXIST_) {                                          \
            swap_addresses;                                                       \
            (key)->dport = (key)->sport;                                          \
            (key)->sport = port;                                                  \
            bpf_map_delete_elem(&(map), (key));                                   \
        }                                                                         \
    } while (0)

// Whether a flow on the wire is a VXLAN or Geneve carrier (either port): user space refuses to
// bypass such a flow (the filter keys the flows inside it), so no rule makes its entries either.
static __always_inline int carries_tunnel(__u8 proto, __u16 sport, __u16 dport)
{
    if (proto != IPPROTO_UDP_)
        return 0;
    return is_vxlan_port(sport) || is_vxlan_port(dport)
        || (filter_config.geneve_port != 0 && (sport == filter_config.geneve_port || dport == filter_config.geneve_port));
}

PARSER_STEP int rule_flow_v4(struct flow_v4_key *key, __u32 set)
{
    struct rule_packet p = {};
    __u64 sid;

    if (!key)
        return 0;
    if (key->tunnel.kind == 0 && carries_tunnel(key->proto, __builtin_bswap16(key->sport), __builtin_bswap16(key->dport)))
        return 0;
    p.src[0] = key->src;
    p.dst[0] = key->dst;
    p.sport = __builtin_bswap16(key->sport);
    p.dport = __builtin_bswap16(key->dport);
    p.proto = key->proto;
    sid = match_rules(&p, set);
    if (sid == 0)
        return 0;
    ADD_FLOW(flow_v4, key, { __u32 a = key->src; key->src = key->dst; key->dst = a; }, sid);
    return 0;
}

PARSER_STEP int rule_flow_v6(struct flow_v6_key *key, __u32 set)
{
    struct rule_packet p = {};
    __u64 sid;

    if (!key)
        return 0;
    if (key->tunnel.kind == 0 && carries_tunnel(key->proto, __builtin_bswap16(key->sport), __builtin_bswap16(key->dport)))
        return 0;
    __builtin_memcpy(p.src, key->src, 16);
    __builtin_memcpy(p.dst, key->dst, 16);
    p.sport = __builtin_bswap16(key->sport);
    p.dport = __builtin_bswap16(key->dport);
    p.proto = key->proto;
    p.ipv6 = 1;
    sid = match_rules(&p, set);
    if (sid == 0)
        return 0;
    ADD_FLOW(flow_v6, key, { __builtin_memcpy(p.src, key->src, 16); __builtin_memcpy(key->src, key->dst, 16); __builtin_memcpy(key->dst, p.src, 16); }, sid);
    return 0;
}
#endif

// The half flow of a TCP or UDP layer: its map entry, or NULL. With kernel bypass rules in use, a
// miss is tested against them (and may make the flow's entries; the packet itself still passes).
static __always_inline struct flow_counters *lookup_layer(void *data, void *data_end, struct layer *l, struct tunnel_id *t)
{
    __u8 *net = (__u8 *)data + (l->net & MAX_OFFSET);
    __u8 *l4 = (__u8 *)data + (l->l4 & MAX_OFFSET);
    struct flow_counters *value;
#ifdef KERNEL_RULES
    __u32 set;
#endif

    if (l->proto != IPPROTO_TCP_ && l->proto != IPPROTO_UDP_)
        return 0;
    if (l4 + 4 > (__u8 *)data_end)
        return 0;
    if (!l->ipv6) {
        struct flow_v4_key key = {};

        if (net + 20 > (__u8 *)data_end)
            return 0;
        key.proto = l->proto;
        __builtin_memcpy(&key.src, net + 12, 4);
        __builtin_memcpy(&key.dst, net + 16, 4);
        __builtin_memcpy(&key.sport, l4, 2);
        __builtin_memcpy(&key.dport, l4 + 2, 2);
        key.vlan[0] = l->vlan[0];
        key.vlan[1] = l->vlan[1];
        key.vlan[2] = l->vlan[2];
        key.tunnel = *t;
        value = bpf_map_lookup_elem(&flow_v4, &key);
#ifdef KERNEL_RULES
        if (!value && (set = rules_in_use()) != 0)
            rule_flow_v4(&key, set);
#endif
        return value;
    } else {
        struct flow_v6_key key = {};

        if (net + 40 > (__u8 *)data_end)
            return 0;
        key.proto = l->proto;
        __builtin_memcpy(key.src, net + 8, 16);
        __builtin_memcpy(key.dst, net + 24, 16);
        __builtin_memcpy(&key.sport, l4, 2);
        __builtin_memcpy(&key.dport, l4 + 2, 2);
        key.vlan[0] = l->vlan[0];
        key.vlan[1] = l->vlan[1];
        key.vlan[2] = l->vlan[2];
        key.tunnel = *t;
        value = bpf_map_lookup_elem(&flow_v6, &key);
#ifdef KERNEL_RULES
        if (!value && (set = rules_in_use()) != 0)
            rule_flow_v6(&key, set);
#endif
        return value;
    }
}

// The map entry of the packet's flow: the outer TCP/UDP flow, or, inside one VXLAN, Geneve, GRE
// or ERSPAN tunnel, the inner TCP/UDP flow keyed with the tunnel's identity. NULL otherwise.
static __always_inline struct flow_counters *lookup_flow(struct xdp_md *ctx)
{
    struct layer outer = { .ethertype = ETH_P_TEB }, inner = {};
    struct tunnel_id tunnel = {};
    int carried;

    if (!parse_layer(ctx, &outer))
        return 0;
    carried = parse_tunnel(ctx, &outer, &tunnel, &inner);
    if (carried < 0)
        return 0;
    if (carried == 0) {
        __builtin_memset(&tunnel, 0, sizeof(tunnel));
        return lookup_layer((void *)(long)ctx->data, (void *)(long)ctx->data_end, &outer, &tunnel);
    }
    // One tunnel deep: a tunnel inside it (GRE in the inner layer) is not followed.
    if (!parse_layer(ctx, &inner))
        return 0;
    return lookup_layer((void *)(long)ctx->data, (void *)(long)ctx->data_end, &inner, &tunnel);
}

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
    struct flow_counters *value = lookup_flow(ctx);

    if (!value)
        return XDP_PASS;
    return count_and_drop(value, (__u64)(data_end - data));
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
