// Per-packet cost of kernel bypass rules (docs/XDP.md, "Kernel bypass rules") for a packet no
// rule matches, measured by the kernel with BPF_PROG_TEST_RUN: the average ns per run of
//   1. the filter without kernel rules (an object built from an xdp_bypass.c before them),
//   2. the filter with kernel rules, none in use (the set word says 0),
//   3-5. the same with 1, 16 and 64 rules in use, none matching the frame (UDP to ports 1000+i),
// on one passing IPv4/UDP frame (no map entry), rounds interleaved, medians printed. Run as root:
//   git show <commit before kernel rules>:Capture.Linux/Xdp/Bpf/xdp_bypass.c > old.c
//   clang-14 -O2 -g -target bpf -I/usr/include/x86_64-linux-gnu -c old.c -o old.o
//   clang-14 -O2 -g -target bpf -I/usr/include/x86_64-linux-gnu -c Capture.Linux/Xdp/Bpf/xdp_bypass.c -o new.o
//   gcc -O2 -o rule_cost bench/xdp-rules/rule_cost.c -l:libbpf.so.1 && ./rule_cost old.o new.o
#include "../xdp_test_run.h"

// struct bypass_rule of xdp_bypass.c (88 bytes).
struct bypass_rule { uint32_t src[4], src_mask[4], dst[4], dst_mask[4]; uint64_t sid;
  uint16_t sport_lo, sport_hi, dport_lo, dport_hi; uint8_t proto, family, both_ways, pad[5]; };

static void use_rules(struct bpf_object *o, uint32_t count) {
  int rules = bpf_map__fd(bpf_object__find_map_by_name(o, "bypass_rules"));
  int set = bpf_map__fd(bpf_object__find_map_by_name(o, "bypass_rule_set"));
  for (uint32_t i = 0; i < count; i++) {
    struct bypass_rule r; memset(&r, 0, sizeof r);
    r.sid = i + 1; r.proto = 17; r.family = 4; r.sport_hi = 65535;
    r.dport_lo = r.dport_hi = (uint16_t)(1000 + i);       // the frame goes to port 53: no rule matches
    if (bpf_map_update_elem(rules, &i, &r, 0)) { perror("rule"); exit(1); }
  }
  uint32_t zero = 0;
  if (bpf_map_update_elem(set, &zero, &count, 0)) { perror("set"); exit(1); }
}

int main(int argc, char **argv) {
  enum { Kinds = 5 };
  int rounds = 11, repeat = 5000000;
  const uint32_t in_use[Kinds] = { 0, 0, 1, 16, 64 };
  const char *names[Kinds] = { "filter without kernel rules", "kernel rules, none in use", "kernel rules, 1 in use (no match)", "kernel rules, 16 in use (no match)", "kernel rules, 64 in use (no match)" };
  struct bpf_object *objects[Kinds];
  int fds[Kinds];
  if (argc < 3) { fprintf(stderr, "usage: rule_cost old.o new.o\n"); return 2; }
  for (int k = 0; k < Kinds; k++) {
    fds[k] = load(k == 0 ? argv[1] : argv[2], "xdp_bypass", &objects[k]);
    if (k > 0) use_rules(objects[k], in_use[k]);
  }
  double r[Kinds][32];
  for (int i = 0; i < rounds; i++)
    for (int k = 0; k < Kinds; k++)
      r[k][i] = run(fds[k], repeat);
  for (int k = 0; k < Kinds; k++) {
    qsort(r[k], rounds, sizeof(double), cmp);
    printf("%-40s median %5.1f ns  min %5.1f  max %5.1f  (%d rounds x %d runs, passing IPv4/UDP frame)\n", names[k], r[k][rounds / 2], r[k][0], r[k][rounds - 1], rounds, repeat);
  }
  return 0;
}
